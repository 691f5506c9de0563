"""nn.conv_output_size and the padding modes: floor((n - k + 2p) / s) + 1."""
import pytest

import nn
from nn.windows import padding_amounts


@pytest.mark.parametrize("n, k, s, p, expected", [
    (8, 3, 1, 0, 6), (8, 3, 1, 1, 8), (8, 3, 2, 1, 4), (7, 3, 2, 0, 3), (5, 5, 1, 0, 1),
    (28, 5, 1, "same", 28), (28, 4, 1, "same", 28), (6, 3, 1, "full", 8), (6, 3, 2, "full", 4),
    (6, 3, 1, "valid", 4), (32, 5, 3, 2, 11),
])
def test_output_size_is_floor_of_n_minus_k_plus_2p_over_s_plus_1(n, k, s, p, expected):
    assert nn.conv_output_size(n, k, s, p) == expected


def test_same_pads_k_minus_1_with_the_extra_zero_after_and_full_k_minus_1_each_side():
    assert padding_amounts("same", (3, 4), (1, 1), "test") == ((1, 1), (1, 2))
    assert padding_amounts("full", (3, 4), (2, 2), "test") == ((2, 2), (3, 3))
    assert padding_amounts((1, 2), (3, 3), (1, 1), "test") == ((1, 1), (2, 2))


@pytest.mark.parametrize("args, message", [
    ((2, 3, 1, 0), r"conv_output_size: kernel size 3 is larger than the padded input: n 2 \+ "
                   r"padding 0 \+ 0 = 2"),
    ((8, 3, 0, 0), r"conv_output_size: stride must be a positive integer"),
    ((8, 3, 1, -1), r"conv_output_size: padding must be a non-negative integer"),
    ((8, 3, 2, "same"), r"conv_output_size: padding='same' needs stride 1"),
    ((0, 3, 1, 0), r"conv_output_size: the input size n must be a positive integer"),
])
def test_impossible_sizes_are_errors(args, message):
    with pytest.raises(ValueError, match=message):
        nn.conv_output_size(*args)

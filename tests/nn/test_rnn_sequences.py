"""nn.to_sequence and nn.sequence_to_numpy: torch's (T, N, features) layout, one
unbatched sequence, batch_first, gradients, and errors."""
import numpy as np
import pytest

import autodiff as ad
import nn


def test_step_t_feature_j_holds_the_column_x_t_j_of_every_example():
    X = np.arange(24.0).reshape(2, 3, 4)          # T=2, N=3, features=4
    sequence = nn.to_sequence(X)
    assert len(sequence) == 2 and all(len(step) == 4 for step in sequence)
    np.testing.assert_array_equal(sequence[1][2].data, X[1, :, 2])
    np.testing.assert_array_equal(nn.sequence_to_numpy(sequence), X)


def test_one_unbatched_sequence_is_float_values():
    X = np.arange(6.0).reshape(3, 2)
    sequence = nn.to_sequence(X)
    assert sequence[2][1].data == 5.0
    np.testing.assert_array_equal(nn.sequence_to_numpy(sequence), X)


def test_batch_first_arrays_are_transposed_both_ways():
    X = np.random.default_rng(0).normal(size=(3, 5, 2))     # N=3, T=5
    sequence = nn.to_sequence(X, batch_first=True)
    assert len(sequence) == 5
    np.testing.assert_array_equal(nn.sequence_to_numpy(sequence, batch_first=True), X)


def test_gradients_come_back_in_the_same_layout():
    X = np.random.default_rng(1).normal(size=(2, 3, 2))
    sequence = nn.to_sequence(X, requires_grad=True)
    ad.batch_sum(ad.sum([v * v for step in sequence for v in step])).backward()
    np.testing.assert_allclose(nn.sequence_to_numpy(sequence, grad=True), 2 * X)


def test_labels_name_step_and_feature():
    assert nn.to_sequence(np.zeros((2, 3)), label="x")[1][2].label == "x[1][2]"


def test_float_entries_broadcast_against_batched_ones():
    mixed = [[ad.Value(1.0), ad.Value(np.array([2.0, 3.0]))]]
    np.testing.assert_array_equal(nn.sequence_to_numpy(mixed), [[[1.0, 2.0], [1.0, 3.0]]])


def test_conversion_errors_say_what_is_expected():
    with pytest.raises(ValueError, match=r"to_sequence: expected a \(T, features\) or "
                                         r"\(T, N, features\) array, got shape \(4,\)"):
        nn.to_sequence(np.zeros(4))
    with pytest.raises(ValueError, match="batch_first needs a 3-D"):
        nn.to_sequence(np.zeros((2, 3)), batch_first=True)
    with pytest.raises(ValueError, match="sequence_to_numpy: the sequence is empty"):
        nn.sequence_to_numpy([])
    with pytest.raises(ValueError, match="some time steps are batched and some are not"):
        nn.sequence_to_numpy([[ad.Value(1.0)], [ad.Value(np.ones(2))]])

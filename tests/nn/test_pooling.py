"""nn.MaxPool2d, AvgPool2d, LPPool2d: torch's outputs and gradients for strides and
padding, the tie rule of max pooling, channels kept, gradcheck, errors."""
import numpy as np
import pytest

import autodiff as ad
import nn
from helpers import assert_same_as_torch

WINDOWS = [  # kernel_size, stride, padding
    (2, None, 0), (2, 1, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0)), (3, 1, 1),
]
WINDOW_IDS = ["2", "2-stride-1", "3-stride-2-pad-1", "2x3-pad-1x0", "3-stride-1-pad-1"]


def images(seed=0, shape=(2, 3, 6, 6)):
    return np.random.default_rng(seed).normal(size=shape)


@pytest.mark.parametrize("kernel_size, stride, padding", WINDOWS, ids=WINDOW_IDS)
def test_max_pooling_matches_torch(torch, kernel_size, stride, padding):
    ours = nn.MaxPool2d(kernel_size, stride, padding)
    theirs = torch.nn.MaxPool2d(kernel_size, stride, padding)
    assert_same_as_torch(ours, theirs, torch, images())


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("kernel_size, stride, padding", WINDOWS, ids=WINDOW_IDS)
def test_average_pooling_matches_torch(torch, kernel_size, stride, padding, count_include_pad):
    ours = nn.AvgPool2d(kernel_size, stride, padding, count_include_pad=count_include_pad)
    theirs = torch.nn.AvgPool2d(kernel_size, stride, padding,
                                count_include_pad=count_include_pad)
    assert_same_as_torch(ours, theirs, torch, images(1))


@pytest.mark.parametrize("norm_type", [1, 2, 3, 1.5])
@pytest.mark.parametrize("kernel_size, stride", [(2, None), (3, 1), ((2, 3), 2)],
                         ids=["2", "3-stride-1", "2x3-stride-2"])
def test_lp_pooling_matches_torch(torch, norm_type, kernel_size, stride):
    ours = nn.LPPool2d(norm_type, kernel_size, stride)
    theirs = torch.nn.LPPool2d(norm_type, kernel_size, stride)
    X = images(2)
    if norm_type != int(norm_type) or norm_type == 3:
        X = np.abs(X) + 0.1        # x^1.5 needs x >= 0; a cube root needs a positive sum
    assert_same_as_torch(ours, theirs, torch, X)


def test_lp_pooling_is_the_sum_for_p_1_and_the_window_norm_for_p_2():
    X = images(3, (2, 1, 4, 4))
    sums = nn.to_image_numpy(nn.LPPool2d(1, 2)(X))
    norms = nn.to_image_numpy(nn.LPPool2d(2, 2)(X))
    windows = X.reshape(2, 1, 2, 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 1, 2, 2, 4)
    np.testing.assert_allclose(sums, windows.sum(-1), atol=1e-12)
    np.testing.assert_allclose(norms, np.linalg.norm(windows, axis=-1), atol=1e-12)


def test_lp_pooling_approaches_max_pooling_for_large_p():
    X = np.abs(images(4, (2, 2, 4, 4))) + 0.5
    lp = nn.to_image_numpy(nn.LPPool2d(60, 2)(X))
    biggest = nn.to_image_numpy(nn.MaxPool2d(2)(X))
    np.testing.assert_allclose(lp, biggest, rtol=0.03)


def test_lp_pooling_of_a_negative_base_with_a_fractional_power_is_an_error():
    with pytest.raises(ValueError, match="pow: a negative base has no real power 1.5"):
        nn.LPPool2d(1.5, 2)(-np.ones((1, 2, 2)))


def test_lp_pooling_of_an_all_zero_window_is_an_error_with_a_graph_and_zero_without():
    with pytest.raises(ValueError, match=r"pow: the derivative of x \*\* 0.5 is infinite"):
        nn.LPPool2d(2, 2)(np.zeros((1, 2, 2)))
    with ad.no_grad():
        assert nn.LPPool2d(2, 2)(np.zeros((1, 2, 2)))[0][0][0].data == 0.0


def test_pooling_keeps_the_channels_and_pools_each_separately():
    X = images(5, (3, 4, 4))
    out = nn.to_image_numpy(nn.MaxPool2d(2)(X))
    assert out.shape == (3, 2, 2)
    for c in range(3):
        np.testing.assert_array_equal(out[c], X[c].reshape(2, 2, 2, 2).max(axis=(1, 3)))


def test_max_pooling_sends_the_gradient_to_the_largest_input_only():
    x = [[[ad.Value(1.0), ad.Value(4.0)], [ad.Value(-2.0), ad.Value(3.0)]]]
    out = nn.MaxPool2d(2)(x)
    out[0][0][0].backward()
    assert out[0][0][0].data == 4.0
    assert [v.grad for row in x[0] for v in row] == [0.0, 1.0, 0.0, 0.0]


def test_max_pooling_splits_the_gradient_evenly_between_tied_inputs():
    # documented difference from torch, which routes a tie's gradient to one input
    x = [[[ad.Value(2.0), ad.Value(2.0)], [ad.Value(2.0), ad.Value(2.0)]]]
    out = nn.MaxPool2d(2)(x)
    out[0][0][0].backward()
    assert [v.grad for row in x[0] for v in row] == [0.25, 0.25, 0.25, 0.25]
    pair = [[[ad.Value(5.0), ad.Value(1.0), ad.Value(5.0)]]]
    top = nn.MaxPool2d((1, 3))(pair)[0][0][0]
    top.backward()
    assert sum(v.grad for v in pair[0][0]) == 1.0 and pair[0][0][1].grad == 0.0


def test_average_pooling_is_one_sum_node_scaled_by_one_over_the_window():
    out = nn.AvgPool2d(2)(nn.to_image_values(np.ones((1, 2, 2))))[0][0][0]
    assert out.op == "mul" and out.parents[0].op == "sum"
    assert len(out.parents[0].parents) == 4 and out.parents[1].data == 0.25


@pytest.mark.parametrize("layer", [
    nn.MaxPool2d(2, 1), nn.AvgPool2d(3, 2, 1), nn.AvgPool2d(2, count_include_pad=False),
    nn.LPPool2d(2, 2, 1), nn.LPPool2d(3, (1, 2)),
], ids=["max", "avg-padded", "avg-no-pad-count", "lp-2", "lp-3"])
def test_pooling_gradients_pass_gradcheck(layer):
    X = np.random.default_rng(6).uniform(0.2, 2.0, size=(2, 2, 4, 4))
    image = [[[X[:, c, i, j] for j in range(4)] for i in range(4)] for c in range(2)]
    assert nn.gradcheck_module(layer, image).ok


def test_the_stride_defaults_to_the_kernel_size():
    assert nn.MaxPool2d(3).stride == (3, 3) and nn.AvgPool2d((2, 3)).stride == (2, 3)
    assert nn.LPPool2d(2, 2, stride=1).stride == (1, 1)


def test_repr_shows_the_settings():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert repr(nn.LPPool2d(2, 3)) == "LPPool2d(norm_type=2, kernel_size=(3, 3), stride=(3, 3))"


@pytest.mark.parametrize("make, message", [
    (lambda: nn.MaxPool2d(0), r"MaxPool2d: kernel_size must be a positive integer .*got 0"),
    (lambda: nn.AvgPool2d(2, stride=0), r"AvgPool2d: stride must be a positive integer .*got 0"),
    (lambda: nn.MaxPool2d(3, padding=2), r"MaxPool2d: padding must be at most half the "
                                         r"kernel size \(as torch\), got padding \(2, 2\)"),
    (lambda: nn.LPPool2d(0, 2), r"LPPool2d: norm_type p must be a positive finite number, got 0"),
    (lambda: nn.LPPool2d(float("inf"), 2), r"got inf \(for p = infinity use MaxPool2d\)"),
], ids=["kernel", "stride", "padding", "p-zero", "p-infinite"])
def test_bad_settings_are_errors_naming_the_layer_and_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_window_larger_than_the_input_is_an_error():
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=\(3, 3\).*\): kernel size 3 "
                                         r"is larger than the padded input: width 2"):
        nn.MaxPool2d(3)(np.zeros((1, 4, 2)))


def test_a_ragged_image_is_an_error():
    with pytest.raises(ValueError, match=r"AvgPool2d\(.*\): ragged image: channel 0 row 1"):
        nn.AvgPool2d(1)([[[1.0, 2.0], [3.0]]])

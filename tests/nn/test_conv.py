"""nn.Conv2d / nn.conv2d: torch's outputs and gradients for every padding mode and
stride, the channel rule, state dicts, initialisation, gradcheck, padding taps left out
of the graph, errors.

nn.MaxPool2d, AvgPool2d, LPPool2d: torch's outputs and gradients for strides and
padding, the tie rule of max pooling, channels kept, gradcheck, errors.

nn.conv_output_size and the padding modes: floor((n - k + 2p) / s) + 1.

A tiny CNN (conv-relu-pool-linear) learns the digits: loss falls fast with batched
Values and Adam, and it trains through nn.fit from flat pixel rows via Unflatten.
(The >= 97% test-accuracy run is benchmarks/cnn_digits.py, not part of the suite.)"""
import math

import numpy as np
import pytest

import autodiff as ad
import nn
import optim
from helpers import assert_same_as_torch, central_difference, run_both_images as run_both
from nn.conv import padding_amounts


PADDINGS_AND_STRIDES = [(padding, stride) for padding in (0, 1, (2, 0), "valid", "same", "full")
                        for stride in (1, 2) if (padding, stride) != ("same", 2)]


def torch_padding(padding, kernel_size):
    """torch has no "full": it is padding k - 1 on each side."""
    if padding == "full":
        return tuple(k - 1 for k in kernel_size)
    return padding


def conv_pair(torch, in_channels, out_channels, kernel_size, seed=0, **options):
    """Our Conv2d with the weights of a fresh torch Conv2d (its state dict loaded)."""
    torch.manual_seed(seed)
    kernel = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
    torch_options = dict(options, padding=torch_padding(options.get("padding", 0), kernel))
    theirs = torch.nn.Conv2d(in_channels, out_channels, kernel_size, **torch_options)
    ours = nn.Conv2d(in_channels, out_channels, kernel_size, **options)
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


@pytest.mark.parametrize("padding, stride", PADDINGS_AND_STRIDES, ids=str)
def test_outputs_and_all_gradients_match_torch(torch, padding, stride):
    ours, theirs = conv_pair(torch, 3, 4, 3, stride=stride, padding=padding)
    X = np.random.default_rng(1).normal(size=(2, 3, 6, 6))
    assert_same_as_torch(ours, theirs, torch, X)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), atol=1e-6)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("kernel_size, stride, padding", [
    ((2, 3), (2, 1), 1), (4, 1, "same"), (2, 1, "same"), ((1, 4), 1, "full"), (3, (1, 2), 3),
], ids=["rectangular", "even-same", "kernel-2-same", "1x4-full", "padding-3-windows-on-zeros"])
def test_rectangular_and_even_kernels_match_torch(torch, kernel_size, stride, padding):
    ours, theirs = conv_pair(torch, 2, 3, kernel_size, stride=stride, padding=padding)
    X = np.random.default_rng(2).normal(size=(2, 2, 5, 6))
    assert_same_as_torch(ours, theirs, torch, X)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-6)


def test_same_padding_keeps_the_size_and_pads_the_extra_zero_after_for_even_kernels():
    image = nn.to_image_values(np.ones((1, 7, 7)))
    for k in (1, 2, 3, 4, 5):
        out = nn.Conv2d(1, 1, k, padding="same", bias=False, generator=0)(image)
        assert (len(out[0]), len(out[0][0])) == (7, 7)
    layer = nn.Conv2d(1, 1, 2, padding="same", bias=False)
    layer.weight.data = np.ones((1, 1, 2, 2))
    out = nn.to_image_numpy(layer(image))[0]
    # k = 2 pads 0 zeros before and 1 after: the last row and column see the padding
    assert out[0, 0] == 4.0 and out[-1, 0] == 2.0 and out[0, -1] == 2.0 and out[-1, -1] == 1.0


def test_full_padding_lets_every_input_meet_every_kernel_tap():
    layer = nn.Conv2d(1, 1, 3, padding="full", bias=False)
    layer.weight.data = np.arange(9.0).reshape(1, 1, 3, 3)
    out = nn.to_image_numpy(layer(nn.to_image_values(np.ones((1, 1, 1)))))
    assert out.shape == (1, 3, 3)
    np.testing.assert_array_equal(out[0], np.arange(9.0).reshape(3, 3)[::-1, ::-1])


def test_torch_state_dict_loads_and_ours_exports_torch_names_and_shapes(torch):
    ours, theirs = conv_pair(torch, 2, 5, (3, 2))
    state = ours.state_dict()
    assert list(state) == ["weight", "bias"]
    assert state["weight"].shape == (5, 2, 3, 2) and state["bias"].shape == (5,)
    round_trip = torch.nn.Conv2d(2, 5, (3, 2))
    round_trip.load_state_dict({name: torch.tensor(array) for name, array in state.items()})
    X = np.random.default_rng(3).normal(size=(3, 2, 4, 4))
    np.testing.assert_allclose(nn.to_image_numpy(ours(X)),
                               round_trip(torch.tensor(X)).detach().numpy(), atol=1e-12)


def test_a_filter_sums_one_kernel_per_input_channel_into_one_output_channel():
    # the notes' channel rule: out channel o = sum over c of (kernel[o][c] (*) x[c]) + b[o]
    layer = nn.Conv2d(3, 2, 2, generator=0)
    X = np.random.default_rng(4).normal(size=(3, 4, 4))
    out = nn.to_image_numpy(layer(X))
    weight, bias = layer.weight.numpy(), layer.bias.numpy()
    for o in range(2):
        by_channel = [nn.to_image_numpy(nn.conv2d(nn.to_image_values(X[c:c + 1]),
                                                  [[weight[o][c].tolist()]]))[0]
                      for c in range(3)]
        np.testing.assert_allclose(out[o], sum(by_channel) + bias[o], atol=1e-12)


def test_each_output_pixel_is_one_affine_node_with_padding_taps_left_out():
    layer = nn.Conv2d(2, 1, 3, padding=1)
    image = nn.to_image_values(np.ones((2, 3, 3)))
    out = layer(image)
    corner, centre = out[0][0][0], out[0][1][1]
    assert corner.op == "affine" and centre.op == "affine"
    # weights, then the pixels under them, then the bias: 2 channels x (2x2 of the 3x3
    # window on the input) at the corner, 2 x 3x3 in the centre
    assert len(corner.parents) == 2 * 4 + 2 * 4 + 1
    assert len(centre.parents) == 2 * 9 + 2 * 9 + 1
    assert corner.parents[:4] == (layer.weight[0, 0, 1, 1], layer.weight[0, 0, 1, 2],
                                  layer.weight[0, 0, 2, 1], layer.weight[0, 0, 2, 2])
    assert corner.parents[8:12] == (image[0][0][0], image[0][0][1],
                                    image[0][1][0], image[0][1][1])
    assert corner.parents[-1] is layer.bias[0]


def test_a_window_wholly_on_the_padding_gives_the_bias_or_zero():
    layer = nn.Conv2d(1, 1, 1, padding=1)
    out = nn.to_image_numpy(layer(np.full((1, 1, 1), 2.0)))[0]
    w, b = layer.weight.numpy().item(), layer.bias.numpy().item()
    expected = np.full((3, 3), b)
    expected[1, 1] = 2.0 * w + b
    np.testing.assert_allclose(out, expected, atol=1e-15)
    no_bias = nn.Conv2d(1, 1, 1, padding=1, bias=False)(np.ones((1, 1, 1)))
    assert no_bias[0][0][0].data == 0.0


def test_gradients_of_inputs_weights_and_bias_pass_gradcheck():
    layer = nn.Conv2d(2, 2, (2, 3), stride=(1, 2), padding=1, generator=0)
    X = np.random.default_rng(5).normal(size=(2, 2, 3, 4))
    image = [[[X[:, c, i, j] for j in range(4)] for i in range(3)] for c in range(2)]
    assert nn.gradcheck_module(layer, image).ok


def test_one_image_of_floats_gives_the_same_as_a_batch_of_one(torch):
    layer = nn.Conv2d(2, 3, 3, padding="same", generator=1)
    X = np.random.default_rng(6).normal(size=(2, 4, 5))
    single = nn.to_image_numpy(layer(X))
    batched = nn.to_image_numpy(layer(X[None]))
    assert single.shape == (3, 4, 5) and batched.shape == (1, 3, 4, 5)
    np.testing.assert_allclose(single, batched[0], atol=1e-12)


def test_without_bias_there_is_no_bias_parameter(torch):
    ours, theirs = conv_pair(torch, 2, 2, 3, bias=False)
    assert ours.bias is None and list(ours.state_dict()) == ["weight"]
    assert_same_as_torch(ours, theirs, torch, np.random.default_rng(7).normal(size=(2, 2, 4, 4)))


def test_default_initialisation_is_torchs_fan_in_uniform():
    layer = nn.Conv2d(4, 16, (3, 5), generator=0)
    bound = 1.0 / math.sqrt(4 * 3 * 5)
    weight, bias = layer.weight.numpy(), layer.bias.numpy()
    assert np.all(np.abs(weight) <= bound) and np.all(np.abs(bias) <= bound)
    assert weight.std() == pytest.approx(bound / math.sqrt(3), rel=0.1)   # U(-a, a): a/sqrt3
    same = nn.Conv2d(4, 16, (3, 5), generator=0)
    np.testing.assert_array_equal(same.weight.numpy(), weight)


def test_gradient_of_a_shared_kernel_sums_over_every_window(torch):
    # parameter sharing: d L / d w[o][c][i][j] = sum over windows of the input under the tap
    layer = nn.Conv2d(1, 1, 2, bias=False)
    X = np.random.default_rng(8).normal(size=(3, 1, 4, 4))
    out = layer(X)
    ad.batch_sum(ad.sum([y for row in out[0] for y in row])).backward()
    expected = [[X[:, 0, i:i + 3, j:j + 3].sum() for j in range(2)] for i in range(2)]
    np.testing.assert_allclose(layer.weight.grad[0, 0], expected, atol=1e-12)


def test_repr_shows_the_settings():
    assert repr(nn.Conv2d(1, 8, 3, padding="same")) == \
        "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding='same', bias=True)"


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Conv2d(0, 1, 3), r"Conv2d: in_channels must be a whole number >= 1, got 0"),
    (lambda: nn.Conv2d(1, 1, 0), r"Conv2d: kernel_size must be a positive integer .*got 0"),
    (lambda: nn.Conv2d(1, 1, 3, stride=0), r"Conv2d: stride must be a positive integer .*got 0"),
    (lambda: nn.Conv2d(1, 1, 3, stride=(1, -2)), r"stride must be .*got \(1, -2\)"),
    (lambda: nn.Conv2d(1, 1, 3, padding=-1), r"Conv2d: padding must be a non-negative"),
    (lambda: nn.Conv2d(1, 1, 3, padding="half"), r"padding must be .*one of .*got 'half'"),
    (lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same"),
     r"Conv2d: padding='same' needs stride 1 \(as torch\), got stride \(2, 2\)"),
], ids=["channels", "kernel", "stride", "stride-pair", "padding", "padding-name", "same-stride"])
def test_bad_settings_are_errors_naming_the_layer_and_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_number_of_input_channels_is_an_error():
    with pytest.raises(ValueError, match=r"Conv2d\(3, 2, .*\): expected 3 input channels, got 2"):
        nn.Conv2d(3, 2, 3)(np.zeros((2, 5, 5)))


def test_kernel_larger_than_the_padded_input_is_an_error():
    with pytest.raises(ValueError, match=r"Conv2d\(1, 1, kernel_size=\(5, 5\).*\): kernel size 5 "
                                         r"is larger than the padded input: height 2 \+ "
                                         r"padding 1 \+ 1 = 4"):
        nn.Conv2d(1, 1, 5, padding=1)(np.zeros((1, 2, 6)))


def test_ragged_nested_lists_are_an_error():
    layer = nn.Conv2d(1, 1, 2)
    ragged = [[[1.0, 2.0, 3.0], [4.0, 5.0], [6.0, 7.0, 8.0]]]
    with pytest.raises(ValueError, match=r"Conv2d\(.*\): ragged image: channel 0 row 1 has "
                                         "2 columns, row 0 of channel 0 has 3 columns"):
        layer(ragged)
    with pytest.raises(ValueError, match="ragged image: channel 1 has 1 rows, channel 0 has 2"):
        nn.Conv2d(2, 1, 1)([[[1.0], [2.0]], [[3.0]]])
    with pytest.raises(ValueError, match=r"channel 0 is not a list of rows"):
        layer([[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"expected an image .* got a single Value"):
        layer(ad.Value(1.0))


def test_torch_rejects_same_padding_with_stride_2_as_we_do(torch):
    with pytest.raises(ValueError, match="not supported for strided convolutions"):
        torch.nn.Conv2d(1, 1, 3, stride=2, padding="same")


def test_outputs_of_several_layers_compose_like_torch(torch):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.Tanh(),
                                 torch.nn.Conv2d(3, 2, 2, stride=2))
    ours = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Tanh(), nn.Conv2d(3, 2, 2, stride=2))
    ours.load_state_dict(theirs.state_dict())
    out, out_t, grad, grad_t = run_both(ours, theirs, torch,
                                        np.random.default_rng(9).normal(size=(2, 2, 6, 6)))
    np.testing.assert_allclose(out, out_t, atol=1e-9)
    np.testing.assert_allclose(grad, grad_t, atol=1e-9)
    for (name, parameter), (_, tensor) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(parameter.grad, tensor.grad.numpy(), atol=1e-9, err_msg=name)


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


@pytest.mark.parametrize("count_include_pad, outputs, input_grad", [
    # [[1, 2], [3, 4]] padded by 1, 2x2 windows at stride 1: a corner window holds one
    # input and three padded zeros, an edge window two inputs, the middle one all four
    (True, [[1 / 4, 3 / 4, 2 / 4], [4 / 4, 10 / 4, 6 / 4], [3 / 4, 7 / 4, 4 / 4]], 4 * (1 / 4)),
    (False, [[1 / 1, 3 / 2, 2 / 1], [4 / 2, 10 / 4, 6 / 2], [3 / 1, 7 / 2, 4 / 1]],
     1 / 1 + 1 / 2 + 1 / 2 + 1 / 4),     # each input: one corner, two edge, the middle window
], ids=["padded-zeros-count", "only-inputs-count"])
def test_average_pooling_divides_by_the_window_or_by_its_inputs_worked_by_hand(
        count_include_pad, outputs, input_grad):
    image = [[[ad.Value(1.0), ad.Value(2.0)], [ad.Value(3.0), ad.Value(4.0)]]]
    pooled = nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=count_include_pad)(image)
    np.testing.assert_allclose([[v.data for v in row] for row in pooled[0]], outputs,
                               rtol=1e-15)
    ad.sum([v for row in pooled[0] for v in row]).backward()
    assert [v.grad for row in image[0] for v in row] == pytest.approx([input_grad] * 4,
                                                                      rel=1e-15)


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


def test_pooling_repr_shows_the_settings():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert repr(nn.LPPool2d(2, 3)) == "LPPool2d(norm_type=2, kernel_size=(3, 3), stride=(3, 3))"


@pytest.mark.parametrize("make, message", [
    (lambda: nn.MaxPool2d(0), r"MaxPool2d: kernel_size must be a positive integer .*got 0"),
    (lambda: nn.AvgPool2d(2, stride=0), r"AvgPool2d: stride must be a positive integer .*got 0"),
    (lambda: nn.MaxPool2d(3, padding=2), r"MaxPool2d: padding must be at most half the "
                                         r"kernel size \(as torch\), got padding \(2, 2\)"),
    (lambda: nn.LPPool2d(0, 2), r"LPPool2d: norm_type p \(for p = infinity use MaxPool2d\) "
                                r"must be a number > 0.0, got 0"),
    (lambda: nn.LPPool2d(float("inf"), 2), r"\(for p = infinity use MaxPool2d\) must be a "
                                           r"number > 0.0, got inf"),
], ids=["kernel", "stride", "padding", "p-zero", "p-infinite"])
def test_bad_pooling_settings_are_errors_naming_the_layer_and_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_window_larger_than_the_input_is_an_error():
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=\(3, 3\).*\): kernel size 3 "
                                         r"is larger than the padded input: width 2"):
        nn.MaxPool2d(3)(np.zeros((1, 4, 2)))


def test_a_ragged_image_is_an_error():
    with pytest.raises(ValueError, match=r"AvgPool2d\(.*\): ragged image: channel 0 row 1"):
        nn.AvgPool2d(1)([[[1.0, 2.0], [3.0]]])


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


def tiny_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, generator=0), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 3 * 3, 10, generator=1))


def test_a_tiny_cnn_cuts_its_loss_on_a_few_digits_in_a_few_steps():
    X, y = nn.load_digits()
    X, y = X[:120].reshape(-1, 1, 8, 8), y[:120]
    model = tiny_cnn()
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    images = nn.to_image_values(X)
    losses = []
    for _ in range(25):
        optimizer.zero_grad()
        loss = nn.cross_entropy(model(images), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    assert losses[0] > 2.0                      # about log 10 at the start
    assert losses[-1] < 0.1 * losses[0]
    assert nn.accuracy(nn.to_numpy(model(images)), y) > 0.95


def test_a_cnn_behind_unflatten_trains_with_fit_on_flat_pixel_rows():
    X, y = nn.load_digits()
    model = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), *tiny_cnn())
    before = nn.evaluate(model, X[:200], y[:200], loss_fn=nn.cross_entropy)
    history = nn.fit(model, nn.cross_entropy, optim.Adam(model.parameters(), lr=0.03),
                     X[:200], y[:200], epochs=4, batch_size=50, generator=0, progress=False)
    after = nn.evaluate(model, X[:200], y[:200], loss_fn=nn.cross_entropy)
    assert history["loss"][-1] < history["loss"][0]
    assert after["loss"] < 0.5 * before["loss"]
    assert after["accuracy"] > 0.8
    assert nn.predict(model, X[:3]).shape == (3, 10)
    assert np.isfinite(after["loss"])


def test_an_odd_window_with_a_smaller_stride_reaches_every_input_without_torch():
    """3x3 windows at stride 2 over 5x5: rows and columns 0-2 and 2-4, so every input is
    in some window (row and column 2 in two). Each input's gradient of
    s = sum_k c_k y_k, y = max pooling, is checked against central differences on
    plain floats: c_k for the input that wins window k, summed over its windows."""
    rng = np.random.default_rng(7)
    X = rng.permutation(25).reshape(1, 1, 5, 5) / 10.0       # distinct: no ties
    weights = rng.normal(size=(2, 2))
    pool = nn.MaxPool2d(3, stride=2)

    def pooled_sum(flat):
        image = np.array(flat).reshape(5, 5)
        return sum(weights[r, q] * image[2 * r:2 * r + 3, 2 * q:2 * q + 3].max()
                   for r in range(2) for q in range(2))

    image = nn.to_image_values(X[0], requires_grad=True)
    out = pool(image)
    assert [len(out[0]), len(out[0][0])] == [2, 2]
    ad.sum([weights[r, q] * out[0][r][q] for r in range(2) for q in range(2)]).backward()
    grads = np.array([[pixel.grad for pixel in row] for row in image[0]])
    expected = central_difference(pooled_sum, X.ravel()).reshape(5, 5)
    np.testing.assert_allclose(grads, expected, atol=1e-8)
    winners = [(2 * r + i, 2 * q + j) for r in range(2) for q in range(2)
               for i, j in [np.unravel_index(X[0, 0, 2 * r:2 * r + 3, 2 * q:2 * q + 3].argmax(),
                                             (3, 3))]]
    assert {(i, j) for i in range(5) for j in range(5) if grads[i, j] != 0} == set(winners)
    covered = {(2 * r + i, 2 * q + j) for r in range(2) for q in range(2)
               for i in range(3) for j in range(3)}
    assert covered == {(i, j) for i in range(5) for j in range(5)}   # no input dropped
    bottom_right = np.zeros((1, 1, 5, 5))
    bottom_right[0, 0, 4, 4] = 1.0                # the last row and column are reached
    assert nn.to_image_numpy(pool(nn.to_image_values(bottom_right[0])))[0, 1, 1] == 1.0

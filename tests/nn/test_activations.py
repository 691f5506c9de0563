"""Activations: functions and modules, PReLU vs Leaky ReLU, Maxout."""
import numpy as np
import pytest

import autodiff as ad
import nn


def test_activation_functions_are_the_engine_primitives():
    assert nn.sigmoid is ad.sigmoid and nn.tanh is ad.tanh
    assert nn.relu is ad.relu and nn.leaky_relu is ad.leaky_relu


@pytest.mark.parametrize("module, plain", [
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.PReLU(), lambda x: np.where(x > 0, x, 0.25 * x)),
])
def test_activation_modules_apply_elementwise_to_vectors_and_batches(module, plain):
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(nn.to_numpy(module(X)), plain(X), rtol=1e-14)
    np.testing.assert_allclose([v.data for v in module(list(X[0]))], plain(X[0]), rtol=1e-14)


def test_elementwise_activations_keep_nested_structure():
    image = [[[ad.Value(-1.0), ad.Value(2.0)]], [[ad.Value(3.0), ad.Value(-4.0)]]]
    out = nn.ReLU()(image)
    assert [[[v.data for v in row] for row in channel] for channel in out] == \
        [[[0.0, 2.0]], [[3.0, 0.0]]]


def torch_prelu_pair(torch, channels):
    ours = nn.PReLU(channels, init=0.3)
    theirs = torch.nn.PReLU(channels, init=0.3)
    with torch.no_grad():
        theirs.weight.copy_(torch.linspace(0.1, 0.4, channels))
    ours.load_state_dict({"weight": theirs.weight.detach().numpy()})
    return ours, theirs


@pytest.mark.parametrize("channels", [1, 3])
def test_prelu_values_and_gradients_match_torch_including_the_slope(torch, channels):
    ours, theirs = torch_prelu_pair(torch, channels)
    X = np.random.default_rng(2).normal(size=(6, 3))
    X[0, 0] = 0.0                      # the kink: d/dx = a, d/da = 0 in torch
    inputs = nn.to_values(X, requires_grad=True)
    ad.batch_sum(ad.sum([k * y for k, y in enumerate(ours(inputs), 1)])).backward()
    X_t = torch.tensor(X, requires_grad=True)
    (theirs(X_t) * torch.arange(1.0, 4.0)).sum().backward()
    np.testing.assert_allclose(nn.to_numpy(ours(inputs)), theirs(X_t).detach().numpy(),
                               rtol=1e-14)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(nn.to_numpy([v.grad for v in inputs]), X_t.grad.numpy(),
                               rtol=1e-10)


def test_prelu_per_channel_slopes_cover_nested_channels_like_torch(torch):
    ours, theirs = torch_prelu_pair(torch, 2)
    X = np.random.default_rng(3).normal(size=(4, 2, 3))          # (N, C, L)
    channels = [[ad.Value(X[:, c, i]) for i in range(3)] for c in range(2)]
    out = ours(channels)
    ad.batch_sum(ad.sum([v for channel in out for v in channel])).backward()
    X_t = torch.tensor(X, requires_grad=True)
    out_t = theirs(X_t)
    out_t.sum().backward()
    np.testing.assert_allclose(np.stack([nn.to_numpy(ch) for ch in out], axis=1),
                               out_t.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)


def test_leaky_relu_matches_torch(torch):
    X = np.random.default_rng(4).normal(size=(5, 2))
    expected = torch.nn.LeakyReLU(0.05)(torch.tensor(X)).numpy()
    np.testing.assert_allclose(nn.to_numpy(nn.LeakyReLU(0.05)(X)), expected, rtol=1e-14)


def test_prelu_learns_its_slope_while_leaky_relu_has_none():
    assert nn.LeakyReLU(0.1).parameters() == []
    prelu = nn.PReLU()
    assert [name for name, _ in prelu.named_parameters()] == ["weight"]
    y = prelu([ad.Value(-2.0)])[0]
    y.backward()
    assert prelu.weight.grad[0] == -2.0          # d(a x)/da = x for x < 0


def test_prelu_channel_count_must_match_the_input():
    with pytest.raises(ValueError, match=r"PReLU\(num_parameters=3\): expected an input "
                                         r"vector of 3 values, got 2"):
        nn.PReLU(3)([1.0, 2.0])


def test_leaky_relu_slope_must_be_in_zero_one():
    with pytest.raises(ValueError, match=r"LeakyReLU: negative_slope must be a number >= 0.0 "
                                         r"and < 1.0, got 1.5"):
        nn.LeakyReLU(1.5)


def test_maxout_is_the_max_of_its_linear_pieces():
    layer = nn.Maxout(3, 2, pieces=4, generator=0)
    assert layer.weight.shape == (2, 4, 3) and layer.bias.shape == (2, 4)
    X = np.random.default_rng(5).normal(size=(7, 3))
    pieces = np.einsum("okj,nj->nok", layer.weight.numpy(), X) + layer.bias.numpy()
    np.testing.assert_allclose(nn.to_numpy(layer(X)), pieces.max(axis=2), rtol=1e-13)


def test_maxout_gradient_goes_to_the_winning_piece_only():
    layer = nn.Maxout(1, 1, pieces=2, generator=0)
    layer.weight.data = [[[1.0], [-1.0]]]
    layer.bias.data = [[0.0, 0.0]]
    layer([ad.Value(2.0)])[0].backward()          # piece 0 wins: 2 > -2
    np.testing.assert_array_equal(layer.weight.grad, [[[2.0], [0.0]]])
    np.testing.assert_array_equal(layer.bias.grad, [[1.0, 0.0]])


def test_make_activation_accepts_names_and_factories():
    assert isinstance(nn.make_activation("tanh"), nn.Tanh)
    assert isinstance(nn.make_activation(nn.Sigmoid), nn.Sigmoid)
    with pytest.raises(TypeError, match="make_activation: spec must be"):
        nn.make_activation(3)

"""nn.Linear and nn.MLP: values, gradients (central differences and torch), init, errors."""
import math

import numpy as np
import pytest

import autodiff as ad
import nn


def test_linear_computes_w_x_plus_b():
    layer = nn.Linear(3, 2, generator=0)
    x = np.array([0.5, -1.0, 2.0])
    expected = layer.weight.numpy() @ x + layer.bias.numpy()
    np.testing.assert_allclose([v.data for v in layer(list(x))], expected, rtol=1e-14)


def test_each_output_is_one_affine_node_with_weight_input_and_bias_edges():
    layer = nn.Linear(4, 3, generator=0)
    x = [1.0, 2.0, 3.0, 4.0]
    outputs = layer(x)
    assert all(y.op == "affine" and len(y.parents) == 4 + 4 + 1 for y in outputs)
    first = outputs[0]
    assert first.parents[:4] == tuple(layer.weight[0]) and first.parents[-1] is layer.bias[0]
    assert first.local_grads[:4] == tuple(x)            # d y / d W_0j = x_j
    assert first.local_grads[4:8] == tuple(v.data for v in layer.weight[0])   # d y / d x_j
    assert len(nn.Linear(4, 3, bias=False)([1.0] * 4)[0].parents) == 8


def test_a_batch_gives_the_rows_of_single_examples():
    layer = nn.Linear(3, 2, generator=0)
    X = np.random.default_rng(0).normal(size=(6, 3))
    batched = nn.to_numpy(layer(X))
    assert batched.shape == (6, 2)
    np.testing.assert_allclose(batched, X @ layer.weight.numpy().T + layer.bias.numpy(),
                               rtol=1e-13)


def test_values_and_gradients_match_torch(torch):
    layer = nn.Linear(4, 3, generator=0)
    reference = torch.nn.Linear(4, 3)
    reference.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
    X = np.random.default_rng(1).normal(size=(7, 4))
    coefficients = np.random.default_rng(2).normal(size=3)
    inputs = nn.to_values(X, requires_grad=True)
    out = layer(inputs)
    ad.batch_sum(ad.sum([c * y for c, y in zip(coefficients, out)])).backward()
    X_t = torch.tensor(X, requires_grad=True)
    out_t = reference(X_t)
    (out_t @ torch.tensor(coefficients)).sum().backward()
    np.testing.assert_allclose(nn.to_numpy(out), out_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(nn.to_numpy([v.grad for v in inputs]), X_t.grad.numpy(),
                               rtol=1e-10)


def test_default_init_is_uniform_within_one_over_sqrt_fan_in():
    layer = nn.Linear(25, 400, generator=0)
    bound = 1 / math.sqrt(25)
    for parameter in (layer.weight, layer.bias):
        data = parameter.numpy()
        assert np.all(np.abs(data) <= bound)
        assert np.abs(data).max() > 0.9 * bound
    assert layer.weight.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.05)


def test_init_is_reproducible_with_a_seed_and_with_manual_seed():
    np.testing.assert_array_equal(nn.Linear(3, 2, generator=7).weight.numpy(),
                                  nn.Linear(3, 2, generator=7).weight.numpy())
    nn.manual_seed(11)
    first = nn.MLP([2, 3, 1]).state_dict()
    nn.manual_seed(11)
    second = nn.MLP([2, 3, 1]).state_dict()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    assert not np.array_equal(first["0.weight"], nn.MLP([2, 3, 1]).state_dict()["0.weight"])


def test_wrong_input_size_names_the_layer_and_the_sizes():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"Linear\(in_features=3, out_features=2, bias=True\): "
                                         r"expected an input vector of 3 values, got 4"):
        layer([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="expected an input vector of 3 values, got 2"):
        layer(np.zeros((5, 2)))
    with pytest.raises(TypeError, match="got a single Value"):
        layer(ad.Value(1.0))


def test_invalid_sizes_are_rejected():
    with pytest.raises(ValueError, match="Linear: out_features must be a whole number >= 1, got 0"):
        nn.Linear(3, 0)
    with pytest.raises(ValueError, match="MLP: sizes must be at least two"):
        nn.MLP([3])


def test_mlp_layers_follow_the_options():
    model = nn.MLP([2, 8, 8, 3], activation="leaky_relu", batch_norm=True, dropout=0.2,
                   generator=0)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "BatchNorm1d", "LeakyReLU", "Dropout", "Linear",
                     "BatchNorm1d", "LeakyReLU", "Dropout", "Linear"]
    assert len(model(np.zeros((4, 2)))) == 3
    custom = nn.MLP([2, 3, 1], activation=lambda: nn.PReLU(3))
    assert isinstance(custom[1], nn.PReLU) and custom[1].num_parameters == 3
    with pytest.raises(ValueError, match="make_activation: spec must be one of .*, got 'swish'"):
        nn.MLP([2, 3, 1], activation="swish")


def test_linear_function_applies_given_rows():
    x = [ad.Value(1.0), ad.Value(2.0)]
    y = nn.linear(x, [[3.0, 4.0]], [0.5])
    assert y[0].data == 11.5

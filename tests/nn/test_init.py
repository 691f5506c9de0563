"""Initialisers: formulas (bounds, standard deviations), gains, fans, seeds."""
import math

import numpy as np
import pytest

import nn
from nn import init

SHAPE = (200, 300)          # fan_out = 200, fan_in = 300


@pytest.mark.parametrize("name, function, expected_std", [
    ("xavier_uniform", lambda p, g: init.xavier_uniform(p, gain=2.0, generator=g),
     2.0 * math.sqrt(2.0 / 500)),
    ("xavier_normal", lambda p, g: init.xavier_normal(p, generator=g), math.sqrt(2.0 / 500)),
    ("kaiming_uniform", lambda p, g: init.kaiming_uniform(p, nonlinearity="relu", generator=g),
     math.sqrt(2.0 / 300)),
    ("kaiming_normal", lambda p, g: init.kaiming_normal(p, nonlinearity="relu", generator=g),
     math.sqrt(2.0 / 300)),
    ("kaiming_normal_fan_out", lambda p, g: init.kaiming_normal(
        p, mode="fan_out", nonlinearity="relu", generator=g), math.sqrt(2.0 / 200)),
    ("lecun_normal", lambda p, g: init.lecun_normal(p, generator=g), math.sqrt(1.0 / 300)),
    ("linear_default", lambda p, g: init.kaiming_uniform(p, a=math.sqrt(5), generator=g),
     1.0 / math.sqrt(300) / math.sqrt(3)),
])
def test_initialisers_have_the_standard_deviation_of_their_formula(name, function, expected_std):
    parameter = nn.Parameter(np.zeros(SHAPE))
    assert function(parameter, 0) is parameter
    data = parameter.numpy()
    assert data.mean() == pytest.approx(0.0, abs=0.05 * expected_std)
    assert data.std() == pytest.approx(expected_std, rel=0.02)


def test_uniform_initialisers_stay_within_their_bound():
    data = init.xavier_uniform(SHAPE, generator=0)
    assert np.abs(data).max() <= math.sqrt(6.0 / 500)
    data = init.kaiming_uniform(SHAPE, a=math.sqrt(5), generator=0)
    assert np.abs(data).max() <= 1.0 / math.sqrt(300)


def test_a_shape_gives_a_new_array_and_a_seed_reproduces_it():
    first = init.kaiming_normal((3, 4), generator=5)
    assert isinstance(first, np.ndarray) and first.shape == (3, 4)
    np.testing.assert_array_equal(first, init.kaiming_normal((3, 4), generator=5))
    generator = np.random.default_rng(5)
    np.testing.assert_array_equal(first, init.kaiming_normal((3, 4), generator=generator))


def test_constant_zeros_and_ones_fill_every_entry():
    parameter = nn.Parameter(np.ones((2, 2)))
    np.testing.assert_array_equal(init.zeros(parameter).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(init.constant(parameter, 0.25).numpy(), np.full((2, 2), 0.25))
    np.testing.assert_array_equal(init.ones((3,)), np.ones(3))


@pytest.mark.parametrize("shape", [(4, 9), (9, 4), (3, 2, 5)])
def test_orthogonal_has_orthonormal_rows_or_columns(shape):
    W = init.orthogonal(shape, gain=1.5, generator=0).reshape(shape[0], -1) / 1.5
    small = min(W.shape)
    product = W @ W.T if W.shape[0] == small else W.T @ W
    np.testing.assert_allclose(product, np.eye(small), atol=1e-12)


def test_gains_match_torch(torch):
    for nonlinearity, param in [("linear", None), ("sigmoid", None), ("tanh", None),
                                ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                ("selu", None)]:
        assert init.calculate_gain(nonlinearity, param) == pytest.approx(
            torch.nn.init.calculate_gain(nonlinearity, param))


def test_fans_multiply_the_receptive_field():
    assert init.fans((6, 4)) == (4, 6)
    assert init.fans((6, 4, 3, 2)) == (4 * 3 * 2, 6 * 3 * 2)       # conv: out, in, kh, kw


def test_torch_style_aliases_exist():
    assert init.xavier_uniform_ is init.xavier_uniform
    assert init.kaiming_normal_ is init.kaiming_normal


def test_errors_name_the_initialiser_and_the_problem():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform((5,))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_uniform((2, 2), mode="fan")
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(TypeError, match="generator must be a numpy Generator"):
        init.normal((2,), generator="seed")
    with pytest.raises(TypeError, match="expected a Parameter or a shape"):
        init.zeros("weight")


@pytest.mark.parametrize("call", [
    lambda **random: nn.make_moons(20, noise=0.1, **random)[0],
    lambda **random: nn.train_test_split(np.arange(10), np.arange(10), **random)[0],
    lambda **random: next(nn.batches(np.eye(6), np.arange(6), 2, **random))[1],
    lambda **random: nn.make_adding_problem(5, 4, **random)[0],
    lambda **random: nn.to_numpy(nn.Dropout(0.5, **random)(np.ones((8, 3)))),
], ids=["make_moons", "train_test_split", "batches", "make_adding_problem", "Dropout"])
def test_the_random_source_is_called_generator_and_seed_still_works_with_a_warning(call):
    chosen = call(generator=5)
    with pytest.warns(DeprecationWarning, match="seed= is deprecated, pass generator="):
        old = call(seed=5)
    np.testing.assert_array_equal(old, chosen)
    with pytest.raises(TypeError, match="pass generator= only"), \
            pytest.warns(DeprecationWarning):
        call(generator=5, seed=5)

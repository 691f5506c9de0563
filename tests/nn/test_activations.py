"""Activations: functions and modules, PReLU vs Leaky ReLU, Maxout."""
import math

import numpy as np
import pytest

import autodiff as ad
import nn
from helpers import central_difference, node_rows


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


# --- the activations later papers reach for (issue 16) -----------------------------------

# name, ours, torch's (F = torch.nn.functional), kinks (where the slope jumps; [] if smooth)
ACTIVATION_CASES = [
    ("gelu", nn.gelu, lambda F, x: F.gelu(x), []),
    ("gelu_tanh", lambda x: nn.gelu(x, approximate="tanh"),
     lambda F, x: F.gelu(x, approximate="tanh"), []),
    ("silu", nn.silu, lambda F, x: F.silu(x), []),
    ("elu", nn.elu, lambda F, x: F.elu(x), [0.0]),
    ("elu_alpha", lambda x: nn.elu(x, alpha=0.3), lambda F, x: F.elu(x, alpha=0.3), [0.0]),
    ("celu", lambda x: nn.celu(x, alpha=2.5), lambda F, x: F.celu(x, alpha=2.5), [0.0]),
    ("selu", nn.selu, lambda F, x: F.selu(x), [0.0]),
    ("softsign", nn.softsign, lambda F, x: F.softsign(x), [0.0]),
    ("hardtanh", nn.hardtanh, lambda F, x: F.hardtanh(x), [-1.0, 1.0]),
    ("hardtanh_bounds", lambda x: nn.hardtanh(x, min_val=-2.5, max_val=0.5),
     lambda F, x: F.hardtanh(x, min_val=-2.5, max_val=0.5), [-2.5, 0.5]),
    ("relu6", nn.relu6, lambda F, x: F.relu6(x), [0.0, 6.0]),
    ("hardsigmoid", nn.hardsigmoid, lambda F, x: F.hardsigmoid(x), [-3.0, 3.0]),
    ("hardswish", nn.hardswish, lambda F, x: F.hardswish(x), [-3.0, 3.0]),
    ("mish", nn.mish, lambda F, x: F.mish(x), []),
    ("logsigmoid", nn.logsigmoid, lambda F, x: F.logsigmoid(x), []),
    ("softplus", nn.softplus, lambda F, x: F.softplus(x), [20.0]),
    ("softplus_beta", lambda x: nn.softplus(x, beta=2.0, threshold=3.0),
     lambda F, x: F.softplus(x, beta=2.0, threshold=3.0), [1.5]),
]
CASE_IDS = [case[0] for case in ACTIVATION_CASES]


def _test_points(kinks, seed):
    """Random points, the kinks and points a hair either side, and +-1000."""
    random = np.random.default_rng(seed).normal(0.0, 4.0, size=300)
    near = [k + d for k in kinks for d in (-1e-9, 0.0, 1e-9)]
    return np.concatenate([random, near, [0.0, -1000.0, 1000.0, -40.0, 40.0, 1e-300]])


def _torch_value_and_grad(torch, theirs, xs):
    x = torch.tensor(xs, requires_grad=True)
    y = theirs(torch.nn.functional, x)
    y.sum().backward()
    return y.detach().numpy(), x.grad.numpy()


def _assert_torch_gradient(name, ours, theirs, xs):
    if name == "hardsigmoid":
        # torch's float64 hardsigmoid backward multiplies by float32(1/6) = 0.16666667163...
        # (5e-9 off); ours is 1/6, exactly the slope of x/6 + 1/2
        np.testing.assert_array_equal(ours, np.where(np.abs(xs) < 3.0, 1.0 / 6.0, 0.0))
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-8)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, ours, theirs, kinks", ACTIVATION_CASES, ids=CASE_IDS)
def test_activation_values_and_gradients_equal_torchs_on_a_batch(torch, name, ours, theirs,
                                                                  kinks):
    xs = _test_points(kinks, seed=len(name))
    x = ad.Value(xs.copy())
    y = ours(x)
    ad.batch_sum(y).backward()
    expected_values, expected_grads = _torch_value_and_grad(torch, theirs, xs)
    assert np.isfinite(y.data).all() and np.isfinite(x.grad).all()
    np.testing.assert_allclose(y.data, expected_values, rtol=1e-12, atol=1e-12)
    _assert_torch_gradient(name, x.grad, expected_grads, xs)


@pytest.mark.parametrize("name, ours, theirs, kinks", ACTIVATION_CASES, ids=CASE_IDS)
def test_activation_values_and_gradients_equal_torchs_one_point_at_a_time(torch, name, ours,
                                                                          theirs, kinks):
    xs = _test_points(kinks, seed=100 + len(name))[-30:]
    values, grads = [], []
    for point in xs:
        x = ad.Value(float(point))
        y = ours(x)
        y.backward()
        assert type(y.data) is float and type(x.grad) is float
        values.append(y.data)
        grads.append(x.grad)
    expected_values, expected_grads = _torch_value_and_grad(torch, theirs, xs)
    np.testing.assert_allclose(values, expected_values, rtol=1e-12, atol=1e-12)
    _assert_torch_gradient(name, np.array(grads), expected_grads, xs)


@pytest.mark.parametrize("function, point, slope", [
    (nn.elu, 0.0, 1.0), (lambda x: nn.elu(x, alpha=0.3), 0.0, 0.3),
    (lambda x: nn.celu(x, alpha=2.5), 0.0, 1.0), (nn.selu, 0.0, 1.7580993408473766),   # scale alpha
    (nn.softsign, 0.0, 1.0),
    (nn.hardtanh, -1.0, 0.0), (nn.hardtanh, 1.0, 0.0),
    (nn.relu6, 0.0, 0.0), (nn.relu6, 6.0, 0.0),
    (nn.hardsigmoid, -3.0, 0.0), (nn.hardsigmoid, 3.0, 0.0),
    (nn.hardswish, -3.0, 0.0), (nn.hardswish, 3.0, 1.0),
    (nn.softplus, 20.0, 1.0 / (1.0 + np.exp(-20.0))),     # beta x = threshold: still smooth
])
def test_slope_at_a_kink_is_torchs_choice(function, point, slope):
    x = ad.Value(point)
    function(x).backward()
    assert x.grad == pytest.approx(slope, rel=1e-15, abs=0.0)



@pytest.mark.parametrize("name, ours, theirs, kinks", ACTIVATION_CASES, ids=CASE_IDS)
def test_every_activation_is_a_graph_of_primitives_that_can_be_drawn(name, ours, theirs, kinks):
    import viz
    x = ad.Value(0.7, label="x")
    y = ours(x)
    y.backward()
    operations = [node for node in ad.topological_order(y) if node.parents]
    assert {node.op for node in operations} <= set(ad.PRIMITIVES) and operations
    rows = node_rows(viz.draw(y).source)
    assert rows["x"][-1].endswith(f"{x.grad:.4g}")                 # x's grad, as drawn
    drawn_ops = [row[0].split()[-1] for key, row in rows.items() if len(row[0].split()) > 1]
    assert sorted(drawn_ops) == sorted(node.op for node in operations)


def _derivatives(function, order):
    """[f, f', f'', ...] up to ``order``, each a function of a float, by nested ad.grad."""
    chain = [lambda x: function(ad.Value(x)).data]
    derivative = function
    for _ in range(order):
        derivative = ad.grad(derivative)
        chain.append(derivative)
    return chain


def _smooth_points(kinks, seed, count=6):
    """Random points at least 0.1 away from every kink."""
    points = np.random.default_rng(seed).uniform(-5.0, 5.0, size=4 * count)
    return [float(p) for p in points if all(abs(p - k) > 0.1 for k in kinks)][:count]


@pytest.mark.parametrize("name, ours, theirs, kinks", ACTIVATION_CASES, ids=CASE_IDS)
def test_first_to_third_derivatives_agree_with_central_differences(name, ours, theirs, kinks):
    derivatives = _derivatives(ours, 3)
    for point in _smooth_points(kinks, seed=len(name)):
        for lower, higher in zip(derivatives, derivatives[1:]):
            expected = central_difference(lambda xs, f=lower: float(f(xs[0])), [point], eps=1e-5)
            assert higher(point) == pytest.approx(expected[0], rel=1e-6, abs=1e-7), (name, point)


@pytest.mark.parametrize("name, ours, theirs, kinks", [
    case for case in ACTIVATION_CASES
    if case[0] not in ("hardtanh", "hardtanh_bounds", "relu6", "hardsigmoid", "hardswish")
], ids=lambda value: value if isinstance(value, str) else "")
def test_second_and_third_derivatives_equal_torchs(torch, name, ours, theirs, kinks):
    """(torch has no second derivative of its piecewise-linear ones; ours are 0 there,
    checked against central differences above)"""
    points = _smooth_points(kinks, seed=7 + len(name))
    x = torch.tensor(points, requires_grad=True)
    first, = torch.autograd.grad(theirs(torch.nn.functional, x).sum(), x, create_graph=True)
    second, = torch.autograd.grad(first.sum(), x, create_graph=True)
    third, = torch.autograd.grad(second.sum(), x)
    _, d1, d2, d3 = _derivatives(ours, 3)
    for derivative, expected in ((d1, first), (d2, second), (d3, third)):
        np.testing.assert_allclose([derivative(p) for p in points], expected.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, ours, theirs, kinks", ACTIVATION_CASES, ids=CASE_IDS)
def test_activations_are_finite_with_finite_derivatives_at_plus_minus_1000(name, ours, theirs,
                                                                          kinks):
    for point in (-1000.0, 1000.0):
        assert all(np.isfinite(float(d(point))) for d in _derivatives(ours, 3)), (name, point)


@pytest.mark.parametrize("function, point, value, slope", [
    (nn.gelu, -1000.0, 0.0, 0.0), (nn.gelu, 1000.0, 1000.0, 1.0),
    (nn.silu, -1000.0, 0.0, 0.0), (nn.mish, -1000.0, 0.0, 0.0), (nn.mish, 1000.0, 1000.0, 1.0),
    (nn.logsigmoid, -1000.0, -1000.0, 1.0), (nn.logsigmoid, 1000.0, 0.0, 0.0),
    (nn.elu, -1000.0, -1.0, 0.0), (nn.selu, 1000.0, 1050.7009873554805, 1.0507009873554805),
    (lambda x: nn.softplus(x, beta=0.5), 1000.0, 1000.0, 1.0),
    (lambda x: nn.softplus(x, beta=0.5), -1000.0, 0.0, 0.0),
])
def test_stable_forms_give_the_limits_at_plus_minus_1000(function, point, value, slope):
    x = ad.Value(point)
    y = function(x)
    y.backward()
    assert (y.data, x.grad) == (pytest.approx(value, abs=1e-200), pytest.approx(slope, abs=1e-200))


MODULE_CASES = [
    (nn.GELU(), nn.gelu, "GELU(approximate='none')"),
    (nn.GELU(approximate="tanh"), lambda x: nn.gelu(x, approximate="tanh"),
     "GELU(approximate='tanh')"),
    (nn.SiLU(), nn.silu, "SiLU()"),
    (nn.ELU(alpha=0.5), lambda x: nn.elu(x, alpha=0.5), "ELU(alpha=0.5)"),
    (nn.CELU(alpha=2.0), lambda x: nn.celu(x, alpha=2.0), "CELU(alpha=2.0)"),
    (nn.SELU(), nn.selu, "SELU()"),
    (nn.Softsign(), nn.softsign, "Softsign()"),
    (nn.Hardtanh(-2.0, 3.0), lambda x: nn.hardtanh(x, -2.0, 3.0),
     "Hardtanh(min_val=-2.0, max_val=3.0)"),
    (nn.ReLU6(), nn.relu6, "ReLU6()"),
    (nn.Hardsigmoid(), nn.hardsigmoid, "Hardsigmoid()"),
    (nn.Hardswish(), nn.hardswish, "Hardswish()"),
    (nn.Mish(), nn.mish, "Mish()"),
    (nn.LogSigmoid(), nn.logsigmoid, "LogSigmoid()"),
    (nn.Softplus(beta=2.0, threshold=5.0), lambda x: nn.softplus(x, beta=2.0, threshold=5.0),
     "Softplus(beta=2.0, threshold=5.0)"),
]


@pytest.mark.parametrize("module, function, text", MODULE_CASES, ids=[c[2] for c in MODULE_CASES])
def test_activation_modules_apply_their_function_to_every_value_and_print_as_torch(
        torch, module, function, text):
    X = np.random.default_rng(8).normal(0.0, 3.0, size=(5, 3))
    expected = np.array([[function(ad.Value(x)).data for x in row] for row in X])
    np.testing.assert_allclose(nn.to_numpy(module(X)), expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal([v.data for v in module(list(X[0]))], expected[0])
    assert module.parameters() == []
    assert repr(module) == text
    theirs = eval("torch.nn." + text, {"torch": torch})
    assert repr(theirs) == text
    np.testing.assert_allclose(expected, theirs(torch.tensor(X)).numpy(), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("name", ["gelu", "silu", "elu", "celu", "selu", "softsign", "hardtanh",
                                  "relu6", "hardsigmoid", "hardswish", "mish", "logsigmoid",
                                  "softplus"])
def test_every_activation_is_registered_for_mlp(name):
    assert name in nn.ACTIVATIONS
    model = nn.MLP([2, 3, 1], activation=name, generator=0)
    assert type(model[1]) is nn.ACTIVATIONS[name]
    X = np.random.default_rng(9).normal(size=(4, 2))
    first, last = model[0], model[2]
    hidden = X @ first.weight.numpy().T + first.bias.numpy()
    activated = np.array([[getattr(nn, name)(ad.Value(h)).data for h in row] for row in hidden])
    expected = activated @ last.weight.numpy().T + last.bias.numpy()
    np.testing.assert_allclose(nn.to_numpy(model(X)), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["gelu", "elu", "hardswish", "softplus", "hardtanh"])
def test_compiled_steps_recompute_the_kinks_and_the_softplus_threshold(name):
    model = nn.MLP([1, 3, 1], activation=name, generator=1)
    model[0].weight.data = [[5.0], [-4.0], [12.0]]          # pre-activations on both sides
    step = ad.compile(lambda xb, yb: nn.mse_loss(model(xb), yb), model)
    rng = np.random.default_rng(10)
    for _ in range(3):                         # a new batch each call: other sides of kinks
        xb, yb = rng.normal(0.0, 2.0, size=(16, 1)), rng.normal(size=16)
        model.zero_grad()
        loss = step(xb, yb)
        compiled = [p.grad for p in model.parameters()]
        model.zero_grad()
        eager = nn.mse_loss(model(xb), yb)
        eager.backward()
        assert loss == pytest.approx(eager.data, rel=1e-12)
        for ours, expected in zip(compiled, [p.grad for p in model.parameters()]):
            np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def test_activation_settings_are_checked_with_the_owner_named():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        nn.gelu(ad.Value(1.0), approximate="fast")
    with pytest.raises(ValueError, match="GELU: approximate must be 'none' or 'tanh', got None"):
        nn.GELU(approximate=None)
    with pytest.raises(ValueError, match="CELU: alpha must be a number other than 0, got 0.0"):
        nn.CELU(alpha=0)
    with pytest.raises(ValueError, match="ELU: alpha must be a number, got 'one'"):
        nn.ELU(alpha="one")
    with pytest.raises(ValueError, match=r"Hardtanh: max_val must be a number > min_val = 1.0, "
                                         r"got -1"):
        nn.Hardtanh(1.0, -1)
    with pytest.raises(ValueError, match=r"softplus: beta must be a number > 0.0, got 0"):
        nn.softplus(ad.Value(1.0), beta=0)
    with pytest.raises(ValueError, match=r"Softplus: threshold must be a number, got nan"):
        nn.Softplus(threshold=float("nan"))


def test_hardtanh_and_relu6_are_exact_between_their_bounds_with_slope_0_at_them():
    for x in (1e-10, 0.3, 5.999999999):
        assert nn.relu6(ad.Value(x)).data == x
    assert nn.hardtanh(ad.Value(-0.123456789)).data == -0.123456789
    assert [ad.grad(nn.relu6)(x) for x in (0.0, 3.0, 6.0)] == [0.0, 1.0, 0.0]


# --- softplus at +-inf, and the exponential family's slopes far below 0 (issue 20) --------

SOFTPLUS_FORMS = [
    ("softplus", nn.softplus),
    ("softplus_beta", lambda x: nn.softplus(x, beta=2.0, threshold=3.0)),
    ("Softplus_module", lambda x: nn.Softplus(beta=0.5, threshold=10.0)([x])[0]),
]


@pytest.mark.parametrize("name, function", SOFTPLUS_FORMS, ids=[f[0] for f in SOFTPLUS_FORMS])
def test_softplus_is_inf_with_slope_1_at_inf_and_0_with_slope_0_at_minus_inf(name, function):
    for point, value, slope in ((np.inf, np.inf, 1.0), (-np.inf, 0.0, 0.0)):
        x = ad.Value(point)
        y = function(x)
        y.backward()
        assert (y.data, x.grad) == (value, slope), (name, point)
    batch = ad.Value(np.array([np.inf, -np.inf, 0.0]))      # the same as a batch
    ad.batch_sum(function(batch)).backward()
    assert nn.to_numpy(function(ad.Value(np.array([np.inf, -np.inf])))).tolist() == [np.inf, 0.0]
    assert batch.grad[:2].tolist() == [1.0, 0.0]


def test_softplus_second_derivative_is_0_at_plus_minus_inf():
    _, first, second = _derivatives(nn.softplus, 2)
    assert (first(np.inf), first(-np.inf)) == (1.0, 0.0)
    assert (second(np.inf), second(-np.inf)) == (0.0, 0.0)


def test_softplus_at_plus_minus_inf_equals_torchs(torch):
    x = torch.tensor([np.inf, -np.inf], requires_grad=True)
    theirs = torch.nn.functional.softplus(x)
    theirs.sum().backward()
    batch = ad.Value(np.array([np.inf, -np.inf]))
    ours = nn.softplus(batch)
    ad.batch_sum(ours).backward()
    assert ours.data.tolist() == theirs.detach().numpy().tolist() == [np.inf, 0.0]
    assert batch.grad.tolist() == x.grad.numpy().tolist() == [1.0, 0.0]


# f'(x) far below 0 is a tiny multiple of e^x: worked out by hand, with full relative
# precision (computed as expm1(x) + 1 it would round to 0 below x = -37)
FAR_NEGATIVE_SLOPES = [
    ("elu", nn.elu, -40.0, math.exp(-40.0)),
    ("elu_alpha", lambda x: nn.elu(x, alpha=0.3), -50.0, 0.3 * math.exp(-50.0)),
    ("celu", lambda x: nn.celu(x, alpha=0.5), -20.0, math.exp(-40.0)),     # e^(x / alpha)
    ("selu", nn.selu, -45.0, nn.activations.SELU_SCALE * nn.activations.SELU_ALPHA
     * math.exp(-45.0)),
]


@pytest.mark.parametrize("name, function, point, slope", FAR_NEGATIVE_SLOPES,
                         ids=[case[0] for case in FAR_NEGATIVE_SLOPES])
def test_exponential_unit_slopes_far_below_0_keep_their_relative_precision(name, function,
                                                                           point, slope):
    x = ad.Value(point)
    function(x).backward()
    assert x.grad == pytest.approx(slope, rel=1e-14)
    batch = ad.Value(np.array([point, point / 2.0]))
    ad.batch_sum(function(batch)).backward()
    assert batch.grad[0] == pytest.approx(slope, rel=1e-14)
    second = _derivatives(function, 2)[2]      # f'' = f' / alpha_in below 0
    scale = 2.0 if name == "celu" else 1.0
    assert second(point) == pytest.approx(slope * scale, rel=1e-13)


@pytest.mark.parametrize("name, function, point, slope", FAR_NEGATIVE_SLOPES,
                         ids=[case[0] for case in FAR_NEGATIVE_SLOPES])
def test_exponential_unit_slopes_far_below_0_equal_torchs(torch, name, function, point, slope):
    theirs = {"elu": lambda F, x: F.elu(x), "elu_alpha": lambda F, x: F.elu(x, alpha=0.3),
              "celu": lambda F, x: F.celu(x, alpha=0.5), "selu": lambda F, x: F.selu(x)}[name]
    x = torch.tensor([point], requires_grad=True)
    theirs(torch.nn.functional, x).sum().backward()
    ours = ad.Value(point)
    function(ours).backward()
    assert ours.grad == pytest.approx(float(x.grad[0]), rel=1e-12)


@pytest.mark.parametrize("name", ["elu", "celu", "selu", "softplus"])
def test_compiled_steps_equal_eager_far_below_0_and_at_infinite_inputs(name):
    model = nn.Sequential(nn.Linear(1, 2, generator=3), nn.ACTIVATIONS[name](),
                          nn.Linear(2, 1, generator=4))
    model[0].weight.data = [[30.0], [-25.0]]                  # pre-activations down to -60
    step = ad.compile(lambda xb, yb: nn.mse_loss(model(xb), yb), model)
    for xb in (np.array([[-2.0], [1.5], [2.0]]), np.array([[1.8], [-1.9], [0.1]])):
        yb = np.array([0.5, -0.5, 1.0])
        model.zero_grad()
        loss = step(xb, yb)
        compiled = [np.array(p.grad, dtype=float) for p in model.parameters()]
        model.zero_grad()
        eager = nn.mse_loss(model(xb), yb)
        eager.backward()
        assert loss == pytest.approx(eager.data, rel=1e-12)
        for ours, expected in zip(compiled, [p.grad for p in model.parameters()]):
            np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("point, value, slope", [
    # gelu(x) = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2; Phi(1) = 0.841344746068543,
    # Phi(2) = 0.977249868051821 (normal table); gelu'(x) = Phi(x) + x phi(x),
    # phi(1) = e^(-1/2) / sqrt(2 pi) = 0.241970724519143
    (1.0, 0.8413447460685429, 0.8413447460685429 + 0.24197072451914337),
    (-1.0, -(1.0 - 0.8413447460685429), (1.0 - 0.8413447460685429) - 0.24197072451914337),
    (2.0, 2.0 * 0.9772498680518208, 0.9772498680518208 + 2.0 * 0.05399096651318806),
    (0.0, 0.0, 0.5),
])
def test_gelu_is_x_times_the_normal_cdf_at_hand_worked_points(point, value, slope):
    x = ad.Value(point)
    y = nn.gelu(x)
    y.backward()
    assert y.data == pytest.approx(value, rel=1e-14, abs=1e-300)
    assert x.grad == pytest.approx(slope, rel=1e-13)

"""The textbook functions of the table (sin ... remainder, clamp, index): values and
derivatives to the third order against central differences and torch, on numbers
and on batches; domains refused by name."""
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value
from helpers import central_difference

# name -> (engine function, torch function, points inside the domain)
UNARY = {
    "sin": (ad.sin, lambda t, x: t.sin(x), [-2.0, 0.3, 1.7]),
    "cos": (ad.cos, lambda t, x: t.cos(x), [-2.0, 0.3, 1.7]),
    "tan": (ad.tan, lambda t, x: t.tan(x), [-1.2, 0.3, 1.0]),
    "arcsin": (ad.arcsin, lambda t, x: t.asin(x), [-0.7, 0.1, 0.6]),
    "arccos": (ad.arccos, lambda t, x: t.acos(x), [-0.7, 0.1, 0.6]),
    "arctan": (ad.arctan, lambda t, x: t.atan(x), [-3.0, 0.2, 1.5]),
    "sinh": (ad.sinh, lambda t, x: t.sinh(x), [-2.0, 0.3, 1.7]),
    "cosh": (ad.cosh, lambda t, x: t.cosh(x), [-2.0, 0.3, 1.7]),
    "arcsinh": (ad.arcsinh, lambda t, x: t.asinh(x), [-2.0, 0.3, 1.7]),
    "arccosh": (ad.arccosh, lambda t, x: t.acosh(x), [1.2, 2.0, 5.0]),
    "arctanh": (ad.arctanh, lambda t, x: t.atanh(x), [-0.7, 0.1, 0.6]),
    "log2": (ad.log2, lambda t, x: t.log2(x), [0.3, 1.0, 7.0]),
    "log10": (ad.log10, lambda t, x: t.log10(x), [0.3, 1.0, 7.0]),
    "log1p": (ad.log1p, lambda t, x: t.log1p(x), [-0.5, 0.0, 3.0]),
    "expm1": (ad.expm1, lambda t, x: t.expm1(x), [-2.0, 1e-8, 1.5]),
    "erf": (ad.erf, lambda t, x: t.erf(x), [-1.5, 0.2, 2.0]),
    "softplus": (ad.softplus, lambda t, x: t.nn.functional.softplus(x), [-3.0, 0.0, 2.0]),
    "sign": (ad.sign, lambda t, x: t.sign(x), [-2.0, 0.5, 3.0]),
    "clamp": (lambda x: ad.clamp(x, -1.0, 1.0), lambda t, x: t.clamp(x, -1.0, 1.0),
              [-2.0, 0.5, 3.0]),
}
BINARY = {
    "arctan2": (ad.arctan2, lambda t, a, b: t.atan2(a, b), [(0.5, 1.5), (-1.0, 0.3), (2.0, -1.0)]),
    "hypot": (ad.hypot, lambda t, a, b: t.hypot(a, b), [(0.5, 1.5), (-1.0, 0.3), (2.0, -1.0)]),
    "remainder": (lambda a, b: a % b, lambda t, a, b: t.remainder(a, b),
                  [(7.3, 2.0), (-7.3, 2.0), (7.3, -2.5)]),
}
# the same functions on plain floats, written without the engine (central differences)
PLAIN_BINARY = {"arctan2": math.atan2, "hypot": math.hypot, "remainder": lambda a, b: a % b}


def derivatives(function, x, order=3):
    """[f(x), f'(x), f''(x), f'''(x)] by nested grad."""
    results, g = [function(Value(x)).data], function
    for _ in range(order):
        g = ad.grad(g)
        results.append(float(g(x)))
    return results


@pytest.mark.parametrize("name", UNARY)
def test_derivatives_to_the_third_order_match_central_differences(name):
    function, _, points = UNARY[name]
    eps = 1e-5
    for x in points:
        values = derivatives(function, x)
        for order in range(3):
            lower = function if order == 0 else None
            up = derivatives(function, x + eps, order)[order]
            down = derivatives(function, x - eps, order)[order]
            numeric = (up - down) / (2 * eps)
            assert values[order + 1] == pytest.approx(numeric, rel=1e-5, abs=1e-6), \
                (name, x, order + 1, lower)


PIECEWISE_CONSTANT_DERIVATIVE = {"sign", "clamp"}     # second derivative 0: one order


@pytest.mark.parametrize("name", UNARY)
def test_value_and_three_derivatives_match_torch(name, torch):
    function, theirs, points = UNARY[name]
    orders = 1 if name in PIECEWISE_CONSTANT_DERIVATIVE else 3
    for x in points:
        t = torch.tensor(x, requires_grad=True)
        current = theirs(torch, t)
        expected = [current.item()]
        for _ in range(orders):
            (current,) = torch.autograd.grad(current, t, create_graph=True)
            expected.append(current.item())
        assert derivatives(function, x, orders) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", UNARY)
def test_on_a_batch_each_example_gets_its_own_value_and_gradient(name):
    function, _, points = UNARY[name]
    x = Value(np.array(points))
    out = function(x)
    ad.batch_sum(out).backward()
    for k, point in enumerate(points):
        leaf = Value(point)
        single = function(leaf)
        single.backward()
        assert out.data[k] == pytest.approx(single.data, rel=1e-15, abs=1e-300)
        assert x.grad[k] == pytest.approx(leaf.grad, rel=1e-15, abs=1e-300)


def second_differences(plain, a, b, h=1e-4):
    """The Hessian of plain(a, b) by central differences of central differences."""
    def f(i, si, j, sj):
        point = [a, b]
        point[i] += si * h
        point[j] += sj * h
        return plain(*point)
    return [[(f(i, 1, j, 1) - f(i, 1, j, -1) - f(i, -1, j, 1) + f(i, -1, j, -1)) / (4 * h * h)
             for j in range(2)] for i in range(2)]


@pytest.mark.parametrize("name", BINARY)
def test_binary_functions_match_central_differences_to_the_second_order(name):
    """Torch-free: the value against plain math, the gradient against central
    differences of the plain function, the Hessian against second differences."""
    function, _, points = BINARY[name]
    plain = PLAIN_BINARY[name]
    for a, b in points:
        assert function(Value(a), Value(b)).data == pytest.approx(plain(a, b), rel=1e-15)
        gradient = ad.grad(lambda v: function(v[0], v[1]))([a, b])
        numeric = central_difference(lambda v: plain(*v), [a, b])
        np.testing.assert_allclose(gradient, numeric, rtol=1e-7, atol=1e-8)
        hessian = ad.hessian(lambda v: function(v[0], v[1]), [a, b])
        np.testing.assert_allclose(hessian, second_differences(plain, a, b), rtol=1e-5,
                                   atol=1e-6)


def test_hypot_arctan2_and_remainder_derivatives_by_hand():
    """d hypot(3, 4)/db = 4/5; d arctan2(y=1, x=1)/dx = -y/(x^2 + y^2) = -1/2 (the angle
    shrinks as x grows); 7.3 % 2 = 7.3 - 2 x 3, so d/db = -3; 7.3 % -2.5 = 7.3 - (-2.5)(-3)
    = -0.2, so d/db = -(-3) = 3."""
    assert ad.grad(lambda a, b: ad.hypot(a, b), argnums=(0, 1))(3.0, 4.0) == \
        pytest.approx((0.6, 0.8), rel=1e-15)
    assert ad.grad(lambda y, x: ad.arctan2(y, x), argnums=(0, 1))(1.0, 1.0) == \
        pytest.approx((0.5, -0.5), rel=1e-15)
    assert ad.grad(lambda a, b: a % b, argnums=(0, 1))(7.3, 2.0) == pytest.approx((1.0, -3.0))
    assert ad.grad(lambda a, b: a % b, argnums=(0, 1))(7.3, -2.5) == pytest.approx((1.0, 3.0))


def test_remainder_by_b_uses_the_quotient_of_its_value():
    """1 % 0.1 is 0.0999... = 1 - 9 x 0.1 in floating point (0.1 is slightly above 1/10),
    so d/db = -9, not -floor(1 / 0.1) = -10; a batch the same."""
    a, b = Value(1.0), Value(0.1)
    out = a % b
    out.backward()
    assert out.data == pytest.approx(1.0 - 9 * 0.1, rel=1e-15) and b.grad == -9.0
    batch = Value([0.1, 0.3, 2.0])
    ad.batch_sum(1.0 % batch).backward()
    assert batch.grad.tolist() == [-9.0, -3.0, -0.0]
    # the value sits 5e-17 below its jump at b = 0.1: a difference from above only
    assert (1.0 % (0.1 + 1e-9) - 1.0 % 0.1) / 1e-9 == pytest.approx(-9.0, rel=1e-5)


def test_remainder_by_b_matches_torch(torch):
    a, b = torch.tensor(1.0, requires_grad=True), torch.tensor(0.1, requires_grad=True)
    torch.remainder(a, b).backward()
    assert ad.grad(lambda u, v: u % v, argnums=(0, 1))(1.0, 0.1) == \
        pytest.approx((a.grad.item(), b.grad.item()), rel=1e-15)


@pytest.mark.parametrize("name", BINARY)
def test_binary_functions_match_torch_to_the_second_order(name, torch):
    function, theirs, points = BINARY[name]
    for a, b in points:
        hessian = ad.hessian(lambda v: function(v[0], v[1]), [a, b])
        gradient = ad.grad(lambda v: function(v[0], v[1]))([a, b])
        ta = torch.tensor(a, requires_grad=True)
        tb = torch.tensor(b, requires_grad=True)
        y = theirs(torch, ta, tb)
        assert function(Value(a), Value(b)).data == pytest.approx(y.item(), rel=1e-14)
        grads = torch.autograd.grad(y, (ta, tb), create_graph=True)
        assert gradient == pytest.approx([g.item() for g in grads], rel=1e-12, abs=1e-14)
        rows = []
        for g in grads:
            if g.requires_grad:
                second = torch.autograd.grad(g, (ta, tb), allow_unused=True, retain_graph=True)
                rows.append([0.0 if s is None else s.item() for s in second])
            else:
                rows.append([0.0, 0.0])
        np.testing.assert_allclose(hessian, rows, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", BINARY)
def test_binary_functions_on_batches_and_broadcast_numbers(name):
    function, _, points = BINARY[name]
    a = Value(np.array([p[0] for p in points]))
    b = Value(np.array([p[1] for p in points]))
    ad.batch_sum(function(a, b)).backward()
    for k, (x, y) in enumerate(points):
        gradient = ad.grad(lambda u, v: function(u, v), argnums=(0, 1))(x, y)
        assert (a.grad[k], b.grad[k]) == pytest.approx(gradient, rel=1e-14)


def test_torch_names_are_aliases_of_numpy_names():
    assert ad.asin is ad.arcsin and ad.acos is ad.arccos and ad.atan is ad.arctan
    assert ad.asinh is ad.arcsinh and ad.acosh is ad.arccosh and ad.atanh is ad.arctanh
    assert ad.atan2 is ad.arctan2
    assert Value(0.5).sin().data == math.sin(0.5)


@pytest.mark.parametrize("call, message", [
    (lambda: ad.arcsin(Value(2.0)), r"^arcsin: input must satisfy \|x\| <= 1"),
    (lambda: ad.arccos(Value(np.array([0.5, -1.5]))), r"^arccos: "),
    (lambda: ad.arccosh(Value(0.0)), r"^arccosh: input must be >= 1"),
    (lambda: ad.arctanh(Value(1.0)), r"^arctanh: input must satisfy \|x\| < 1"),
    (lambda: ad.log2(Value(0.0)), r"^log2: input must be > 0"),
    (lambda: ad.log1p(Value(-1.0)), r"^log1p: input must be > -1"),
    (lambda: Value(3.0) % 0.0, r"^remainder: the divisor is 0"),
    (lambda: ad.hypot(Value(0.0), Value(0.0)), r"^hypot: the derivative is undefined"),
    (lambda: ad.arcsin(Value(1.0)), r"^arcsin: the derivative 1/sqrt\(1 - x\^2\) is infinite "
                                    r"at x = \+-1 \(the value is defined there"),
    (lambda: ad.arccos(Value(np.array([0.5, -1.0]))), r"^arccos: the derivative .* infinite at"),
    (lambda: ad.arctanh(Value(np.array([0.5, -1.0]))), r"^arctanh: input must satisfy \|x\| < 1"),
])
def test_outside_its_domain_a_function_is_a_clear_error_naming_it(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_at_the_edge_of_its_domain_a_function_runs_without_recording():
    with ad.no_grad():
        assert ad.arcsin(Value(1.0)).data == math.pi / 2
        assert ad.arccosh(Value(1.0)).data == 0.0


def test_clamp_has_gradient_one_at_its_bounds_as_torch():
    for x, expected in ((-1.0, 1.0), (1.0, 1.0), (0.3, 1.0), (1.5, 0.0), (-3.0, 0.0)):
        assert ad.grad(lambda v: ad.clamp(v, -1.0, 1.0))(x) == expected
    assert ad.clamp(Value(5.0), max=2.0).data == 2.0 and ad.clamp(Value(-5.0), min=0).data == 0.0
    with pytest.raises(ValueError, match="clamp: min must be <= max"):
        ad.clamp(Value(1.0), 2.0, 1.0)


def test_indexing_a_batch_picks_one_example_and_sends_its_gradient_there_only():
    x = Value(np.array([1.0, 2.0, 3.0]))
    y = x[1] * 5.0 + x[-1]
    assert y.data == 13.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [0.0, 5.0, 1.0])
    with pytest.raises(IndexError, match="example 3 is out of range for a batch of 3"):
        x[3]
    with pytest.raises(TypeError, match="only a batched Value can be indexed"):
        Value(1.0)[0]
    with pytest.raises(TypeError):
        list(x)


def test_a_value_to_the_power_of_an_array_is_per_example_like_a_product():
    x = Value(np.array([2.0, 3.0]))
    y = x ** np.array([2.0, 3.0])
    np.testing.assert_array_equal(y.data, [4.0, 27.0])
    ad.batch_sum(y).backward()
    np.testing.assert_array_equal(x.grad, [4.0, 27.0])


def test_clamp_open_has_gradient_zero_at_its_bounds_as_hardtanh():
    slopes = [ad.grad(lambda v: ad.clamp(v, -1.0, 1.0, closed=False))(x)
              for x in (-1.0, 0.0, 1.0)]
    assert slopes == [0.0, 1.0, 0.0]


# name -> (low, high): a range inside the domain to draw random points from
DOMAINS = {"arcsin": (-0.95, 0.95), "arccos": (-0.95, 0.95), "arctanh": (-0.95, 0.95),
           "arccosh": (1.05, 6.0), "log2": (0.05, 8.0), "log10": (0.05, 8.0),
           "log1p": (-0.9, 8.0), "tan": (-1.4, 1.4)}


@pytest.mark.parametrize("name", UNARY)
def test_on_random_batches_values_and_gradients_match_torch(name, torch):
    function, theirs, _ = UNARY[name]
    low, high = DOMAINS.get(name, (-4.0, 4.0))
    points = np.random.default_rng(sum(map(ord, name))).uniform(low, high, size=50)
    x = Value(points)
    out = function(x)
    ad.batch_sum(out).backward()
    t = torch.tensor(points, requires_grad=True)
    y = theirs(torch, t)
    y.sum().backward()
    np.testing.assert_allclose(out.data, y.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", BINARY)
def test_binary_functions_on_random_batches_match_torch(name, torch):
    function, theirs, _ = BINARY[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    a_points, b_points = rng.uniform(-4.0, 4.0, size=50), rng.uniform(0.5, 4.0, size=50)
    b_points *= rng.choice([-1.0, 1.0], size=50)
    a, b = Value(a_points), Value(b_points)
    out = function(a, b)
    ad.batch_sum(out).backward()
    ta = torch.tensor(a_points, requires_grad=True)
    tb = torch.tensor(b_points, requires_grad=True)
    y = theirs(torch, ta, tb)
    y.sum().backward()
    np.testing.assert_allclose(out.data, y.detach().numpy(), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12, atol=1e-15)

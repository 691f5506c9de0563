"""Transforms inside transforms: every ordered pair (and a cycle of triples) of grad, jvp,
vjp, jacobian (both modes), jacfwd and hessian, on smooth functions of one variable,
with and without closures over the outer variable. Each transform is used as an
operator on functions R -> R (the derivative, or the second derivative for hessian),
so a composition is a derivative of known order: checked against closed forms
(Leibniz's rule for the closures) first, then against the same composition of
torch.func transforms."""
import itertools
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value


# f and its n-th derivative in closed form
def sine_and_quartic(x):
    return ad.sin(2.0 * x) + x ** 4


def sine_and_quartic_derivative(n, x):
    falling = math.prod(range(4, 4 - n, -1)) if n <= 4 else 0
    return 2.0 ** n * math.sin(2.0 * x + n * math.pi / 2) + falling * x ** max(4 - n, 0)


def x_exp_half(x):
    return x * ad.exp(0.5 * x)


def x_exp_half_derivative(n, x):
    # (x e^{ax})^(n) = a^n x e^{ax} + n a^(n-1) e^{ax}, a = 1/2
    return 0.5 ** n * x * math.exp(0.5 * x) + n * 0.5 ** (n - 1) * math.exp(0.5 * x)


FUNCTIONS = {"sin(2x) + x^4": (sine_and_quartic, sine_and_quartic_derivative),
             "x exp(x/2)": (x_exp_half, x_exp_half_derivative)}

# each transform as an operator g -> g^(order), on functions of one number
TRANSFORMS = {
    "grad": (1, lambda g: ad.grad(g)),
    "jvp": (1, lambda g: lambda x: ad.jvp(g, [x], [1.0])[1]),
    "vjp": (1, lambda g: lambda x: ad.vjp(g, [x], [1.0])[1][0]),
    "jacobian": (1, lambda g: lambda x: ad.jacobian(lambda v: g(v[0]), [x])[0, 0]),
    "jacobian-forward": (1, lambda g: lambda x: ad.jacobian(lambda v: g(v[0]), [x],
                                                            mode="forward")[0, 0]),
    "jacfwd": (1, lambda g: lambda x: ad.jacfwd(lambda v: g(v[0]))([x])[0, 0]),
    "hessian": (2, lambda g: lambda x: ad.hessian(lambda v: g(v[0]), [x])[0, 0]),
    "hessian-reverse": (2, lambda g: lambda x: ad.hessian(
        lambda v: g(v[0]), [x], mode="reverse-over-reverse")[0, 0]),
}
PAIRS = list(itertools.product(TRANSFORMS, repeat=2))
AT, CONSTANT_POINT = 0.7, 0.3


def compose(names, g):
    """The transforms applied to g, innermost last in ``names`` (outer first)."""
    for name in reversed(names):
        g = TRANSFORMS[name][1](g)
    return g


def order(names):
    return sum(TRANSFORMS[name][0] for name in names)


def as_float(result):
    assert isinstance(result, float), f"expected a number at the top level, got {result!r}"
    return result


def central_difference(g, x, h=1e-5):
    return (g(x + h) - g(x - h)) / (2 * h)


@pytest.mark.parametrize("outer,inner", PAIRS)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_transform_of_a_transform_is_the_derivative_of_the_summed_order(outer, inner,
                                                                          function):
    f, derivative = FUNCTIONS[function]
    got = as_float(compose([outer, inner], f)(AT))
    assert got == pytest.approx(derivative(order([outer, inner]), AT), rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("outer,inner", PAIRS)
def test_an_inner_transform_closing_over_the_outer_variable_sees_it_as_a_variable(outer,
                                                                                    inner):
    # F(x) = T_inner(y -> x f(y))(x) = x f^(k)(x): the closed-over x is a constant for the
    # inner transform (perturbation confusion would add a term), a variable for the outer
    f, derivative = FUNCTIONS["x exp(x/2)"]
    k, n = order([inner]), order([outer])

    def closing(x):
        return compose([inner], lambda y: x * f(y))(x)
    got = as_float(compose([outer], closing)(AT))
    leibniz = AT * derivative(k + n, AT) + n * derivative(k + n - 1, AT)
    assert got == pytest.approx(leibniz, rel=1e-10)


@pytest.mark.parametrize("outer,inner", PAIRS)
def test_an_inner_transform_at_a_constant_point_keeps_the_closed_over_factor(outer, inner):
    # F(x) = x T_inner(y -> x f(y))(c) = x^2 f^(k)(c): the issue's hessian case
    # (v * grad(lambda y: v * y)(2.0) = v^2, second derivative 2, not 0)
    f, derivative = FUNCTIONS["sin(2x) + x^4"]
    k, n = order([inner]), order([outer])

    def closing(x):
        return x * compose([inner], lambda y: x * f(y))(CONSTANT_POINT)
    got = as_float(compose([outer], closing)(AT))
    expected = {1: 2 * AT, 2: 2.0}[n] * derivative(k, CONSTANT_POINT)
    assert got == pytest.approx(expected, rel=1e-10)


def test_the_closed_forms_agree_with_central_differences():
    # the references themselves, torch-free: each closed form against a difference of
    # the one below it, evaluated by the engine without any transform
    for f, derivative in FUNCTIONS.values():
        assert derivative(0, AT) == pytest.approx(f(Value(AT)).data, rel=1e-15)
        for n in range(1, 5):
            numeric = central_difference(lambda x: derivative(n - 1, x), AT)
            assert derivative(n, AT) == pytest.approx(numeric, rel=1e-7)


# three levels: each transform once as the outer, middle and inner one
TRIPLES = [tuple(names[(start + shift) % len(names)] for shift in (0, 3, 5))
           for names in [list(TRANSFORMS)] for start in range(len(names))]


@pytest.mark.parametrize("names", TRIPLES, ids="-".join)
def test_three_nested_transforms_give_the_derivative_of_the_summed_order(names):
    f, derivative = FUNCTIONS["x exp(x/2)"]
    got = as_float(compose(list(names), f)(AT))
    assert got == pytest.approx(derivative(order(names), AT), rel=1e-10)


def test_the_issue_examples_are_no_longer_zero():
    f = lambda x: ad.sin(x) * x                                      # noqa: E731
    second = 2 * math.cos(0.7) - 0.7 * math.sin(0.7)
    assert ad.grad(lambda x: ad.jvp(f, [x], [1.0])[1])(0.7) == pytest.approx(second)
    assert ad.grad(lambda x: ad.vjp(f, [x], [1.0])[1][0])(0.7) == pytest.approx(second)
    g = lambda v: v[0] * ad.grad(lambda y: v[0] * y)(2.0)            # noqa: E731  v^2
    assert ad.hessian(g, [1.5])[0, 0] == 2.0
    assert ad.hessian(g, [1.5], mode="reverse-over-reverse")[0, 0] == 2.0


def test_nested_transforms_of_several_variables_match_their_closed_forms():
    # f(a, b) = a^2 b^3: H = [[2 b^3, 6 a b^2], [6 a b^2, 6 a^2 b]]; the Jacobian of the
    # gradient by forward mode and the jvp of the gradient (H v) must agree with it
    f = lambda v: v[0] ** 2 * v[1] ** 3                              # noqa: E731
    a, b = 0.8, -1.3
    hessian = np.array([[2 * b ** 3, 6 * a * b ** 2], [6 * a * b ** 2, 6 * a ** 2 * b]])
    gradient = lambda v: list(ad.grad(f)(list(v)))                   # noqa: E731
    np.testing.assert_allclose(ad.jacfwd(gradient)([a, b]), hessian, rtol=1e-14)
    np.testing.assert_allclose(ad.jacobian(gradient, [a, b]), hessian, rtol=1e-14)
    _, hv = ad.jvp(lambda x, y: gradient([x, y]), [a, b], [1.0, 2.0])
    np.testing.assert_allclose(hv, hessian @ [1.0, 2.0], rtol=1e-14)
    _, uh = ad.vjp(lambda x, y: gradient([x, y]), [a, b], [1.0, 2.0])
    np.testing.assert_allclose(uh, np.array([1.0, 2.0]) @ hessian, rtol=1e-14)
    # the gradient of one Hessian entry: d/da (6 a b^2) = 6 b^2, d/db = 12 a b
    entry = ad.grad(lambda v: ad.hessian(f, v)[0, 1])([a, b])
    np.testing.assert_allclose(entry, [6 * b ** 2, 12 * a * b], rtol=1e-14)


def test_a_nested_jvp_of_a_batch_gives_each_example_its_second_derivative():
    x = np.array([0.1, 0.5, 2.0])
    inner = lambda v: ad.jvp(ad.sin, [v], [np.ones(3)])[1]          # noqa: E731  cos
    total = ad.grad(lambda v: ad.batch_sum(inner(v)))(x)             # d/dx_k sum cos = -sin
    np.testing.assert_allclose(total, -np.sin(x), rtol=1e-15)


def test_a_transform_inside_another_returns_values_and_alone_returns_numbers():
    seen = []

    def spy(x):
        inner = ad.jvp(ad.exp, [x], [1.0])
        seen.append(inner)
        return inner[1]
    assert ad.grad(spy)(0.0) == 1.0
    assert all(isinstance(item, Value) for item in seen[0])
    assert ad.jvp(ad.exp, [0.0], [1.0]) == (1.0, 1.0)
    assert isinstance(ad.jacobian(ad.softmax, [1.0, 2.0]).dtype.type(0), np.float64)


def test_gradcheck_differentiates_through_a_transform_inside_the_function():
    # f(x) = x * d/dy (x y^2) at y = 1 = 2 x^2: checked against central differences
    result = ad.gradcheck(lambda v: v[0] * ad.grad(lambda y: v[0] * y ** 2)(1.0), [0.7])
    assert result.ok and result.analytic == pytest.approx(4 * 0.7)


def test_a_transform_inside_no_grad_still_differentiates():
    with ad.no_grad():
        assert ad.grad(lambda x: x ** 3)(2.0) == 12.0
        assert ad.jvp(lambda x: x ** 3, [2.0], [1.0]) == (8.0, 12.0)
        assert ad.hessian(lambda v: v[0] ** 3, [2.0])[0, 0] == 12.0


# torch.func as a second opinion: the same compositions of its transforms
def _torch_transforms(torch):
    func = torch.func

    def vjp(g):
        def pulled(x):
            out, pullback = func.vjp(g, x)
            return pullback(torch.ones_like(out))[0]
        return pulled
    return {
        "grad": func.grad,
        "jvp": lambda g: lambda x: func.jvp(g, (x,), (torch.ones_like(x),))[1],
        "vjp": vjp,
        "jacobian": func.jacrev,
        "jacobian-forward": func.jacfwd,
        "jacfwd": func.jacfwd,
        "hessian": func.hessian,
        "hessian-reverse": lambda g: func.jacrev(func.jacrev(g)),
    }


@pytest.mark.parametrize("outer,inner", PAIRS)
def test_each_pair_matches_the_torch_func_composition(torch, outer, inner):
    theirs = _torch_transforms(torch)
    at = torch.tensor(AT, dtype=torch.float64)

    def f_torch(x):
        return x * torch.exp(0.5 * x)

    def closing_torch(x):
        return x * theirs[inner](lambda y: x * f_torch(y))(torch.tensor(CONSTANT_POINT))

    def closing_ours(x):
        return x * compose([inner], lambda y: x * x_exp_half(y))(CONSTANT_POINT)
    expected = theirs[outer](theirs[inner](f_torch))(at).item()
    assert compose([outer, inner], x_exp_half)(AT) == pytest.approx(expected, rel=1e-12)
    expected = theirs[outer](closing_torch)(at).item()
    assert compose([outer], closing_ours)(AT) == pytest.approx(expected, rel=1e-12)


def test_a_matrix_returned_where_a_list_of_outputs_is_expected_is_a_clear_error():
    # torch's jacrev(jacrev(f)) is a 3-d tensor; here a Jacobian's outputs are a list
    inner = lambda v: ad.jacobian(lambda w: [w[0] * w[1]], v)        # noqa: E731  (1, 2)
    with pytest.raises(TypeError, match=r"jacobian: the function returned a numpy array "
                                        r"of shape \(1, 2\); it must return a Value or a "
                                        r"list of Values"):
        ad.jacobian(inner, [1.0, 2.0])
    rows = ad.jacobian(lambda v: inner(v)[0], [1.0, 2.0])            # one row: a list
    np.testing.assert_array_equal(rows, [[0.0, 1.0], [1.0, 0.0]])


def test_tangents_and_cotangents_may_depend_on_the_outer_variable():
    # d/dx [f'(x) x] = f''(x) x + f'(x), and d/dx [f'(x) x^2] = f'' x^2 + 2 x f', f = x sin x
    f = lambda x: ad.sin(x) * x                                      # noqa: E731
    d1 = math.cos(0.7) * 0.7 + math.sin(0.7)
    d2 = 2 * math.cos(0.7) - 0.7 * math.sin(0.7)
    assert ad.grad(lambda x: ad.jvp(f, [x], [x])[1])(0.7) == pytest.approx(d2 * 0.7 + d1)
    assert ad.grad(lambda x: ad.vjp(f, [x], [x * x])[1][0])(0.7) == pytest.approx(
        d2 * 0.49 + 2 * 0.7 * d1)


def test_a_function_that_raises_inside_a_transform_leaves_no_transform_counted():
    def failing(x):
        raise RuntimeError("inside")
    for transform in (lambda: ad.grad(failing)(1.0), lambda: ad.jvp(failing, [1.0], [1.0]),
                      lambda: ad.vjp(failing, [1.0], [1.0]),
                      lambda: ad.hessian(lambda v: failing(v[0]), [1.0]),
                      lambda: ad.grad(lambda x: ad.jvp(failing, [x], [1.0])[1])(1.0)):
        with pytest.raises(RuntimeError, match="inside"):
            transform()
        assert type(ad.grad(lambda x: x * x)(3.0)) is float        # not nested any more
        assert ad.is_grad_enabled()
    with ad.no_grad():
        with pytest.raises(RuntimeError, match="inside"):
            ad.grad(failing)(1.0)
        assert not ad.is_grad_enabled()


def test_compositions_on_two_variables_with_closures_match_torch_func(torch):
    func = torch.func
    point, direction = [0.4, -1.1], [1.0, 0.5]
    at, u = torch.tensor(point), torch.tensor(direction)

    def f(v):
        return ad.sin(v[0] * v[1]) + v[0] ** 3 * v[1]

    def f_torch(x):
        return torch.sin(x[0] * x[1]) + x[0] ** 3 * x[1]

    def two(g):                      # f of the list [a, b] as a function of a and b
        return lambda a, b: g([a, b])

    gradient = lambda v: list(ad.grad(f)(v))                         # noqa: E731
    cases = [
        (ad.jacobian(gradient, point), func.jacrev(func.grad(f_torch))(at)),
        (ad.jacfwd(gradient)(point), func.jacfwd(func.grad(f_torch))(at)),
        (ad.jacobian(gradient, point, mode="forward"), func.hessian(f_torch)(at)),
        (ad.grad(lambda v: ad.jvp(two(f), v, direction)[1])(point),
         func.grad(lambda x: func.jvp(f_torch, (x,), (u,))[1])(at)),
        (ad.grad(lambda v: ad.grad(lambda w: v[0] * f(w) * v[1])(v)[0])(point),
         func.grad(lambda x: func.grad(lambda w: x[0] * f_torch(w) * x[1])(x)[0])(at)),
        (ad.hessian(lambda v: ad.vjp(two(lambda w: f(w) * v[0]), v, 1.0)[1][1], point),
         func.hessian(lambda x: func.vjp(lambda y: f_torch(y) * x[0], x)[1](
             torch.tensor(1.0))[0][1])(at)),
        (ad.jacobian(lambda v: list(ad.jvp(two(gradient), v, direction)[1]), point),
         func.jacrev(lambda x: func.jvp(func.grad(f_torch), (x,), (u,))[1])(at)),
    ]
    for index, (ours, theirs) in enumerate(cases):
        np.testing.assert_allclose(np.asarray(ours, dtype=float), theirs.numpy(), rtol=1e-12,
                                   atol=1e-12, err_msg=f"case {index}")

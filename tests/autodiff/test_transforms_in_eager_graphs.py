"""A transform called outside any other one, inside an eager graph: when its function
closes over a Value that requires grad, its result depends on that Value, so it is a
Value and ``backward`` through it reaches the closed-over Value (as torch.func inside
ordinary autograd); otherwise it is a number. ``trace`` counts as a transform; inside
a compiled step a transform is refused. Values worked out by hand first, torch second."""
import inspect

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value

AT, C = 1.5, 2.0

# T(t -> x t^3) at t = c = 2 for a closed-over x: every transform gives 12 x
# (d/dt = 3 x c^2 = 12 x, d^2/dt^2 = 6 x c = 12 x); x * T(...) = 12 x^2, d/dx = 24 x
TRANSFORMS = {
    "grad": lambda g: ad.grad(g)(C),
    "value_and_grad": lambda g: ad.value_and_grad(g)(C)[1],
    "jvp": lambda g: ad.jvp(g, [C], [1.0])[1],
    "vjp": lambda g: ad.vjp(g, [C], [1.0])[1][0],
    "jacobian": lambda g: ad.jacobian(lambda v: g(v[0]), [C])[0, 0],
    "jacobian-forward": lambda g: ad.jacobian(lambda v: g(v[0]), [C], mode="forward")[0, 0],
    "jacfwd": lambda g: ad.jacfwd(lambda v: g(v[0]))([C])[0, 0],
    "hessian": lambda g: ad.hessian(lambda v: g(v[0]), [C])[0, 0],
    "hessian-reverse": lambda g: ad.hessian(lambda v: g(v[0]), [C],
                                            mode="reverse-over-reverse")[0, 0],
}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_backward_through_a_transform_reaches_the_value_it_closes_over(name):
    x = Value(AT)
    inner = TRANSFORMS[name](lambda t: x * t ** 3)
    assert isinstance(inner, Value) and inner.data == 12 * AT
    (x * inner).backward()
    assert x.grad == pytest.approx(24 * AT, rel=1e-14)


def test_the_issue_example_gives_two_x():
    # x * grad(t -> x t)(2) = x^2: d/dx = 2 x = 3 at 1.5 (it was 1.5: the inner x lost)
    x = Value(1.5)
    (x * ad.grad(lambda t: x * t)(2.0)).backward()
    assert x.grad == 3.0


def test_a_closure_over_an_intermediate_value_reaches_its_leaf():
    # y = x^2 closed over: grad(t -> y t)(2) = y, d/dx = 2 x
    x = Value(AT)
    y = x * x
    ad.grad(lambda t: y * t)(2.0).backward()
    assert x.grad == 2 * AT


@pytest.mark.parametrize("name", TRANSFORMS)
def test_without_a_closed_over_variable_a_transform_returns_numbers(name):
    constant = Value(AT, requires_grad=False)
    assert isinstance(TRANSFORMS[name](lambda t: 0.5 * t ** 3 + 1.0), float)   # 3 t = 6
    assert TRANSFORMS[name](lambda t: 0.5 * t ** 3 + 1.0) == 6.0
    assert isinstance(TRANSFORMS[name](lambda t: constant * t ** 3), float)    # 12 x
    assert TRANSFORMS[name](lambda t: constant * t ** 3) == 12 * AT


@pytest.mark.parametrize("name", TRANSFORMS)
def test_under_no_grad_a_closure_gives_numbers(name):
    x = Value(AT)
    with ad.no_grad():
        got = TRANSFORMS[name](lambda t: x * t ** 3)
    assert isinstance(got, float) and got == 12 * AT       # np.float64 in a matrix


def test_a_jacobian_closing_over_parameters_is_an_array_of_values():
    # f(v) = [w0 v0 + w1 v1]: J = [[w0, w1]]; sum of J's entries backward: dw = [1, 1]
    w = [Value(0.5), Value(-2.0)]
    J = ad.jacobian(lambda v: [w[0] * v[0] + w[1] * v[1]], [1.0, 3.0])
    assert J.dtype == object and [entry.data for entry in J[0]] == [0.5, -2.0]
    ad.sum(list(J[0])).backward()
    assert [p.grad for p in w] == [1.0, 1.0]


@pytest.mark.parametrize("name", ["grad", "jvp", "hessian", "jacobian", "jacfwd"])
def test_closures_match_torch_func_inside_autograd(torch, name):
    func = torch.func
    c, one = torch.tensor(C), torch.tensor(1.0)
    theirs = {"grad": lambda g: func.grad(g)(c),
              "jvp": lambda g: func.jvp(g, (c,), (one,))[1],
              "hessian": lambda g: func.hessian(g)(c),
              "jacobian": lambda g: func.jacrev(g)(c),
              "jacfwd": lambda g: func.jacfwd(g)(c)}[name]
    x_torch = torch.tensor(AT, requires_grad=True)
    (x_torch * theirs(lambda t: x_torch * t ** 3)).backward()
    x = Value(AT)
    (x * TRANSFORMS[name](lambda t: x * t ** 3)).backward()
    assert x.grad == pytest.approx(x_torch.grad.item(), rel=1e-14)


# --- trace counts as a transform ----------------------------------------------------------

def test_a_traced_function_records_the_dependency_of_an_inner_grad():
    # x * grad(t -> x t)(2) = x^2: d/dx = 2 x = 3
    graph = ad.trace(lambda x: x * ad.grad(lambda t: x * t)(2.0), x=1.5).backward()
    assert graph.gradients() == {"x": 3.0}


def test_a_traced_function_records_an_inner_jvp_even_under_no_grad():
    # jvp of t -> x t^2 at t = x along 1: 2 x t = 2 x^2; d/dx = 4 x = 6
    with ad.no_grad():
        graph = ad.trace(lambda x: ad.jvp(lambda t: x * t * t, [x], [1.0])[1], x=1.5)
    assert graph.output.data == 4.5
    assert graph.backward().gradients() == {"x": 6.0}


# --- a compiled step refuses a transform ---------------------------------------------------

def test_a_transform_inside_a_compiled_step_is_refused_naming_the_line():
    weight = Value(0.5)

    def loss_fn(X):
        slope = ad.grad(lambda t: weight * t * t)(1.0)           # the refused line
        return ad.batch_mean(slope * Value(X))
    line = inspect.getsourcelines(loss_fn)[1] + 1
    step = ad.compile(loss_fn, [weight])
    with pytest.raises(ad.TracingError, match=rf"compile: grad inside a step being compiled, "
                                              rf"at .*test_transforms_in_eager_graphs.py:{line}"):
        step(np.array([1.0, 2.0]))
    assert ad.grad(lambda t: t * t)(3.0) == 6.0          # nothing left counted or traced

"""Every primitive: forward value and gradient vs central differences and vs torch,
on plain floats and on batches."""
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value
from helpers import central_difference

# name -> (engine function, plain-float function, torch function name or lambda, points)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x, lambda t, x: -x, [-1.3, 0.4, 2.0]),
    "exp": (ad.exp, math.exp, lambda t, x: t.exp(x), [-2.0, 0.1, 1.5]),
    "log": (ad.log, math.log, lambda t, x: t.log(x), [0.3, 1.0, 4.2]),
    "sqrt": (ad.sqrt, math.sqrt, lambda t, x: t.sqrt(x), [0.3, 1.0, 4.2]),
    "tanh": (ad.tanh, math.tanh, lambda t, x: t.tanh(x), [-2.0, 0.1, 0.9]),
    "sigmoid": (ad.sigmoid, lambda x: 1 / (1 + math.exp(-x)), lambda t, x: t.sigmoid(x),
                [-3.0, 0.0, 2.5]),
    "relu": (ad.relu, lambda x: max(x, 0.0), lambda t, x: t.relu(x), [-1.5, 0.7, 3.0]),
    "leaky_relu": (lambda x: ad.leaky_relu(x, 0.1), lambda x: x if x > 0 else 0.1 * x,
                   lambda t, x: t.nn.functional.leaky_relu(x, 0.1), [-1.5, 0.7, 3.0]),
    "abs": (abs, abs, lambda t, x: t.abs(x), [-1.5, 0.7, 3.0]),
    "pow3": (lambda x: x ** 3, lambda x: x ** 3, lambda t, x: x ** 3, [-1.5, 0.7, 3.0]),
    "pow-half": (lambda x: x ** 0.5, lambda x: x ** 0.5, lambda t, x: x ** 0.5, [0.3, 2.0]),
    "pow-neg": (lambda x: x ** -2, lambda x: x ** -2, lambda t, x: x ** -2, [-1.5, 0.7]),
    "rpow": (lambda x: 2.0 ** x, lambda x: 2.0 ** x, lambda t, x: 2.0 ** x, [-1.0, 0.5, 3.0]),
}

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, lambda t, a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, lambda t, a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, lambda t, a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b, lambda t, a, b: a / b),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, lambda t, a, b: a ** b),
    "maximum": (ad.maximum, max, lambda t, a, b: t.maximum(a, b)),
    "minimum": (ad.minimum, min, lambda t, a, b: t.minimum(a, b)),
}
BINARY_POINTS = [(0.7, 1.9), (2.5, 0.4), (1.3, 3.1)]


def engine_grad(function, *xs):
    leaves = [Value(x) for x in xs]
    out = function(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


@pytest.mark.parametrize("name", UNARY)
def test_unary_primitive_matches_plain_math_and_central_differences(name):
    function, plain, _, points = UNARY[name]
    for x in points:
        data, (grad,) = engine_grad(function, x)
        assert data == pytest.approx(plain(x), rel=1e-12)
        numeric = central_difference(lambda v: plain(v[0]), [x])[0]
        assert grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", UNARY)
def test_unary_primitive_on_a_batch_equals_each_example(name):
    function, _, _, points = UNARY[name]
    batch = Value(np.array(points))
    out = function(batch)
    out.backward(np.ones(len(points)))
    for i, x in enumerate(points):
        data, (grad,) = engine_grad(function, x)
        assert out.data[i] == pytest.approx(data, rel=1e-14)
        assert batch.grad[i] == pytest.approx(grad, rel=1e-14)


@pytest.mark.parametrize("name", UNARY)
def test_unary_primitive_matches_torch(name, torch):
    function, _, torch_function, points = UNARY[name]
    for x in points:
        data, (grad,) = engine_grad(function, x)
        tx = torch.tensor(x, requires_grad=True)
        ty = torch_function(torch, tx)
        ty.backward()
        assert data == pytest.approx(ty.item(), rel=1e-12)
        assert grad == pytest.approx(tx.grad.item(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", BINARY)
def test_binary_primitive_matches_central_differences(name):
    function, plain, _ = BINARY[name]
    for a, b in BINARY_POINTS:
        data, grads = engine_grad(function, a, b)
        assert data == pytest.approx(plain(a, b), rel=1e-12)
        numeric = central_difference(lambda v: plain(*v), [a, b])
        assert grads == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", BINARY)
def test_binary_primitive_matches_torch(name, torch):
    function, _, torch_function = BINARY[name]
    for a, b in BINARY_POINTS + [(1.5, 1.5)]:
        data, grads = engine_grad(function, a, b)
        ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        torch_function(torch, ta, tb).backward()
        assert grads == pytest.approx([ta.grad.item(), tb.grad.item()], rel=1e-12)


@pytest.mark.parametrize("name", BINARY)
def test_binary_primitive_on_batches_and_broadcast_scalars(name):
    function, _, _ = BINARY[name]
    a_batch, b_batch = np.array([p[0] for p in BINARY_POINTS]), np.array([p[1] for p in BINARY_POINTS])
    a, b = Value(a_batch), Value(b_batch)
    out = function(a, b)
    out.backward(np.ones(3))
    for i, (x, y) in enumerate(BINARY_POINTS):
        data, grads = engine_grad(function, x, y)
        assert (out.data[i], a.grad[i], b.grad[i]) == pytest.approx((data, *grads), rel=1e-14)
    # a scalar operand against a batch gets the batch-summed gradient
    scalar, batch = Value(1.7), Value(b_batch)
    ad.batch_sum(function(scalar, batch)).backward()
    expected = sum(engine_grad(function, 1.7, y)[1][0] for y in b_batch)
    assert scalar.grad == pytest.approx(expected, rel=1e-13)
    assert type(scalar.grad) is float


def test_maximum_and_minimum_split_the_gradient_at_a_tie_like_torch():
    a, b = Value(2.0), Value(2.0)
    ad.maximum(a, b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)


def test_relu_and_abs_have_zero_derivative_at_zero_as_in_torch():
    for function in (ad.relu, abs):
        x = Value(0.0)
        function(x).backward()
        assert x.grad == 0.0


def test_nary_sum_has_one_edge_per_term_and_unit_local_derivatives():
    xs = [Value(float(i)) for i in range(5)]
    total = ad.sum(xs + [xs[0]])
    assert total.data == 10.0
    assert len(total.parents) == 6 and total.local_grads == (1.0,) * 6
    total.backward()
    assert [x.grad for x in xs] == [2.0, 1.0, 1.0, 1.0, 1.0]


def test_batch_sum_and_batch_mean_reduce_a_batch_to_a_scalar():
    x = Value([1.0, 2.0, 6.0])
    total, average = ad.batch_sum(x), ad.batch_mean(x)
    assert (total.data, average.data) == (9.0, 3.0)
    average.backward()
    np.testing.assert_allclose(x.grad, [1 / 3] * 3)
    x.grad = np.zeros(3)
    total.backward()
    np.testing.assert_allclose(x.grad, [1.0] * 3)


def test_each_primitive_is_declared_once_with_its_formula():
    assert set(ad.PRIMITIVES) >= {"add", "sub", "mul", "div", "neg", "pow", "exp", "log",
                                  "sqrt", "tanh", "sigmoid", "relu", "abs", "maximum",
                                  "minimum", "sum", "batch_sum", "batch_mean"}
    for primitive in ad.PRIMITIVES.values():
        assert "d/d" in primitive.formula
    assert (Value(1.0) * 2).op == "mul" and Value(1.0).op == ""


def test_number_on_the_left_keeps_operand_order():
    x = Value(3.0)
    for out, first in ((2 - x, 2.0), (2 / x, 2.0), (2 * x, 2.0), (2 + x, 2.0), (2 ** x, 2.0)):
        assert out.parents[0].data == first and out.parents[1] is x
    assert (2 - x).data == -1.0 and (2 / x).data == pytest.approx(2 / 3)


def test_ndarray_times_value_defers_to_the_value():
    x = Value(2.0)
    out = np.array([1.0, 2.0, 3.0]) * x
    assert isinstance(out, Value)
    np.testing.assert_array_equal(out.data, [2.0, 4.0, 6.0])


def test_affine_is_one_node_with_weight_input_and_bias_edges():
    w, x, b = [Value(0.5), Value(-1.0)], [Value(2.0), Value(3.0)], Value(0.25)
    y = ad.affine(w, x, b)
    assert y.op == "affine" and y.data == 0.5 * 2.0 - 1.0 * 3.0 + 0.25
    assert all(p is q for p, q in zip(y.parents, (*w, *x, b), strict=True))
    assert y.local_grads == (2.0, 3.0, 0.5, -1.0, 1.0)
    y.backward()
    assert [v.grad for v in (*w, *x, b)] == [2.0, 3.0, 0.5, -1.0, 1.0]


def test_affine_matches_the_composed_dot_on_floats_batches_and_second_derivatives():
    rng = np.random.default_rng(3)
    for inputs in ([0.3, -1.2, 2.0], [rng.normal(size=5) for _ in range(3)]):
        weights = [0.7, -0.4, 1.1]
        fused = ad.gradcheck(lambda v: ad.tanh(ad.affine(v[:3], v[3:6], v[6])), weights + inputs + [0.2])
        assert fused.ok
        ws, xs = [Value(w) for w in weights], [Value(x) for x in inputs]
        ad.batch_sum(ad.tanh(ad.affine(ws, xs))).backward()
        ws2, xs2 = [Value(w) for w in weights], [Value(x) for x in inputs]
        ad.batch_sum(ad.tanh(ad.dot(ws2, xs2))).backward()
        for a, b in zip(ws + xs, ws2 + xs2):
            np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12)
    H = ad.hessian(lambda v: ad.affine(v[:2], v[2:]) ** 2, [1.0, 2.0, 3.0, 4.0])
    s = 1 * 3 + 2 * 4
    np.testing.assert_allclose(H[0], [2 * 3 * 3, 2 * 3 * 4, 2 * (1 * 3 + s), 2 * 3 * 2])


def test_affine_matches_torch(torch):
    w, x = [0.7, -0.4, 1.1], [0.3, -1.2, 2.0]
    leaves = [Value(v) for v in w + x + [0.5]]
    ad.sigmoid(ad.affine(leaves[:3], leaves[3:6], leaves[6])).backward()
    tw, tx, tb = (torch.tensor(v, requires_grad=True) for v in (w, x, 0.5))
    torch.sigmoid(tw @ tx + tb).backward()
    expected = tw.grad.tolist() + tx.grad.tolist() + [tb.grad.item()]
    assert [leaf.grad for leaf in leaves] == pytest.approx(expected, rel=1e-13)


def test_affine_rejects_mismatched_sizes_and_batch_lengths():
    with pytest.raises(ValueError, match="affine: needs as many weights as inputs"):
        ad.affine([Value(1.0)], [Value(1.0), Value(2.0)])
    with pytest.raises(ValueError, match=r"affine: batch lengths differ \(3 and 4\)"):
        ad.affine([1.0, 2.0], [Value(np.ones(3)), Value(np.ones(4))])
    with pytest.raises(ValueError, match=r"affine: batch lengths differ"):
        ad.affine([1.0], [Value(np.ones(3))], Value(np.ones(2)))


def test_every_primitive_and_family_is_in_the_table_with_text_for_each_operand():
    assert {"pow_constant", "leaky_relu", "softplus", "stop_gradient", "max", "min",
            "affine"} <= set(ad.PRIMITIVES)
    assert isinstance(ad.PRIMITIVES["pow_constant"], ad.PrimitiveFamily)
    assert ad.PRIMITIVES["pow_constant"](3).local_grad_text(["x"]) == ("3·x^2",)
    assert ad.PRIMITIVES["mul"].local_grad_text(["c", "d"]) == ("d", "c")
    assert ad.PRIMITIVES["div"].local_grad_text(["a", "b"], "q") == ("1/b", "-q/b")
    assert ad.PRIMITIVES["affine"].local_grad_text(["w1", "w2", "x1", "x2", "b"]) == (
        "x1", "x2", "w1", "w2", "1")
    assert ad.PRIMITIVES["sum"].local_grad_text(["a", "b", "c"]) == ("1", "1", "1")


@pytest.mark.parametrize("x", [-3.0, -1e-3, 0.0, 1e-3, 2.0])
def test_softplus_has_true_derivatives_of_every_order_at_every_point(x):
    s = 1.0 / (1.0 + math.exp(-x))
    first = ad.grad(ad.softplus)(x)
    second = ad.grad(ad.grad(ad.softplus))(x)
    third = ad.grad(ad.grad(ad.grad(ad.softplus)))(x)
    assert first == pytest.approx(s, abs=1e-15)
    assert second == pytest.approx(s * (1 - s), abs=1e-15)
    assert third == pytest.approx(s * (1 - s) * (1 - 2 * s), abs=1e-15)


def test_softplus_is_finite_with_the_right_gradient_at_plus_minus_1000():
    assert ad.softplus(Value(1000.0)).data == 1000.0
    assert ad.softplus(Value(-1000.0)).data == pytest.approx(0.0, abs=1e-300)
    assert ad.grad(ad.softplus)(1000.0) == 1.0 and ad.grad(ad.softplus)(-1000.0) == 0.0


def test_softplus_matches_torch_in_value_and_first_two_derivatives(torch):
    for x in (-2.5, 0.0, 0.7, 15.0):          # torch returns x itself above x = 20
        t = torch.tensor(x, requires_grad=True)
        y = torch.nn.functional.softplus(t)
        (g,) = torch.autograd.grad(y, t, create_graph=True)
        (h,) = torch.autograd.grad(g, t)
        assert ad.softplus(Value(x)).data == pytest.approx(y.item(), rel=1e-15)
        assert ad.grad(ad.softplus)(x) == pytest.approx(g.item(), abs=1e-15)
        assert ad.grad(ad.grad(ad.softplus))(x) == pytest.approx(h.item(), abs=1e-15)
    assert ad.softplus(Value(30.0)).data == 30.0 + math.log1p(math.exp(-30.0))


def test_relu_and_leaky_relu_derivative_at_zero_on_a_batch_is_the_float_one():
    for function, at_zero in ((ad.relu, 0.0), (lambda v: ad.leaky_relu(v, 0.2), 0.2)):
        x = Value(np.array([-1.0, 0.0, 2.0]))
        ad.batch_sum(function(x)).backward()
        floats = []
        for point in (-1.0, 0.0, 2.0):
            leaf = Value(point)
            function(leaf).backward()
            floats.append(leaf.grad)
        np.testing.assert_array_equal(x.grad, floats)
        assert x.grad[1] == at_zero


def test_power_zero_has_derivative_zero_even_at_infinity_as_torch():
    for point in (math.inf, -math.inf, 0.0, 3.0):
        x = Value(point)
        (x ** 0).backward()
        assert x.grad == 0.0 and (x ** 0).data == 1.0


def test_numpy_scalars_are_exponents_like_python_numbers():
    for exponent in (np.int64(2), np.float32(2.0), np.float64(2.0)):
        y = Value(3.0) ** exponent
        assert y.data == 9.0 and y.op == "pow"


@pytest.mark.parametrize("data", [1e200, np.array([1e200, 1.0])])
def test_power_overflow_is_one_error_naming_pow_for_a_number_and_a_batch(data):
    with pytest.raises(ValueError, match=r"^pow: overflow"):
        Value(data) ** 2


def test_max_and_min_split_ties_evenly_as_torch_and_a_chain_of_maximums_does_not():
    xs = [Value(v) for v in (1.0, 1.0, 0.0, 1.0)]
    (0.5 * ad.max(xs)).backward()
    assert [x.grad for x in xs] == pytest.approx([1 / 6, 1 / 6, 0.0, 1 / 6])
    ys = [Value(v) for v in (1.0, 1.0, 0.0, 1.0)]
    (0.5 * ad.maximum(ad.maximum(ad.maximum(ys[0], ys[1]), ys[2]), ys[3])).backward()
    assert [y.grad for y in ys] == pytest.approx([1 / 8, 1 / 8, 0.0, 1 / 4])
    zs = Value(np.array([3.0, -1.0])), Value(np.array([3.0, 2.0]))
    ad.batch_sum(ad.min(zs)).backward()
    np.testing.assert_array_equal(zs[0].grad, [0.5, 1.0])
    np.testing.assert_array_equal(zs[1].grad, [0.5, 0.0])


def test_max_of_a_batch_and_a_weight_gives_the_weight_the_upstream_of_each_example_it_wins():
    """max(x_k, w) with upstream u = (1, 2, 10): w = 0.5 wins example 3 only (x = 0.2),
    so dL/dw = 10, by hand; a tie (x = 0.5) gives w half of that example's upstream."""
    w, x = Value(0.5), Value(np.array([1.0, 3.0, 0.2]))
    upstream = Value(np.array([1.0, 2.0, 10.0]), requires_grad=False)
    ad.batch_sum(ad.max([x, w]) * upstream).backward()
    assert w.grad == 10.0 and x.grad.tolist() == [1.0, 2.0, 0.0]
    assert ad.jvp(lambda w: ad.batch_sum(ad.max([x, w])), [0.5], [1.0])[1] == 1.0
    tie, w = Value(np.array([0.5, 3.0, 0.2])), Value(0.5)
    ad.batch_sum(ad.min([tie, w]) * upstream).backward()
    assert w.grad == 0.5 * 1.0 + 2.0 and tie.grad.tolist() == [0.5, 0.0, 10.0]


def test_max_of_a_batch_and_a_weight_matches_torch(torch):
    w = torch.tensor(0.5, requires_grad=True)
    x = torch.tensor([1.0, 3.0, 0.2])
    (torch.maximum(x, w) * torch.tensor([1.0, 2.0, 10.0])).sum().backward()
    ours = Value(0.5)
    ad.batch_sum(ad.max([Value(x.tolist()), ours]) * np.array([1.0, 2.0, 10.0])).backward()
    assert ours.grad == w.grad.item()


def test_stop_gradient_passes_the_value_and_no_gradient():
    x = Value(2.0)
    y = x * ad.stop_gradient(x * 3.0)
    y.backward()
    assert y.data == 12.0 and x.grad == 6.0
    assert ad.grad(lambda t: t * ad.stop_gradient(t))(2.0) == 2.0

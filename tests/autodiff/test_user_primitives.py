"""autodiff.primitive: an operation and its derivatives defined by the user become a row
of the engine's table, and then work everywhere a built-in primitive does: backward,
create_graph and higher orders, forward mode, compile, gradcheck, the steps. Derivatives
are checked against central differences first, then against torch."""
import math

import numpy as np
import pytest
from helpers import central_difference

import autodiff as ad
from autodiff import Value


@pytest.fixture
def define():
    """ad.primitive, with every name it defines taken out of the table afterwards."""
    names = []

    def make(name, *args, **kwargs):
        names.append(name)
        return ad.primitive(name, *args, **kwargs)
    yield make
    for name in names:
        ad.PRIMITIVES.pop(name, None)


def softsign_of(define, name="softsign"):
    return define(name, forward=lambda x: x / (1 + abs(x)),
                  derivatives=lambda x, out: (1 / (1 + abs(x)) ** 2,),
                  formula="x / (1 + |x|)", derivative_text=("1 / (1 + |{0}|)^2",))


def smooth_max_of(define):
    """log(e^a + e^b), written on floats, arrays and Values alike."""
    return define("smooth_max",
                  forward=lambda a, b: np.logaddexp(a, b),
                  derivatives=lambda a, b, out: (ad.exp(a - out) if isinstance(a, Value)
                                                 else np.exp(a - out),
                                                 ad.exp(b - out) if isinstance(b, Value)
                                                 else np.exp(b - out)),
                  formula="ln(e^a + e^b)", derivative_text=("e^({0} - {out})", "e^({1} - {out})"))


def softsign_float(x):
    return x / (1 + abs(x))


def test_a_user_primitive_is_a_node_with_its_op_and_its_derivative_from_the_rule(define):
    softsign = softsign_of(define)
    x = Value(0.5, label="x")
    y = softsign(x)
    assert y.op == "softsign" and y.parents == (x,) and y.data == pytest.approx(1 / 3)
    y.backward()
    numeric = central_difference(lambda v: softsign_float(v[0]), [0.5])[0]
    assert x.grad == pytest.approx(numeric, rel=1e-8) and x.grad == pytest.approx(1 / 1.5 ** 2)
    assert ad.PRIMITIVES["softsign"] is y.primitive
    assert "d/dx = 1 / (1 + |x|)^2" in y.primitive.formula


def test_a_user_primitive_runs_on_a_batch_one_derivative_per_example(define):
    softsign = softsign_of(define)
    xs = np.array([-2.0, 0.25, 3.0])
    x = Value(xs)
    ad.batch_sum(softsign(x)).backward()
    expected = [central_difference(lambda v: softsign_float(v[0]), [v])[0] for v in xs]
    np.testing.assert_allclose(x.grad, expected, rtol=1e-8)


def test_a_scalar_feeding_a_user_primitive_on_a_batch_gets_the_batch_summed_gradient(define):
    softsign = softsign_of(define)
    w = Value(0.7)
    data = np.array([1.0, -2.0, 0.5])
    ad.batch_sum(softsign(w * Value(data, requires_grad=False))).backward()
    numeric = central_difference(lambda v: sum(softsign_float(v[0] * d) for d in data), [0.7])[0]
    assert w.grad == pytest.approx(numeric, rel=1e-8)


def test_second_and_third_derivatives_come_from_the_rule_evaluated_on_values(define):
    softsign = softsign_of(define)
    x = 0.5
    second = ad.grad(ad.grad(lambda v: softsign(v)))(x)
    third = ad.grad(ad.grad(ad.grad(lambda v: softsign(v))))(x)
    assert second == pytest.approx(-2 / (1 + x) ** 3, rel=1e-12)     # by hand, x > 0
    assert third == pytest.approx(6 / (1 + x) ** 4, rel=1e-12)
    first = lambda v: 1 / (1 + abs(v)) ** 2
    assert second == pytest.approx((first(x + 1e-6) - first(x - 1e-6)) / 2e-6, rel=1e-7)


def test_create_graph_backward_gives_a_differentiable_gradient(define):
    softsign = softsign_of(define)
    x = Value(-0.8)
    softsign(x * x).backward(create_graph=True)
    first = x.grad                      # a Value: the derivative's own graph
    # d/dx softsign(x^2) = 2x / (1 + x^2)^2, and its derivative, worked by hand
    assert first.data == pytest.approx(2 * -0.8 / (1 + 0.64) ** 2, rel=1e-12)
    (second,) = ad.gradients(first, [x])
    assert second == pytest.approx(2 / 1.64 ** 2 - 8 * 0.64 / 1.64 ** 3, rel=1e-12)


def test_forward_mode_pushes_tangents_through_a_user_primitive(define):
    softsign = softsign_of(define)
    value, tangent = ad.jvp(lambda x: softsign(3.0 * x), [0.2], [1.0])
    assert value == pytest.approx(0.6 / 1.6)
    assert tangent == pytest.approx(3.0 / 1.6 ** 2, rel=1e-12)
    jacobian = ad.jacfwd(lambda v: [softsign(v[0] * v[1])])([0.5, 2.0])
    np.testing.assert_allclose(jacobian, [[2.0 / 4.0, 0.5 / 4.0]], rtol=1e-12)


def test_a_two_operand_primitive_has_one_derivative_per_operand(define):
    smooth_max = smooth_max_of(define)
    a, b = Value(0.3, label="a"), Value(-1.2, label="b")
    out = smooth_max(a, b)
    assert out.data == pytest.approx(math.log(math.exp(0.3) + math.exp(-1.2)))
    out.backward()
    numeric = central_difference(lambda v: math.log(math.exp(v[0]) + math.exp(v[1])), [0.3, -1.2])
    np.testing.assert_allclose([a.grad, b.grad], numeric, rtol=1e-8)
    assert out.primitive.local_grad_text(["a", "b"], "m") == ("e^(a - m)", "e^(b - m)")
    hessian = ad.hessian(lambda v: smooth_max(v[0], v[1]), [0.3, -1.2])
    s = 1 / (1 + math.exp(-1.5))                                 # softmax weight of a
    np.testing.assert_allclose(hessian, [[s * (1 - s), -s * (1 - s)],
                                         [-s * (1 - s), s * (1 - s)]], rtol=1e-9)


def test_a_number_operand_becomes_a_leaf_as_for_built_in_primitives(define):
    smooth_max = smooth_max_of(define)
    x = Value(1.0)
    out = smooth_max(x, 0.0)
    out.backward()
    assert out.parents[1].data == 0.0 and x.grad == pytest.approx(1 / (1 + math.exp(-1.0)))


def test_constants_are_keyword_parameters_one_row_per_value(define):
    scaled_tanh = define("scaled_tanh", forward=lambda x, scale=1.0: scale * np.tanh(x),
                         derivatives=lambda x, out, scale=1.0: (scale - out * out / scale,),
                         formula="{scale:g} tanh(x)",
                         derivative_text=("{scale:g} (1 - tanh²({0}))",))
    x = Value(0.4)
    y = scaled_tanh(x, scale=2.0)
    y.backward()
    assert y.data == pytest.approx(2 * math.tanh(0.4))
    assert x.grad == pytest.approx(2 * (1 - math.tanh(0.4) ** 2), rel=1e-12)
    assert y.primitive is scaled_tanh.row(scale=2.0) is not scaled_tanh.row(scale=3.0)
    assert y.primitive.local_grad_text(["x"]) == ("2 (1 - tanh²(x))",)
    assert y.primitive.formula.startswith("2 tanh(x)")
    assert isinstance(ad.PRIMITIVES["scaled_tanh"], ad.PrimitiveFamily)
    assert ad.gradcheck(lambda v: scaled_tanh(v[0], scale=3.0), [0.4]).ok
    assert scaled_tanh(Value(0.4)).data == pytest.approx(math.tanh(0.4))   # the default
    assert scaled_tanh(Value(0.4)).primitive is scaled_tanh.row(scale=1.0)
    times = define("times", forward=lambda x, *, k: k * x, derivatives=lambda x, out, *, k: (k,))
    assert times(Value(2.0), k=3).data == 6.0
    with pytest.raises(TypeError, match=r"times: needs the constant k \(a keyword argument"):
        times(Value(2.0))


def test_a_domain_check_refuses_inputs_outside_with_the_primitives_name(define):
    log_plus = define("log_plus_one", forward=lambda x: np.log1p(x),
                      derivatives=lambda x, out: (1 / (1 + x),),
                      domain=lambda x: x > -1, domain_text="x > -1")
    assert log_plus(Value(0.5)).data == pytest.approx(math.log(1.5))
    with pytest.raises(ValueError, match=r"log_plus_one: input outside the domain \(x > -1\), "
                                         r"got x = -2\.0"):
        log_plus(Value(-2.0))
    with pytest.raises(ValueError, match=r"log_plus_one: .*x = -3\.0 \(example 1\)"):
        log_plus(Value(np.array([0.0, -3.0, 1.0])))


def test_errors_in_the_users_forward_or_rule_name_the_primitive_and_the_input(define):
    reciprocal = define("reciprocal", forward=lambda x: 1 / x,
                        derivatives=lambda x, out: (-out * out,))
    with pytest.raises(ad.PrimitiveError, match=r"reciprocal: forward failed on x = 0\.0: "
                                                r"ZeroDivisionError"):
        reciprocal(Value(0.0))
    broken = define("broken_rule", forward=lambda x: 2 * x,
                    derivatives=lambda x, out: (undefined_name,))    # noqa: F821
    with pytest.raises(ad.PrimitiveError, match=r"broken_rule: derivatives failed on x = 1\.5: "
                                                r"NameError"):
        broken(Value(1.5))
    counted = define("two_rules", forward=lambda x: 2 * x, derivatives=lambda x, out: (2.0, 1.0))
    with pytest.raises(ad.PrimitiveError, match="two_rules: derivatives must return one "
                                                "derivative per operand"):
        counted(Value(1.0))
    numpy_only = define("numpy_rule", forward=lambda x: np.sin(x),
                        derivatives=lambda x, out: (math.cos(x),))
    assert numpy_only(Value(0.3)).local_grads == (pytest.approx(math.cos(0.3)),)
    with pytest.raises(ad.PrimitiveError, match=r"numpy_rule: derivatives on x = 0\.3 as Values "
                                                r"\(create_graph\) turned a Value into a number"):
        ad.grad(ad.grad(lambda v: numpy_only(v)))(0.3)    # math.cos would freeze a number
    nan = define("nan_forward", forward=lambda x: np.sqrt(x), derivatives=lambda x, out: (0.5 / out,))
    with pytest.warns(RuntimeWarning), pytest.raises(ad.PrimitiveError,
                                                     match=r"nan_forward: forward gave nan"):
        nan(Value(np.array([1.0, -1.0])))


def test_names_must_not_clash_with_built_in_primitives(define):
    for name in ("exp", "mul", "pow_constant"):
        with pytest.raises(ValueError, match=f"'{name}' is a built-in primitive"):
            ad.primitive(name, lambda x: x, lambda x, out: (1.0,))
    assert ad.PRIMITIVES["exp"].float_forward is math.exp
    first = softsign_of(define, "redefined")
    second = define("redefined", lambda x: 3 * x, lambda x, out: (3.0,))   # a cell run again
    assert ad.PRIMITIVES["redefined"] is second.row() and first(Value(1.0)).data == 0.5


def test_a_definition_is_checked_when_it_is_made(define):
    with pytest.raises(TypeError, match=r"derivatives must take the operands and then the "
                                        r"output, \(x, out\)"):
        ad.primitive("no_out", lambda x: x, lambda x: (1.0,))
    with pytest.raises(ValueError, match="derivative_text has 2 entries for 1 operand"):
        ad.primitive("too_many_texts", lambda x: x, lambda x, out: (1.0,),
                     derivative_text=("1", "2"))
    with pytest.raises(TypeError, match="forward must be a function"):
        ad.primitive("not_callable", 3.0, lambda x, out: (1.0,))
    softsign = softsign_of(define)
    with pytest.raises(TypeError, match=r"softsign: takes 1 operand \(x\), got 2"):
        softsign(Value(1.0), Value(2.0))


def test_gradcheck_passes_a_right_rule_and_names_the_primitive_and_operand_of_a_wrong_one(define):
    softsign = softsign_of(define)
    assert ad.gradcheck(lambda v: ad.tanh(softsign(v[0] * v[1])), [0.3, 1.7]).ok
    wrong = define("wrong_second", forward=lambda a, b: a * b * b,
                   derivatives=lambda a, b, out: (b * b, a * b))        # d/db should be 2ab
    result = ad.gradcheck(lambda v: ad.exp(wrong(v[0], v[1])) + softsign(v[0]), [0.5, 0.8])
    assert not result.ok
    suspect = result.suspects[0]
    assert (suspect.primitive, suspect.operand, suspect.operand_name) == ("wrong_second", 1, "b")
    assert suspect.rule == pytest.approx(0.4) and suspect.numeric == pytest.approx(0.8, rel=1e-6)
    assert [s.primitive for s in result.suspects] == ["wrong_second"]   # softsign is right
    assert "wrong rule: wrong_second: d out/d b (operand 1)" in repr(result)


def test_gradcheck_finds_a_wrong_rule_on_a_batch_at_the_example_where_it_differs(define):
    wrong = define("wrong_on_negatives", forward=lambda x: abs(x) ** 3,
                   derivatives=lambda x, out: (3 * x * x,))            # sign(x) forgotten
    result = ad.gradcheck(lambda v: ad.batch_sum(wrong(v[0])), [np.array([0.5, -0.5, 2.0])])
    assert not result.ok and result.where == (0, 1)
    assert result.suspects[0].primitive == "wrong_on_negatives"
    assert "(example 1)" in result.suspects[0].at


def test_compile_replays_a_user_primitive_as_the_eager_engine_computes_it(define):
    softsign = softsign_of(define)
    smooth_max = smooth_max_of(define)
    rng = np.random.default_rng(0)
    weights = [Value(w) for w in rng.normal(size=3)]

    def loss_fn(x1, x2):
        hidden = softsign(weights[0] * x1 + weights[1] * x2)
        return ad.batch_mean(smooth_max(hidden, weights[2] * x1) ** 2)

    step = ad.compile(loss_fn, weights)
    for _ in range(3):
        x1, x2 = rng.normal(size=8), rng.normal(size=8)
        for w in weights:
            w.grad = 0.0
        eager = loss_fn(x1, x2)
        eager.backward()
        expected = [w.grad for w in weights]
        for w in weights:
            w.grad = 0.0
        assert step(x1, x2) == pytest.approx(eager.data, rel=1e-12)
        np.testing.assert_allclose([w.grad for w in weights], expected, rtol=1e-12)


def test_the_steps_and_pictures_show_a_user_primitive_with_its_derivative_text(define):
    import viz
    softsign = softsign_of(define)
    x = Value(0.5, label="x")
    y = softsign(x)
    y.label = "y"
    y.backward()
    source = viz.draw(y, edges="symbols").source
    assert "softsign" in source and "dy/dx = 1 / (1 + |x|)^2 = 0.4444" in source
    steps = viz.steps(y)
    assert "softsign" in str(steps) and "0.4444" in str(steps)
    assert "softsign" in viz.animate(y)._repr_html_()                # the player
    forward = str(viz.steps(y, mode="forward", wrt=x))
    assert "y = softsign(x)" in forward and "local 0.4444 × tangent 1 = 0.4444" in forward


def test_user_primitive_matches_torch_softsign_to_the_second_derivative(define, torch):
    softsign = softsign_of(define)
    xs = [-1.5, -0.2, 0.3, 2.0]
    for x in xs:
        t = torch.tensor(x, requires_grad=True)
        (first,) = torch.autograd.grad(torch.nn.functional.softsign(t), t, create_graph=True)
        (second,) = torch.autograd.grad(first, t)
        assert ad.grad(lambda v: softsign(v))(x) == pytest.approx(first.item(), rel=1e-12)
        assert ad.grad(ad.grad(lambda v: softsign(v)))(x) == pytest.approx(second.item(),
                                                                          rel=1e-12)


def test_compile_replays_constants_and_runs_the_domain_check_on_every_batch(define):
    shifted_log = define("shifted_log", forward=lambda x, shift=1.0: np.log(x + shift),
                         derivatives=lambda x, out, shift=1.0: (1 / (x + shift),),
                         domain=lambda x, shift=1.0: x + shift > 0, domain_text="x + shift > 0")
    w = Value(0.5)

    def loss_fn(x):
        return ad.batch_sum(shifted_log(w * x, shift=2.0))

    step = ad.compile(loss_fn, [w])
    x = np.array([1.0, 2.0, -1.0])
    w.grad = 0.0
    assert step(x) == pytest.approx(float(np.sum(np.log(0.5 * x + 2.0))), rel=1e-12)
    assert w.grad == pytest.approx(float(np.sum(x / (0.5 * x + 2.0))), rel=1e-12)
    with pytest.raises(ValueError, match=r"shifted_log: input outside the domain \(x \+ shift > 0\)"):
        step(np.array([1.0, -8.0, 0.0]))


def test_the_local_check_finds_no_wrong_rule_among_the_built_in_primitives():
    a, b = Value(0.7), Value(np.array([0.3, -1.2, 2.0]))
    terms = [ad.affine([a, a], [b, ad.tanh(b)], a), ad.max([b, a * b, -b]),
             ad.sum([b, a, ad.exp(b * 0.1)]), (a ** 2.5) / (1 + b * b), ad.hypot(a, b),
             ad.arctan2(b, a), ad.log1p(ad.sigmoid(b)), ad.batch_mean(ad.relu(b) + 1) * b]
    out = ad.batch_sum(ad.sum(terms))
    assert ad.local_mismatches(out) == []
    assert ad.gradcheck(lambda v: ad.batch_sum(ad.sum(
        [ad.affine([v[0]], [v[1]]), ad.hypot(v[0], v[1])])), [0.7, np.array([0.3, 2.0])]).ok

"""backward(): the chain rule over the graph, accumulation rules, deep graphs, higher order."""
import math
import threading

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value


def test_notes_example_sum_over_paths_e_equals_a_plus_b_times_b_plus_1():
    a, b = Value(2.0, "a"), Value(1.0, "b")
    c, d = a + b, b + 1
    e = c * d
    e.backward()
    assert e.data == 6.0
    # de/db = de/dc dc/db + de/dd dd/db = (b + 1) + (a + b)
    assert b.grad == (1.0 + 1) + (2.0 + 1.0) == 5.0
    assert a.grad == 2.0
    assert (c.grad, d.grad) == (2.0, 3.0)


def test_notes_example_shared_parameter_y_equals_x_exp_x_squared():
    for x0 in (-1.2, 0.0, 0.7, 1.5):
        x = Value(x0)
        y = x * ad.exp(x ** 2)
        y.backward()
        expected = math.exp(x0 ** 2) + 2 * x0 * x0 * math.exp(x0 ** 2)
        assert x.grad == pytest.approx(expected, rel=1e-15)


def test_a_times_a_has_two_edges_and_gradient_2a():
    a = Value(3.0)
    out = a * a
    assert len(out.parents) == 2 and out.parents[0] is a and out.parents[1] is a
    assert [edge.index for edge in out.edges()] == [0, 1]
    out.backward()
    assert a.grad == 6.0


def test_diamond_and_reused_subgraph_add_their_paths():
    x = Value(0.5)
    shared = ad.tanh(x)
    top = shared * 2.0 + shared ** 2    # two paths through `shared`
    top.backward()
    t = math.tanh(0.5)
    assert x.grad == pytest.approx((2 + 2 * t) * (1 - t * t), rel=1e-15)


def test_backward_twice_keeps_non_leaf_grads_and_doubles_leaf_grads_like_torch():
    a, b = Value(2.0), Value(-3.0)
    hidden = a * b
    out = ad.tanh(hidden) + a
    out.backward()
    first = (a.grad, b.grad, hidden.grad)
    out.backward()
    assert hidden.grad == first[2]
    assert (a.grad, b.grad) == pytest.approx((2 * first[0], 2 * first[1]), rel=1e-15)
    ad.zero_grad([a, b])
    out.backward()
    assert (a.grad, b.grad) == first[:2]


def test_backward_from_a_leaf_seeds_it_with_one():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


def test_explicit_seed_scales_every_gradient():
    x = Value(1.5)
    y = x * x
    y.backward(grad=3.0)
    assert x.grad == 3.0 * 3.0


def test_a_chain_of_a_million_nodes_runs_backward_without_recursion():
    x = Value(1.0)
    node = x
    for _ in range(1_000_000):
        node = node + 1.0
    node.backward()
    assert node.data == 1_000_001.0
    assert x.grad == 1.0


def test_a_sum_of_100_000_terms_is_one_node():
    xs = [Value(float(i)) for i in range(100_000)]
    total = ad.sum(xs)
    total.backward()
    assert total.data == sum(range(100_000))
    assert all(x.grad == 1.0 for x in xs)


def test_graph_is_freed_by_reference_counting_without_the_cycle_collector():
    import gc

    def live_values():
        return sum(1 for obj in gc.get_objects() if type(obj) is Value)

    x = Value(2.0)
    gc.collect()
    before = live_values()
    gc.disable()
    try:
        for _ in range(200):
            y = ad.tanh(x * x + 1.0)
            y.backward(create_graph=False)
            ad.trace(lambda a: ad.softmax([a, a * 2, a * 3])[0], a=1.0).steps()
        del y
        after = live_values()
    finally:
        gc.enable()
    assert after == before, "every graph must be freed without the cyclic collector"


def test_batched_graph_gives_each_example_its_own_gradient():
    w = Value(0.5)
    x = Value(np.array([1.0, -2.0, 3.0]))
    loss = ad.batch_mean(ad.tanh(w * x) ** 2)
    loss.backward()
    t = np.tanh(0.5 * x.data)
    per_example = 2 * t * (1 - t * t)
    np.testing.assert_allclose(x.grad, per_example * 0.5 / 3, rtol=1e-14)
    assert w.grad == pytest.approx(float(np.sum(per_example * x.data) / 3), rel=1e-14)
    assert type(w.grad) is float


def test_create_graph_gives_differentiable_gradients_for_second_derivatives():
    for x0 in (-0.8, 0.3, 1.1):
        x = Value(x0)
        y = ad.tanh(x)
        y.backward(create_graph=True)
        first = x.grad
        assert isinstance(first, Value)
        x.grad = 0.0
        first.backward()
        t = math.tanh(x0)
        assert x.grad == pytest.approx(-2 * t * (1 - t * t), rel=1e-12)


@pytest.mark.parametrize("function, second", [
    (lambda x: ad.tanh(x), lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2)),
    (lambda x: x ** 3, lambda x: 6 * x),
    (lambda x: x * ad.exp(x ** 2), lambda x: (6 * x + 4 * x ** 3) * math.exp(x ** 2)),
    (lambda x: ad.sigmoid(x), lambda x: (lambda s: s * (1 - s) * (1 - 2 * s))(1 / (1 + math.exp(-x)))),
    (lambda x: ad.log(x) / x, lambda x: (2 * math.log(x) - 3) / x ** 3),
])
def test_second_derivative_matches_closed_form(function, second):
    d2 = ad.grad(ad.grad(function))
    for x0 in (0.4, 1.3):
        assert d2(x0) == pytest.approx(second(x0), rel=1e-10)


def test_third_derivative_of_x_to_the_fourth():
    d3 = ad.grad(ad.grad(ad.grad(lambda x: x ** 4)))
    assert d3(1.5) == pytest.approx(24 * 1.5, rel=1e-12)


def test_gradients_leaves_every_grad_untouched():
    a, b = Value(2.0), Value(5.0)
    a.grad, b.grad = 7.0, 11.0
    out = a * b + a
    ga, gb = ad.gradients(out, [a, b])
    assert (ga, gb) == (6.0, 2.0)
    assert (a.grad, b.grad) == (7.0, 11.0)
    unrelated = Value(1.0)
    assert ad.gradients(out, [unrelated]) == [0.0]


def test_newton_method_with_create_graph_finds_the_minimum():
    x = Value(3.0)
    for _ in range(8):
        f = (x - 1.0) ** 4 + (x - 1.0) ** 2
        (first,) = ad.gradients(f, [x], create_graph=True)
        (second,) = ad.gradients(first, [x])
        x = Value(x.data - first.data / second)
    assert x.data == pytest.approx(1.0, abs=1e-9)


def test_no_grad_is_per_thread():
    seen = {}

    def other_thread():
        seen["recording"] = ad.is_grad_enabled()
        seen["has_parents"] = bool((Value(1.0) * 2).parents)

    with ad.no_grad():
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert not ad.is_grad_enabled()
        assert (Value(1.0) * 2).parents == ()
    assert seen == {"recording": True, "has_parents": True}
    assert ad.is_grad_enabled()


def test_no_grad_as_decorator_and_enable_grad_inside():
    @ad.no_grad()
    def inference(x):
        inside = x * 2
        with ad.enable_grad():
            recorded = x * 3
        return inside, recorded
    inside, recorded = inference(Value(1.0))
    assert inside.parents == () and len(recorded.parents) == 2


def test_scope_is_stamped_on_values_created_inside():
    with ad.scope("mlp"):
        with ad.scope("layer0"):
            inner = Value(1.0) * 2
        outer = inner + 1
    assert inner.scope == "mlp.layer0" and outer.scope == "mlp"
    assert (inner * 1).scope is None


def test_create_graph_leaves_no_cycles_once_leaf_grads_are_reset_and_grad_none_at_all():
    import gc

    def live_values():
        return sum(1 for obj in gc.get_objects() if type(obj) is Value)

    gc.collect()
    before = live_values()
    gc.disable()
    try:
        for _ in range(20):
            x = Value(2.0)
            y = x * ad.exp(x) * ad.tanh(x)
            y.backward(create_graph=True)
            assert isinstance(x.grad, Value) and not isinstance(y.grad, Value)
            x.grad = 0.0            # a leaf's grad graph refers to the leaf, as in torch
            del x, y
            ad.hessian(lambda w: ad.exp(w[0]) * w[1] ** 2, [0.5, 1.5])
            ad.grad(ad.grad(lambda t: t * ad.softplus(t)))(0.3)
            ad.gradients(ad.tanh(Value(0.2) * 3.0), [], create_graph=True)
        after = live_values()
    finally:
        gc.enable()
    assert after == before

"""trace() and Graph: nodes, edges with local derivatives, step-through backward."""
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value


def notes_example(a, b):
    return (a + b) * (b + 1)


def test_trace_labels_inputs_and_lists_nodes_parents_first():
    graph = ad.trace(notes_example, a=2.0, b=1.0)
    assert set(graph.inputs) == {"a", "b"} and graph.inputs["a"].label == "a"
    position = {id(node): i for i, node in enumerate(graph.nodes)}
    for node in graph.nodes:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert graph.nodes[-1] is graph.output
    assert len(graph.edges) == sum(len(node.parents) for node in graph.nodes) == 6


def test_edges_carry_local_derivatives_and_contributions_after_backward():
    graph = ad.trace(notes_example, a=2.0, b=1.0).backward()
    e = graph.output
    c, d = e.parents
    assert [edge.local_grad for edge in e.edges()] == [d.data, c.data] == [2.0, 3.0]
    assert [edge.contribution for edge in e.edges()] == [2.0, 3.0]
    b = graph.inputs["b"]
    into_b = [edge for edge in graph.edges if edge.parent is b]
    assert sorted(edge.contribution for edge in into_b) == [2.0, 3.0]
    assert sum(edge.contribution for edge in into_b) == b.grad == 5.0
    assert graph.gradients() == {"a": 2.0, "b": 5.0}


def test_steps_run_the_real_backward_one_node_at_a_time():
    graph = ad.trace(notes_example, a=2.0, b=1.0)
    steps = graph.steps()
    assert len(steps) == sum(1 for node in graph.nodes if node.parents) == 3
    assert steps[0].node is graph.output
    b = graph.inputs["b"]
    pushes_into_b = [edge for step in steps for edge in step.edges if edge.parent is b]
    assert [(e.parent_grad_before, e.contribution, e.parent_grad_after)
            for e in pushes_into_b] == [(0.0, 2.0, 2.0), (2.0, 3.0, 5.0)]
    for step in steps:
        for edge in step.edges:
            assert edge.contribution == edge.local_grad * edge.upstream
    assert str(steps[0]).splitlines() == [
        "step 1: v3 = mul(v1, v2), grad 1",
        "  v3 -> v1: local 2 × upstream 1 = 2;  v1.grad 0 + 2 = 2",
        "  v3 -> v2: local 3 × upstream 1 = 3;  v2.grad 0 + 3 = 3"]


def test_steps_leave_exactly_the_gradients_of_backward():
    def f(x, y):
        h = ad.tanh(x * y) + ad.sigmoid(y)
        return ad.logsumexp([h, x, h * y])
    stepped = ad.trace(f, x=0.3, y=np.array([1.0, -0.5]))
    batch_root = ad.batch_sum(stepped.output)
    list(ad.backward_steps(batch_root))
    direct = ad.trace(f, x=0.3, y=np.array([1.0, -0.5]))
    ad.batch_sum(direct.output).backward()
    for name in ("x", "y"):
        np.testing.assert_array_equal(stepped.inputs[name].grad, direct.inputs[name].grad)
    assert type(stepped.inputs["x"].grad) is float


def test_graph_with_several_outputs_asks_which_one():
    graph = ad.trace(lambda a: [a * 2, a * 3], a=1.0)
    assert len(graph.outputs) == 2
    with pytest.raises(ValueError, match="outputs"):
        graph.backward()


def test_trace_rejects_functions_that_do_not_return_values():
    with pytest.raises(TypeError, match="trace"):
        ad.trace(lambda a: 3.0, a=1.0)


def test_edges_view_on_any_value():
    x = Value(3.0)
    y = x * x
    edges = y.edges()
    assert [(e.parent is x, e.index, e.local_grad) for e in edges] == [(True, 0, 3.0), (True, 1, 3.0)]
    y.backward()
    assert [e.contribution for e in edges] == [3.0, 3.0]


def test_graph_forward_steps_name_nodes_as_its_backward_steps_do():
    graph = ad.trace(lambda x, y: x * y + ad.sin(x), x=2.0, y=3.0)
    forward = graph.forward_steps()
    assert str(forward[0]).splitlines() == ["step 1: v1 = mul(x, y), tangent 3",
                                            "  x -> v1: local 3 × tangent 1 = 3"]
    assert forward[-1].tangent == pytest.approx(3.0 + math.cos(2.0), rel=1e-15)
    along_y = graph.forward_steps("y")
    assert along_y[-1].tangent == 2.0
    direction = graph.forward_steps({"x": 1.0, "y": 1.0})
    assert direction[-1].tangent == pytest.approx(5.0 + math.cos(2.0), rel=1e-15)
    with pytest.raises(ValueError, match="no input named 'z'"):
        graph.forward_steps("z")

"""viz.steps / BackpropStepper / animate: one frame per backward step in the engine's
order, drawn from the gradients recorded at that step; the text form; the HTML player."""

import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff import Value
from helpers import PRODUCT, named_edges, node_rows, notes_e, parse_dot, traced_e
from viz.drawing.dot import EDGE_STYLES, HIGHLIGHTS


def notes_y(x):
    return x * ad.exp(x * x)


def _with_parents(graph):
    return sum(1 for node in graph.nodes if node.parents)


@pytest.mark.parametrize("function, inputs", [
    (notes_e, {"a": 2.0, "b": 1.0}),
    (notes_y, {"x": 0.5}),
    (lambda a, b: ad.tanh(a * b + a) * ad.sigmoid(b - a) / (a * a + 1.0), {"a": 0.3, "b": -1.2}),
])
def test_frame_count_equals_the_nodes_with_parents(function, inputs):
    graph = ad.trace(function, **inputs)
    stepper = viz.steps(graph)
    assert len(stepper) == len(list(stepper)) == _with_parents(graph)
    assert [frame.number for frame in stepper] == list(range(1, len(stepper) + 1))


def test_steps_follow_the_engine_order_and_leave_the_same_grads_as_backward():
    stepper = viz.steps(traced_e())
    reference = traced_e()
    assert [stepper.scene.names[record.node] for record in stepper.records] == [
        step.node.name for step in reference.steps()]
    assert stepper.leaf_grads() == reference.gradients() == {"a": 2.0, "b": 5.0}


def test_each_frame_highlights_its_node_and_labels_the_pushed_edges():
    stepper = viz.steps(traced_e())
    for frame in stepper:
        nodes, edges = parse_dot(frame.source)
        current = [node["rows"][0].split()[0] for node in nodes.values()
                   if node["fillcolor"] == HIGHLIGHTS["current"]["fillcolor"]]
        assert current == [stepper.scene.names[frame.node]]
        active = [edge for edge in edges if edge["color"] == EDGE_STYLES["active"]["color"]]
        assert len(active) == len([parent for parent in frame.node.parents
                                   if not stepper.scene.is_constant(parent)])
        assert all(PRODUCT.match(edge["label"]) for edge in active)


def test_frames_are_drawn_from_the_state_recorded_at_each_step():
    frames = list(viz.steps(traced_e()))
    first, second, third = (node_rows(frame.source) for frame in frames)
    assert first["b"] == ["b", "data 1"] and first["c"][-1] == "grad 0 + 2 = 2"
    assert second["b"][-1] == "grad 0 + 2 = 2" and second["a"][-1] == "grad 0 + 2 = 2"
    assert third["b"][-1] == "grad 2 + 3 = 5"          # accumulation at fan-in, as a sum
    assert third["a"][-1] == "grad 2"


def test_step_0_is_the_forward_pass_before_any_gradient():
    stepper = viz.steps(traced_e())
    forward = stepper.frame(0)
    rows = node_rows(forward.source)
    assert not any(row.startswith("grad") for node_rows_ in rows.values() for row in node_rows_)
    assert rows["e"][-1] == "data 6"
    edges = parse_dot(forward.source)[1]
    assert {edge["color"] for edge in edges} == {EDGE_STYLES["pending"]["color"]}
    assert sorted(edge["label"] for edge in edges) == ["", "1", "1", "1", "2", "3"]
    assert forward.caption == "step 0 of 3: forward pass, before any gradient"
    assert str(forward).startswith("step 0 of 3: forward pass") and forward.node is None
    assert stepper.frame(1).source == stepper[0].source
    with pytest.raises(IndexError, match="steps 0 to 3, no step 4"):
        stepper.frame(4)


def _all_grads(nodes):
    return [(node, np.copy(node.grad) if isinstance(node.grad, np.ndarray) else node.grad)
            for node in nodes]


@pytest.mark.parametrize("fresh", [True, False])
def test_stepping_and_animating_never_change_the_graphs_grads(fresh):
    graph = traced_e()
    viz.animate(graph, fresh=fresh, renderer="graphviz-pure").html()
    graph.backward()                                  # as if nothing had been drawn
    assert graph.gradients() == {"a": 2.0, "b": 5.0}
    before = _all_grads(graph.nodes)
    stepper = viz.steps(graph, fresh=fresh)
    list(stepper)
    assert _all_grads(graph.nodes) == before
    graph.backward()                                  # leaf grads accumulate from 2, 5
    assert graph.gradients() == {"a": 4.0, "b": 10.0}


def test_stepping_a_batch_leaves_every_grad_array_as_it_was():
    x = Value(np.array([0.5, -1.0, 2.0]), label="x")
    w = Value(0.3, label="w")
    loss = ad.batch_mean(ad.tanh(w * x))
    loss.backward()
    before = _all_grads(ad.topological_order(loss))
    viz.animate(loss, renderer="graphviz-pure").html()
    after = _all_grads(ad.topological_order(loss))
    assert len(before) == len(after) == 5
    for (node, grad), (same, now) in zip(before, after):
        assert node is same and np.array_equal(grad, now)


def test_edges_not_yet_pushed_show_only_their_local_derivative():
    first = viz.steps(traced_e())[0]
    edges = named_edges(first.source)
    assert sorted(label for parent, child, label in edges if child != "e") == ["", "1", "1", "1"]
    into_e = sorted(label for _, child, label in edges if child == "e")
    assert into_e == ["2 × 1 = 2", "3 × 1 = 3"]
    pending = [edge for edge in parse_dot(first.source)[1]
               if edge["color"] == EDGE_STYLES["pending"]["color"]]
    assert len(pending) == 4


def test_steps_start_from_zero_leaf_grads_unless_asked_to_accumulate():
    graph = traced_e()
    graph.backward()
    stepper = viz.steps(graph)
    assert node_rows(stepper[1].source)["a"][-1] == "grad 0 + 2 = 2"
    assert graph.inputs["b"].grad == 5.0


def test_a_frame_reads_recorded_grads_not_the_final_ones():
    graph = traced_e()
    graph.backward()                     # leaf grads accumulate: a.grad = 2 before stepping
    stepper = viz.steps(graph, fresh=False)
    assert node_rows(stepper[1].source)["a"][-1] == "grad 2 + 2 = 4"
    assert node_rows(stepper[0].source)["a"][-1] == "grad 2"
    graph.inputs["a"].grad = 100.0       # changing grads afterwards does not alter frames
    stepper._frames.clear()
    assert node_rows(stepper[1].source)["a"][-1] == "grad 2 + 2 = 4"


def test_a_node_used_twice_by_one_step_receives_twice():
    a = Value(3.0, label="a")
    square = a * a
    frame = viz.steps(square)[0]
    assert node_rows(frame.source)["a"][-1] == "grad 0 + 3 + 3 = 6"
    assert [label for _, _, label in named_edges(frame.source)] == ["3 × 1 = 3"] * 2


def test_text_form_lists_every_step_with_local_times_upstream():
    stepper = viz.steps(traced_e())
    text = str(stepper)
    assert text.splitlines()[0] == "backward from e: 6 nodes, 3 steps"
    assert "step 1 of 3: e = mul(c, d), grad 1" in text
    assert "  e -> c: local 2 × upstream 1 = 2;  c.grad 0 + 2 = 2" in text
    assert "  d -> b: local 1 × upstream 3 = 3;  b.grad 2 + 3 = 5" in text
    assert "d -> 1" not in text and "1.grad" not in text       # the constant 1: no step
    assert text.splitlines()[-1] == "result: a.grad = 2, b.grad = 5"
    assert str(stepper[2]) in text and str(stepper[2]).startswith("step 3 of 3: d = add(b, 1)")


def test_steps_reject_what_cannot_be_stepped():
    with pytest.raises(TypeError, match="steps: expected a Value.*got float 3.0"):
        viz.steps(3.0)
    a = Value(1.0)
    with pytest.raises(ValueError, match="steps: backward runs from one output, got 2"):
        viz.steps([a * 2.0, a * 3.0])
    with pytest.raises(IndexError, match="there are 3 steps, no step index 3"):
        viz.steps(traced_e())[3]


def test_big_graphs_refuse_frames_but_still_print():
    chain = Value(1.0, label="x")
    for _ in range(20):
        chain = chain * 1.01
    stepper = viz.steps(chain, max_nodes=10)
    assert len(str(stepper).splitlines()) == 1 + 2 * 20 + 1    # no line for the constants
    with pytest.raises(viz.GraphTooLargeError, match="steps: .*max_nodes=10"):
        stepper[0]



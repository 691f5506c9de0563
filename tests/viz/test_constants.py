"""Constants in the pictures: a number operand (the 1 of ``d = b + 1``) or a leaf made
with ``requires_grad=False`` is drawn grey with its value, with no grad line and no
derivative on its edge; the steps of both modes, their frames and the player skip it;
the engine's side (no gradient, the engine's steps) is in
tests/autodiff/test_number_operands.py."""
import json
import re

import numpy as np
import pytest
from helpers import named_edges, node_rows, parse_dot, traced_e

import autodiff as ad
import viz
from autodiff import Value
from viz.drawing.dot import EDGE_STYLES, NODE_STYLES

MODES = ("reverse", "forward")


def number_graph():
    """e = (a + b) * (b + 1) at a = 2, b = 1 (the notes' example): the 1 is a constant."""
    return traced_e()


def batch_graph():
    """s = batch_sum(w * x * k + 1), a batch x, a weight w, a batch of constants k and
    the number 1: d s / d w = sum x k, d s / d x = w k (by hand)."""
    x = Value(np.array([1.0, -2.0, 0.5]), label="x")
    w = Value(0.5, label="w")
    k = Value(np.array([3.0, 1.0, -1.0]), requires_grad=False)
    s = ad.batch_sum(w * x * k + 1.0)
    s.label = "s"
    return s, x, w, k


def constant_ids(scene):
    """The ids of the boxes drawn as constants, and of the edges leaving them."""
    nodes = [node for node in scene.nodes if scene.kinds[node] == "constant"]
    edges = [scene.edge_ids[edge.child, edge.index] for node in nodes
             for edge in scene.uses[node]]
    return {scene.ids[node] for node in nodes}, set(edges)


@pytest.mark.parametrize("edges", ["numbers", "symbols", "both"])
def test_a_constant_is_drawn_grey_with_its_value_no_grad_and_a_bare_edge(edges):
    source = viz.draw(number_graph().backward(), edges=edges).source
    nodes, arrows = parse_dot(source)
    one = next(node for node in nodes.values() if node["rows"][0] == "1")
    assert one["rows"] == ["1"]                                   # no data line, no grad
    assert one["fillcolor"] == NODE_STYLES["constant"]["fillcolor"]
    from_one = [edge for edge in named_edges(source) if edge[0] == "1"]
    assert from_one == [("1", "d", "")]
    arrow = next(arrow for arrow in arrows if arrow["tail"] == "n3")
    assert arrow["color"] == EDGE_STYLES["constant"]["color"]
    assert "constant" in arrow["tooltip"] and "d1" not in arrow["tooltip"]
    assert "dd/db" in source                                      # other edges keep theirs
    assert "grad 2 + 3 = 5" in node_rows(source)["b"]


@pytest.mark.parametrize("example", [0, 2])
def test_a_batch_of_constants_and_a_number_have_no_grad_nor_derivative(example):
    s, _, w, k = batch_graph()
    s.backward()
    source = viz.draw(s, example=example).source
    nodes, arrows = parse_dot(source)
    scene = viz.picture.scene.Scene(s, example=example)
    constant_nodes, constant_edges = constant_ids(scene)
    assert sorted(nodes[node_id]["rows"][0] for node_id in constant_nodes) == sorted(
        ["1", f"{k.data[example]:g}"])                             # their values, shown
    assert all(nodes[node_id]["rows"] == nodes[node_id]["rows"][:1]
               for node_id in constant_nodes)                       # no grad line
    labels = {arrow["id"]: arrow["label"] for arrow in arrows}
    assert len(constant_edges) == 2 and all(labels[e] == "" for e in constant_edges)
    assert node_rows(source)["w"][-1] == f"grad {w.grad:.4g}"
    assert all(label for edge_id, label in labels.items() if edge_id not in constant_edges)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("graph", ["number", "batch"])
def test_no_step_no_frame_and_no_numbers_for_a_constant(mode, graph):
    subject = number_graph() if graph == "number" else batch_graph()[0]
    stepper = viz.steps(subject, mode=mode)
    scene = stepper.scene
    node_ids, edge_ids = constant_ids(scene)
    constants = [node for node in scene.nodes if scene.ids[node] in node_ids]
    assert constants
    names = {scene.names[node] for node in constants}
    edge_lines = [line for line in str(stepper).splitlines() if line.startswith("  ")]
    assert edge_lines
    for line in edge_lines:           # "  child -> parent: ..." backward, the other way forward
        first, second = line.strip().split(": ")[0].split(" -> ")
        assert (second if mode == "reverse" else first) not in names, line
    assert not any(any(record.node is node for node in constants) for record in stepper.records)
    for frame in [stepper.frame(0)] + list(stepper):
        nodes, arrows = parse_dot(frame.source)
        for node_id in node_ids:
            assert not any(row.startswith(("grad", "tangent")) for row in nodes[node_id]["rows"])
            assert nodes[node_id]["fillcolor"] == NODE_STYLES["constant"]["fillcolor"]
        for arrow in arrows:
            if arrow["id"] in edge_ids:
                assert arrow["label"] == ""
                assert arrow["color"] == EDGE_STYLES["pending"]["color"]   # never active
        if frame.node is not None:
            _, others = stepper.highlights(frame.number)
            assert not set(constants) & set(others)


def _player_data(page):
    return json.loads(re.search(r'<script type="application/json" class="crp-data">(.*?)'
                                r"</script>", page, re.DOTALL).group(1))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("graph", ["number", "batch"])
def test_the_player_never_moves_a_constant(mode, graph):
    subject = number_graph() if graph == "number" else batch_graph()[0]
    stepper = viz.steps(subject, mode=mode)
    node_ids, edge_ids = constant_ids(stepper.scene)
    data = _player_data(stepper.animate().html())
    for node_id in node_ids:
        assert data["nodes"][node_id]["grad"] is False              # no grad line at all
    assert all(data["edgeSteps"][edge_id] == 0 for edge_id in edge_ids)   # never active
    for number, frame in enumerate(data["frames"]):
        assert frame["node"] not in node_ids
        assert not set(frame["receiving"]) & node_ids
        for node_id, text in frame.get("grads", {}).items():
            assert node_id not in node_ids or text == ""
        for edge_id, text in frame.get("edges", {}).items():
            assert edge_id not in edge_ids or text == ""
        for node_id, text in frame.get("explain", {}).items():
            if node_id in node_ids:
                assert "constant" in text and "grad =" not in text
    assert len(data["frames"]) == len(stepper) + 1


def test_the_default_forward_seed_is_never_a_constant():
    one = Value(1.0, requires_grad=False)
    x = Value(2.0)                                   # unlabelled, but it needs a gradient
    stepper = viz.steps(one * x + 3.0, mode="forward")
    assert stepper.scene.kinds[x] == "input" and stepper.scene.kinds[one] == "constant"
    assert list(stepper.seeds) == [x]
    assert stepper.output_tangents() == {"v2": 1.0}                  # d(1 x + 3)/dx = 1


def test_a_constant_that_is_seeded_carries_its_tangent():
    k = Value(2.0, requires_grad=False)
    x = Value(3.0, label="x")
    stepper = viz.steps(k * x, mode="forward", wrt={k: 1.0})
    assert stepper.output_tangents() == {"v1": 3.0}                  # d(k x)/dk = x
    assert "2 -> v1: local 3 × tangent 1 = 3" in str(stepper)

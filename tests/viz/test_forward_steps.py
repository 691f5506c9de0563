"""viz.steps(mode="forward") / ForwardStepper: forward mode on the same boxes and edges as
backward. One step per node with parents in computation order, each node's tangent the
sum over its edges of local × tangent(parent); every tangent checked against central
differences of that very node, against autodiff.jvp and against torch.func.jvp; the
graph left as it was; clear errors for a bad seed."""
import math

import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff import Value
from helpers import PRODUCT, node_rows, notes_e, parse_dot, traced_e
from viz.drawing.dot import EDGE_STYLES, HIGHLIGHTS


def notes_y(x):
    return x * ad.exp(x * x)


def mixed(a, b):
    return ad.tanh(a * b + a) * ad.sigmoid(b - a) / (a * a + 1.0) + ad.sin(a * b)


FUNCTIONS = [(notes_e, {"a": 2.0, "b": 1.0}), (notes_y, {"x": 0.5}),
             (mixed, {"a": 0.3, "b": -1.2})]


def _node_data(function, inputs):
    """The data of every node of function's graph at ``inputs``, in computation order."""
    graph = ad.trace(function, **inputs)
    return [node.data for node in ad.computation_order(graph.outputs)]


@pytest.mark.parametrize("function, inputs", FUNCTIONS)
@pytest.mark.parametrize("seed", ["first", "each", "direction"])
def test_every_tangent_is_the_central_difference_of_its_node(function, inputs, seed):
    names = list(inputs)
    directions = {"first": [{names[0]: 1.0}], "each": [{name: 1.0} for name in names],
                  "direction": [{name: 0.5 - 1.5 * k for k, name in enumerate(names)}]}[seed]
    for direction in directions:
        graph = ad.trace(function, **inputs)
        wrt = None if seed == "first" else {graph.inputs[name]: t for name, t in direction.items()}
        stepper = viz.steps(graph, mode="forward", wrt=wrt)
        step = 1e-6
        up = _node_data(function, {n: v + step * direction.get(n, 0.0) for n, v in inputs.items()})
        down = _node_data(function, {n: v - step * direction.get(n, 0.0)
                                     for n, v in inputs.items()})
        nodes = stepper.scene.nodes
        assert len(up) == len(nodes)
        checked = 0
        for position, node in enumerate(nodes):
            if node.parents:
                numeric = (up[position] - down[position]) / (2 * step)
                assert math.isclose(stepper.tangent_at(node, len(stepper)), numeric,
                                    rel_tol=1e-6, abs_tol=1e-7), stepper.name(node)
                checked += 1
        assert checked == len(stepper) == sum(1 for node in nodes if node.parents)
        _, jvp = ad.jvp(function, [inputs[name] for name in names],
                        [direction.get(name, 0.0) for name in names])
        assert stepper.output_tangents()[stepper.name(graph.output)] == pytest.approx(
            jvp, abs=1e-15)


def test_the_last_tangent_is_torch_func_jvp(torch):
    def mixed_torch(a, b):
        return (torch.tanh(a * b + a) * torch.sigmoid(b - a) / (a * a + 1.0)
                + torch.sin(a * b))
    graph = ad.trace(mixed, a=0.3, b=-1.2)
    tangents = (0.7, -2.0)
    stepper = viz.steps(graph, mode="forward", wrt=dict(zip(graph.inputs.values(), tangents)))
    _, expected = torch.func.jvp(mixed_torch, (torch.tensor(0.3), torch.tensor(-1.2)),
                                 tuple(torch.tensor(t) for t in tangents))
    assert abs(stepper.output_tangents()[stepper.name(graph.output)] - expected.item()) < 1e-12


def test_steps_go_in_computation_order_one_per_node_with_parents():
    stepper = viz.steps(traced_e(), mode="forward")
    assert [stepper.name(record.node) for record in stepper.records] == ["c", "d", "e"]
    assert [record.number for record in stepper.records] == [1, 2, 3]
    assert [frame.number for frame in stepper] == [1, 2, 3] and len(list(stepper)) == 3
    assert stepper.frame(3).source == stepper[-1].source


def test_the_default_seed_is_the_first_input_and_wrt_picks_another():
    graph = traced_e()
    assert str(viz.steps(graph, mode="forward")).splitlines()[:2] == [
        "forward mode, every tangent d(box)/da: 6 nodes, 3 steps",
        "seeds: a.tangent = 1, b.tangent = 0"]
    by_b = viz.steps(graph, mode="forward", wrt=graph.inputs["b"])
    assert by_b.output_tangents() == {"e": 5.0}
    assert viz.steps(graph, mode="forward", wrt="b").output_tangents() == {"e": 5.0}
    assert viz.steps(graph, mode="forward").output_tangents() == {"e": 2.0}
    unlabelled = Value(3.0) * Value(2.0, requires_grad=False)
    assert viz.steps(unlabelled, mode="forward").output_tangents() == {"v1": 2.0}


def test_the_text_shows_every_edge_and_the_sum_in_the_box():
    text = str(viz.steps(traced_e(), mode="forward", wrt="b")).splitlines()
    assert text[2:] == [
        "step 1 of 3: c = add(a, b), tangent 0 + 1 = 1",
        "  a -> c: local 1 × tangent 0 = 0",
        "  b -> c: local 1 × tangent 1 = 1",
        "step 2 of 3: d = add(b, 1), tangent 1",
        "  b -> d: local 1 × tangent 1 = 1",
        "step 3 of 3: e = mul(c, d), tangent 2 + 3 = 5",
        "  c -> e: local 2 × tangent 1 = 2",
        "  d -> e: local 3 × tangent 1 = 3",
        "result: e.tangent = 5 (de/db)"]


def test_each_frame_highlights_its_node_and_shows_products_on_its_incoming_edges():
    stepper = viz.steps(traced_e(), mode="forward", wrt="b")
    start = node_rows(stepper.frame(0).source)
    assert start["b"][-1] == "tangent 1" and start["a"][-1] == "tangent 0"
    assert start["c"] == ["c  add", "data 3"] and start["e"] == ["e  mul", "data 6"]
    for frame in stepper:
        nodes, edges = parse_dot(frame.source)
        current = [node["rows"][0].split()[0] for node in nodes.values()
                   if node["fillcolor"] == HIGHLIGHTS["current"]["fillcolor"]]
        assert current == [stepper.name(frame.node)]
        active = [edge for edge in edges if edge["color"] == EDGE_STYLES["active"]["color"]]
        assert len(active) == len([parent for parent in frame.node.parents
                                   if not stepper.scene.is_constant(parent)])
        assert {edge["head"] for edge in active} == {stepper.scene.ids[frame.node]}
        assert all(PRODUCT.match(edge["label"]) for edge in active)
        pending = [edge for edge in edges if edge["color"] == EDGE_STYLES["pending"]["color"]]
        assert all(" × " not in edge["label"] for edge in pending)
    last = node_rows(stepper[-1].source)
    assert last["e"][-1] == "tangent 2 + 3 = 5" and last["c"][-1] == "tangent 1"


def test_symbols_on_the_edges_of_forward_frames():
    stepper = viz.steps(traced_e(), mode="forward", wrt="b", edges="both")
    labels = [edge["label"] for edge in parse_dot(stepper[-1].source)[1]]
    assert "de/dc = d = 2;  2 × 1 = 2" in labels and "de/dd = c = 3;  3 × 1 = 3" in labels
    assert "d(child)/d(parent) = its rule" in stepper[-1].source


def test_several_outputs_get_their_tangents_in_one_pass():
    a = Value(0.5, label="a")
    first, second = ad.sin(a), a * a
    first.label, second.label = "s", "q"
    stepper = viz.steps([first, second], mode="forward")
    assert stepper.output_tangents() == {"s": pytest.approx(math.cos(0.5)), "q": 1.0}
    assert str(stepper).splitlines()[-1].startswith("result: s.tangent = 0.8776 (ds/da), "
                                                    "q.tangent = 1 (dq/da)")
    chain = [ad.tanh(0.9 * a + 0.1)]
    for _ in range(3):
        chain.append(ad.tanh(0.9 * chain[-1] + 0.1))       # each output feeds the next
    stepper = viz.steps(chain, mode="forward")
    _, expected = ad.jvp(lambda x: [chain_at(x, k) for k in range(4)], [0.5], [1.0])
    assert list(stepper.output_tangents().values()) == pytest.approx(expected, abs=1e-15)
    assert len(stepper) == 12


def chain_at(x, k):
    """h_k of h_0 = tanh(0.9 x + 0.1), h_k = tanh(0.9 h_(k-1) + 0.1)."""
    h = ad.tanh(0.9 * x + 0.1)
    for _ in range(k):
        h = ad.tanh(0.9 * h + 0.1)
    return h


def test_a_batched_graph_shows_one_example_and_the_sum_into_a_scalar():
    x = Value(np.linspace(-1.0, 1.0, 8), label="x", requires_grad=False)
    w = Value(0.7, label="w")
    loss = ad.batch_mean(ad.tanh(w * x) * w)
    stepper = viz.steps(loss, mode="forward", wrt="w", example=3)
    tanh = np.tanh(0.7 * x.data)
    expected = float(np.mean(tanh + 0.7 * x.data * (1 - tanh ** 2)))    # d/dw of w tanh(w x)
    assert stepper.output_tangents()[stepper.name(loss)] == pytest.approx(expected, abs=1e-14)
    text = str(stepper)
    assert "example 4 of 8" in text.splitlines()[0] and "sum over 8 examples" in text
    by_x = viz.steps(loss, mode="forward", wrt={x: np.arange(8.0)})
    up = ad.batch_mean(ad.tanh(w * (x.data + 1e-6 * np.arange(8.0))) * w).data
    down = ad.batch_mean(ad.tanh(w * (x.data - 1e-6 * np.arange(8.0))) * w).data
    assert by_x.output_tangents()[by_x.name(loss)] == pytest.approx((up - down) / 2e-6, rel=1e-7)


def test_stepping_forward_never_changes_the_graph():
    graph = traced_e()
    graph.backward()
    nodes = ad.computation_order(graph.outputs)
    before = [(node.data, node.grad) for node in nodes]
    stepper = viz.steps(graph, mode="forward", wrt={"a": 1.0, "b": -2.0},
                        renderer="graphviz-pure")
    list(stepper)
    str(stepper)
    stepper.animate().html()
    assert [(node.data, node.grad) for node in nodes] == before


def test_the_player_carries_tangent_lines_and_forward_words():
    player = viz.animate(traced_e(), mode="forward", wrt="b", interval=0.5,
                         renderer="graphviz-pure")
    page = player.page()
    assert "<title>chainrule: forward mode step by step</title>" in page
    assert "tangent 2 + 3 = 5" in page and "e.tangent = 2 (from c) + 3 (from d) = 5" in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "local 2 × tangent 1 = 2" in page and "tangent" in svg and "grad " not in svg
    assert len(player) == 4


@pytest.mark.parametrize("options, message", [
    ({"mode": "sideways"}, r"steps: mode must be one of \('reverse', 'forward'\), got 'sideways'"),
    ({"mode": "forward", "grad": 2.0}, r"steps: grad is an option of backward .* got grad=2.0"),
    ({"wrt": "a"}, r"steps: wrt chooses the tangents of mode='forward', got wrt='a'"),
    ({"mode": "forward", "wrt": "z"}, r"steps: wrt must name one input of the graph "
                                      r"\['a', 'b'\], got 'z'"),
    ({"mode": "forward", "wrt": {}}, r"steps: wrt must give a tangent to at least one input"),
    ({"mode": "forward", "wrt": {"a": "one"}}, r"steps: the tangent of a must be a number, "
                                               r"got 'one'"),
    ({"mode": "forward", "wrt": {"a": float("nan")}}, r"the tangent of a must be a number"),
    ({"mode": "forward", "wrt": Value(1.0)}, r"steps: wrt must be an input of the graph, "
                                             r"got a Value the output does not depend on"),
])
def test_a_bad_mode_or_seed_is_refused_with_its_value(options, message):
    with pytest.raises(ValueError, match=message):
        viz.steps(traced_e(), **options)


def test_wrt_must_be_a_leaf_and_a_value():
    graph = traced_e()
    c = next(node for node in graph.nodes if node.label == "c")
    with pytest.raises(ValueError, match=r"steps: wrt must be a leaf .* got c = add"):
        viz.steps(graph, mode="forward", wrt=c)
    with pytest.raises(TypeError, match=r"steps: wrt must be an input of the graph .* got "
                                        r"float 2.0"):
        viz.steps(graph, mode="forward", wrt=2.0)
    with pytest.raises(ValueError, match=r"animate: mode must be one of|steps: mode must be"):
        viz.animate(graph, mode="backward")

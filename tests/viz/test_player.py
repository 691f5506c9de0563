"""viz.step_through.player: one layout for every frame (step 0, the forward pass, then each step),
frames that carry only what changes, sized for the widest text, and a page light
enough for a notebook. The script itself is driven in a browser in test_player_browser."""
import html
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autodiff as ad
import nn
import viz
from autodiff import Value
from helpers import traced_e

SVG = "{http://www.w3.org/2000/svg}"


def _page_parts(page):
    """(the SVG element, the player's JSON data, the step texts) of a player page."""
    svg_text = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    data = json.loads(re.search(r'<script type="application/json" class="crp-data">(.*?)'
                                r"</script>", page, re.S).group(1))
    texts = re.findall(r'<pre class="crp-text" data-step="(\d+)">(.*?)</pre>', page, re.S)
    return ET.fromstring(svg_text), data, texts


def _states(data):
    """The frames' changes applied in order: [(grads, edge labels, explanations)]."""
    grads, labels, explain, states = {}, {}, {}, []
    for frame in data["frames"]:
        grads = {**grads, **frame.get("grads", {})}
        labels = {**labels, **frame.get("edges", {})}
        explain = {**explain, **frame.get("explain", {})}
        states.append((grads, labels, explain))
    return states


def test_one_picture_for_all_frames_and_the_changes_of_each():
    stepper = viz.steps(traced_e(), renderer="graphviz-pure")
    page = stepper.animate(interval=0.5).html()
    svg, data, texts = _page_parts(page)
    assert page.count("<svg") == 1
    assert [int(number) for number, _ in texts] == [0, 1, 2, 3]
    assert texts[0][1].startswith("step 0 of 3: forward pass")
    assert html.unescape(texts[2][1]) == stepper.step_text(stepper.records[1])
    assert data["interval"] == 500 and len(data["frames"]) == 4
    ids = {group.get("id") for group in svg.iter(f"{SVG}g")}
    prefix = data["prefix"]
    assert {prefix + node_id for node_id in data["nodes"]} <= ids
    assert {prefix + edge_id for edge_id in data["edgeSteps"]} <= ids
    states = _states(data)
    names = {node_id: node["name"] for node_id, node in data["nodes"].items()}
    by_name = [{names[node_id]: text for node_id, text in grads.items()} for grads, _, _ in states]
    assert by_name[0]["b"] == "" and by_name[1]["c"] == "grad 0 + 2 = 2"
    assert by_name[3]["b"] == "grad 2 + 3 = 5" and by_name[3]["a"] == "grad 2"
    assert [frame["node"] for frame in data["frames"]][1:] == [
        node_id for name in ("e", "c", "d") for node_id in names if names[node_id] == name]
    # a frame sends only what changed: step 3 leaves the lines of c and e alone
    assert not {names[node_id] for node_id in data["frames"][3]["grads"]} & {"c", "e"}


def test_the_layout_holds_the_widest_text_of_every_frame():
    page = viz.animate(traced_e(), renderer="graphviz-pure").html()
    svg, data, _ = _page_parts(page)
    prefix = data["prefix"]
    shown = {group.get("id")[len(prefix):]: [text.text for text in group.iter(f"{SVG}text")]
             for group in svg.iter(f"{SVG}g") if (group.get("id") or "").startswith(prefix)}
    for grads, labels, _ in _states(data):
        for node_id, text in grads.items():
            assert len(text) <= len(shown[node_id][-1])
        for edge_id, text in labels.items():
            assert len(text) <= len((shown[edge_id] or [""])[-1])   # a constant's: none


def test_clicking_a_box_explains_its_grad_as_the_sum_over_its_edges():
    page = viz.animate(traced_e(), renderer="graphviz-pure").html()
    _, data, _ = _page_parts(page)
    b = next(node_id for node_id, node in data["nodes"].items() if node["name"] == "b")
    explain = [state[2][b] for state in _states(data)]
    assert explain[2] == "b.grad so far = 2 (from c) = 2; still to come from d"
    assert explain[3] == "b.grad = 2 (from c) + 3 (from d) = 5"
    assert sorted(data["nodes"][b]["out"]) == sorted(
        edge_id for edge_id, step in data["edgeSteps"].items() if step in (2, 3)
        and edge_id in data["nodes"][b]["out"])
    assert len(data["nodes"][b]["out"]) == 2 and data["nodes"][b]["in"] == []


def test_a_leaf_player_has_only_step_0_and_says_why():
    player = viz.animate(Value(2.0, label="a"), renderer="graphviz-pure")
    assert len(player) == 1 and "nothing to step through" in player.html()


def test_player_rejects_a_bad_interval():
    for bad in (0, -1.0, True, "1"):
        with pytest.raises(ValueError, match="animate: interval must be a positive number"):
            viz.animate(traced_e(), interval=bad)


def test_a_player_refuses_more_frames_than_max_frames():
    chain = Value(1.0, label="x")
    for _ in range(12):
        chain = ad.tanh(chain)
    with pytest.raises(viz.GraphTooLargeError, match="animate: .*13 frames.*max_frames=10"):
        viz.animate(chain, max_frames=10)
    assert len(viz.animate(chain, max_frames=None, renderer="graphviz-pure")) == 13


def test_animate_saves_a_self_contained_page(tmp_path):
    player = viz.animate(ad.trace(lambda x: x * ad.exp(x * x), x=0.5), title="y = x exp(x^2)",
                         renderer="graphviz-pure")
    path = player.save(tmp_path / "steps.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>y = x exp(x^2)</title>" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)     # nothing fetched from outside
    assert player._repr_html_() == player.html() and player.html() in page


def test_the_mlp_2_8_8_1_player_is_under_one_megabyte():
    """The issue's model: 35 frames and 13 MB of HTML when every frame was a picture."""
    model = nn.MLP([2, 8, 8, 1], activation="tanh", generator=0)
    out = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])[0]
    loss = (out - 1.0) ** 2
    player = viz.animate(loss, params=model, renderer="graphviz-pure", max_frames=None)
    page = player.page()
    assert len(player) == 36 and page.count("<svg") == 1
    assert len(page.encode("utf-8")) < 1_000_000


def test_a_leaf_that_needs_no_gradient_gets_no_grad_line():
    x = Value(3.0, label="x", requires_grad=False)
    w = Value(2.0, label="w")
    out = w * x
    out.label = "out"
    svg, data, _ = _page_parts(viz.animate(out, renderer="graphviz-pure").html())
    lines = {node["name"]: node["grad"] for node in data["nodes"].values()}
    assert lines == {"w": True, "x": False, "out": True}
    texts = [text.text for text in svg.iter(f"{SVG}text") if text.text]
    assert texts.count("grad 0 + 3 = 3") == 1 and not any(text.strip() == "grad" for text in texts)


def _graphs_to_play():
    """A few graphs with fan-in, fan-out, constants, a batch and a model."""
    yield "e", traced_e(), {}
    x = Value(0.5, label="x")
    yield "y", x * ad.exp(x * x), {}
    a = Value(np.array([1.0, 3.0]), label="a")
    b = Value(np.array([2.0, -2.0]), label="b")
    yield "batch", ad.batch_mean(a * b * b + 1.0), {"example": 1}
    model = nn.MLP([2, 3, 1], generator=0)
    out = model([Value(0.5, label="u"), Value(-1.0, label="v")])[0]
    yield "mlp", (out - 1.0) ** 2, {"params": model}
    graph = traced_e()
    graph.backward()
    yield "accumulating", graph, {"fresh": False}


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_each_frame_of_the_player_is_the_whole_state_of_its_step(mode):
    """The player computes only what each step touches; applied in order, its changes
    give every box line, edge label, explanation and highlight of every step exactly as
    the stepper draws that step on its own."""
    for name, subject, options in _graphs_to_play():
        if mode == "forward":
            options.pop("fresh", None)
        stepper = viz.steps(subject, mode=mode, **options)
        scene, word = stepper.scene, stepper.word
        lines, labels, explain = {}, {}, {}
        for number, (grads, edges, explained, current, receiving) in enumerate(
                stepper.animate().changes()):
            lines.update(grads)
            labels.update(edges)
            explain.update(explained)
            assert lines == {scene.ids[node]: f"{word} {text}" if text else ""
                             for node, text in stepper.box_lines(number).items()}, name
            assert labels == {scene.edge_ids[edge.child, edge.index]:
                              stepper.edge_state(edge, number)[1] for edge in scene.edges}, name
            assert explain == {scene.ids[node]: text
                               for node, text in stepper.explanations(number).items()}, name
            node, others = stepper.highlights(number)
            assert current == (scene.ids[node] if node is not None else None)
            assert receiving == sorted(scene.ids[other] for other in others)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_the_player_computes_each_box_a_few_times_not_once_per_frame(mode):
    """Linear in the graph's size: over all frames, each box's line and explanation
    and each edge's label are computed a bounded number of times (a player that
    recomputed every box at every frame would make about nodes x frames calls)."""
    h = Value(0.3, label="x")
    for i in range(40):
        h = ad.tanh(Value(0.9, label=f"w{i}") * h + Value(0.1, label=f"b{i}")) * 0.5
    stepper = viz.steps(h, mode=mode, max_nodes=None)
    calls = {"box_line": 0, "explanation": 0, "edge_state": 0}
    for method in calls:
        original = getattr(stepper, method)

        def counted(*args, _original=original, _method=method):
            calls[_method] += 1
            return _original(*args)
        setattr(stepper, method, counted)
    stepper.animate(max_frames=None).changes()
    nodes, edges = len(stepper.scene.nodes), len(stepper.scene.edges)
    assert nodes == 281 and len(stepper) == 160
    assert calls["box_line"] <= 6 * nodes and calls["explanation"] <= 6 * nodes
    assert calls["edge_state"] <= 6 * edges

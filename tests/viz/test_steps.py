"""viz.steps / BackpropStepper / animate: one frame per backward step in the engine's
order, drawn from the gradients recorded at that step; the text form; the HTML player."""
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff import Value
from helpers import PRODUCT, named_edges, node_rows, notes_e, parse_dot, traced_e
from viz.dot import EDGE_STYLES, HIGHLIGHTS


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
        assert len(active) == len(frame.node.parents)
        assert all(PRODUCT.match(edge["label"]) for edge in active)


def test_frames_are_drawn_from_the_state_recorded_at_each_step():
    frames = list(viz.steps(traced_e()))
    first, second, third = (node_rows(frame.source) for frame in frames)
    assert first["b"][-1] == "grad 0" and first["c"][-1] == "grad 0 + 2 = 2"
    assert second["b"][-1] == "grad 0 + 2 = 2" and second["a"][-1] == "grad 0 + 2 = 2"
    assert third["b"][-1] == "grad 2 + 3 = 5"          # accumulation at fan-in, as a sum
    assert third["a"][-1] == "grad 2"


def test_edges_not_yet_pushed_show_only_their_local_derivative():
    first = viz.steps(traced_e())[0]
    edges = named_edges(first.source)
    assert sorted(label for parent, child, label in edges if child != "e") == ["1"] * 4
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
    assert "  d -> constant 1: local 1 × upstream 3 = 3;  grad 0 + 3 = 3" in text
    assert text.splitlines()[-1] == "result: a.grad = 2, b.grad = 5"
    assert str(stepper[2]) in text and str(stepper[2]).startswith("step 3 of 3: d = add(b, 1)")


def test_batched_steps_show_summaries():
    x = Value(np.linspace(-1.0, 1.0, 50), label="x")
    w = Value(0.5, label="w")
    loss = ad.batch_mean(ad.tanh(w * x))
    stepper = viz.steps(loss)
    text = str(stepper)
    assert "(50,) mean" in text and len(text.splitlines()) < 12
    assert "w.grad" in text and len(stepper[-1].source) < 6000


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
    assert len(str(stepper).splitlines()) == 1 + 3 * 20 + 1
    with pytest.raises(viz.GraphTooLargeError, match="steps: .*max_nodes=10"):
        stepper[0]


def _player_frames(page):
    return re.findall(r'<div class="crp-frame" data-step="(\d+)">(.*?)\n</div>', page, re.S)


def test_player_holds_every_frame_as_inline_svg():
    stepper = viz.steps(traced_e(), renderer="graphviz-pure")
    player = stepper.animate(interval=0.5)
    page = player.html()
    frames = _player_frames(page)
    assert [int(number) for number, _ in frames] == [1, 2, 3] == [
        frame.number for frame in stepper]
    for (number, body), frame in zip(frames, stepper):
        svg = ET.fromstring(body[body.index("<svg"):])
        texts = " ".join(text.strip() for text in svg.itertext())
        assert frame.caption in texts
        assert frame.text.splitlines()[0] in body
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert 'max="3"' in page and "setInterval" in page and ", 500);" in page
    assert player._repr_html_() == page and stepper._repr_html_().count('class="crp-frame"') == 3


def test_animate_saves_a_self_contained_page(tmp_path):
    player = viz.animate(ad.trace(notes_y, x=0.5), title="y = x exp(x^2)",
                         renderer="graphviz-pure")
    path = player.save(tmp_path / "steps.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>y = x exp(x^2)</title>" in page
    assert len(_player_frames(page)) == 3
    assert not re.search(r'(src|href)="(https?:)?//', page)     # nothing fetched from outside


def test_player_of_a_leaf_says_there_is_nothing_to_step():
    player = viz.animate(Value(2.0, label="a"))
    assert len(player) == 0 and "nothing to step through" in player.html()


def test_player_rejects_a_bad_interval():
    with pytest.raises(ValueError, match="animate: interval must be a positive number"):
        viz.animate(traced_e(), interval=0)


_FAKE_DOM = """
function Element() { this.style = {}; this.textContent = ""; this.innerHTML = "";
  this.value = ""; this.classes = []; var self = this;
  this.classList = { add: function (name) { self.classes.push(name); } }; }
var frames = [], buttons = {}, slider = new Element(), counter = new Element();
for (var i = 0; i < COUNT; i++) { frames.push(new Element()); }
["first", "previous", "play", "next"].forEach(function (name) { buttons[name] = new Element(); });
var root = new Element();
root.querySelectorAll = function () { return frames; };
root.querySelector = function (selector) {
  if (selector === ".crp-slider") { return slider; }
  if (selector === ".crp-counter") { return counter; }
  return buttons[/data-action="(\\w+)"/.exec(selector)[1]];
};
var document = { getElementById: function (id) { return id === "ID" ? root : null; } };
var ticks = [];
function setInterval(tick) { ticks.push(tick); return 1; }
function clearInterval() { ticks = []; }
function shown() {
  return frames.map(function (f) { return f.style.display === "" ? 1 : 0; }).join("");
}
var log = [];
SCRIPT
log.push(shown() + " " + counter.textContent);
buttons.next.onclick(); buttons.next.onclick(); buttons.next.onclick(); log.push(shown());
buttons.previous.onclick(); log.push(shown());
slider.value = "1"; slider.oninput(); log.push(shown());
buttons.play.onclick(); ticks[0](); ticks[0](); log.push(shown());
ticks[0](); log.push(ticks.length + " " + buttons.play.innerHTML);
console.log(log.join("|"));
"""


def test_player_script_steps_with_the_buttons_and_the_slider(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the player's script is not run")
    page = viz.animate(traced_e(), renderer="graphviz-pure").html()
    player_id = re.search(r'id="(crp-[^"]+)"', page).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    program = (_FAKE_DOM.replace("COUNT", "3").replace('"ID"', f'"{player_id}"')
               .replace("SCRIPT", script))
    (tmp_path / "player.js").write_text(program, encoding="utf-8")
    result = subprocess.run([node, str(tmp_path / "player.js")], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "100 step 1 of 3|001|010|100|001|0 &#x25B6; play"


def test_a_player_refuses_more_frames_than_max_frames():
    chain = Value(1.0, label="x")
    for _ in range(12):
        chain = ad.tanh(chain)
    with pytest.raises(viz.GraphTooLargeError, match="animate: .*max_frames=10.*max_frames=None"):
        viz.animate(chain, max_frames=10)
    assert len(viz.animate(chain, max_frames=None, renderer="graphviz-pure")) == 12

"""The player in a real (headless) browser: the demo's page, driven with the mouse and
the keyboard through playwright and the system chromium. Step text and highlighted box
follow next / previous / play / the slider, boxes never move between frames, a click
explains a box's gradient, zoom works, and the console stays free of errors. Without
playwright or chromium these tests skip and say which is missing."""
import json

import numpy as np
import pytest

import autodiff as ad
import nn
import viz
from autodiff import Value
from helpers import traced_e
from viz import __main__ as cli

def _state(page):
    """What the reader sees: counter, the step text shown, the highlighted box's name,
    every box's position, the grad lines and the classes of the edges."""
    return page.evaluate("""() => {
      const root = document.querySelector(".chainrule-player");
      const data = JSON.parse(root.querySelector(".crp-data").textContent);
      const shown = [...root.querySelectorAll("pre.crp-text")].filter(
          pre => getComputedStyle(pre).display !== "none");
      const current = root.querySelector("g.node.crp-current");
      const name = id => data.nodes[id.slice(data.prefix.length)].name;
      const boxes = {}, grads = {};
      for (const group of root.querySelectorAll("g.node")) {
        const box = group.querySelector("path, polygon").getBoundingClientRect();
        boxes[name(group.id)] = [box.x, box.y, box.width, box.height].map(Math.round);
        const texts = group.querySelectorAll("text");
        grads[name(group.id)] = texts[texts.length - 1].textContent;
      }
      const edges = [...root.querySelectorAll("g.edge")].map(
          group => [group.classList.contains("crp-pending"),
                    group.classList.contains("crp-active")]);
      return {counter: root.querySelector(".crp-counter").textContent,
              texts: shown.map(pre => pre.textContent),
              current: current ? name(current.id) : null, boxes, grads, edges,
              focusEdges: root.querySelectorAll("g.edge.crp-focus-edge").length,
              explain: root.querySelector(".crp-explain").textContent,
              svgWidth: root.querySelector(".crp-canvas svg").getBoundingClientRect().width};
    }""")


@pytest.fixture(scope="module")
def demo_player(tmp_path_factory):
    """The demo's player of e = (a + b)(b + 1), as `chainrule demo` writes it."""
    out = tmp_path_factory.mktemp("demo")
    assert cli.main(["demo", "--out", str(out), "--renderer", "graphviz-pure"]) == 0
    return out / "chain_rule_e_steps.html"


def test_buttons_and_slider_step_through_backward_without_moving_a_box(open_page, demo_player):
    page, errors = open_page(demo_player)
    start = _state(page)
    assert start["counter"] == "step 0 of 3" and start["current"] is None
    assert len(start["texts"]) == 1 and start["texts"][0].startswith("step 0 of 3: forward")
    assert all(pending and not active for pending, active in start["edges"])
    assert start["grads"]["e"] == ""                     # no gradient before step 1
    seen = [start]
    for expected_current in ("e", "c", "d"):
        page.click('[data-action="next"]')
        state = _state(page)
        assert state["current"] == expected_current
        assert state["texts"][0].startswith(f"step {len(seen)} of 3: {expected_current} = ")
        seen.append(state)
    assert seen[3]["grads"]["b"] == "grad 2 + 3 = 5" and seen[3]["grads"]["e"] == "grad 1"
    assert sum(active for _, active in seen[1]["edges"]) == 2
    page.click('[data-action="previous"]')
    assert _state(page)["counter"] == "step 2 of 3" and _state(page)["current"] == "c"
    slider = page.locator(".crp-slider")
    box = slider.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)          # drag to the start
    assert _state(page)["counter"] == "step 0 of 3"
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    assert _state(page)["counter"] == "step 3 of 3" and _state(page)["current"] == "d"
    page.keyboard.press("ArrowLeft")
    assert _state(page)["current"] == "c"
    assert all(state["boxes"] == start["boxes"] for state in seen)      # the layout holds
    assert errors == []


def test_play_runs_to_the_last_step_and_stops(open_page, demo_player):
    page, errors = open_page(demo_player)
    page.click('[data-action="play"]')
    assert page.locator('[data-action="play"]').text_content() == "\u25A0 pause"
    page.wait_for_function(
        "() => document.querySelector('.crp-counter').textContent === 'step 3 of 3'",
        timeout=10_000)
    page.wait_for_function(
        "() => document.querySelector('[data-action=\"play\"]').textContent.includes('play')",
        timeout=5_000)
    assert _state(page)["current"] == "d" and errors == []


def test_clicking_a_box_highlights_its_edges_and_explains_its_grad(open_page, demo_player):
    page, errors = open_page(demo_player)
    data = json.loads(page.locator(".crp-data").text_content())
    b = next(node_id for node_id, node in data["nodes"].items() if node["name"] == "b")
    page.click('[data-action="next"]')
    page.click('[data-action="next"]')
    page.locator(f"#{data['prefix']}{b}").click()
    state = _state(page)
    assert state["explain"] == "b.grad so far = 2 (from c) = 2; still to come from d"
    assert state["focusEdges"] == 2
    page.click('[data-action="next"]')
    assert _state(page)["explain"] == "b.grad = 2 (from c) + 3 (from d) = 5"
    page.locator(f"#{data['prefix']}{b}").click()                        # click again: off
    assert _state(page)["explain"] == "" and _state(page)["focusEdges"] == 0
    assert errors == []


def test_the_picture_fits_the_width_and_zooms(open_page, tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    loss = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])[0]
    path = viz.animate(loss, params=model, renderer="graphviz-pure").save(tmp_path / "mlp.html")
    page, errors = open_page(path, width=600)
    fitted = _state(page)["svgWidth"]
    assert fitted <= 600
    page.click('[data-action="zoom-in"]')
    page.click('[data-action="zoom-in"]')
    assert _state(page)["svgWidth"] > 1.4 * fitted
    page.click('[data-action="fit"]')
    assert _state(page)["svgWidth"] == fitted
    assert errors == []


def test_two_players_on_one_page_each_work(open_page, tmp_path):
    first = viz.animate(traced_e(), renderer="graphviz-pure").html()
    second = viz.animate(traced_e(), title="again", renderer="graphviz-pure").html()
    path = tmp_path / "two.html"
    path.write_text(f"<!DOCTYPE html><html><body>{first}{second}</body></html>", "utf-8")
    page, errors = open_page(path)
    assert page.locator(".chainrule-player.crp-ready").count() == 2
    page.locator('.chainrule-player >> nth=1 >> [data-action="next"]').click()
    counters = page.locator(".crp-counter").all_text_contents()
    assert counters == ["step 0 of 3", "step 1 of 3"] and errors == []


def test_a_forward_player_gathers_tangents_parents_first(open_page, tmp_path):
    path = viz.animate(traced_e(), mode="forward", wrt="b", renderer="graphviz-pure").save(
        tmp_path / "forward.html")
    page, errors = open_page(path)
    start = _state(page)
    assert start["counter"] == "step 0 of 3" and start["current"] is None
    assert start["texts"][0].startswith("step 0 of 3: forward pass")
    assert start["grads"]["b"] == "tangent 1" and start["grads"]["a"] == "tangent 0"
    assert start["grads"]["e"] == "" and all(pending for pending, _ in start["edges"])
    seen = [start]
    for expected_current, gathered in (("c", 2), ("d", 1), ("e", 2)):  # computation order
        page.click('[data-action="next"]')
        state = _state(page)
        assert state["current"] == expected_current
        assert state["texts"][0].startswith(f"step {len(seen)} of 3: {expected_current} = ")
        assert sum(active for _, active in state["edges"]) == gathered   # d: not from 1
        seen.append(state)
    assert seen[1]["grads"]["c"] == "tangent 0 + 1 = 1" and seen[1]["grads"]["e"] == ""
    assert seen[3]["grads"]["e"] == "tangent 2 + 3 = 5" and seen[3]["grads"]["c"] == "tangent 1"
    data = json.loads(page.locator(".crp-data").text_content())
    e = next(node_id for node_id, node in data["nodes"].items() if node["name"] == "e")
    page.locator(f"#{data['prefix']}{e}").click()
    assert _state(page)["explain"] == "e.tangent = 2 (from c) + 3 (from d) = 5"
    page.keyboard.press("ArrowLeft")
    assert _state(page)["explain"] == "e.tangent: gathered at step 3, from c, d"
    assert all(state["boxes"] == start["boxes"] for state in seen)      # the layout holds
    assert errors == []


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_constant_stays_grey_and_silent_in_every_frame(open_page, tmp_path, mode):
    one = Value(np.array([1.0, 2.0]), requires_grad=False)      # a batch of constants too
    a, b = Value(2.0, label="a"), Value(np.array([1.0, -1.0]), label="b")
    out = ad.batch_sum((a + b) * (b + 1.0) * one)
    path = viz.animate(out, mode=mode, renderer="graphviz-pure").save(tmp_path / "c.html")
    page, errors = open_page(path)
    frames = int(page.locator(".crp-slider").get_attribute("max")) + 1
    for _ in range(frames):
        seen = page.evaluate("""() => {
          const root = document.querySelector(".chainrule-player");
          const data = JSON.parse(root.querySelector(".crp-data").textContent);
          const result = [];
          for (const [id, node] of Object.entries(data.nodes)) {
            if (!["1", "batch"].includes(node.name)) { continue; }
            const group = document.getElementById(data.prefix + id);
            result.push({texts: [...group.querySelectorAll("text")].map(t => t.textContent),
                         classes: [...group.classList],
                         edges: node.out.map(edge => {
                           const g = document.getElementById(data.prefix + edge);
                           return {text: [...g.querySelectorAll("text")].map(
                                     t => t.textContent).join(""),
                                   pending: g.classList.contains("crp-pending"),
                                   active: g.classList.contains("crp-active")};
                         })});
          }
          return result;
        }""")
        assert len(seen) == 2                                   # the number 1 and the batch
        for constant in seen:
            assert not any(text.startswith(("grad", "tangent")) for text in constant["texts"])
            assert "crp-receiving" not in constant["classes"]
            assert "crp-current" not in constant["classes"]
            for edge in constant["edges"]:
                assert edge == {"text": "", "pending": True, "active": False}
        page.click('[data-action="next"]')
    assert errors == []


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_any_frame_shows_the_state_of_its_step_whichever_way_it_is_reached(open_page, tmp_path,
                                                                           mode):
    """The script files each frame's changes under the box or edge they change; any
    frame, reached by the slider in any order, shows every box line and edge label of
    that step as the stepper draws it."""
    h = Value(0.3, label="x")
    for i in range(6):
        h = ad.tanh(Value(0.9, label=f"w{i}") * h + Value(0.1, label=f"b{i}")) * 0.5
    stepper = viz.steps(h, mode=mode)
    path = stepper.animate().save(tmp_path / "chain.html")
    page, errors = open_page(path)
    scene, word = stepper.scene, stepper.word
    for number in (len(stepper), 3, 0, 17, len(stepper) - 1, 1):
        shown = page.evaluate("""(number) => {
          const root = document.querySelector(".chainrule-player");
          const slider = root.querySelector(".crp-slider");
          slider.value = String(number);
          slider.dispatchEvent(new Event("input"));
          const data = JSON.parse(root.querySelector(".crp-data").textContent);
          const text = id => {
            const rows = document.getElementById(data.prefix + id).querySelectorAll("text");
            return rows.length ? rows[rows.length - 1].textContent : "";
          };
          const lines = {}, labels = {};
          for (const [id, node] of Object.entries(data.nodes)) {
            lines[id] = node.grad ? text(id) : null;
          }
          for (const id of Object.keys(data.edgeSteps)) { labels[id] = text(id); }
          return {current: root.getAttribute("data-current"), lines, labels};
        }""", number)
        assert shown["current"] == str(number)
        for node, line in stepper.box_lines(number).items():
            if shown["lines"][scene.ids[node]] is not None:
                assert shown["lines"][scene.ids[node]] == (f"{word} {line}" if line else "")
        for edge in scene.edges:
            label = stepper.edge_state(edge, number)[1]
            assert shown["labels"][scene.edge_ids[edge.child, edge.index]] == label
    assert errors == []

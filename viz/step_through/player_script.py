"""The player's style and script (see ``viz.step_through.player``). The script reads the player's
JSON data, files each frame's changes under the box or edge they change (so a frame's
text of a box is its last change at or before that frame: memory and start-up time
grow linearly with the graph), and shows a frame by
changing text (``textContent``, never HTML) and CSS classes of the one laid-out SVG.
It starts every player on the page that has not started yet, so it works in a page, in
JupyterLab and in the classic notebook alike."""
from ..drawing.html_page import CENTRED_TEXT_SCRIPT, start_every_script


STYLE = """#ROOT { font-family: Helvetica, Arial, sans-serif; }
#ROOT .crp-controls { display: none; gap: 0.5em; align-items: center; margin: 0.4em 0;
  flex-wrap: wrap; }
#ROOT.crp-ready .crp-controls { display: flex; }
#ROOT .crp-controls button { font-size: 13px; padding: 0.2em 0.7em; cursor: pointer; }
#ROOT .crp-slider { width: 16em; }
#ROOT .crp-zoom { margin-left: auto; }
#ROOT .crp-title { font-weight: bold; font-size: 15px; margin: 0.3em 0; }
#ROOT pre.crp-text { font-size: 12px; background: #f7f7f7; padding: 0.4em 0.6em;
  margin: 0.3em 0; white-space: pre-wrap; }
#ROOT.crp-ready pre.crp-text { display: none; }
#ROOT.crp-ready pre.crp-text.crp-shown { display: block; }
#ROOT .crp-explain { min-height: 1.3em; font-size: 13px; color: #1565c0; margin: 0.2em 0; }
#ROOT .crp-canvas { overflow: auto; max-width: 100%; border-top: 1px solid #ddd; }
#ROOT .crp-canvas svg { max-width: 100%; height: auto; }
#ROOT g.node { cursor: pointer; }
#ROOT g.node.crp-current path, #ROOT g.node.crp-current polygon {
  fill: #fff2a8; stroke: #d62828; stroke-width: 3px; }
#ROOT g.node.crp-receiving path, #ROOT g.node.crp-receiving polygon {
  stroke: #d62828; stroke-width: 2.5px; }
#ROOT g.edge.crp-pending path { stroke: #b5b5b5; }
#ROOT g.edge.crp-pending polygon { fill: #b5b5b5; stroke: #b5b5b5; }
#ROOT g.edge.crp-pending text { fill: #9a9a9a; }
#ROOT g.edge.crp-active path { stroke: #d62828; stroke-width: 2.5px; }
#ROOT g.edge.crp-active polygon { fill: #d62828; stroke: #d62828; }
#ROOT g.edge.crp-active text { fill: #d62828; }
#ROOT g.node.crp-focus path, #ROOT g.node.crp-focus polygon {
  stroke: #1565c0; stroke-width: 3px; }
#ROOT g.edge.crp-focus-edge path { stroke: #1565c0; stroke-width: 3px; }
#ROOT g.edge.crp-focus-edge polygon { fill: #1565c0; stroke: #1565c0; }
#ROOT g.edge.crp-focus-edge text { fill: #1565c0; font-weight: bold; }"""

SCRIPT = r"""(function () {
  "use strict";
  function history(frames, key) {
    var table = {};
    frames.forEach(function (frame, index) {
      var changes = frame[key] || {};
      for (var id in changes) {
        if (Object.prototype.hasOwnProperty.call(changes, id)) {
          if (!Object.prototype.hasOwnProperty.call(table, id)) { table[id] = []; }
          table[id].push([index, changes[id]]);
        }
      }
    });
    return table;
  }
  function at(table, id, index) {
    var list = Object.prototype.hasOwnProperty.call(table, id) ? table[id] : null;
    if (!list) { return undefined; }
    var low = 0, high = list.length - 1, found = -1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (list[middle][0] <= index) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found < 0 ? undefined : list[found][1];
  }
  function texts(group) { return group ? group.getElementsByTagName("text") : []; }
""" + CENTRED_TEXT_SCRIPT + r"""  function start(root) {
    root.classList.add("crp-ready");
    var data = JSON.parse(root.querySelector(".crp-data").textContent);
    var svg = root.querySelector(".crp-canvas svg");
    var find = function (id) { return document.getElementById(data.prefix + id); };
    var grads = history(data.frames, "grads"), labels = history(data.frames, "edges");
    var explain = history(data.frames, "explain");
    var nodes = {}, edges = {};
    Object.keys(data.nodes).forEach(function (id) {
      var group = find(id), rows = texts(group);
      nodes[id] = { group: group, grad: data.nodes[id].grad && rows.length ?
                    centred(rows[rows.length - 1]) : null };
    });
    Object.keys(data.edgeSteps).forEach(function (id) {
      var group = find(id), rows = texts(group);
      edges[id] = { group: group, label: rows.length ? centred(rows[rows.length - 1]) : null,
                    step: data.edgeSteps[id] };
    });
    var last = data.frames.length - 1, current = 0, timer = null, focus = null;
    var slider = root.querySelector(".crp-slider");
    var counter = root.querySelector(".crp-counter");
    var playButton = root.querySelector('[data-action="play"]');
    var explainBox = root.querySelector(".crp-explain");
    var stepTexts = root.querySelectorAll("pre.crp-text");
    function mark(group, name, on) { if (group) { group.classList.toggle(name, !!on); } }
    function showFocus() {
      Object.keys(nodes).forEach(function (id) { mark(nodes[id].group, "crp-focus", id === focus); });
      var lit = {};
      if (focus !== null) {
        data.nodes[focus]["in"].concat(data.nodes[focus].out).forEach(function (id) { lit[id] = 1; });
      }
      Object.keys(edges).forEach(function (id) { mark(edges[id].group, "crp-focus-edge", lit[id]); });
      explainBox.textContent = focus === null ? "" : at(explain, focus, current) || "";
    }
    function show(index) {
      current = Math.max(0, Math.min(last, index));
      var frame = data.frames[current], receiving = {};
      frame.receiving.forEach(function (id) { receiving[id] = 1; });
      Object.keys(nodes).forEach(function (id) {
        var node = nodes[id];
        if (node.grad) { node.grad.textContent = at(grads, id, current) || ""; }
        mark(node.group, "crp-current", id === frame.node);
        mark(node.group, "crp-receiving", receiving[id] === 1);
      });
      Object.keys(edges).forEach(function (id) {
        var edge = edges[id];
        if (edge.label) { edge.label.textContent = at(labels, id, current) || ""; }
        mark(edge.group, "crp-pending", edge.step === 0 || edge.step > current);
        mark(edge.group, "crp-active", edge.step === current && current > 0);
      });
      for (var k = 0; k < stepTexts.length; k++) {
        stepTexts[k].classList.toggle("crp-shown", k === current);
      }
      slider.value = current;
      counter.textContent = "step " + current + " of " + last;
      root.setAttribute("data-current", String(current));
      showFocus();
    }
    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      playButton.textContent = "\u25B6 play";
    }
    function play() {
      if (timer !== null) { stop(); return; }
      if (current === last) { show(0); }
      playButton.textContent = "\u25A0 pause";
      timer = setInterval(function () {
        if (current >= last) { stop(); } else { show(current + 1); }
      }, data.interval);
    }
    var natural = svg ? svg.width.baseVal.value : 0, scale = 0;
    function zoom(factor) {
      if (!svg) { return; }
      scale = factor === 0 ? 0 : (scale === 0 ? Math.min(1, svg.getBoundingClientRect().width /
                                  natural) : scale) * factor;
      svg.style.width = scale === 0 ? natural + "px" : natural * scale + "px";
      svg.style.maxWidth = scale === 0 ? "100%" : "none";
      svg.style.height = "auto";
    }
    function on(action, handler) { root.querySelector('[data-action="' + action + '"]').onclick = handler; }
    on("first", function () { stop(); show(0); });
    on("previous", function () { stop(); show(current - 1); });
    on("next", function () { stop(); show(current + 1); });
    on("play", play);
    on("zoom-in", function () { zoom(1.25); });
    on("zoom-out", function () { zoom(0.8); });
    on("fit", function () { zoom(0); });
    slider.oninput = function () { stop(); show(parseInt(slider.value, 10)); };
    root.onkeydown = function (event) {
      if (event.key === "ArrowRight") { stop(); show(current + 1); event.preventDefault(); }
      if (event.key === "ArrowLeft") { stop(); show(current - 1); event.preventDefault(); }
    };
    Object.keys(nodes).forEach(function (id) {
      if (!nodes[id].group) { return; }
      nodes[id].group.addEventListener("click", function (event) {
        focus = focus === id ? null : id;
        event.stopPropagation();
        showFocus();
      });
    });
    zoom(0);
    show(0);
  }
""" + start_every_script("chainrule-player", "crp-ready", "player") + "})();"

"""A self-contained HTML player over the steps of a step-through (backward, or forward
mode): step 0 (the forward values) then one step per node, with slider, previous / next
and play. The graph is laid out once; a frame changes only text and colour (the grad or
tangent line of the boxes, the numbers on the edges, the highlight), so nothing jumps,
and the page carries one picture plus what changes at each step. Click a box to see
its derivative as the sum over its edges at the current step. The picture fits the
output's width and can be zoomed.

The player reads a stepper (``viz.step_through.frames.Stepper``: ``scene``, ``box_lines``,
``edge_state``, ``highlights``, ``explanations``, ``text_at``, ``legend`` ...) and
imports no stepper: ``viz.steps`` and ``viz.animate`` (in ``viz.step_through.steps``) build
the stepper, the stepper builds its player.

Plain HTML, CSS and JavaScript: no ipywidgets, no kernel, nothing fetched. Without
JavaScript (an untrusted notebook) the picture and the text of every step show."""
from __future__ import annotations

import hashlib
import itertools
from typing import Any, Protocol

from autodiff import Edge, Value

from ..drawing.dot import DotEdge, DotNode, build_digraph, caption_label
from ..drawing.drawing import fitted_svg
from ..drawing.graph import GraphTooLargeError
from ..drawing.html_page import HtmlPage
from ..picture.argument_types import Renderer
from ..picture.literal import fill_template, page_text, script_json, visible
from ..picture.scene import Scene
from .player_script import SCRIPT, STYLE

_counter = itertools.count(1)

_TEMPLATE = """<div class="chainrule-player" id="__ID__" tabindex="0">
<style>
__STYLE__
</style>
__TITLE__<div class="crp-controls">
<button type="button" data-action="first" title="step 0: the forward values">&#x25C0;&#x25C0; first</button>
<button type="button" data-action="previous" title="previous step (left arrow)">&#x25C0; previous</button>
<button type="button" data-action="play" title="play / pause">&#x25B6; play</button>
<button type="button" data-action="next" title="next step (right arrow)">next &#x25B6;</button>
<input type="range" class="crp-slider" min="0" max="__LAST__" value="0" step="1" aria-label="step">
<span class="crp-counter">step 0 of __LAST__</span>
<span class="crp-zoom">
<button type="button" data-action="zoom-out" title="zoom out">&#x2212;</button>
<button type="button" data-action="fit" title="fit the width">fit</button>
<button type="button" data-action="zoom-in" title="zoom in">+</button>
</span>
</div>
<div class="crp-canvas">
__SVG__
</div>
<div class="crp-explain" aria-live="polite"></div>
<div class="crp-steps">
__TEXTS__
</div>
<script type="application/json" class="crp-data">__DATA__</script>
<script>
__SCRIPT__
</script>
</div>"""


class StepThrough(Protocol):
    """What the player reads of a step-through (``viz.step_through.frames.Stepper`` and
    its two modes): the graph, the drawing options, and for each step the line of every
    box, the state of every edge, the highlights, the words and what changed."""

    scene: Scene
    title: str | None
    renderer: Renderer | None
    rankdir: str
    clusters: bool
    word: str                       # the line each box gains: "grad" or "tangent"
    pass_name: str                  # what runs, in messages: "backward"
    heading: str

    def __len__(self) -> int: ...
    def check_size(self) -> None: ...
    def name(self, node: Value) -> str: ...
    def box(self, node: Value, line: str | None, highlight: str | None = None) -> DotNode: ...
    def arrow(self, edge: Edge, label: str, style: str = "normal") -> DotEdge: ...
    def touched(self, number: int) -> tuple[list[Value], list[Edge]]: ...
    def box_line(self, node: Value, number: int) -> str: ...
    def explanation(self, node: Value, number: int) -> str: ...
    def edge_state(self, edge: Edge, number: int) -> tuple[str, str]: ...
    def edge_step(self, edge: Edge) -> int: ...
    def highlights(self, number: int) -> tuple[Value | None, set[Value]]: ...
    def legend(self) -> list[str]: ...
    def text_at(self, number: int) -> str: ...


class Player(HtmlPage):
    """An HTML player over the steps of ``stepper`` (a ``viz.steps`` result, either mode):
    ``html()`` is a fragment for a notebook (also ``_repr_html_``), ``save(path)``
    writes a whole page. ``interval``: seconds per step when playing. ``max_frames``:
    refuse more frames than this (step 0 counts); None: no limit."""

    def __init__(self, stepper: StepThrough, title: str | None = None, interval: float = 1.0,
                 max_frames: int | None = 400) -> None:
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not (
                interval > 0):
            raise ValueError(f"animate: interval must be a positive number of seconds, "
                             f"got {interval!r}")
        count = len(stepper) + 1
        if max_frames is not None and count > max_frames:
            raise GraphTooLargeError(
                f"animate: {stepper.pass_name} has {count} frames (step 0 and "
                f"{len(stepper)} steps), "
                f"more than max_frames={max_frames}: the player would be too long to "
                "follow. Animate a smaller piece (animate(an intermediate Value)), "
                "print(viz.steps(...)) for the text, or pass max_frames=None.")
        stepper.check_size()
        self.stepper = stepper
        self.title = title
        self.interval = interval
        self._html: str | None = None
        self.frames = list(range(count))

    def __len__(self) -> int:
        return len(self.frames)

    def html(self) -> str:
        """The player as an HTML fragment (style, controls, picture, data, script)."""
        if self._html is None:
            self._html = self._build()
        return self._html

    def changes(self) -> list[Any]:
        """What each step 0 … n shows, as changes: per step (node id -> box line, edge
        id -> edge label, node id -> explanation, the current node's id, the ids of the
        other boxes highlighted); step 0 holds every box and edge, a later step only
        those whose text differs from the step before. Only what a step touches
        (``Stepper.touched``: its node, its operands, the edges between them) is
        computed again, so the cost grows linearly with the graph."""
        stepper, scene = self.stepper, self.stepper.scene
        word = stepper.word
        node_position = {node: position for position, node in enumerate(scene.nodes)}
        edge_position = {(edge.child, edge.index): position
                         for position, edge in enumerate(scene.edges)}
        lines: dict[str, str] = {}
        labels: dict[str, Any] = {}
        explain: dict[str, Any] = {}
        changes = []
        for number in self.frames:
            if number == 0:
                nodes, edges = scene.nodes, scene.edges
            else:
                touched_nodes, touched_edges = stepper.touched(number)
                nodes = sorted(touched_nodes, key=node_position.__getitem__)
                edges = sorted(touched_edges,
                               key=lambda edge: edge_position[edge.child, edge.index])
            changed: tuple[dict[str, Any], ...] = ({}, {}, {})
            for node in nodes:
                node_id = scene.ids[node]
                text = stepper.box_line(node, number)
                for now, key, value in ((lines, 0, f"{word} {text}" if text else ""),
                                        (explain, 2, stepper.explanation(node, number))):
                    if now.get(node_id) != value:
                        now[node_id] = changed[key][node_id] = value
            for edge in edges:
                edge_id = scene.edge_ids[edge.child, edge.index]
                label = stepper.edge_state(edge, number)[1]
                if labels.get(edge_id) != label:
                    labels[edge_id] = changed[1][edge_id] = label
            current, others = stepper.highlights(number)
            changes.append(changed + (scene.ids[current] if current is not None else None,
                                      sorted(scene.ids[node] for node in others)))
        return changes

    def layout(self, changes: list[Any]) -> Any:
        """The picture every frame shares: each box and edge sized for its widest text
        (the first of the longest, as the frames show them)."""
        stepper, scene = self.stepper, self.stepper.scene
        widest: dict[str, Any] = {}
        for lines, labels, _, _, _ in changes:
            for texts in (lines, labels):
                for key_id, text in texts.items():
                    if len(text) > len(widest.get(key_id, "")):
                        widest[key_id] = text
        boxes = []
        for node in scene.nodes:
            line = widest.get(scene.ids[node], "")
            boxes.append(stepper.box(node, line[len(stepper.word) + 1:] if line else None))
        arrows = [stepper.arrow(edge, widest.get(scene.edge_ids[edge.child, edge.index], ""))
                  for edge in scene.edges]
        caption = caption_label(stepper.title or "", [scene.example_text()]
                                if scene.batched else [],
                                stepper.legend())
        return build_digraph(boxes, arrows, caption, stepper.rankdir, stepper.clusters,
                             scene.cluster_titles)

    def data(self, changes: list[Any], player_id: str) -> dict[str, Any]:
        """What the script needs, as plain lists: per frame only what changed."""
        stepper, scene = self.stepper, self.stepper.scene
        frames = []
        for grads, edges, explain, current, receiving in changes:
            frame = {"node": current, "receiving": receiving}
            for key, changed in (("grads", grads), ("edges", edges), ("explain", explain)):
                if changed:
                    frame[key] = {key_id: visible(text) for key_id, text in changed.items()}
            frames.append(frame)
        with_grad_line = {key_id for grads, _, _, _, _ in changes
                          for key_id, text in grads.items() if text}
        nodes = {scene.ids[node]: {
            "name": visible(stepper.name(node)), "grad": scene.ids[node] in with_grad_line,
            "in": [scene.edge_ids[node, index] for index in range(len(node.parents))],
            "out": [scene.edge_ids[edge.child, edge.index] for edge in scene.uses[node]]}
            for node in scene.nodes}
        edge_steps = {scene.edge_ids[edge.child, edge.index]: stepper.edge_step(edge)
                      for edge in scene.edges}
        return {"prefix": f"{player_id}-", "interval": int(self.interval * 1000),
                "frames": frames, "nodes": nodes, "edgeSteps": edge_steps}

    def _build(self):
        stepper = self.stepper
        changes = self.changes()
        digraph = self.layout(changes)
        source = digraph.source
        digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:8]
        player_id = f"crp-{digest}-{next(_counter)}"
        svg = fitted_svg(stepper_svg(stepper, source), f"{player_id}-")
        texts = "\n".join(f'<pre class="crp-text" data-step="{number}">'
                          + "\n".join(page_text(line) for line in
                                       stepper.text_at(number).split("\n")) + "</pre>"
                          for number in self.frames)
        title = (f'<div class="crp-title">{page_text(self.title)}</div>\n'
                 if self.title is not None and self.title != "" else "")
        return fill_template(_TEMPLATE, {
            "ID": player_id, "STYLE": STYLE.replace("#ROOT", f"#{player_id}"),
            "TITLE": title, "LAST": str(len(stepper)), "TEXTS": texts, "SVG": svg,
            "DATA": script_json(self.data(changes, player_id)), "SCRIPT": SCRIPT})

    def page_title(self) -> str:
        """The page's title: ``title``, or "chainrule: " and the steps' heading without one."""
        return (self.title if self.title is not None and self.title != ""
                else f"chainrule: {self.stepper.heading}")

    def __repr__(self) -> str:
        return (f"<Player: step 0 and {len(self) - 1} steps; .save(path) or display it in a "
                "notebook>")


def stepper_svg(stepper, source):
    """The SVG of DOT ``source`` with the stepper's renderer."""
    from ..drawing.render import render_source
    return render_source(source, "svg", stepper.renderer).decode("utf-8")

"""What a step-through is, whichever way the chain rule runs: step 0 (the forward values
alone) then one step per node with parents, each step a picture (a ``Frame``), a few
lines of text, and a frame of the HTML player.

A mode (``backward.BackpropStepper``: gradients pushed backward;
``forward.ForwardStepper``: tangents pushed forward) subclasses ``Stepper`` and says
what each step shows: the extra line of every box, the words on every edge, the boxes
to highlight, the text (the abstract methods below). Drawing the frames and playing
them is done here and in ``player``, once for both modes. Imports flow one way: the
modes import this module, this module imports the player, the player imports neither.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterator, Sequence

import graphviz

from autodiff import Edge, Value

from ..drawing.boxes import edge_arrow, node_box
from ..drawing.dot import GRAD_COLOR, build_digraph, caption_label
from ..drawing.drawing import Drawing
from ..drawing.graph import GraphTooLargeError
from ..picture.argument_types import EdgeWords, Renderer
from ..picture.equations import number_text
from ..picture.scene import Scene
from .player import Player


class Frame(Drawing):
    """The picture of one step (a ``Drawing``): ``number`` of ``total`` (0: the forward
    values alone, before any derivative is pushed), the ``node`` that step is about
    (None at step 0), and the step as ``text``."""

    def __init__(self, digraph: graphviz.Digraph, renderer: Renderer | None, number: int,
                 total: int, node: Value | None, text: str, caption: str) -> None:
        super().__init__(digraph, renderer, f"step {number} of {total}")
        self.number = number
        self.total = total
        self.node = node
        self.text = text
        self.caption = caption

    def __str__(self) -> str:
        return self.text


class Stepper(ABC):
    """One step per record of ``self.records`` (``record.node``: the node of the step),
    over the graph of ``self.scene``.

    ``stepper[k]`` is the picture of step k + 1 (a ``Frame``), ``stepper.frame(0)`` the
    forward values before any step, ``len(stepper)`` the number of steps,
    ``print(stepper)`` the steps as text, ``stepper.animate()`` an HTML player.

    A mode sets ``scene``, ``root``, ``records``, ``step_of`` (node -> its step), the
    drawing options (``precision``, ``clusters``, ``max_nodes``, ``title``, ``rankdir``,
    ``renderer``, ``edges``), the class attributes below, and implements
    ``box_line``, ``edge_state``, ``highlights``, ``explanation``, ``text_at``,
    ``caption_at`` and ``legend``, each for one box or edge at one step, so that the
    player computes only what a step changes (``touched``): its cost grows linearly
    with the graph.
    """

    scene: Scene
    root: Value
    records: Sequence[Any]          # the engine's steps: autodiff.Step, or forward mode's
    step_of: dict[Value, int]
    precision: int
    clusters: bool
    max_nodes: int | None
    title: str | None
    rankdir: str
    renderer: Renderer | None
    edges: EdgeWords
    _frames: dict[int, Frame]       # step number -> its picture, drawn when first asked

    word = "grad"                   # the name of the line each box gains
    pass_name = "backward"          # what runs, in messages: "backward has 5 frames"
    heading = "backprop step by step"
    line_color = GRAD_COLOR

    # -- what a mode says about each step (backward.py and forward.py) ------------------

    @abstractmethod
    def box_line(self, node: Value, number: int) -> str:
        """The extra line of ``node``'s box after step ``number`` ("" for none)."""

    @abstractmethod
    def edge_state(self, edge: Edge, number: int) -> tuple[str, str]:
        """``(style, label)`` of ``edge`` after step ``number``."""

    @abstractmethod
    def highlights(self, number: int) -> tuple[Value | None, set[Value]]:
        """(the node of step ``number``, the boxes it touches) to highlight."""

    @abstractmethod
    def explanation(self, node: Value, number: int) -> str:
        """The words shown when ``node``'s box is clicked in the player after step
        ``number``."""

    @abstractmethod
    def text_at(self, number: int) -> str:
        """The words of step ``number`` (0: the forward values)."""

    @abstractmethod
    def caption_at(self, number: int) -> str:
        """The caption line of the picture of step ``number``."""

    @abstractmethod
    def legend(self) -> list[str]:
        """The legend lines under the caption."""

    def _keep_options(self, precision, clusters, max_nodes, title, rankdir, renderer, edges):
        self.precision, self.clusters, self.max_nodes = precision, clusters, max_nodes
        self.title, self.rankdir, self.renderer, self.edges = title, rankdir, renderer, edges
        self.step_of = {record.node: record.number for record in self.records}
        self._frames = {}

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Frame]:
        return (self[index] for index in range(len(self)))

    def __getitem__(self, index: int) -> Frame:
        if not -len(self) <= index < len(self):
            raise IndexError(f"steps: there are {len(self)} steps, no step index {index}")
        return self.frame(index % len(self) + 1)

    def frame(self, number: int) -> Frame:
        """The picture of step ``number`` (0: the forward values, 1 to len(self): a step)."""
        if not 0 <= number <= len(self):
            raise IndexError(f"steps: there are steps 0 to {len(self)}, no step {number}")
        if number not in self._frames:
            self._frames[number] = self._frame(number)
        return self._frames[number]

    def name(self, node: Value) -> str:
        """What the pictures and the text call ``node`` (a constant: its value)."""
        return self.scene.names[node]

    def number_text(self, data):
        """``data`` as the pictures show it: the example shown, ``precision`` digits."""
        return number_text(self.scene, data, self.precision)

    def box_lines(self, number):
        """node -> the extra line of its box after step ``number`` (``box_line``)."""
        return {node: self.box_line(node, number) for node in self.scene.nodes}

    def explanations(self, number):
        """node -> the words shown when its box is clicked in the player after step
        ``number`` (``explanation``)."""
        return {node: self.explanation(node, number) for node in self.scene.nodes}

    def touched(self, number):
        """(nodes, edges) whose line, label or explanation may differ between step
        ``number - 1`` and step ``number``: the node of either step, their operands and
        the edges into them. Every other box and edge reads the same at both steps: a
        step changes only the node it is about and that node's operands (backward adds
        to their grads, forward mode reads their tangents)."""
        nodes, edges = {}, {}
        for step in (number - 1, number):
            if 1 <= step <= len(self):
                node = self.records[step - 1].node
                nodes[node] = None
                nodes.update(dict.fromkeys(node.parents))
                edges.update(dict.fromkeys(node.edges()))
        return list(nodes), [edge for edge in edges]

    def is_constant(self, node):
        """True for a constant (``Scene.is_constant``): nothing flows along its edges."""
        return self.scene.is_constant(node)

    def edge_step(self, edge):
        """The step at which ``edge`` is active (0: never, as for an edge from a
        constant): the step of its child, in both modes (backward pushes along a node's
        edges at the node's step; forward mode gathers a node's tangent along them)."""
        if self.is_constant(edge.parent):
            return 0
        return self.step_of.get(edge.child, 0)

    def caption_lines(self, number):
        """Caption lines of a picture: the step, and which example of a batch is shown."""
        lines = [self.caption_at(number)]
        if self.scene.batched:
            lines.append(self.scene.example_text())
        return lines

    def check_size(self):
        """A GraphTooLargeError when the graph is over ``max_nodes``."""
        if self.max_nodes is not None and len(self.scene) > self.max_nodes:
            raise GraphTooLargeError(
                f"steps: the graph has {len(self.scene)} nodes, more than max_nodes="
                f"{self.max_nodes}: its frames would be unreadable. Step through a smaller "
                "piece (steps(an intermediate Value)), print(steps) for the text, or pass "
                "max_nodes=None to draw them anyway.")

    def box(self, node, line, highlight=None):
        """The box of ``node`` with the line ``word line`` (none for an empty line)."""
        return node_box(self.scene, node, "both", self.precision, line or None, highlight,
                        self.word, self.line_color)

    def edge_tooltip(self, edge):
        """The words shown when the pointer rests on ``edge`` (None: backward's)."""
        return None

    def arrow(self, edge, label, style="normal"):
        """The arrow of ``edge`` with ``label``, styled ``style``."""
        return edge_arrow(self.scene, edge, label, style, self.edge_tooltip(edge))

    def _frame(self, number):
        self.check_size()
        scene = self.scene
        current, others = self.highlights(number)
        lines = self.box_lines(number)
        boxes = [self.box(node, lines[node], "current" if node is current else (
            "receiving" if node in others else None)) for node in scene.nodes]
        arrows = [self.arrow(edge, *reversed(self.edge_state(edge, number)))
                  for edge in scene.edges]
        label = caption_label(self.title or "", self.caption_lines(number), self.legend())
        digraph = build_digraph(boxes, arrows, label, self.rankdir, self.clusters,
                                scene.cluster_titles)
        return Frame(digraph, self.renderer, number, len(self), current,
                     self.text_at(number), self.caption_at(number))

    def animate(self, interval: float = 1.0, title: str | None = None,
                max_frames: int | None = 400) -> Player:
        """An HTML player over step 0 (the forward values) and every step (see
        ``viz.animate``)."""
        return Player(self, title or self.title, interval, max_frames)

    def to_latex(self) -> str:
        """The steps as LaTeX for slides and exercise sheets (``handout.to_latex``): an
        ``align*`` per step, one equation per edge (backward: parent.grad = before +
        local × upstream = after; forward: tangent = Σ local × tangent(parent)), the
        numbers of ``print(steps)``, every name escaped."""
        from .handout import to_latex
        return to_latex(self)

    def to_markdown(self) -> str:
        """The steps as Markdown (``handout.to_markdown``): a table per step, one row per
        edge with local, upstream (or the parent's tangent) and contribution."""
        from .handout import to_markdown
        return to_markdown(self)

    def _repr_html_(self) -> str:
        return self.animate()._repr_html_()

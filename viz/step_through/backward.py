"""Backprop one step at a time: step 0 is the forward pass alone, then one step per node
with parents, in the engine's order, each drawn from the gradients recorded at that
step (not from the final ones). Stepping never changes the graph's grads."""
from __future__ import annotations

import bisect
from typing import Any

import numpy as np

from autodiff import Edge, Step, Value, backward_steps, zero_grad
from autodiff import format_step

from ..drawing.boxes import check_options, legend_text
from ..picture.argument_types import Data, EdgeWords, Params, Renderer, Subject
from ..picture.equations import edge_text, plain, product_text, sum_text
from ..picture.grad_snapshot import GradSnapshot, copy_of_grad
from ..picture.scene import Scene
from .frames import Stepper


class BackpropStepper(Stepper):
    """Runs backward from ``subject`` (a Value or a one-output ``autodiff.Graph``) one
    node at a time, exactly as ``backward`` does, and keeps what every step did.

    Step k takes the k-th node with parents in the engine's order and, for each of its
    edges, adds local × upstream to the parent: parent.grad = before + local × node.grad.
    ``stepper[k]`` is the picture of step k + 1 (a ``Frame``), ``stepper.frame(0)`` the
    forward pass before any gradient, ``len(stepper)`` the number of steps,
    ``print(stepper)`` the steps as text, ``stepper.animate()`` an HTML player.

    Drawing never changes the graph it draws: every grad of the graph is put back as it
    was once the steps are recorded. ``fresh=True`` (the default) shows this backward
    alone, from zero leaf grads, as on a first call; ``fresh=False`` shows it adding
    onto the leaves' present grads, as ``backward`` would. ``example``: for a batched
    graph, the example whose numbers are shown; ``edges``: "numbers", "symbols" or
    "both", the words on the edges (see ``viz.draw``).
    """

    records: list[Step]

    def __init__(self, subject: Subject, *, grad: Data | None = None, params: Params = None,
                 precision: int = 4, clusters: bool = True, max_nodes: int | None = 300,
                 title: str | None = None, rankdir: str = "LR",
                 renderer: Renderer | None = None, fresh: bool = True, example: int = 0,
                 edges: EdgeWords = "numbers") -> None:
        self.scene = Scene(subject, params, "steps", example)
        check_options("steps", "both", precision, edges)
        if len(self.scene.outputs) != 1:
            raise ValueError(f"steps: backward runs from one output, got "
                             f"{len(self.scene.outputs)}; pass one of them")
        self.root = self.scene.outputs[0]
        snapshot = GradSnapshot(self.scene.nodes)
        try:
            leaves = [node for node in self.scene.nodes if not node.parents]
            if fresh:
                zero_grad(leaves)
            self._start = {node: copy_of_grad(node.grad) for node in leaves}
            self.records = list(backward_steps(self.root, grad))
        finally:
            snapshot.restore()
        self._keep_options(precision, clusters, max_nodes, title, rankdir, renderer, edges)
        self._history: dict[Value, list[tuple[int, Any]]] = {}
        self._history_steps: dict[Value, list[int]] = {}
        self._recorded: dict[tuple[Value, int], Any] = {}
        for record in self.records:
            for edge in record.edges:
                self._history.setdefault(edge.parent, []).append(
                    (record.number, edge.parent_grad_after))
                self._history_steps.setdefault(edge.parent, []).append(record.number)
                self._recorded[record.node, edge.index] = edge
        self._received: tuple[int | None, dict[Value, str]] = (None, {})
        self._uses_in_order: dict[Value, list[Edge]] = {}

    def grad_at(self, node: Value, number: int) -> Data:
        """``node.grad`` as it was after step ``number`` (0: before the first step; a
        node with parents starts from 0, as backward resets it)."""
        if node in self.step_of and self.step_of[node] <= number:
            return self.records[self.step_of[node] - 1].upstream
        position = bisect.bisect_right(self._history_steps.get(node, ()), number)
        if position:
            return self._history[node][position - 1][1]
        return self._start.get(node, 0.0)

    def recorded_edge(self, edge):
        """What backward did along ``edge`` (an ``autodiff.EdgeStep``), None where it
        pushed nothing (an edge into a constant or data)."""
        return self._recorded.get((edge.child, edge.index))

    def seed(self) -> Data:
        """The grad backward started from at the output (1 for a scalar output)."""
        return self.records[0].upstream if self.records else 1.0

    def _number(self, data):
        return self.number_text(data)

    def _product(self, edge, number=None):
        return product_text(self.scene, edge.local_grad, edge.upstream, edge.contribution,
                            edge.parent, self.precision, words=True)

    def step_text(self, record):
        """One step in words (``autodiff.format_step``, with this picture's
        names and numbers): the node and its grad, then for each edge ``local ×
        upstream = contribution`` and the parent's grad before + contribution."""
        return format_step(record, len(self), self.name, self._number, self._product)

    def forward_text(self):
        """Step 0 in words: the forward pass, before any gradient."""
        if not self.records:
            return (f"step 0 of 0: {self.name(self.root)} is a leaf (it has no parents): "
                    "backward has nothing to step through")
        seed = self._number(self.records[0].upstream)
        return (f"step 0 of {len(self)}: forward pass: every box holds its data, every edge "
                f"its local derivative; backward starts at {self.name(self.root)} with "
                f"grad {seed}")

    def text_at(self, number: int) -> str:
        """The words of step ``number`` (0: the forward pass)."""
        return self.forward_text() if number == 0 else self.step_text(self.records[number - 1])

    def received(self, record):
        """parent -> grad text ``before + c1 (+ c2 …) = after`` for the parents of a step
        (a parent used twice by the node receives twice)."""
        terms, after = {}, {}
        for edge in record.edges:
            terms.setdefault(edge.parent, [edge.parent_grad_before]).append(edge.contribution)
            after[edge.parent] = edge.parent_grad_after
        return {parent: sum_text(self.scene, terms[parent], after[parent], self.precision)
                for parent in terms}

    def box_line(self, node: Value, number: int) -> str:
        """The grad line of ``node``'s box after step ``number``: "" before any gradient
        reaches it (a box starting from 0) and for a leaf needing none (a constant,
        data); the sum it receives at its step."""
        if self._received[0] != number:
            self._received = (number, self.received(self.records[number - 1]) if number
                              else {})
        received = self._received[1]
        if node in received:
            return received[node]
        if not (node.parents or node.requires_grad):
            return ""                       # a constant or data: backward skips it
        grad = self.grad_at(node, number)
        steps = self._history_steps.get(node)
        reached = (node in self.step_of and self.step_of[node] <= number) or bool(
            steps and steps[0] <= number)
        shown = reached or np.any(plain(grad) != 0)
        return self._number(grad) if shown else ""

    def grad_texts(self, number):
        """node -> the grad line of its box after step ``number`` (``box_line``)."""
        return self.box_lines(number)

    def highlights(self, number: int) -> tuple[Value | None, set[Value]]:
        """(the node pushing its grad at step ``number``, the parents receiving it)."""
        if not number:
            return None, set()
        record = self.records[number - 1]
        return record.node, {edge.parent for edge in record.edges}

    def explanation(self, node: Value, number: int) -> str:
        """``node``'s gradient after step ``number`` as the sum over its edges
        (``b.grad = 2 (from c) + 3 (from d) = 5``), the words shown when its box is
        clicked in the player."""
        scene, number_of = self.scene, self._number
        name = self.name(node)
        uses = scene.uses[node]
        if node is self.root:
            return (f"{name} is where backward starts: {name}.grad = "
                    f"{number_of(self.seed())} (the seed)"
                    if number else f"{name}.grad: backward starts here at step 1")
        if not uses:
            return f"{name} is not used by any box"
        if not (node.parents or node.requires_grad):
            what = "a constant" if self.is_constant(node) else "made with requires_grad=False"
            return f"{name} is {what}: it needs no gradient, so backward sends it nothing"
        if node not in self._uses_in_order:
            self._uses_in_order[node] = scene.backward_order(uses)
        pushed: list[Edge] = []
        waiting: list[Edge] = []
        for edge in self._uses_in_order[node]:
            step = self.step_of.get(edge.child)
            (pushed if step is not None and step <= number else waiting).append(edge)
        terms = []
        for edge in pushed:
            recorded = self.recorded_edge(edge)
            if recorded is not None:
                terms.append((recorded.contribution, self.name(edge.child)))
        start = self.grad_at(node, 0)
        pieces = []
        if number_of(start) != "0" or not terms:
            pieces.append(f"{number_of(start)} (before)")
        pieces += [f"{number_of(value)} (from {child})" for value, child in terms]
        text = f"{name}.grad {'so far ' if waiting else ''}= "
        text += " + ".join(pieces).replace("+ -", "- ")
        text += f" = {number_of(self.grad_at(node, number))}"
        if waiting:
            text += "; still to come from " + ", ".join(
                dict.fromkeys(self.name(edge.child) for edge in waiting))
        return text

    def legend(self) -> list[str]:
        """The legend lines under the caption: colours, what a box and an edge show."""
        return legend_text(self.scene, "both", True, seed=self.seed(), edges=self.edges)

    def edge_state(self, edge: Edge, number: int) -> tuple[str, str]:
        """``(style, label)`` of an edge after step ``number``: pushed already (done),
        now (active), or later (pending, showing only its local derivative)."""
        if self.is_constant(edge.parent):
            return "pending", ""            # from a constant: nothing is pushed, ever
        pushed_at = self.step_of.get(edge.child)
        style = "pending" if pushed_at is None or pushed_at > number else (
            "active" if pushed_at == number else "done")
        recorded = None if style == "pending" else self.recorded_edge(edge)
        # None: backward skips the edge
        if recorded is None:
            label = self._number(edge.local_grad)
        else:
            label = product_text(self.scene, recorded.local_grad, recorded.upstream,
                                 recorded.contribution, recorded.parent, self.precision)
        return style, edge_text(self.scene, edge.child, edge.parent, edge.index,
                                edge.local_grad, label, self.precision, self.edges)

    def caption_at(self, number: int) -> str:
        """The line under the title of step ``number``'s picture."""
        if number == 0:
            return f"step 0 of {len(self)}: forward pass, before any gradient"
        record = self.records[number - 1]
        parents = ", ".join(dict.fromkeys(self.name(edge.parent) for edge in record.edges))
        return (f"step {number} of {len(self)}: {self.name(record.node)} pushes its grad "
                f"{self._number(record.upstream)} to {parents or 'no parent needing one'}")

    def leaf_grads(self) -> dict[str, Data]:
        """name -> grad of every input and parameter that needs one, after the whole
        pass (as recorded: the graph's own grads are left as they were)."""
        return {self.name(node): self.grad_at(node, len(self)) for node in self.scene.leaves()
                if node.requires_grad}

    def __str__(self) -> str:
        lines = [f"backward from {self.name(self.root)}: {len(self.scene)} nodes, "
                 f"{len(self)} steps"]
        if self.scene.batched:
            lines[0] += f" (numbers of {self.scene.example_text()})"
        lines += [self.step_text(record) for record in self.records]
        grads = ", ".join(f"{name}.grad = {self._number(grad)}"
                          for name, grad in self.leaf_grads().items())
        if grads:
            lines.append(f"result: {grads}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<BackpropStepper: {len(self)} steps from {self.name(self.root)}; print() it>"

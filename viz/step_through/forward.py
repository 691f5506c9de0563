"""Forward mode one step at a time, on the same boxes and edges as backward: step 0 is
the forward values with the seed tangents on the inputs, then one step per node with
parents, in the order the program computed them, each node gathering its tangent

    tangent(node) = Σ over its edges of local d(node)/d(parent) × tangent(parent),

read from the engine's own pass (``autodiff.forward_steps``, the ``push_forward`` that
``jvp`` runs). Seeding input x with tangent 1 makes every tangent d(box)/dx; a dict of
tangents gives the derivative of every box along that direction. Nothing in the graph
changes (forward mode keeps its tangents to itself)."""
from __future__ import annotations

from typing import Any

import numpy as np

from autodiff import Edge, Value, forward_steps
from autodiff.checks import check_number

from ..drawing.boxes import check_options, kind_colours
from ..drawing.dot import TANGENT_COLOR
from ..picture.argument_types import Data, EdgeWords, Params, Renderer, Subject, Wrt
from ..picture.equations import edge_text, sum_text, tangent_product_text
from ..picture.literal import visible
from ..picture.scene import Scene
from .frames import Stepper


class ForwardStepper(Stepper):
    """Forward mode from the inputs of ``subject`` (a Value, a list of Values or an
    ``autodiff.Graph``), one node at a time: at its step a node's tangent is the sum
    over its edges of local × tangent(parent), each product shown on its edge and the
    sum in its box (``tangent 1 + 2 = 3``). An edge whose parent carries no tangent
    (an input not seeded) brings local × 0 = 0; an edge from a constant (the 1 of
    ``b + 1``, unless it is seeded) is left out: no derivative is taken along it.

    ``wrt``: the input to differentiate by (a leaf Value of the graph, or its name),
    seeded with tangent 1, so every tangent is d(box)/d(input); or a dict {input:
    tangent} (a direction v: every tangent is the derivative along v, the output's is
    J v). Default: the first input (a traced Graph's first argument, else the first
    labelled leaf or parameter, else the first leaf in computation order).

    ``stepper[k]`` is the picture of step k + 1, ``stepper.frame(0)`` the forward values
    and the seeds, ``print(stepper)`` the text, ``stepper.animate()`` an HTML player;
    the other options are those of ``viz.steps``. Several outputs are fine: forward mode
    gives the tangent of each in the same pass.
    """

    word = "tangent"
    pass_name = "forward mode"
    heading = "forward mode step by step"
    line_color = TANGENT_COLOR

    def __init__(self, subject: Subject, *, wrt: Wrt = None, params: Params = None,
                 precision: int = 4, clusters: bool = True, max_nodes: int | None = 300,
                 title: str | None = None, rankdir: str = "LR",
                 renderer: Renderer | None = None, example: int = 0,
                 edges: EdgeWords = "numbers") -> None:
        self.scene = Scene(subject, params, "steps", example)
        check_options("steps", "both", precision, edges)
        self.root = self.scene.outputs[0]
        self.seeds = self._seeds(wrt)
        self.records = self._records()
        self._terms: dict[Any, Any] = {}
        self._term_of: dict[Any, Any] = {}
        self._keep_options(precision, clusters, max_nodes, title, rankdir, renderer, edges)

    # -- the seeds ---------------------------------------------------------------------

    def _leaf(self, item):
        """``item`` (a leaf Value of the graph, or the name of one) as that Value."""
        scene = self.scene
        if isinstance(item, str):
            found = [node for node in scene.nodes if not node.parents
                     and scene.names[node] == visible(item)]
            if len(found) != 1:
                names = [scene.names[node] for node in scene.leaves()]
                raise ValueError(f"steps: wrt must name one input of the graph {names}, got "
                                 f"{item!r} ({'no' if not found else len(found)} such input)")
            return found[0]
        if not isinstance(item, Value):
            raise TypeError(f"steps: wrt must be an input of the graph (a leaf Value, its "
                            f"name, or a dict of them to tangents), got "
                            f"{type(item).__name__} {item!r:.80}")
        if item not in scene.ids:
            raise ValueError(f"steps: wrt must be an input of the graph, got a Value the "
                             f"output does not depend on: {item!r:.80}")
        if item.parents:
            raise ValueError(f"steps: wrt must be a leaf (forward mode seeds the inputs and "
                             f"computes every other tangent), got {scene.names[item]} = "
                             f"{item.op}(...)")
        return item

    def _tangent(self, leaf, tangent):
        """A seed tangent: a number, or for a batched input an array, one per example."""
        if isinstance(tangent, (np.ndarray, list, tuple)) and type(leaf.data) is not float:
            array = np.asarray(tangent, dtype=np.float64)
            if array.shape != leaf.data.shape or not np.all(np.isfinite(array)):
                raise ValueError(f"steps: the tangent of {self.scene.names[leaf]} must be a "
                                 f"number or {len(leaf.data)} finite numbers (one per "
                                 f"example), got {tangent!r:.80}")
            return array
        return check_number("steps", f"the tangent of {self.scene.names[leaf]}", tangent)

    def _default_leaf(self):
        """The first input: a traced Graph's first argument, else the first labelled leaf
        or parameter, else the first leaf needing a gradient, else the first leaf."""
        leaves = [node for node in self.scene.nodes if not node.parents]
        needing = [node for node in leaves if node.requires_grad]
        return (self.scene.leaves() or needing or leaves)[0]

    def _seeds(self, wrt):
        """{leaf: tangent} from ``wrt`` (see the class)."""
        if wrt is None:
            return {self._default_leaf(): 1.0}
        if isinstance(wrt, dict):
            if not wrt:
                raise ValueError("steps: wrt must give a tangent to at least one input, "
                                 "got {}")
            seeds = {}
            for item, tangent in wrt.items():
                leaf = self._leaf(item)
                seeds[leaf] = self._tangent(leaf, tangent)
            return seeds
        return {self._leaf(wrt): 1.0}

    def _records(self):
        """The engine's steps (``autodiff.forward_steps``): one per node with parents,
        in the order the program computed them, one pass for all the outputs."""
        return list(forward_steps(list(self.scene.outputs), self.seeds))

    # -- what the steps show -----------------------------------------------------------

    def unit_seed(self) -> Value | None:
        """The input seeded with tangent 1 alone (every tangent is d(box)/d(it)), or
        None for a direction."""
        if len(self.seeds) == 1:
            (leaf, tangent), = self.seeds.items()
            if not isinstance(tangent, np.ndarray) and tangent == 1.0:
                return leaf
        return None

    def meaning(self, box: str = "box") -> str:
        """What every tangent is: ``d(box)/dx`` for the seed x' = 1, else
        ``d(box)/d(inputs) · v`` (the derivative along the direction v of the seeds);
        for an output named e: ``de/dx``, ``de/d(inputs) · v``."""
        leaf = self.unit_seed()
        top = f"d({box})" if box == "box" else f"d{box}"
        return f"{top}/d{self.name(leaf)}" if leaf is not None else f"{top}/d(inputs) · v"

    def seed_text(self) -> str:
        """The seeds in words: ``x.tangent = 1, y.tangent = 0``."""
        listed = set(self.seeds) | set(self.scene.leaves())
        shown = [leaf for leaf in dict.fromkeys(self.scene.leaves() + self.scene.nodes)
                 if leaf in listed]
        return ", ".join(f"{self.name(leaf)}.tangent = "
                         f"{self.number_text(self.tangent_at(leaf, 0))}" for leaf in shown)

    def tangent_at(self, node: Value, number: int) -> Data | None:
        """``node``'s tangent after step ``number``: a leaf's seed (0 unseeded); an
        operation's from its step on (None before it)."""
        if not node.parents:
            return self.seeds.get(node, 0.0)
        step = self.step_of.get(node)
        if step is None or step > number:
            return None
        return self.records[step - 1].tangent

    def is_constant(self, node):
        """True for a constant that is not seeded: no tangent comes from it."""
        return self.scene.is_constant(node) and node not in self.seeds

    def terms(self, record):
        """Every edge into ``record.node`` but those from constants, in operand order,
        as (parent, index, local, parent's tangent, contribution): as the engine
        recorded it, or, where the parent carries no tangent (an input not seeded: the
        engine skips the edge), local × 0 = 0."""
        if record.number not in self._terms:
            recorded = {edge[1]: edge for edge in record.edges}
            self._terms[record.number] = [
                recorded.get(index, (parent, index, local, 0.0, 0.0))
                for index, (parent, local) in enumerate(zip(record.node.parents,
                                                            record.node.local_grads))
                if index in recorded or not self.is_constant(parent)]
        return self._terms[record.number]

    def term(self, edge):
        """The term of ``edge`` (see ``terms``) at its child's step; None for an edge
        from a constant."""
        if edge.child not in self._term_of:
            record = self.records[self.step_of[edge.child] - 1]
            self._term_of[edge.child] = {term[1]: term for term in self.terms(record)}
        return self._term_of[edge.child].get(edge.index)

    def gathered(self, record):
        """A node's tangent as the sum over its edges: ``1 + 0 = 1``; one edge alone
        (or none: every operand a constant) as its number."""
        contributions = [term[4] for term in self.terms(record)]
        if len(contributions) >= 2:
            return sum_text(self.scene, contributions, record.tangent, self.precision)
        return self.number_text(record.tangent)

    def box_line(self, node: Value, number: int) -> str:
        """The tangent line of ``node``'s box after step ``number``: an input's seed
        from step 0; an operation's sum over its edges at its step, its tangent after;
        "" before (and for a constant, whose tangent is 0 throughout)."""
        if not node.parents:
            shown = node in self.seeds or self.scene.kinds[node] in ("input", "parameter")
            return self.number_text(self.tangent_at(node, 0)) if shown else ""
        if self.step_of.get(node) == number:
            return self.gathered(self.records[number - 1])
        if self.tangent_at(node, number) is not None:
            return self.number_text(self.tangent_at(node, number))
        return ""

    def edge_state(self, edge: Edge, number: int) -> tuple[str, str]:
        """``(style, label)`` of an edge after step ``number``: its child's tangent
        gathered already (done: ``local × tangent of the parent = contribution``), now
        (active), or later (pending, showing only its local derivative)."""
        step = self.step_of.get(edge.child)
        style = "pending" if step is None or step > number else (
            "active" if step == number else "done")
        if self.is_constant(edge.parent):
            return "pending", ""            # from a constant: no tangent, ever
        if style == "pending":
            label = self.number_text(edge.local_grad)
        else:
            _, _, local, tangent, contribution = self.term(edge)
            label = tangent_product_text(self.scene, local, tangent, contribution, edge.child,
                                         self.precision)
        return style, edge_text(self.scene, edge.child, edge.parent, edge.index,
                                edge.local_grad, label, self.precision, self.edges)

    def highlights(self, number: int) -> tuple[Value | None, set[Value]]:
        """(the node gathering its tangent at step ``number``, the parents it gathers
        from)."""
        if not number:
            return None, set()
        node = self.records[number - 1].node
        return node, {parent for parent in node.parents if not self.is_constant(parent)}

    def explanation(self, node: Value, number: int) -> str:
        """``node``'s tangent after step ``number`` in words, as the sum over its edges
        (``c.tangent = 1 (from a) + 0.5 (from b) = 1.5``), shown when its box is
        clicked in the player."""
        name = self.name(node)
        if not node.parents:
            tangent = self.number_text(self.tangent_at(node, 0))
            return (f"{name} is where forward mode starts: {name}.tangent = {tangent} (the "
                    "seed)" if node in self.seeds else
                    f"{name} is a constant: no tangent flows from it"
                    if self.is_constant(node) else
                    f"{name}.tangent = 0: not seeded, so nothing flows from {name}")
        step = self.step_of[node]
        if step > number:
            return f"{name}.tangent: gathered at step {step}, from {self.sources(node)}"
        record = self.records[step - 1]
        pieces = [f"{self.number_text(term[4])} (from {self.name(term[0])})"
                  for term in self.terms(record)]
        if not pieces:
            return f"{name}.tangent = 0: its operands are constants"
        return (f"{name}.tangent = " + " + ".join(pieces).replace("+ -", "- ")
                + f" = {self.number_text(record.tangent)}")

    def legend(self) -> list[str]:
        """The legend lines: colours, what a box and an edge show in forward mode."""
        lines = [kind_colours(self.scene),
                 "   ·   ".join(["box: name  op", "data (forward value)",
                                 f"tangent = {self.meaning()}"])]
        product = "local × tangent of the parent = contribution to the child's tangent"
        if self.edges == "numbers":
            lines.append(f"edge: local d(child)/d(parent) × {product[len('local × '):]}")
        else:
            lines.append("edge: d(child)/d(parent) = its rule in the operands' names = local"
                         + (f";  {product}" if self.edges == "both" else ""))
        return lines

    def sources(self, node):
        """The operands ``node`` gathers its tangent from (constants left out), in words."""
        names = [self.name(parent) for parent in node.parents if not self.is_constant(parent)]
        return ", ".join(dict.fromkeys(names)) or "no operand (all are constants)"

    def edge_tooltip(self, edge):
        child, parent = self.name(edge.child), self.name(edge.parent)
        if self.is_constant(edge.parent):
            return (f"{parent} is a constant (operand {edge.index} of {edge.child.op}): no "
                    "tangent flows from it, so no derivative is taken along this edge")
        return (f"d{child}/d{parent} (operand {edge.index} of {edge.child.op}); forward mode "
                f"adds d{child}/d{parent} × {parent}.tangent to {child}.tangent")

    # -- the words -----------------------------------------------------------------------

    def step_text(self, record):
        """One step in words: the node and its tangent as the sum over its edges, then
        one line per edge ``parent -> node: local L × tangent T = C``."""
        node = record.node
        operands = ", ".join(self.name(parent) for parent in node.parents)
        lines = [f"step {record.number} of {len(self)}: {self.name(node)} = "
                 f"{node.op}({operands}), tangent {self.gathered(record)}"]
        for parent, _, local, parent_tangent, contribution in self.terms(record):
            product = tangent_product_text(self.scene, local, parent_tangent, contribution,
                                           node, self.precision, words=True)
            lines.append(f"  {self.name(parent)} -> {self.name(node)}: {product}")
        return "\n".join(lines)

    def forward_text(self):
        """Step 0 in words: the forward values and the seeds."""
        if not self.records:
            return (f"step 0 of 0: {self.name(self.root)} is a leaf (it has no parents): "
                    "forward mode has nothing to step through")
        return (f"step 0 of {len(self)}: forward pass: every box holds its data, every edge "
                f"its local derivative; forward mode starts at the inputs with "
                f"{self.seed_text()} (every tangent is {self.meaning()}"
                + ("" if self.unit_seed() is not None else ", v the seeds") + ")")

    def text_at(self, number: int) -> str:
        """The words of step ``number`` (0: the forward values and the seeds)."""
        return self.forward_text() if number == 0 else self.step_text(self.records[number - 1])

    def caption_at(self, number: int) -> str:
        """The line under the title of step ``number``'s picture."""
        if number == 0:
            return f"step 0 of {len(self)}: forward values; seeds {self.seed_text()}"
        record = self.records[number - 1]
        return (f"step {number} of {len(self)}: {self.name(record.node)} gathers its "
                f"tangent {self.number_text(record.tangent)} from {self.sources(record.node)}")

    def output_tangents(self) -> dict[str, Data | None]:
        """name -> tangent of every output after the whole pass (its derivative)."""
        return {self.name(output): self.tangent_at(output, len(self))
                for output in self.scene.outputs}

    def __str__(self) -> str:
        lines = [f"forward mode, every tangent {self.meaning()}"
                 + ("" if self.unit_seed() is not None else ", v the seeds")
                 + f": {len(self.scene)} nodes, {len(self)} steps"]
        if self.scene.batched:
            lines[0] += f" (numbers of {self.scene.example_text()})"
        lines.append(f"seeds: {self.seed_text()}")
        lines += [self.step_text(record) for record in self.records]
        results = []
        for output in self.scene.outputs:
            tangent = self.tangent_at(output, len(self))
            name = self.name(output)
            results.append(f"{name}.tangent = {self.number_text(tangent)} "
                           f"({self.meaning(name)})")
        lines.append("result: " + ", ".join(results))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<ForwardStepper: {len(self)} steps, tangents {self.meaning()}; "
                "print() it>")

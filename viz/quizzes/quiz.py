"""Practise the chain rule and be checked: ``viz.quiz(value)`` is an HTML page showing the
graph with some numbers hidden (the grads, the local derivatives on the edges, or both;
the tangents in forward mode), asked one at a time in the order the engine computes
them. A right answer (at the precision shown) reveals the number and moves on; a wrong
one shows how the number is made (the sum over the node's edges of local × upstream,
with the numbers) and lets the student try again; the end shows a score.

Every number comes from the engine's own steps (``viz.steps``: ``backward_steps`` or
``forward_steps``), none is recomputed here. The answers are not in the page as text:
see ``viz.quizzes.quiz_answers``. One self-contained page (no external script), displayed in
Jupyter, or saved with ``.save(path)``."""
from __future__ import annotations

import hashlib
import itertools
import numbers
from typing import Any

from autodiff import Graph, Value, random_expression

from ..drawing.dot import build_digraph, caption_label
from ..drawing.drawing import fitted_svg
from ..drawing.html_page import HtmlPage
from ..picture.argument_types import Ask, Mode, Wrt
from ..picture.equations import derivative_formula
from ..picture.literal import fill_template, page_text, script_json, visible
from ..step_through.backward import BackpropStepper
from ..step_through.forward import ForwardStepper
from ..step_through.steps import steps
from .quiz_answers import accepted, answer_hash, encode
from .quiz_script import QUIZ_SCRIPT, QUIZ_STYLE, QUIZ_TEMPLATE

ASK = ("grads", "locals", "both")
MODES = ("reverse", "forward")
PLACEHOLDER = "?"
_counter = itertools.count(1)


class Question:
    """One hidden number: ``kind`` ("grad", "tangent" or "local"), the box or edge it
    belongs to (``target``: its id in the picture), the ``prompt``, the ``answer`` (the
    engine's number for the example shown), ``shown`` (the answer at the precision
    shown), ``hint`` (how it is made, with the numbers, shown after a wrong answer)
    and ``solution`` (the hint worked out to the answer)."""

    def __init__(self, kind, target, prompt, answer, shown, hint, solution):
        self.kind, self.target, self.prompt = kind, target, prompt
        self.answer, self.shown, self.hint, self.solution = answer, shown, hint, solution

    def __repr__(self) -> str:
        return f"<Question {self.kind}: {self.prompt}>"


def _plus(terms):
    """``t1 + t2 - t3``: a negative term reads ``- 3``."""
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


def _factor(text):
    """A negative number in a product, in brackets: ``2 × (-3)``."""
    return f"({text})" if text.startswith("-") else text


class Quiz(HtmlPage):
    """The quiz page over the steps of ``stepper`` (a ``viz.steps`` result): ``ask`` is
    "grads" (the grad of every box, or in forward mode its tangent), "locals" (the
    local derivative on every edge) or "both". ``html()`` is the fragment (also
    ``_repr_html_``), ``page()`` a whole document, ``save(path)`` writes it;
    ``questions`` lists the questions in the order they are asked."""

    def __init__(self, stepper: BackpropStepper | ForwardStepper, ask: Ask = "grads",
                 title: str | None = None) -> None:
        self.stepper: Any = stepper      # BackpropStepper or ForwardStepper, by mode
        self.ask = ask
        self.title = title
        self.forward = stepper.word == "tangent"
        stepper.check_size()
        self.questions = self._questions()
        if not self.questions:
            raise ValueError(f"quiz: nothing to ask: {stepper.name(stepper.root)} has no "
                             "operation whose numbers could be hidden (a leaf or "
                             "constants only)")
        self._html: str | None = None

    # -- the questions, in the engine's order -------------------------------------------

    def _constant(self, node):
        return self.stepper.scene.kinds[node] == "constant"

    def _questions(self):
        return self._forward_questions() if self.forward else self._backward_questions()

    def _backward_questions(self):
        # parent -> [(child, the EdgeStep that pushed into it)], in the order backward
        # pushed them: a grad is asked right after the step that completes it
        received = {}
        for record in self.stepper.records:
            for edge in record.edges:
                received.setdefault(edge.parent, []).append((record.node, edge))
        questions = []
        for record in self.stepper.records:
            if self.ask in ("locals", "both"):
                questions += [self._local_question(record.node, edge.parent, edge.index,
                                                   edge.local_grad)
                              for edge in record.edges if not self._constant(edge.parent)]
            if self.ask in ("grads", "both"):
                for parent in dict.fromkeys(edge.parent for edge in record.edges):
                    if received[parent][-1][0] is record.node and not self._constant(parent):
                        questions.append(self._grad_question(parent, received[parent]))
        return questions

    def _forward_questions(self):
        questions = []
        for record in self.stepper.records:
            if self.ask in ("locals", "both"):
                questions += [self._local_question(record.node, parent, index, local)
                              for parent, index, local, _, _ in self.stepper.terms(record)
                              if not self._constant(parent)]
            if self.ask in ("grads", "both"):
                questions += self._tangent_question(record)
        return questions

    def _number(self, data):
        return self.stepper.number_text(data)

    def _grad_question(self, node, received):
        """node.grad = Σ over its edges of local × upstream (the child's grad), each
        product as backward recorded it (``received``: (child, EdgeStep) pairs)."""
        stepper, scene = self.stepper, self.stepper.scene
        name, root = stepper.name(node), stepper.name(stepper.root)
        children = [child for child, _ in received]
        uses = [edge for _, edge in received]
        answer = uses[-1].parent_grad_after           # the last push leaves it complete
        products = [f"{self._number(edge.local_grad)} × {_factor(self._number(edge.upstream))}"
                    for edge in uses]
        named = [f"d{stepper.name(child)}/d{name} × {stepper.name(child)}.grad"
                 for child in children]
        how = (f"the sum over its {len(uses)} edges of local × upstream" if len(uses) > 1
               else "local × upstream along its one edge")
        hint = (f"{name}.grad is {how}: {name}.grad = {' + '.join(named)} = "
                f"{_plus(products)}")
        contributions = [self._number(edge.contribution) for edge in uses]
        solution = hint + (f" = {_plus(contributions)}" if len(uses) > 1 else "")
        solution += f" = {self._number(answer)}"
        prompt = f"{name}.grad = d{root}/d{name} = ?"
        return Question("grad", scene.ids[node], prompt, scene.at(answer),
                        self._number(answer), hint, solution)

    def _tangent_question(self, record):
        """node.tangent = Σ over its edges of local × tangent of the operand, as forward
        mode recorded it."""
        stepper, scene = self.stepper, self.stepper.scene
        node = record.node
        name = stepper.name(node)
        terms = [term for term in stepper.terms(record) if not self._constant(term[0])]
        if not terms:
            return []           # made of constants alone: its tangent is 0, nothing to ask
        named = [f"d{name}/d{stepper.name(parent)} × {stepper.name(parent)}.tangent"
                 for parent, _, _, _, _ in terms]
        products = [f"{self._number(local)} × {_factor(self._number(tangent))}"
                    for _, _, local, tangent, _ in terms]
        how = ("the sum over its edges of local × the operand's tangent" if len(terms) > 1
               else "local × the operand's tangent along its one edge")
        hint = (f"{name}.tangent is {how}: {name}.tangent = {' + '.join(named)} = {_plus(products)}")
        solution = hint + (f" = {_plus([self._number(term[4]) for term in terms])}"
                           if len(terms) > 1 else "")
        solution += f" = {self._number(record.tangent)}"
        prompt = f"{name}.tangent = {stepper.meaning(name)} = ?"
        return [Question("tangent", scene.ids[node], prompt, scene.at(record.tangent),
                         self._number(record.tangent), hint, solution)]

    def _local_question(self, child, parent, index, local):
        """The local derivative d(child)/d(parent) on one edge: the primitive's rule at
        the operands' values."""
        stepper, scene = self.stepper, self.stepper.scene
        child_name, parent_name = stepper.name(child), stepper.name(parent)
        operands = ", ".join(stepper.name(operand) for operand in child.parents)
        values = ", ".join(f"{stepper.name(operand)} = {self._number(operand.data)}"
                           for operand in dict.fromkeys(child.parents)
                           if not self._constant(operand))
        formula = derivative_formula(scene, child, index)
        where = f"{child_name} = {child.op}({operands})"
        if len(child.parents) > 1 and sum(other is parent for other in child.parents) > 1:
            where += f", operand {index + 1}"
        rule = (f"the rule of {child.op} gives d{child_name}/d{parent_name} = {formula}"
                if formula else f"the derivative of {child.op} with respect to its operand "
                f"{index + 1}")
        hint = f"{where}: {rule}, at {values}" if values else f"{where}: {rule}"
        shown = self._number(local)
        prompt = (f"local derivative d{child_name}/d{parent_name} on the edge {parent_name}"
                  f" → {child_name} ({where}) = ?")
        return Question("local", scene.edge_ids[child, index], prompt, scene.at(local),
                        shown, hint, f"{hint}: {shown}")

    # -- the page ---------------------------------------------------------------------------

    def _asked_ids(self, kind):
        return {question.target for question in self.questions if question.kind == kind}

    def picture(self, placeholder: str) -> Any:
        """The graph with every asked number replaced by ``placeholder``: data on every
        box; the grad (tangent) line of a box given (the seed) or hidden; on every edge
        its local derivative, or the placeholder where it is asked."""
        stepper, scene = self.stepper, self.stepper.scene
        boxes_asked = self._asked_ids("tangent" if self.forward else "grad")
        edges_asked = self._asked_ids("local")
        boxes = []
        for node in scene.nodes:
            node_id = scene.ids[node]
            line = None
            if node_id in boxes_asked:
                line = placeholder
            elif self.forward and not node.parents and not self._constant(node):
                line = self._number(stepper.tangent_at(node, 0))
            elif not self.forward and node is stepper.root and self.ask != "locals":
                line = self._number(stepper.seed())
            boxes.append(stepper.box(node, line))
        arrows = []
        for edge in scene.edges:
            edge_id = scene.edge_ids[edge.child, edge.index]
            label = placeholder if edge_id in edges_asked else self._number(edge.local_grad)
            arrows.append(stepper.arrow(edge, label, "normal"))
        legend = [self._legend()]
        return build_digraph(boxes, arrows, caption_label("", [], legend),
                             stepper.rankdir, stepper.clusters, scene.cluster_titles)

    def _legend(self):
        box = f"box: name  op · data · {self.stepper.word}"
        return f"{box}   ·   edge: local d(child)/d(parent)   ·   {PLACEHOLDER}: to work out"

    def intro(self) -> str:
        """What the student is asked to do, in words."""
        stepper = self.stepper
        digits = stepper.precision
        if self.forward:
            what = {"grads": "the tangent of every box", "locals":
                    "the local derivative on every edge", "both":
                    "the local derivative on every edge and the tangent of every box"}[self.ask]
            order = (f"in the order forward mode computes them, from the seeds "
                     f"{stepper.seed_text()} (every tangent is {stepper.meaning()}"
                     + ("" if stepper.unit_seed() is not None else ", v the seeds") + ")")
        else:
            what = {"grads": "the grad of every box", "locals":
                    "the local derivative on every edge", "both":
                    "the local derivative on every edge and the grad of every box"}[self.ask]
            order = (f"in the order backward computes them, from "
                     f"{stepper.name(stepper.root)}.grad = {self._number(stepper.seed())}")
        return (f"Work out {what} ({PLACEHOLDER} in the picture), {order}. Type each "
                f"answer with {digits} significant digit{'s' if digits > 1 else ''} (or as "
                "a fraction like 2/3) and press Enter.")

    def data(self, quiz_id: str) -> dict[str, Any]:
        """What the page's script needs: per question the prompt, where its number goes,
        the hashes of the accepted answers and the encoded texts."""
        word = self.stepper.word
        entries = []
        for number, question in enumerate(self.questions):
            salt = hashlib.sha256(f"{quiz_id}:{number}".encode()).hexdigest()[:12]
            reveal = question.shown if question.kind == "local" else f"{word} {question.shown}"
            entries.append({
                "prompt": visible(question.prompt), "kind": question.kind,
                "target": question.target, "salt": salt,
                "hashes": sorted({answer_hash(salt, form) for form in
                                  accepted(question.answer, self.stepper.precision)}),
                "reveal": encode(visible(reveal), f"{salt}:reveal"),
                "hint": encode(visible(question.hint), f"{salt}:hint"),
                "solution": encode(visible(question.solution), f"{salt}:solution")})
        return {"prefix": f"{quiz_id}-", "precision": self.stepper.precision,
                "questions": entries}

    def html(self) -> str:
        """The quiz as an HTML fragment (style, picture, question panel, data, script)."""
        if self._html is None:
            self._html = self._build()
        return self._html

    def _build(self):
        widest = max(len(question.shown) for question in self.questions)
        placeholder = PLACEHOLDER * max(widest, 3)
        source = self.picture(placeholder).source
        digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:8]
        quiz_id = f"crq-{digest}-{next(_counter)}"
        from ..drawing.render import render_source
        svg = render_source(source, "svg", self.stepper.renderer).decode("utf-8")
        title = (f'<div class="crq-title">{page_text(self.title)}</div>\n'
                 if self.title is not None and self.title != "" else "")
        return fill_template(QUIZ_TEMPLATE, {
            "ID": quiz_id, "STYLE": QUIZ_STYLE.replace("#ROOT", f"#{quiz_id}"),
            "TITLE": title, "INTRO": page_text(self.intro()),
            "SVG": fitted_svg(svg, f"{quiz_id}-"), "COUNT": str(len(self.questions)),
            "DATA": script_json(self.data(quiz_id)), "SCRIPT": QUIZ_SCRIPT})

    def page_title(self) -> str:
        """The page's title: ``title``, or "chainrule: chain rule quiz" without one."""
        return self.title if self.title else "chainrule: chain rule quiz"

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self):
        kind = "forward mode" if self.forward else "backward"
        return (f"<Quiz: {len(self)} questions on {kind} from "
                f"{self.stepper.name(self.stepper.root)}; .save(path) or display it in a "
                "notebook>")


def quiz(value: Value | Graph | None = None, ask: Ask = "grads", mode: Mode = "reverse", *,
         seed: int | None = None, depth: int = 3, wrt: Wrt = None, precision: int = 3,
         title: str | None = None, **options: Any) -> Quiz:
    """A chain-rule quiz on the graph of ``value`` (a Value or a one-output traced
    Graph): the numbers asked for are hidden and asked one at a time, in the order the
    engine computes them, each checked in the page at ``precision`` significant digits.

    ``ask``: "grads" (backward: every box's grad, d root/d box = Σ over its edges of
    local × upstream; forward mode: every box's tangent = Σ over its edges of local ×
    the operand's tangent), "locals" (the local derivative d child/d parent on every
    edge, from the primitive's rule) or "both". ``mode``: "reverse" (backward, from
    the output's grad 1) or "forward" (from the seeds of ``wrt``, as ``viz.steps``).
    With no ``value``, the quiz is on ``autodiff.random_expression(depth,
    generator=seed)``: a fresh practice graph for each seed (the same for the same
    seed). Other options (``renderer``, ``rankdir``, ``params``, ``max_nodes`` …) are
    those of ``viz.steps``. Returns a ``Quiz``: displays itself in Jupyter, ``.save(path)``."""
    if ask not in ASK:
        raise ValueError(f"quiz: ask must be one of {ASK}, got {ask!r}")
    if mode not in MODES:
        raise ValueError(f"quiz: mode must be one of {MODES}, got {mode!r}")
    if value is None:
        value = random_expression(depth, generator=seed)
    elif seed is not None:
        raise ValueError(f"quiz: seed={seed!r} draws a random expression, so it goes "
                         "without a value; got both (drop seed to quiz your own value)")
    if not isinstance(precision, numbers.Integral) or isinstance(precision, bool) or not \
            1 <= precision <= 10:
        raise ValueError(f"quiz: precision must be an integer from 1 to 10 (significant "
                         f"digits), got {precision!r}")
    if options.get("fresh", True) is not True:
        raise ValueError(f"quiz: fresh={options['fresh']!r}: a quiz asks the grads of one "
                         "backward from zero leaf grads (fresh=True)")
    stepper: BackpropStepper | ForwardStepper
    if mode == "forward":
        stepper = steps(value, "forward", wrt=wrt, precision=precision, **options)
    else:
        if wrt is not None:
            raise ValueError(f"quiz: wrt chooses the seeds of mode='forward', got "
                             f"wrt={wrt!r} with mode='reverse'")
        stepper = steps(value, precision=precision, **options)
    if stepper.scene.batched:
        raise ValueError(f"quiz: the graph holds a batch of {stepper.scene.batch_size} "
                         "examples; quiz a graph of one example (a number per Value)")
    if len(stepper.scene.outputs) != 1:
        raise ValueError(f"quiz: one output, got {len(stepper.scene.outputs)}")
    return Quiz(stepper, ask, title)


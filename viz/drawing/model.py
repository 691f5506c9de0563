"""``draw_model``: a whole model at a glance, one box per module (its type, the sizes it
maps, its parameter count, and the norms of its forward output and of the gradients at
it), from one forward pass on an example input; ``open=`` draws one module's own scalar
graph instead."""
from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from autodiff import Value, backward

from ..picture.argument_types import Renderer
from ..picture.equations import plain
from ..picture.grad_snapshot import GradSnapshot
from ..picture.number_format import format_number
from ..picture.scene import computation_order, module_title
from .dot import NODE_STYLES, EDGE_STYLES, DotEdge, DotNode, build_digraph, caption_label, \
    node_label
from .drawing import Drawing
from .graph import draw

if TYPE_CHECKING:
    from nn import Module


def _values(item):
    """The Values in a model's output (a Value, or nested lists of them)."""
    if isinstance(item, Value):
        yield item
    elif isinstance(item, (list, tuple)):
        for part in item:
            yield from _values(part)


def norm(values, of="data"):
    """sqrt(sum over ``values`` and over the examples of a batch of x^2): the size of a
    module's output (``of="data"``) or of the gradients there (``of="grad"``)."""
    total = 0.0
    for value in values:
        numbers = np.asarray(plain(getattr(value, of)), dtype=float)
        total += float(np.sum(numbers * numbers))
    return math.sqrt(total)


def _inside(scope, path):
    return scope is not None and (scope == path or scope.startswith(path + "."))


class ModuleRun:
    """One forward pass of ``model`` on ``example_input`` (and backward from
    ``loss(output)`` when given, every grad put back afterwards): for each module,
    the Values it made, those it took in and those it gave out."""

    def __init__(self, model, example_input, loss=None):
        if not callable(getattr(model, "named_modules", None)):
            raise TypeError(f"draw_model: model must be a Module (with named_modules()), "
                            f"got {type(model).__name__} {model!r:.80}")
        self.model = model
        self.root_scope = type(model).__name__
        output = model(example_input)
        self.outputs = list(_values(output))
        if not self.outputs:
            raise TypeError("draw_model: the model's output holds no Values")
        self.loss = loss(output) if loss is not None else None
        if self.loss is not None and not isinstance(self.loss, Value):
            raise TypeError(f"draw_model: loss must return a Value, got "
                            f"{type(self.loss).__name__} {self.loss!r:.80}")
        roots = self.outputs + ([self.loss] if self.loss is not None else [])
        self.nodes = computation_order(roots)
        self.grads = self.loss is not None
        self._grads_now = {}
        if self.grads:
            snapshot = GradSnapshot(self.nodes)
            try:
                backward(self.loss)
                self._grads_now = {node: node.grad for node in self.nodes}
            finally:
                snapshot.restore()
        self.parameters = set(model.parameters())
        self.modules = {}          # module path -> (module, scope)
        for path, module in model.named_modules():
            scope = f"{self.root_scope}.{path}" if path else self.root_scope
            self.modules[path] = (module, scope)

    def grad(self, node):
        """``node``'s grad in the backward from the loss (0 without a loss)."""
        return self._grads_now.get(node, 0.0)

    def members(self, scope):
        """The Values made inside ``scope`` (the module and its children)."""
        return [node for node in self.nodes if node.parents and _inside(node.scope, scope)]

    def boundary(self, scope):
        """(inputs, outputs) of the module at ``scope``: the Values from outside it or
        data that its Values use (parameters left out), and its Values used outside it or
        returned by the model."""
        members = set(self.members(scope))
        inputs = []
        for node in members:
            for parent in node.parents:
                if parent not in members and parent not in self.parameters:
                    inputs.append(parent)
        consumers = defaultdict(list)
        for node in self.nodes:
            for parent in node.parents:
                consumers[parent].append(node)
        model_outputs = set(self.outputs)       # a set: Values hash by identity (== is data)
        outputs = [node for node in members
                   if node in model_outputs or any(child not in members
                                                  for child in consumers[node])]
        return list(dict.fromkeys(inputs)), outputs


def _box_rows(run, module, scope, precision):
    inputs, outputs = run.boundary(scope)
    count = sum(int(np.prod(parameter.shape)) if getattr(parameter, "shape", ()) else 1
                for _, parameter in module.named_parameters())
    if not run.members(scope):
        return ["no operations: it only rearranges the Values it passes on"]
    rows = [f"in {len(inputs)} -> out {len(outputs)}  ·  {count} parameters"]
    if outputs:
        rows.append(f"‖out‖ {format_number(norm(outputs), precision)}")
    if run.grads and outputs:
        grad_norm = math.sqrt(sum(float(np.sum(np.square(plain(run.grad(node)))))
                                  for node in outputs))
        line = f"‖d loss/d out‖ {format_number(grad_norm, precision)}"
        leaves = [leaf for leaf in module.parameters()] if count else []
        if leaves:
            params = math.sqrt(sum(float(np.sum(np.square(plain(run.grad(leaf)))))
                                   for leaf in leaves))
            line += f"  ·  ‖d loss/d params‖ {format_number(params, precision)}"
        rows.append((line, "#b3261e"))
    return rows


def draw_model(model: Module, example_input: Any, *, loss: Callable[[Any], Value] | None = None,
               open: str | None = None, precision: int = 3, title: str | None = None,  # noqa: A002 (public option)
               rankdir: str = "LR", renderer: Renderer | None = None,
               **draw_options: Any) -> Drawing:
    """One box per module of ``model`` (an ``nn.Module``), run on ``example_input``:
    its index and type (``0: Linear(2 -> 8)``), how many Values it takes in and gives
    out, its parameter count, the norm of its output ‖out‖ = sqrt(sum of out^2 over
    outputs and examples) and, given ``loss`` (a function of the model's output
    returning a scalar Value), the norms of d loss/d out and d loss/d params from one
    backward. Containers (Sequential, ...) are clusters around their children. The
    model's grads are left as they were.

    ``open``: a module path (``"0"``, ``"layers.1"``): instead, draw that module's own
    scalar graph (``viz.draw`` of its outputs, the Values it takes in drawn as leaves);
    ``draw_options`` go to ``viz.draw`` then."""
    run = ModuleRun(model, example_input, loss)
    if open is not None:
        if open not in run.modules or open == "":
            paths = ", ".join(repr(path) for path in run.modules if path) or "none"
            raise ValueError(f"draw_model: open must be the path of one of the model's "
                             f"modules ({paths}), got {open!r}")
        module, scope = run.modules[open]
        inputs, outputs = run.boundary(scope)
        if not outputs:
            raise ValueError(f"draw_model: module {open!r} made no Values on this input")
        snapshot = GradSnapshot(run.nodes)
        try:                         # draw with the loss's grads, then put every grad back
            if run.loss is not None:
                backward(run.loss)
            return draw(outputs, params=model, title=title or f"{open}: {module_title(module)}",
                        stop_at=inputs, rankdir=rankdir, renderer=renderer,
                        precision=precision, **draw_options)
        finally:
            snapshot.restore()
    leaves = [(path, module, scope) for path, (module, scope) in run.modules.items()
              if not any(True for _ in module.children())]
    boxes, ids = [], {}
    for index, (path, module, scope) in enumerate(leaves):
        ids[scope] = f"m{index}"
        name = f"{path.rpartition('.')[2]}: {module_title(module)}" if path else \
            module_title(module)
        attrs = dict(NODE_STYLES["operation"], id=f"m{index}", tooltip=path or scope)
        boxes.append(DotNode(f"m{index}", node_label(name, "", _box_rows(
            run, module, scope, precision)), scope.rpartition(".")[0] or None, attrs))
    owner = {}
    for node in run.nodes:
        for _, _, scope in leaves:
            if node.parents and _inside(node.scope, scope):
                owner[node] = scope
    boxes.append(DotNode("input", node_label("input", "", [
        f"{len(run.boundary(run.root_scope)[0])} values"]), None,
        dict(NODE_STYLES["input"], id="input")))
    arrows, seen = [], set()
    for node in run.nodes:
        for parent in node.parents:
            head = owner.get(node)
            tail = owner.get(parent, "input" if not parent.parents and
                             parent not in run.parameters else None)
            if head is None or tail is None or tail == head or (tail, head) in seen:
                continue
            seen.add((tail, head))
            arrows.append(DotEdge(ids.get(tail, "input"), ids[head], "",
                                  dict(EDGE_STYLES["normal"])))
    titles = {scope: (f"{path.rpartition('.')[2]}: {module_title(module)}" if path
                      else module_title(module))
              for path, (module, scope) in run.modules.items()}
    lines = ["one box per module · ‖x‖ = sqrt(sum of x^2 over values and examples)"]
    if run.grads:
        lines.append("gradients from one backward of the loss (the model's grads are "
                     "left as they were)")
    digraph = build_digraph(boxes, arrows, caption_label(title or "", lines), rankdir,
                            True, titles)
    return Drawing(digraph, renderer, f"{len(leaves)} modules")

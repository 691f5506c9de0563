"""Backpropagation one node at a time: the same pass as ``backward``, reported."""
import numpy as np

from .backward import batched_contributions, start_backward
from .value import CONSTANT


class EdgeStep:
    """What one edge does in a step: parent.grad_after = parent.grad_before + local x upstream."""

    __slots__ = ("parent", "index", "local_grad", "upstream", "contribution",
                 "parent_grad_before", "parent_grad_after")

    def __init__(self, parent, index, local_grad, upstream, contribution, before, after):
        self.parent = parent
        self.index = index
        self.local_grad = local_grad
        self.upstream = upstream
        self.contribution = contribution
        self.parent_grad_before = before
        self.parent_grad_after = after


class Step:
    """One step of backward: ``node`` pushes its gradient ``upstream`` (d root / d node,
    complete by now) along each of its edges."""

    __slots__ = ("number", "node", "upstream", "edges")

    def __init__(self, number, node, upstream, edges):
        self.number = number
        self.node = node
        self.upstream = upstream
        self.edges = edges

    def __str__(self):
        lines = [f"step {self.number}: {self.node.name} (grad {_short(self.upstream)})"]
        for edge in self.edges:
            lines.append(
                f"  -> {edge.parent.name}[{edge.index}]: {_short(edge.local_grad)} x "
                f"{_short(edge.upstream)} = {_short(edge.contribution)};  grad "
                f"{_short(edge.parent_grad_before)} + {_short(edge.contribution)} = "
                f"{_short(edge.parent_grad_after)}")
        return "\n".join(lines)

    __repr__ = __str__


def _short(number):
    if type(number) is float:
        return f"{number:.6g}"
    if isinstance(number, np.ndarray):
        return f"[{', '.join(f'{x:.4g}' for x in number[:3])}{', ...' if number.size > 3 else ''}]"
    return repr(number)


def backward_steps(root, grad=None):
    """Run backward from ``root`` and yield a ``Step`` per node that has parents, in the
    engine's order; the gradients it leaves are exactly those of ``root.backward()``."""
    order = start_backward(root, grad)
    for number, node in enumerate(reversed(order), start=1):
        upstream = node.grad
        contributions = ([None if parent.primitive is CONSTANT else local * upstream
                          for parent, local in zip(node.parents, node.local_grads)]
                         if type(upstream) is float else batched_contributions(node, upstream))
        edges = []
        for index, (parent, local, contribution) in enumerate(
                zip(node.parents, node.local_grads, contributions)):
            if contribution is None:              # an edge into a constant: skipped
                continue
            before = parent.grad
            parent.grad = before + contribution
            edges.append(EdgeStep(parent, index, local, upstream, contribution, before,
                                  parent.grad))
        yield Step(number, node, upstream, edges)

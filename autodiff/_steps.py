"""Backpropagation one node at a time: ``backward``'s own ``push``, reported."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._backward import push, start_backward
from ._step_text import format_step
from ._value import Value


class EdgeStep:
    """What one edge does in a step: parent.grad_after = parent.grad_before + local x upstream."""

    __slots__ = ("parent", "index", "local_grad", "upstream", "contribution",
                 "parent_grad_before", "parent_grad_after")

    def __init__(self, parent: Value, index: int, local_grad: Any, upstream: Any,
                 contribution: Any, before: Any, after: Any) -> None:
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

    __slots__ = ("number", "node", "upstream", "edges", "names")

    def __init__(self, number: int, node: Value, upstream: Any, edges: list[EdgeStep],
                 names: Mapping[Value, str] | None = None) -> None:
        self.number = number
        self.node = node
        self.upstream = upstream
        self.edges = edges
        self.names = names        # Value -> what to call it (``Graph.steps``: v1, v2, ...)

    def __str__(self) -> str:
        """``step 1: e = mul(c, d), grad 1`` then ``e -> c: local 2 × upstream 1 = 2;
        c.grad 0 + 2 = 2`` per edge (``format_step``, as viz prints steps)."""
        names = self.names
        if names is None:
            return format_step(self)
        return format_step(self, name=lambda node: names.get(node) or node.name)

    __repr__ = __str__


def backward_steps(root: Value, grad: Any = None) -> Iterator[Step]:
    """Run backward from ``root`` and yield a ``Step`` per node that has parents, in the
    engine's order: each step is one call of the same ``push`` that ``backward`` makes,
    so the gradients it leaves are exactly those of ``root.backward()``."""
    order = start_backward(root, grad)
    for number, node in enumerate(reversed(order), start=1):
        before = [parent.grad for parent in node.parents]
        contributions = push(node, report=True)
        yield Step(number, node, node.grad, _edge_steps(node, before, contributions or []))


def _edge_steps(node: Value, before: list[Any], contributions: list[Any]) -> list[EdgeStep]:
    """One EdgeStep per edge that pushed something. A parent used twice (``a * a``)
    takes its contributions one after the other: the second edge starts where the
    first ended, and the last ends at the parent's grad as ``push`` left it."""
    last_use = {id(parent): index for index, parent in enumerate(node.parents)}
    running: dict[int, Any] = {}
    edges: list[EdgeStep] = []
    for index, (parent, local, contribution) in enumerate(
            zip(node.parents, node.local_grads, contributions)):
        if contribution is None:
            continue
        previous = running.get(id(parent), before[index])
        after = parent.grad if last_use[id(parent)] == index else previous + contribution
        running[id(parent)] = after
        edges.append(EdgeStep(parent, index, local, node.grad, contribution, previous, after))
    return edges

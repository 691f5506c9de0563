"""Backpropagation one node at a time: ``backward``'s own ``push``, reported."""
import numpy as np

from ._backward import push, start_backward


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
    engine's order: each step is one call of the same ``push`` that ``backward`` makes,
    so the gradients it leaves are exactly those of ``root.backward()``."""
    order = start_backward(root, grad)
    for number, node in enumerate(reversed(order), start=1):
        before = [parent.grad for parent in node.parents]
        contributions = push(node)
        yield Step(number, node, node.grad, _edge_steps(node, before, contributions))


def _edge_steps(node, before, contributions):
    """One EdgeStep per edge that pushed something. A parent used twice (``a * a``)
    takes its contributions one after the other: the second edge starts where the
    first ended, and the last ends at the parent's grad as ``push`` left it."""
    last_use = {id(parent): index for index, parent in enumerate(node.parents)}
    running, edges = {}, []
    for index, (parent, local, contribution) in enumerate(
            zip(node.parents, node.local_grads, contributions)):
        if contribution is None:
            continue
        previous = running.get(id(parent), before[index])
        after = parent.grad if last_use[id(parent)] == index else previous + contribution
        running[id(parent)] = after
        edges.append(EdgeStep(parent, index, local, node.grad, contribution, previous, after))
    return edges

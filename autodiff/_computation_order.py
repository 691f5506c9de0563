"""The nodes of a graph in the order a program computed them (the forward pass, the
trace, the pictures read them so); backward's order is ``topological_order``."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._value import Value


def computation_order(outputs: Sequence[Value],
                      stop_at: Iterable[Value] = ()) -> list[Value]:
    """Every Value the outputs depend on, in the order a program computing them left to
    right would have made them: depth first, operands in order, each node after its
    operands (``c = a + b`` before ``d = b + 1`` in ``e = c * d``). Nodes in
    ``stop_at`` count as leaves: what they were computed from is left out."""
    order, done, stop = [], set(), set(stop_at)
    stack = [(output, False) for output in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        if node in done:
            continue
        if expanded or not node.parents or node in stop:
            done.add(node)
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((parent, False) for parent in reversed(node.parents) if parent not in done)
    return order

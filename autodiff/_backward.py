"""Reverse mode: the order of the nodes, and the chain rule.

The whole chain rule is ``push``: once a node's gradient is complete, add
``local_grad * node.grad`` to the gradient of each of its parents. ``backward`` pushes
every node, children before parents; the step-through (``backward_steps``), ``gradients``
and ``create_graph`` run this same function. Batched and graph gradients, and the
seed's checks, are in ``_backward_details.py``.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from numpy.typing import ArrayLike

from ._backward_details import (batched_contributions, graph_contributions, is_zero, seed_of,
                                zero_like)
from ._mode import enable_grad
from ._table import STOP_GRADIENT
from ._value import CONSTANT, Value


def topological_order(*roots: Value) -> list[Value]:
    """Every Value the roots depend on, each after all of its parents, in the order
    backward pushes them (reversed). ``computation_order`` lists them as a program
    computed them, operands left to right.

    Iterative depth-first search (no recursion limit): a node is appended once all the
    nodes it was computed from have been.
    """
    order = []
    visited = set()
    stack: list[Any] = list(roots)          # Values, and None as a marker
    while stack:
        node = stack.pop()
        if node is None:            # marker: the node below it has all parents done
            order.append(stack.pop())
        elif node not in visited:
            visited.add(node)
            if node.parents:
                stack += (node, None)
                stack.extend(node.parents)
            else:
                order.append(node)
    return order


def order_for_backward(root: Value) -> list[Value]:
    """The nodes whose gradients ``root`` pushes, parents first, each grad set to zero on
    the way. Leaves are left out (their grads accumulate across calls), and so is what
    lies behind a ``stop_gradient`` (its grad is reset, and it pushes nothing).

    Speed: a node counts as visited once its grad *is* this pass's own zero (a fresh
    float object), which spares a set of visited nodes (~10% of backward).
    """
    zero = float(0)
    order: list[Value] = []
    stack: list[Any] = [root]               # Values, and None as a marker
    push_, pop, finish = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        if node is None:            # marker: the node below it has all parents done
            finish(pop())
        elif node.parents and node.grad is not zero:
            node.grad = zero
            if node.primitive is not STOP_GRADIENT:
                push_(node)
                push_(None)
                stack.extend(node.parents)
    return order


def push(node: Value, create_graph: bool = False,
         report: bool = False) -> list[Any] | None:
    """One step of the chain rule, for a node whose gradient is complete:
    parent.grad += local_grad * node.grad along each of its edges.

    With ``report``, returns what each edge added (``None`` for an edge into a
    constant, which needs no gradient). A ``stop_gradient`` node receives what arrives
    at it, and is never pushed: backward goes no further."""
    upstream = node.grad
    if not (report or create_graph) and type(upstream) is float:
        # speed: the same rule without listing what each edge adds (a third of backward
        # on one-example graphs, benchmarks/moons.py (c))
        for parent, local in zip(node.parents, node.local_grads):
            if parent.primitive is not CONSTANT:
                parent.grad = parent.grad + local * upstream
        return None
    if create_graph:
        if not isinstance(upstream, Value):
            upstream = node.grad = Value(upstream, requires_grad=False)
        with enable_grad():
            contributions = graph_contributions(node, upstream)
    elif type(upstream) is float:
        contributions = [None if parent.primitive is CONSTANT else local * upstream
                         for parent, local in zip(node.parents, node.local_grads)]
    else:
        contributions = batched_contributions(node, upstream)
    for parent, contribution in zip(node.parents, contributions):
        if contribution is not None:
            previous = parent.grad
            # a first contribution is taken as it is: a new object that no other node holds
            parent.grad = contribution if (type(previous) is float and previous == 0.0) \
                else previous + contribution
    return contributions


def start_backward(root: Value, grad: ArrayLike | Value | None = None,
                   create_graph: bool = False) -> list[Value]:
    """Backward's first step: the nodes in order, their grads zeroed, and the root
    seeded with ``grad`` (1 by default; added to a leaf root's grad)."""
    seed = seed_of(root, grad, create_graph)
    order = order_for_backward(root)
    root.grad = seed if (root.parents or is_zero(root.grad)) else root.grad + seed
    return order


def backward(root: Value, grad: ArrayLike | Value | None = None,
             create_graph: bool = False) -> None:
    """Fill ``.grad`` of every Value ``root`` depends on with d(root)/d(value): push
    every node, children before parents.

    Non-leaf grads are reset first; leaf grads accumulate across calls (as in PyTorch)
    until ``zero_grad``. ``grad`` seeds the root (required for a batched root). With
    ``create_graph`` the leaf grads are Values (graphs) that can be differentiated
    again; the other nodes keep numbers, so no node holds a graph of itself.
    """
    order = start_backward(root, grad, create_graph)
    for node in reversed(order):
        push(node, create_graph)
    if create_graph:
        for node in order:
            if isinstance(node.grad, Value):
                node.grad = node.grad.data


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``grad`` of every Value in ``values`` to zero (of the same kind as its data)."""
    for value in values:
        value.grad = zero_like(value.data)


# declared for type checkers in _number_protocol.py
Value.backward = backward  # type: ignore[method-assign, assignment]

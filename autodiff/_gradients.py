"""Gradients without touching ``.grad``: ``gradients``, as ``torch.autograd.grad``. The
same pushes as ``backward``, with every grad of the graph saved and put back."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numpy.typing import ArrayLike

from ._backward import push, topological_order
from ._backward_details import seed_of, zero_like
from ._value import Value


def gradients(output: Value, inputs: Sequence[Value], grad: ArrayLike | Value | None = None,
              create_graph: bool = False) -> list[Any]:
    """d(output)/d(input) for each input, leaving every ``.grad`` in the graph as it was
    (like ``torch.autograd.grad``). An input the output does not depend on gets zero."""
    for index, value in enumerate(inputs):
        if not value.requires_grad:
            raise ValueError(f"gradients: input {index} ({value!r}) was made with "
                             "requires_grad=False")
    order = topological_order(output)
    saved = [node.grad for node in order]
    seed = seed_of(output, grad, create_graph)
    try:
        for node in order:
            node.grad = 0.0
        output.grad = seed
        for node in reversed(order):
            if node.parents and node.primitive.passes_gradient:
                push(node, create_graph)
        reached = set(order)
        return [value.grad if value in reached else _unreached(value, create_graph)
                for value in inputs]
    finally:
        for node, previous in zip(order, saved):
            node.grad = previous


def _unreached(value: Value, create_graph: bool) -> Any:
    """The gradient of an input the output does not depend on: 0 (a constant Value with
    ``create_graph``, so that it can be differentiated again)."""
    zero = zero_like(value.data)
    return Value(zero, requires_grad=False) if create_graph else zero

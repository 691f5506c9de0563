"""The words for one backward step, written once: ``Step.__str__`` and ``viz.steps`` both
print steps with ``format_step`` (viz passes its own names and numbers: the example of
a batch it shows, the precision asked for)::

    step 1 of 3: e = mul(c, d), grad 1
      e -> c: local 2 × upstream 1 = 2;  c.grad 0 + 2 = 2

Each edge line is the chain rule along that edge, parent.grad_after =
parent.grad_before + local x upstream, with the numbers backward used.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._value import Value


def _plain(data: Any) -> Any:
    return data.data if isinstance(data, Value) else data


def default_number(data: Any) -> str:
    """A float with 4 significant digits; a batch as its first entries (``[1, 3, …]``)."""
    data = _plain(data)
    if isinstance(data, np.ndarray):
        shown = ", ".join(default_number(float(x)) for x in data.reshape(-1)[:3])
        return f"[{shown}{', …' if data.size > 3 else ''}]"
    data = float(data)
    return "0" if data == 0.0 else f"{data:.4g}"


def default_name(node: Value) -> str:
    """What a step calls a Value: its label, else its op, else its data."""
    return node.name if isinstance(node.name, str) else str(node.name)


def default_product(edge: Any, number: Callable[[Any], str]) -> str:
    """``local L × upstream U = C``; for an edge into a scalar from a batch, the
    contribution is the sum over the examples, and the words say so."""
    summed = (type(edge.parent.data) is float
              and isinstance(_plain(edge.upstream), np.ndarray))
    text = f"local {number(edge.local_grad)} × upstream {number(edge.upstream)}"
    if summed:
        return f"sum over the batch of {text} = {number(edge.contribution)}"
    return f"{text} = {number(edge.contribution)}"


def plus(first: str, second: str) -> str:
    """``first + second``, or ``first - 3`` when the second reads ``-3``."""
    return f"{first} - {second[1:]}" if second.startswith("-") else f"{first} + {second}"


def format_step(step: Any, total: int | None = None,
                name: Callable[[Value], str] = default_name,
                number: Callable[[Any], str] = default_number,
                product: Callable[[Any, Callable[[Any], str]], str] = default_product
                ) -> str:
    """``step`` (an ``autodiff.Step``) as text: a line for the node pushing its grad,
    then one per edge ``node -> parent: local L × upstream U = C;  parent.grad
    before + C = after``. ``name(node)`` and ``number(data)`` give the words for a Value
    and a number, ``product(edge, number)`` the chain-rule product of an edge (an
    ``EdgeStep``), ``local L × upstream U = C``;
    ``total``: the number of steps (``step 1 of 3``)."""
    node = step.node
    operands = ", ".join(name(parent) for parent in node.parents)
    counted = f"{step.number} of {total}" if total is not None else f"{step.number}"
    lines = [f"step {counted}: {name(node)} = {node.op}({operands}), grad "
             f"{number(step.upstream)}"]
    for edge in step.edges:
        parent = name(edge.parent)
        total_text = plus(number(edge.parent_grad_before), number(edge.contribution))
        lines.append(f"  {name(node)} -> {parent}: {product(edge, number)};  "
                     f"{parent}.grad {total_text} = {number(edge.parent_grad_after)}")
    return "\n".join(lines)

"""Value: one scalar quantity in the computation graph, and Edge: one use of it.

Operators (``+``, ``*``, ``**``, ...) are attached in ``_operations.py``, ``backward``
in ``_backward.py``, and comparisons and conversions (``==``, ``<``, ``float()``) come
from ``_number_protocol.py``; this file only says what a node holds.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._data import as_data, describe
from ._mode import state
from ._number_protocol import NumberProtocol

Data = float | NDArray[np.float64]   # a number, or one number per example of a batch


def data_of(x: Any) -> Any:
    """The data of a Value, anything else as it is (not ``getattr(x, "data", x)``: a
    numpy array or number has a ``data`` attribute too, its memory buffer)."""
    return x.data if isinstance(x, Value) else x


class _Constant:
    """The ``primitive`` of a Value that needs no gradient: data (inputs, targets),
    masks, and results computed under ``no_grad``."""

    __slots__ = ()
    name = ""
    passes_gradient = False

    def __repr__(self) -> str:
        return "CONSTANT"


CONSTANT = _Constant()


class Value(NumberProtocol):
    """A scalar (or one scalar per example of a batch) and the edges that made it.

    ``data``: a float, or a 1-D float64 array with one entry per example.
    ``grad``: d(root)/d(self) after ``backward``, the same kind as ``data``.
    ``parents``: the operands, in order; ``a * a`` has ``(a, a)``: two edges.
    ``local_grads``: d(self)/d(parent) for each parent, stored when the op ran.
    ``primitive``: the operation that produced it (``None`` for a leaf, ``CONSTANT``
    for a Value that needs no gradient).
    """

    __slots__ = ("data", "grad", "parents", "local_grads", "primitive", "label", "scope")
    __array_ufunc__ = None  # `ndarray * Value` defers to Value.__rmul__
    _requires_grad_changes = 0  # counts requires_grad assignments (compile checks it)

    data: Data
    grad: Any                   # Data; a Value after backward(create_graph=True)
    parents: tuple[Value, ...]
    local_grads: Sequence[Any]
    primitive: Any              # a Primitive, CONSTANT, or None for a leaf
    label: str
    scope: str | None

    def __init__(self, data: Any, label: Any = "", requires_grad: bool = True) -> None:
        self.data = as_data(data, "Value")
        self.grad = 0.0 if type(self.data) is float else np.zeros_like(self.data)
        self.parents = ()
        self.local_grads = ()
        self.primitive = None if requires_grad else CONSTANT
        self.label = label if isinstance(label, str) else str(label)
        self.scope = state.context[1]
        if requires_grad and state.births is not None:   # a transform tells closed-over
            state.births.append(self)                    # Values from its own (_nesting)

    @property
    def op(self) -> str:
        """Name of the primitive that produced this Value ('' for a leaf)."""
        return "" if self.primitive is None else self.primitive.name

    @property
    def requires_grad(self) -> bool:
        """False for a constant (made with ``requires_grad=False``, under ``no_grad``,
        or by ``detach``): backward gives it no gradient, as for a PyTorch tensor."""
        return self.primitive is None or self.primitive.passes_gradient

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self.parents:
            raise ValueError(f"requires_grad: only a leaf can change it, not {self!r}")
        self.primitive = None if flag else CONSTANT
        Value._requires_grad_changes += 1

    @property
    def name(self) -> str:
        """What to call this Value in a picture: its label, else its op, else (for an
        unlabelled leaf, a constant) its data."""
        if self.label:
            return self.label
        if self.parents:
            return self.primitive.name
        return f"{self.data:.4g}" if type(self.data) is float else "batch"

    @property
    def is_leaf(self) -> bool:
        """True for Values with no parents: inputs, parameters, constants."""
        return not self.parents

    @property
    def batch_size(self) -> int | None:
        """Number of examples for batched data, ``None`` for a plain scalar."""
        return len(self.data) if isinstance(self.data, np.ndarray) else None

    def edges(self) -> list[Edge]:
        """The edges into this Value, one per operand, with their local derivatives."""
        return [Edge(parent, self, index, local)
                for index, (parent, local) in enumerate(zip(self.parents, self.local_grads))]

    def __repr__(self) -> str:
        parts = [f"data={describe(self.data)}", f"grad={describe(self.grad)}"]
        if self.primitive is not None:
            parts.append(f"op={self.op!r}" if self.parents else "requires_grad=False")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"


class Edge:
    """One use of ``parent`` by ``child`` (``a * a`` has two edges, index 0 and 1).

    ``local_grad`` is d(child)/d(parent), stored when the child was computed;
    ``contribution`` is the chain-rule product ``local_grad * child.grad`` that this
    edge adds to ``parent.grad`` during backward.
    """

    __slots__ = ("parent", "child", "index", "local_grad")

    def __init__(self, parent: Value, child: Value, index: int, local_grad: Any) -> None:
        self.parent = parent
        self.child = child
        self.index = index
        self.local_grad = local_grad

    @property
    def contribution(self) -> Any:
        """local_grad * child.grad: what this edge adds to parent.grad (summed over the
        batch when a batched child uses a scalar parent, such as a weight)."""
        contribution = self.local_grad * self.child.grad
        if type(self.parent.data) is float and isinstance(contribution, np.ndarray):
            return float(np.sum(contribution))
        return contribution

    def __repr__(self) -> str:
        return (f"Edge({self.parent.name} -> {self.child.name} [{self.index}], "
                f"local_grad={self.local_grad!r})")

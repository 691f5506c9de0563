"""Where the parameters a compiled step owns live: entries of its two flat vectors.

A compiled step keeps its parameters' data and grads in ``parameter_vector`` and
``gradient_vector`` (``step.py``). An optimizer, a gradient clipper or any code that
updates a list of such parameters can read and write their entries as two numpy
vectors instead of one Value at a time::

    slots = autodiff.parameter_slots(values)       # None unless one step owns them all
    x, g = slots.data(), slots.grad()              # x[i] is values[i].data, g[i] its grad
    slots.set_data(x - lr * g)                     # every values[i].data moves

For plain Values (no step owns them) there are no slots: read ``p.data`` and ``p.grad``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._value import Value
from .step import CompiledParameter, _data_slot


class ParameterSlots:
    """Entries ``index`` of one compiled step's data and grad vectors: those of a list
    of parameters, in the list's order (a slice when they are consecutive, then
    ``data()`` and ``grad()`` are views; else an index array, and they are copies)."""

    __slots__ = ("store", "index", "size")

    def __init__(self, store: Any, index: slice | NDArray[np.intp], size: int) -> None:
        self.store, self.index, self.size = store, index, size

    @property
    def valid(self) -> bool:
        """False once the step has given the parameters back (``release()``) or
        another step has taken them over: then read the Values again."""
        return self.store.valid

    def data(self) -> NDArray[np.float64]:
        """The parameters' data: x[i] = values[i].data."""
        return self.store.data[self.index]

    def grad(self) -> NDArray[np.float64]:
        """The parameters' grads: g[i] = values[i].grad."""
        return self.store.grad[self.index]

    def set_data(self, x: NDArray[np.float64] | float) -> None:
        """values[i].data = x[i] for every i (one numpy assignment)."""
        self.store.data[self.index] = x

    def set_grad(self, g: NDArray[np.float64] | float) -> None:
        """values[i].grad = g[i] for every i (one numpy assignment)."""
        self.store.grad[self.index] = g

    def zero_grad(self) -> None:
        """values[i].grad = 0 for every i."""
        self.store.grad[self.index] = 0.0

    def __repr__(self) -> str:
        return f"ParameterSlots({self.size} parameters, index={self.index!r})"


def parameter_slots(values: Sequence[Value]) -> ParameterSlots | None:
    """The ``ParameterSlots`` of ``values`` (a list of Values) when one live compiled
    step owns every one of them, else None. Costs one pass over the list: keep the
    result, and ask again when its ``valid`` turns False."""
    if not values or type(values[0]) is not CompiledParameter:
        return None
    if any(type(value) is not CompiledParameter for value in values):
        return None
    slot: Any = _data_slot              # Value's data member descriptor (see step.py)
    cells = list(map(slot.__get__, values))
    store = cells[0].store
    if not store.valid or any(cell.store is not store for cell in cells):
        return None
    positions = np.fromiter((cell.index for cell in cells), dtype=np.intp, count=len(cells))
    if len(np.unique(positions)) != len(positions):
        return None                     # a parameter listed twice: no one-to-one slots
    first = int(positions[0])
    if np.array_equal(positions, np.arange(first, first + len(positions))):
        return ParameterSlots(store, slice(first, first + len(positions)), len(positions))
    return ParameterSlots(store, positions, len(positions))

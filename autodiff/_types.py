"""The types the public API is annotated with, named once.

A Value holds ``Data``: a float, or a 1-D float64 array with one scalar per example of a
batch. Operations also take plain numbers and batches (``DataLike``) and turn them into
constant leaves, so an ``Operand`` is a Value or a ``DataLike``. A vector is a list of
Values (``Vector``); a function that takes a sequence also takes a tuple.

``Data`` is defined beside ``Value`` in ``_value.py`` (the reading path) and named here
with the others.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Callable, Protocol, Union

import numpy as np
from numpy.typing import NDArray

from ._value import Data as Data, Value  # Data re-exported: named with the other types

Batch = NDArray[np.float64]
"""One scalar per example: a 1-D float64 array."""

# Data (from _value.py): what a Value holds in ``data`` and ``grad``: a float or a Batch.

DataLike = Union[float, Sequence[float], NDArray[Any]]
"""A number or a 1-D sequence of numbers: what ``Value(...)`` and the operations accept
as data (ints and bools count as numbers; arrays are copied to float64)."""

Operand = Union["Value", float, Sequence[float], NDArray[Any]]
"""What an operation takes: a Value, or data that becomes a constant leaf."""

Vector = list["Value"]
"""A vector of the course notes: one Value per component."""

Derivative = Any
"""What a transform (grad, jvp, jacobian, ...) returns for one quantity: a float, a batch,
a list or array of them; or Values, inside another transform (so that it differentiates
through). Named for the reader; the type checker sees Any."""

Function = Callable[..., Any]
"""A function a transform differentiates: Values in, a Value or a list of Values out."""



class Model(Protocol):
    """What ``compile`` takes as a model (an ``nn.Module``): its parameters, and its
    modules, whose settings key the compiled tapes."""

    def parameters(self) -> Iterable[Value]: ...

    def modules(self) -> Iterable[Any]: ...


UnaryOperation = Callable[[Operand], "Value"]
BinaryOperation = Callable[[Operand, Operand], "Value"]

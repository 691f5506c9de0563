"""The types of what viz's public functions take, named once so that every signature
reads the same: what to picture (a Value, a list of Values or a traced ``Graph``), the
parameters to mark, a Value's numbers, and the words that ``show``, ``edges``, ``mode``,
``ask`` and ``renderer`` choose among."""
from __future__ import annotations

import os
from typing import Any, Iterable, Literal, Protocol, Sequence, TypeAlias

import numpy as np

from autodiff import Graph, Value

Subject: TypeAlias = Value | Graph | Sequence[Value]
"""What a picture or a step-through is of: a Value, a list of Values or a traced Graph."""

Data: TypeAlias = float | np.ndarray
"""A Value's data or grad: a float, or a 1-D float64 array (one number per example)."""


class HasParameters(Protocol):
    """A model: anything with ``parameters()`` (``nn.Module``)."""

    def parameters(self) -> Iterable[Any]: ...


Params: TypeAlias = Value | Iterable[Any] | HasParameters | None
"""Values drawn as parameters: Values (nested lists allowed, or containers with a
``values()`` method such as ``nn.Parameter``), or a model with ``parameters()``."""

Wrt: TypeAlias = Value | str | dict[Value, Any] | dict[str, Any] | None
"""What forward mode differentiates by: an input (a leaf Value or its name), seeded with
tangent 1, or a dict {input: tangent} (a direction); None: the first input."""

PathLike: TypeAlias = str | os.PathLike[str]
"""Where a file is written: a str or a ``pathlib.Path``."""

Show = Literal["both", "values", "derivatives"]
EdgeWords = Literal["numbers", "symbols", "both"]
Mode = Literal["reverse", "forward"]
Ask = Literal["grads", "locals", "both"]
Renderer = Literal["dot", "graphviz-pure"]
ImageFormat = Literal["svg", "png"]

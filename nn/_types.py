"""The types of nn's signatures, named once: what a Value holds, the shapes of Values
that layers take and give (vectors, images, sequences), and the numpy arrays that may
stand for a batch of them. They are annotations only: nothing checks them at run time.

A vector is a list of Values, one per feature; an image is channels x rows x columns of
Values (nested lists); a sequence is a list of vectors, one per time step. Each Value
holds a float (one example) or a 1-D float64 array (one float per example of a batch).
"""
from __future__ import annotations

import os
from typing import Any, Callable, Mapping, Protocol, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from autodiff import Value

__all__ = ["Data", "Operand", "Array", "ArrayLike", "Vector", "VectorInput", "Image",
           "ImageInput", "VectorSequence", "SequenceInput", "Nested", "NestedInput",
           "Generator", "PathLike", "StateDict", "Target", "LossFunction", "State",
           "StateInput", "FinalState", "OptimizerLike", "MetricWatcher"]

Data = Union[float, NDArray[np.float64]]
"""A Value's data: a float (one example) or a 1-D float64 array (one per example)."""

Operand = Union[Value, float]
"""A Value, or a plain number where a function of Values also takes one."""

Array = NDArray[Any]
"""A numpy array of numbers (float64 when nn makes it)."""

Vector = list[Value]
"""A vector: one Value per feature."""

VectorInput = Union[Sequence[Operand], NDArray[Any]]
"""What a vector layer takes: a vector (Values or numbers, one per feature) or a numpy
array, (features,) for one example or (N, features) for a batch."""

Image = list[list[list[Value]]]
"""An image: channels x rows x columns of Values."""

ImageInput = Union[Sequence[Sequence[Sequence[Operand]]], NDArray[Any]]
"""What an image layer takes: an image (nested lists) or a numpy array, (C, H, W) for
one image or (N, C, H, W) for a batch."""

VectorSequence = list[Vector]
"""A sequence: one vector per time step."""

SequenceInput = Union[Sequence[Sequence[Operand]], NDArray[Any]]
"""What a recurrent layer takes: a sequence of vectors or a numpy array, (T, features)
for one sequence or (T, N, features) for a batch ((N, T, features) with
``batch_first``)."""

Nested = Union[Value, list["Nested"]]
"""Values at any depth of nested lists: a Value, a vector, an image, a sequence."""

NestedInput = Union[Operand, Sequence["NestedInput"], NDArray[Any]]
"""What a shape-agnostic layer (activations, Dropout, Flatten) takes: Values or numbers
in nested lists of any depth, or a numpy array whose axis 0 is the batch."""

Generator = Union[np.random.Generator, int, None]
"""A random source: a numpy Generator, a non-negative int seed, or None (the default
generator, ``nn.manual_seed``)."""

PathLike = Union[str, os.PathLike[str]]
"""A file name: a string or a ``pathlib.Path``."""

StateDict = Mapping[str, ArrayLike]
"""Dotted names to array-likes (numpy arrays, nested lists, CPU torch tensors)."""

Target = Union[ArrayLike, Value, Sequence[Any]]
"""A loss's target: a number or an array (one per example), a Value, or a list of
either, one per predicted element."""

LossFunction = Callable[..., Value]
"""A loss: ``loss_fn(prediction, target) -> Value``."""

State = tuple[Vector, ...]
"""A recurrent state: (h,) for RNN and GRU, (h, c) for the LSTM, one vector each."""

StateInput = Union[VectorInput, Sequence[VectorInput], "tuple[Any, ...]", None]
"""A recurrent module's initial state ``hx``: None (zeros), one part (a cell's vector;
a layer's num_layers * num_directions vectors, or an array of them), or a tuple of the
parts ((h_0, c_0) for an LSTM)."""

FinalState = Union[list[Vector], "tuple[list[Vector], ...]"]
"""What a recurrent layer returns as h_n: one vector per layer and direction, or for
an LSTM the tuple (h_n, c_n) of such lists."""


class OptimizerLike(Protocol):
    """What ``fit`` steps: anything with ``zero_grad()`` and ``step()`` (an optim
    optimizer)."""

    def zero_grad(self) -> None:
        """Set every parameter's grad to zero."""

    def step(self) -> Any:
        """Update every parameter from its grad."""


class MetricWatcher(Protocol):
    """What ``fit`` takes as early stopping besides a function: an object whose
    ``step(metric)`` says whether to stop (``optim.EarlyStopping``)."""

    def step(self, metric: float) -> bool:
        """Record this epoch's metric; True means stop."""

"""Fully connected layers: Linear (y = W x + b, one affine node per output) and the MLP
that stacks them with activations between."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, Sequence, Union

import numpy as np

from autodiff import Value, affine

from . import init
from ._types import Generator, Operand, Vector, VectorInput
from .activations import make_activation
from .batchnorm import BatchNorm1d
from .module import Module, Sequential
from .parameter import Parameter
from .regularization import Dropout
from .values import as_vector, check_sizes


def linear(x: Sequence[Operand], weight: Parameter | Sequence[Sequence[Operand]],
           bias: Parameter | Sequence[Value] | None = None) -> Vector:
    """y_i = sum_j W_ij x_j + b_i for a vector ``x`` and a weight given row by row
    (a Parameter out x in, or nested lists of Values). Each y_i is one ``affine`` node
    with in (+1) weight edges and in input edges: d y_i / d W_ij = x_j,
    d y_i / d x_j = W_ij, d y_i / d b_i = 1."""
    if bias is None:
        return [affine(row, x) for row in weight]
    return [affine(row, x, b) for row, b in zip(weight, bias)]


class Linear(Module):
    """Fully connected layer, as ``torch.nn.Linear``: y = W x + b.

    ``weight``: out_features x in_features, ``bias``: out_features (or None with
    ``bias=False``). Default initialisation as torch: W and b from
    U(-1/sqrt(in_features), 1/sqrt(in_features)) (kaiming_uniform with a = sqrt(5)).
    Input: a vector of in_features Values (floats for one example, arrays for a batch)
    or a numpy array (one example, or examples x features).
    """

    bias: Parameter | None

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 generator: Generator = None) -> None:
        in_features, out_features = check_sizes("Linear", in_features=in_features,
                                                out_features=out_features)
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.zeros((self.out_features, self.in_features)))
        self.register_parameter("bias", Parameter(np.zeros(self.out_features)) if bias else None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator: Generator = None) -> None:
        """Torch's default: weight by kaiming_uniform(a=sqrt(5)), bias from
        U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        generator = init.as_generator(generator, "Linear")
        init.kaiming_uniform(self.weight, a=math.sqrt(5.0), generator=generator)
        if self.bias is not None:
            init.fan_in_uniform(self.bias, self.in_features, generator=generator)

    def forward(self, x: VectorInput) -> Vector:
        """y_i = sum_j W_ij x_j + b_i."""
        return linear(as_vector(x, self, self.in_features), self.weight, self.bias)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class MLP(Sequential):
    """Multi-layer perceptron: for sizes [n0, n1, ..., nL], Linear(n0, n1), then per
    hidden layer [BatchNorm1d] -> activation -> [Dropout] -> Linear(n_i, n_i+1); the
    last layer's outputs are left linear (logits, or a regression output).

    It is a Sequential, so state dict keys are ``"0.weight"``, ``"0.bias"``,
    ``"2.weight"``, ... exactly as the equivalent ``torch.nn.Sequential``.
    ``activation``: a name in ``nn.ACTIVATIONS`` ("relu", "tanh", "gelu", "silu", ...) or a
    Module class / factory (``lambda: nn.GELU(approximate="tanh")``). ``generator`` seeds
    the Linear layers (and Dropout masks).
    """

    def __init__(self, sizes: Sequence[int],
                 activation: Union[str, Callable[[], Module]] = "relu",
                 batch_norm: bool = False, dropout: float = 0.0,
                 generator: Generator = None) -> None:
        sizes = list(sizes) if isinstance(sizes, (list, tuple)) else sizes
        if not isinstance(sizes, list) or len(sizes) < 2:
            raise ValueError(f"MLP: sizes must be at least two positive integers "
                             f"[inputs, ..., outputs], got {sizes!r}")
        sizes = check_sizes("MLP", **{f"sizes[{i}]": n for i, n in enumerate(sizes)})
        super().__init__()
        generator = init.as_generator(generator, "MLP")
        self.sizes = sizes
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if index > 0:
                if batch_norm:
                    self.append(BatchNorm1d(fan_in))
                self.append(make_activation(activation))
                if dropout:
                    self.append(Dropout(dropout, generator=generator))
            self.append(Linear(fan_in, fan_out, generator=generator))

"""Regularisation (notes section 5): Dropout, and the weight-decay penalties to add to a
loss, L2 (ridge) and L1 (lasso)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence, Union

from autodiff import Value, abs as abs_value, affine, constant
from autodiff import sum as sum_values
from autodiff.checks import check_number, check_probability

from ._types import Generator, Nested, NestedInput
from .init import child_generator, renamed_seed
from .module import Module
from .parameter import Parameter
from .values import as_nested, map_values


class Dropout(Module):
    """Inverted dropout, as ``torch.nn.Dropout``.

    Training: y = x * m / (1 - p), m ~ Bernoulli(1 - p) drawn independently for every
    unit (and, for a batched Value, for every example: the mask is an array), so
    E[y] = x and d y / d x = m / (1 - p). Evaluation: y = x.

    ``generator``: an int (the masks are reproducible), a numpy Generator (used as the
    layer's own), or None (seeded from the default generator: ``nn.manual_seed``).
    The layer's ``generator`` attribute may be replaced to replay masks. ``seed`` is
    the deprecated name of ``generator``.
    """

    def __init__(self, p: float = 0.5, generator: Generator = None, *,
                 seed: Generator = None) -> None:
        p = check_probability("Dropout", "p", p)
        generator = renamed_seed("Dropout", generator, seed)
        super().__init__()
        self.p = p
        self.generator = child_generator(generator, "Dropout")

    def forward(self, x: NestedInput) -> Nested | NestedInput:
        """x * m / (1 - p) elementwise in training mode, x in evaluation mode."""
        if not self.training or self.p == 0.0:
            return x
        return map_values(self._drop, as_nested(x, self))

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def _drop(self, value):
        keep = 1.0 - self.p
        data = value.data if isinstance(value, Value) else value
        size = None if type(data) is float or not hasattr(data, "__len__") else len(data)
        scale = 1.0 / keep if keep > 0.0 else 1.0

        def mask():   # m / (1 - p); a compiled step draws it anew on every replay
            return (self.generator.random(size) < keep) * scale
        return value * constant(mask)

    def extra_repr(self) -> str:
        return f"p={self.p}"


Weights = Union[Module, Parameter, Value, Sequence[Union[Module, Parameter, Value]]]
"""What a penalty sums over: a Module's parameters, a Parameter, a Value, or a list of them."""


def _leaves(parameters, penalty):
    """The leaf Values of a Module, a Parameter, a Value, or a list of any of these."""
    if isinstance(parameters, Module):
        return parameters.parameters()
    if isinstance(parameters, Parameter):
        return parameters.values()
    if isinstance(parameters, Value):
        return [parameters]
    if isinstance(parameters, (list, tuple)):
        return [leaf for item in parameters for leaf in _leaves(item, penalty)]
    raise TypeError(f"{penalty}: expected a Module, Parameter, Value or a list of them, "
                    f"got {type(parameters).__name__}")


def l2_penalty(parameters: Weights, weight_decay: float = 1.0) -> Value:
    """(weight_decay / 2) sum_i w_i^2; d/dw_i = weight_decay w_i, so adding it to the
    loss gives the update of SGD with ``weight_decay``. Pass the weights to decay (a
    model's biases are usually left out: ``[p for n, p in model.named_parameters() if
    n.endswith("weight")]``)."""
    leaves = _leaves(parameters, "l2_penalty")
    decay = check_number("l2_penalty", "weight_decay", weight_decay, minimum=0.0)
    if not leaves:
        raise ValueError("l2_penalty: no parameters given")
    return (0.5 * decay) * affine(leaves, leaves)  # sum_i w_i w_i as one node


def l1_penalty(parameters: Weights, strength: float = 1.0) -> Value:
    """strength * sum_i |w_i|; d/dw_i = strength * sign(w_i): pushes weights to exactly 0
    (sparse weights)."""
    leaves = _leaves(parameters, "l1_penalty")
    strength = check_number("l1_penalty", "strength", strength, minimum=0.0)
    if not leaves:
        raise ValueError("l1_penalty: no parameters given")
    return strength * sum_values([abs_value(w) for w in leaves])

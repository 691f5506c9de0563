"""Gradient clipping, against exploding gradients (notes section 7): rescale or cut the
grads after backward and before ``optimizer.step()``. Grads are replaced
(``p.grad = ...``), never changed in place; grads that live in a compiled step's flat
vector (``autodiff.parameter_slots``) are read and written there, in one piece."""
from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np

from autodiff import parameter_slots
from autodiff.checks import check_flag, check_number

from autodiff import Value

from ._types import FlatVector
from .parameters import flat_grads, parameter_list, sizes_of, write_flat

NORM_EPSILON = 1e-6     # keeps max_norm / (norm + eps) finite for an all-zero gradient


def clip_grad_norm(params: Value | Iterable[Value], max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False) -> float:
    """Scale all grads together so that their joint norm is at most ``max_norm``::

        norm = (sum over every grad entry of |g|^p)^(1/p)     (p = norm_type; inf: max |g|)
        g <- g * max_norm / (norm + eps)       when that factor is below 1, eps = 1e-6

    (the eps as in ``torch.nn.utils.clip_grad_norm_``). The direction of the whole
    gradient is kept. Returns the norm before clipping, a float. A non-finite norm
    raises ValueError when ``error_if_nonfinite``; otherwise, as in PyTorch, the factor
    is 0 (inf) or NaN and the grads become 0 or NaN (then ``optimizer.step()`` refuses
    to step with them and says so). ``max_norm`` must be a finite number >= 0 and
    ``norm_type`` a number > 0 or ``math.inf``: anything else (NaN included) is a
    ValueError naming the argument, and no grad is changed."""
    values = parameter_list(params, "clip_grad_norm")
    max_norm = check_number("clip_grad_norm", "max_norm", max_norm, minimum=0)
    norm_type = check_number("clip_grad_norm", "norm_type", norm_type, minimum=0,
                             minimum_open=True, finite=False)
    check_flag("clip_grad_norm", "error_if_nonfinite", error_if_nonfinite)
    if not values:
        return 0.0
    grads, write_grads = _grads_of(values, "clip_grad_norm")
    magnitudes = np.abs(grads)
    if norm_type == math.inf:
        norm = float(magnitudes.max())
    elif norm_type == 2:
        norm = float(np.sqrt(np.dot(magnitudes, magnitudes)))
    else:
        norm = float(np.sum(magnitudes ** norm_type) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(norm):
        raise ValueError(f"clip_grad_norm: the gradient norm is {norm}; some grad is inf "
                         "or NaN")
    factor = max_norm / (norm + NORM_EPSILON)
    if not factor >= 1.0:
        with np.errstate(invalid="ignore"):     # inf * 0: NaN, documented above
            grads = grads * factor
        write_grads(grads)
    return norm


def clip_grad_value(params: Value | Iterable[Value], clip_value: float) -> None:
    """Cut every grad entry to [-clip_value, clip_value]:  g <- min(max(g, -c), c).
    Unlike ``clip_grad_norm`` this can change the gradient's direction. ``clip_value``
    must be a finite number > 0 (anything else is a ValueError naming it)."""
    values = parameter_list(params, "clip_grad_value")
    clip_value = check_number("clip_grad_value", "clip_value", clip_value, minimum=0,
                              minimum_open=True)
    if values:
        grads, write_grads = _grads_of(values, "clip_grad_value")
        write_grads(np.clip(grads, -clip_value, clip_value))


def _grads_of(values: list[Value],
              owner: str) -> tuple[FlatVector, Callable[[FlatVector], None]]:
    """(the grads of ``values`` as one vector, a function writing a new vector back):
    from a compiled step's flat vector when it owns them all, else Value by Value."""
    slots = parameter_slots(values)
    if slots is not None:
        return slots.grad(), slots.set_grad
    sizes = sizes_of(values)
    return flat_grads(values, sizes, owner), lambda grads: write_flat(values, sizes, grads,
                                                                       "grad")


"""Gradient clipping, against exploding gradients (notes section 7): rescale or cut the
grads after backward and before ``optimizer.step()``. Grads are replaced
(``p.grad = ...``), never changed in place."""
import math
import numbers

import numpy as np

from .parameters import flat_grads, parameter_list, sizes_of, write_flat


def clip_grad_norm(params, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all grads together so that their joint norm is at most ``max_norm``::

        norm = (sum over every grad entry of |g|^p)^(1/p)     (p = norm_type; inf: max |g|)
        g <- g * max_norm / (norm + 1e-6)      when that factor is below 1

    (the 1e-6 as in ``torch.nn.utils.clip_grad_norm_``). The direction of the whole
    gradient is kept. Returns the norm before clipping, a float. A non-finite norm
    raises ValueError when ``error_if_nonfinite``; otherwise, as in PyTorch, the factor
    is 0 (inf) or NaN and the grads become 0 or NaN (then ``optimizer.step()`` refuses
    to write NaN into the parameters and says so)."""
    values = parameter_list(params, "clip_grad_norm")
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real) or max_norm < 0:
        raise ValueError(f"clip_grad_norm: max_norm must be a number >= 0, got {max_norm!r}")
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) or norm_type <= 0:
        raise ValueError(f"clip_grad_norm: norm_type must be a number > 0 or math.inf, "
                         f"got {norm_type!r}")
    if not values:
        return 0.0
    sizes = sizes_of(values)
    grads = flat_grads(values, sizes, "clip_grad_norm")
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
    factor = max_norm / (norm + 1e-6)
    if not factor >= 1.0:
        with np.errstate(invalid="ignore"):     # inf * 0: NaN, documented above
            grads = grads * factor
        write_flat(values, sizes, grads, "grad")
    return norm


def clip_grad_value(params, clip_value):
    """Cut every grad entry to [-clip_value, clip_value]:  g <- min(max(g, -c), c).
    Unlike ``clip_grad_norm`` this can change the gradient's direction."""
    values = parameter_list(params, "clip_grad_value")
    if isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real) \
            or not clip_value > 0:
        raise ValueError(f"clip_grad_value: clip_value must be a number > 0, "
                         f"got {clip_value!r}")
    if values:
        sizes = sizes_of(values)
        grads = flat_grads(values, sizes, "clip_grad_value")
        write_flat(values, sizes, np.clip(grads, -clip_value, clip_value), "grad")


"""Functions composed from primitives, so their graphs can be drawn and checked.

The stable forms subtract the largest input (a constant, per example) before ``exp``:
the result is the same function, and exp never overflows.
"""
import functools

import numpy as np

from .errors import check_batch_lengths
from .primitives import abs, exp, log, maximum, sum
from .value import Value


def _values(xs, op):
    values = [x if isinstance(x, Value) else Value(x) for x in xs]
    if not values:
        raise ValueError(f"{op}: needs at least one value, got an empty sequence")
    check_batch_lengths(op, *[v.data for v in values])
    return values


def _largest(values):
    """The per-example maximum of the inputs, as a constant leaf (no gradient: the
    shift it makes cancels out of logsumexp, log_softmax and softmax)."""
    largest = functools.reduce(np.maximum, [v.data for v in values])
    return Value(float(largest) if np.ndim(largest) == 0 else largest, requires_grad=False)


def logsumexp(xs):
    """log(sum_i e^{x_i}) = m + log(sum_i e^{x_i - m}), m = max_i x_i; d/dx_i = softmax_i."""
    values = _values(xs, "logsumexp")
    m = _largest(values)
    return m + log(sum([exp(x - m) for x in values]))


def log_softmax(xs):
    """log_softmax_i = x_i - logsumexp(x); d/dx_j = [i = j] - softmax_j."""
    values = _values(xs, "log_softmax")
    lse = logsumexp(values)
    return [x - lse for x in values]


def softmax(xs):
    """softmax_i = e^{x_i - m} / sum_j e^{x_j - m}; d s_i/d x_j = s_i([i = j] - s_j),
    a full Jacobian (diag(s) - s s^T)."""
    values = _values(xs, "softmax")
    m = _largest(values)
    exps = [exp(x - m) for x in values]
    total = sum(exps)
    return [e / total for e in exps]


def softplus(x):
    """log(1 + e^x) = max(x, 0) + log(1 + e^{-|x|}); d/dx = sigmoid(x)."""
    return maximum(x, 0.0) + log(1.0 + exp(-abs(x)))


def mean(xs):
    """(x_1 + ... + x_n) / n; d/dx_i = 1/n."""
    values = _values(xs, "mean")
    return sum(values) / len(values)


def dot(a, b):
    """sum_i a_i b_i; d/da_i = b_i, d/db_i = a_i."""
    if len(a) != len(b):
        raise ValueError(f"dot: vectors have different lengths ({len(a)} and {len(b)})")
    return sum([x * y for x, y in zip(a, b)])

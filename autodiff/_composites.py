"""Functions composed from primitives, so their graphs can be drawn and checked.

The stable forms subtract the largest input m (per example) before ``exp``: the result
is the same function, and exp never overflows. m enters the graph through
``stop_gradient``: its derivative is 0 (the shift cancels out), and a replay of the
graph recomputes it from the inputs.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

from ._data import check_batch_lengths
from ._operations import exp, log, max, stop_gradient, sum
from ._types import Operand, Vector
from ._value import Value


def _values(xs: Sequence[Operand], op: str) -> list[Value]:
    values = [x if isinstance(x, Value) else Value(x, requires_grad=False) for x in xs]
    if not values:
        raise ValueError(f"{op}: needs at least one value, got an empty sequence")
    check_batch_lengths(op, *[v.data for v in values])
    return values


def _largest(values: Sequence[Value]) -> Value:
    """The per-example maximum of the inputs, as a constant of the graph (stop_gradient)."""
    return stop_gradient(max(values))


def _infinite_result(values: Sequence[Value], op: str) -> Value | None:
    """log(sum e^x) when the largest input is +-inf: that input (there is nothing to
    shift by); None when every largest input is finite."""
    largest = functools.reduce(np.maximum, [v.data for v in values])
    if np.ndim(largest) == 0:
        return Value(float(largest), requires_grad=False) if math.isinf(largest) else None
    if np.isinf(largest).any():
        raise ValueError(f"{op}: an example's largest input is infinite "
                         f"({float(np.asarray(largest)[np.isinf(largest)][0])}); the result would be "
                         "that infinity, with no gradient")
    return None


def logsumexp(xs: Sequence[Operand]) -> Value:
    """log(sum_i e^{x_i}) = m + log(sum_i e^{x_i - m}), m = max_i x_i; d/dx_i = softmax_i.
    Infinite inputs give what the limit gives: [-inf, -inf] -> -inf, [inf, 0] -> inf."""
    values = _values(xs, "logsumexp")
    infinite = _infinite_result(values, "logsumexp")
    if infinite is not None:
        return infinite
    m = _largest(values)
    return m + log(sum([exp(x - m) for x in values]))


def log_softmax(xs: Sequence[Operand]) -> Vector:
    """log_softmax_i = (x_i - m) - log(sum_j e^{x_j - m}); d/dx_j = [i = j] - softmax_j.
    (x_i - m) is exact, so the result keeps its digits even for inputs like 1e16."""
    values = _values(xs, "log_softmax")
    m = _largest(values)
    shifted = [x - m for x in values]
    log_total = log(sum([exp(s) for s in shifted]))
    return [s - log_total for s in shifted]


def softmax(xs: Sequence[Operand]) -> Vector:
    """softmax_i = e^{x_i - m} / sum_j e^{x_j - m}; d s_i/d x_j = s_i([i = j] - s_j),
    a full Jacobian (diag(s) - s s^T)."""
    values = _values(xs, "softmax")
    m = _largest(values)
    exps = [exp(x - m) for x in values]
    total = sum(exps)
    return [e / total for e in exps]


def mean(xs: Sequence[Operand]) -> Value:
    """(x_1 + ... + x_n) / n; d/dx_i = 1/n."""
    values = _values(xs, "mean")
    return sum(values) / len(values)


def dot(a: Sequence[Value | float], b: Sequence[Value | float]) -> Value:
    """sum_i a_i b_i; d/da_i = b_i, d/db_i = a_i."""
    if len(a) != len(b):
        raise ValueError(f"dot: vectors have different lengths ({len(a)} and {len(b)})")
    return sum([x * y for x, y in zip(a, b)])

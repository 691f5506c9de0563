"""Checking the engine's gradients against central differences."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._gradients import gradients
from ._local_check import LocalMismatch, local_mismatches
from ._mode import no_grad
from ._nesting import differentiating
from ._types import Function
from ._value import Value


class GradcheckResult:
    """The largest disagreement between engine and numeric gradients.

    ``max_error`` = max |analytic - numeric| / max(1, |numeric|) over every input (and
    every example of a batched input); ``where`` = (input index, example index or None);
    ``analytic`` and ``numeric`` are the two gradients there. True when within ``tol``.
    A NaN or an infinity anywhere (the output, either gradient) is a failure: its error
    is inf, and ``where`` says where it first appeared.

    ``suspects`` (on a failure): the nodes whose primitive's rule disagrees with central
    differences of that primitive's own forward, the worst first, each naming the
    primitive and the operand (``LocalMismatch``): where the wrong derivative is.
    """

    def __init__(self, max_error: float, where: tuple[int, int | None] | None,
                 analytic: float | None, numeric: float | None, tol: float,
                 suspects: Sequence[LocalMismatch] = ()) -> None:
        self.max_error = max_error
        self.where = where
        self.analytic = analytic
        self.numeric = numeric
        self.tol = tol
        self.suspects = list(suspects)

    @property
    def ok(self) -> bool:
        """True when the engine and central differences agree within ``tol``."""
        return math.isfinite(self.max_error) and self.max_error <= self.tol

    __bool__ = lambda self: self.ok  # noqa: E731

    def __repr__(self) -> str:
        suspect = f", wrong rule: {self.suspects[0]}" if self.suspects else ""
        return (f"GradcheckResult(ok={self.ok}, max_error={self.max_error:.3g}, "
                f"where={self.where}, analytic={self.analytic!r}, numeric={self.numeric!r}"
                f"{suspect})")


def _total(output: Value) -> float:
    data = output.data
    return data if type(data) is float else float(np.sum(data))


def gradcheck(f: Function, xs: Sequence[Any], eps: float = 1e-6, tol: float = 1e-6
              ) -> GradcheckResult:
    """Compare d f(xs) / d xs from backward with central differences
    (f(x + eps) - f(x - eps)) / (2 eps), input by input.

    ``xs``: numbers, 1-D arrays (batched inputs) or leaf Values (for instance a model's
    parameters), passed to ``f`` as one list. A batched output is summed over the batch.
    """
    values = [x if isinstance(x, Value) else Value(x) for x in xs]
    with differentiating("gradcheck"):   # a grad or jvp inside f gives a graph to check
        output = f(values)
    if not isinstance(output, Value):
        raise TypeError(f"gradcheck: the function must return a Value, got {output!r}")
    if not math.isfinite(_total(output)):
        return GradcheckResult(math.inf, None, None, _total(output), tol)
    seed = None if type(output.data) is float else np.ones_like(output.data)
    analytic = gradients(output, values, grad=seed)
    worst: tuple[float, tuple[int, int | None] | None, float | None, float | None] = (
        -1.0, None, None, None)
    with no_grad():
        for index, value in enumerate(values):
            original = value.data
            examples = range(len(original)) if isinstance(original, np.ndarray) else [None]
            for example in examples:
                def shifted(delta: float) -> float:
                    if example is None:
                        value.data = original + delta
                    else:
                        moved = np.array(original)          # a copy, one entry moved
                        moved[example] += delta
                        value.data = moved
                    return _total(f(values))
                try:
                    numeric = (shifted(eps) - shifted(-eps)) / (2 * eps)
                finally:
                    value.data = original
                engine = analytic[index] if example is None else (
                    analytic[index][example] if np.ndim(analytic[index]) else analytic[index])
                engine = float(engine)
                finite = math.isfinite(engine) and math.isfinite(numeric)
                error = abs(engine - numeric) / max(1.0, abs(numeric)) if finite else math.inf
                if error > worst[0] or (not finite and math.isfinite(worst[0])):
                    worst = (error, (index, example), engine, numeric)
    result = GradcheckResult(*worst, tol=tol)
    if not result.ok:
        result.suspects = local_mismatches(output, eps, max(tol, 1e-4))
    return result

"""Early stopping (notes section 10): stop training when the validation metric stops
improving, and go back to the parameters that gave its best value."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from autodiff import Value
from autodiff.checks import check_flag, check_number

from .parameters import parameter_list


class EarlyStopping:
    """Watch a metric (validation loss by default) once per epoch::

        improved  <=>  metric < best - min_delta      (mode="min"; "max": > best + min_delta)

    On improvement, remember the metric and a copy of every parameter's data. After
    ``patience`` checks in a row without improvement, ``step`` returns True (stop) and,
    with ``restore_best`` (the default), writes the remembered data back into the
    parameters. A NaN metric never counts as an improvement. Usage::

        stopper = EarlyStopping(model.parameters(), patience=5, min_delta=1e-4)
        for epoch in range(1000):
            train_one_epoch()
            if stopper.step(validation_loss()):
                break               # parameters are now those of epoch stopper.best_step
    """

    def __init__(self, params: Value | Iterable[Value], patience: int, min_delta: float = 0.0,
                 mode: str = "min", restore_best: bool = True) -> None:
        self.params = parameter_list(params, "EarlyStopping")
        if not self.params:
            raise ValueError("EarlyStopping: empty parameter list")
        self.patience = check_number(self, "patience", patience, minimum=1, integer=True)
        self.min_delta = check_number(self, "min_delta", min_delta, minimum=0)
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.mode = mode
        self.restore_best = check_flag(self, "restore_best", restore_best)
        self.best = math.inf if mode == "min" else -math.inf
        self.best_step: int | None = None   # the check (counted from 1) that gave the best metric
        self.best_data: list[Any] | None = None
        self.steps = 0             # checks so far
        self.bad_steps = 0         # checks in a row without improvement
        self.stopped = False

    def improved(self, metric: float) -> bool:
        """True if ``metric`` beats the best so far by more than min_delta."""
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric: float | Value) -> bool:
        """Record this epoch's metric (a number or an unbatched Value); True means
        stop (and the best parameters have been restored if ``restore_best``)."""
        metric = _number(metric)
        self.steps += 1
        if self.improved(metric):
            self.best, self.best_step, self.bad_steps = metric, self.steps, 0
            self.best_data = [_copy(value.data) for value in self.params]
        else:
            self.bad_steps += 1
        if self.bad_steps >= self.patience and not self.stopped:
            self.stopped = True
            if self.restore_best:
                self.restore()
        return self.stopped

    def restore(self) -> None:
        """Write the best parameters seen so far back into the Values (copies)."""
        if self.best_data is None:
            raise RuntimeError("EarlyStopping.restore: no improvement recorded yet, so "
                               "there are no best parameters to restore")
        for value, data in zip(self.params, self.best_data):
            value.data = _copy(data)


def _number(metric: float | Value) -> float:
    """The metric as a float: a number or an unbatched Value; NaN is allowed (a diverged
    run's loss) and never counts as an improvement."""
    if isinstance(metric, Value):
        metric = metric.item()
    if isinstance(metric, (float, np.floating)) and math.isnan(metric):
        return math.nan
    return check_number("EarlyStopping.step", "the metric", metric, finite=False)


def _copy(data):
    return data if type(data) is float else np.array(data, dtype=np.float64)

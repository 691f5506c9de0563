"""Schedules: a hyper-parameter as a function of the step count.

A schedule sets ``group[name]`` in every param group of an optimizer: for step 0 when
it is made, then for step t after its t-th ``step()`` call. Call ``schedule.step()``
after ``optimizer.step()``, once per epoch or once per batch, as you choose: t counts
those calls. Values are closed-form functions of t (no accumulated rounding).
"""
from __future__ import annotations

import abc
import math
from typing import Any, Callable

from autodiff.checks import check_number

from ._types import Hyperparameter, StateDict
from .optimizer import Optimizer


class Schedule(abc.ABC):
    """Base class: remembers each group's value when made (``base_values``) and sets
    ``group[name] = value(base, t)`` (``value`` is given by each schedule)."""

    def __init__(self, optimizer: Optimizer, name: str = "lr") -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an optim optimizer, got "
                            f"{type(optimizer).__name__}")
        if name not in optimizer.rules:
            raise ValueError(f"{type(self).__name__}: {optimizer.name} has no "
                             f"hyper-parameter {name!r}; it has {', '.join(optimizer.rules)}")
        self.optimizer, self.name = optimizer, name
        self.base_values = [group[name] for group in optimizer.param_groups]
        self.last_step = 0
        self._apply()

    @property
    def owner(self) -> str:
        """How errors name this schedule: its class and settings, e.g.
        ``ExponentialLR(gamma=10000000000.0)``."""
        settings = ", ".join(f"{name}={value!r}" for name, value in self.settings().items())
        return f"{type(self).__name__}({settings})" if settings else type(self).__name__

    def settings(self) -> dict[str, Any]:
        """The schedule's own arguments, by name (besides the optimizer)."""
        return {}

    @abc.abstractmethod
    def value(self, base: Hyperparameter, step: int) -> Hyperparameter:
        """The hyper-parameter at ``step`` for a group whose initial value was ``base``."""

    def step(self) -> None:
        """Advance t by one and set the hyper-parameter for the new t."""
        self.last_step += 1
        self._apply()

    def _apply(self):
        """Set every group's hyper-parameter for ``last_step``; all values are computed
        and checked first, so a bad one (an overflow, a value out of range) is an error
        naming the schedule, the step and the value, and no group is changed."""
        values = []
        where = f"{self.owner} at step {self.last_step}"
        for base in self.base_values:
            try:
                value = self.value(base, self.last_step)
            except (ArithmeticError, TypeError) as error:   # e.g. gamma ** t overflowing
                kind = TypeError if isinstance(error, TypeError) else ValueError
                raise kind(f"{where}: the {self.name} for initial value {base!r} cannot be "
                           f"computed ({type(error).__name__}: {error})") from error
            try:
                values.append(self.optimizer.check_hyperparameter(self.name, value))
            except (TypeError, ValueError) as error:
                raise type(error)(f"{where}: {error}") from None
        for group, value in zip(self.optimizer.param_groups, values):
            group[self.name] = value

    @property
    def values(self) -> list[Hyperparameter]:
        """The current value in each param group."""
        return [group[self.name] for group in self.optimizer.param_groups]

    def state_dict(self) -> StateDict:
        """``{"schedule": class name, "name": ..., "last_step": t, "base_values": [...]}``
        (plain data; a function given to the schedule is not saved: pass it again)."""
        return {"schedule": type(self).__name__, "name": self.name,
                "last_step": self.last_step, "base_values": list(self.base_values)}

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Resume at the saved step: checks that it is the same kind of schedule, with one
        finite base value per param group and a whole last_step >= 0 (each error names
        the entry and its value); nothing is changed when a check fails."""
        owner = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict):
            raise TypeError(f"{owner}: state_dict must be a dict, got "
                            f"{type(state_dict).__name__} {state_dict!r}")
        expected = self.state_dict()
        for key in ("schedule", "name"):
            if state_dict.get(key) != expected[key]:
                raise ValueError(f"{owner}: {key} is {state_dict.get(key)!r}, expected "
                                 f"{expected[key]!r}")
        saved = state_dict.get("base_values")
        if not isinstance(saved, (list, tuple)) or len(saved) != len(self.base_values):
            raise ValueError(f"{owner}: base_values must be a list of "
                             f"{len(self.base_values)} numbers (one per param group), "
                             f"got {saved!r}")
        base_values = [check_number(owner, f"base_values[{index}]", value)
                       for index, value in enumerate(saved)]
        last_step = int(check_number(owner, "last_step", state_dict.get("last_step"),
                                     minimum=0, integer=True))
        previous = self.base_values, self.last_step
        self.base_values, self.last_step = base_values, last_step
        try:
            self._apply()
        except (TypeError, ValueError):
            self.base_values, self.last_step = previous
            raise


def _callable(owner, name, function):
    if not callable(function):
        raise TypeError(f"{type(owner).__name__}: {name} must be a function of the step, "
                        f"got {function!r}")
    return function


class StepLR(Schedule):
    """lr_t = lr_0 * gamma^floor(t / step_size): multiply by gamma every step_size steps
    (``torch.optim.lr_scheduler.StepLR``)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_number(self, "step_size", step_size, minimum=1,
                                      integer=True)
        self.gamma = check_number(self, "gamma", gamma, minimum=0, minimum_open=True)
        super().__init__(optimizer)

    def settings(self) -> dict[str, Any]:
        return {"step_size": self.step_size, "gamma": self.gamma}

    def value(self, base: Hyperparameter, step: int) -> Hyperparameter:
        return base * self.gamma ** (step // self.step_size)


class ExponentialLR(Schedule):
    """lr_t = lr_0 * gamma^t (``torch.optim.lr_scheduler.ExponentialLR``)."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = check_number(self, "gamma", gamma, minimum=0, minimum_open=True)
        super().__init__(optimizer)

    def settings(self) -> dict[str, Any]:
        return {"gamma": self.gamma}

    def value(self, base: Hyperparameter, step: int) -> Hyperparameter:
        return base * self.gamma ** step


class CosineLR(Schedule):
    """Half a cosine from lr_0 down to eta_min over T_max steps
    (``torch.optim.lr_scheduler.CosineAnnealingLR``, whose closed form this is)::

        lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2

    Past T_max the cosine climbs again, as in PyTorch: make T_max the number of steps.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = check_number(self, "T_max", T_max, minimum=1, integer=True)
        self.eta_min = check_number(self, "eta_min", eta_min, minimum=0)
        super().__init__(optimizer)

    def settings(self) -> dict[str, Any]:
        return {"T_max": self.T_max, "eta_min": self.eta_min}

    def value(self, base: Hyperparameter, step: int) -> Hyperparameter:
        cosine = math.cos(math.pi * step / self.T_max)
        return self.eta_min + (base - self.eta_min) * (1 + cosine) / 2


CosineAnnealingLR = CosineLR


class LambdaLR(Schedule):
    """lr_t = lr_0 * factor(t), for any function ``factor`` of the step
    (``torch.optim.lr_scheduler.LambdaLR``); e.g. warm-up:
    ``LambdaLR(optimizer, lambda t: min(1.0, (t + 1) / 10))``."""

    def __init__(self, optimizer: Optimizer, factor: Callable[[int], float]) -> None:
        self.factor = _callable(self, "factor", factor)
        super().__init__(optimizer)

    def value(self, base: Hyperparameter, step: int) -> Hyperparameter:
        return base * self.factor(step)


class ParamSchedule(Schedule):
    """Any hyper-parameter, set to ``value_at(t)`` itself (not a factor), e.g. the
    notes' momentum recipe (0.5 at first, 0.9 later)::

        ParamSchedule(optimizer, "rho", lambda step: 0.5 if step < 100 else 0.9)

    Each value is checked like a constructor argument (rho must stay in [0, 1))."""

    def __init__(self, optimizer: Optimizer, name: str,
                 value_at: Callable[[int], Hyperparameter]) -> None:
        self.value_at = _callable(self, "value_at", value_at)
        super().__init__(optimizer, name)

    def value(self, base: Hyperparameter, step: int) -> Hyperparameter:
        return self.value_at(step)

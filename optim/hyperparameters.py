"""The allowed values of hyper-parameters. An optimizer declares one rule per
hyper-parameter (``rules = {"lr": NON_NEGATIVE, ...}``); the checks themselves are
autodiff's (``check_number``, ``check_flag``), so every error reads
``"<optimizer>: <name> must be ..., got <value>"``. NaN and infinities are never allowed.
"""
from __future__ import annotations

from typing import Union

from autodiff.checks import check_flag, check_number


class Interval:
    """A finite real number with a lower bound and, optionally, an upper one:
    ``low <= value < high`` by default; either end may be open or closed."""

    def __init__(self, low: float, high: float | None = None, low_closed: bool = True,
                 high_closed: bool = False) -> None:
        self.low, self.high = low, high
        self.low_closed, self.high_closed = low_closed, high_closed

    def check(self, owner: object, name: str, value: object) -> float:
        """``float(value)`` if it lies in the interval, else ValueError such as
        ``"Momentum: rho must be a number >= 0 and < 1, got 1.5"``."""
        return check_number(owner, name, value, minimum=self.low, maximum=self.high,
                            minimum_open=not self.low_closed,
                            maximum_open=not self.high_closed)


class Flag:
    """A switch: True or False (``check`` refuses anything else, such as 1 or "yes")."""

    def check(self, owner: object, name: str, value: object) -> bool:
        """``value`` if it is a bool, else ValueError naming the owner and the value."""
        return check_flag(owner, name, value)


NON_NEGATIVE = Interval(0)                   # lr, weight_decay, eps: [0, inf)
POSITIVE = Interval(0, low_closed=False)     # (0, inf)
FRACTION = Interval(0, 1)                    # [0, 1): momentum, decay rates
FLAG = Flag()

Rule = Union[Interval, Flag]
"""What an optimizer declares for each hyper-parameter: its allowed values."""

"""The allowed values of hyper-parameters, checked with errors that name the optimizer,
the hyper-parameter and the offending value."""
import math
import numbers


class Interval:
    """A real number in an interval: ``low <= value < high`` by default; either end may
    be open or closed. ``check`` returns the value as a Python float."""

    def __init__(self, low, high=math.inf, low_closed=True, high_closed=False):
        self.low, self.high = low, high
        self.low_closed, self.high_closed = low_closed, high_closed

    def __contains__(self, value):
        above = value >= self.low if self.low_closed else value > self.low
        below = value <= self.high if self.high_closed else value < self.high
        return above and below

    def __str__(self):
        return (f"{'[' if self.low_closed else '('}{self.low:g}, "
                f"{self.high:g}{']' if self.high_closed else ')'}")

    def check(self, owner, name, value):
        """``float(value)`` if it lies in the interval, else TypeError/ValueError
        ``"<owner>: <name> must be in [0, 1), got 1.5"``."""
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{owner}: {name} must be a number, got "
                            f"{type(value).__name__} {value!r}")
        if value not in self:
            raise ValueError(f"{owner}: {name} must be in {self}, got {value!r}")
        return float(value)


class Flag:
    """A switch: True or False (``check`` refuses anything else, such as 1 or "yes")."""

    def __str__(self):
        return "True or False"

    def check(self, owner, name, value):
        """``value`` if it is a bool, else TypeError naming the owner and the value."""
        if not isinstance(value, bool):
            raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
        return value


NON_NEGATIVE = Interval(0.0)
POSITIVE = Interval(0.0, low_closed=False)
FRACTION = Interval(0.0, 1.0)        # [0, 1): momentum, decay rates
FLAG = Flag()

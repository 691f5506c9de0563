"""Checking the settings users pass (sizes, rates, probabilities): one place, one wording.

Every error reads ``"<owner>: <name> must be <what>, got <value>"``, where the owner is
the function or class the user called (``"Dropout"``, ``"StepLR"``, ``"clip_grad_norm"``).
A bool is never a number here (``True`` is not a learning rate), and NaN or an infinity
is refused unless ``finite=False``.
"""
from __future__ import annotations

import math
import numbers
from typing import Any


def _owner_name(owner: object) -> str:
    return owner if isinstance(owner, str) else type(owner).__name__


def _bound_text(minimum: float | None, maximum: float | None, minimum_open: bool,
                maximum_open: bool) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if minimum_open else '>='} {minimum}")
    if maximum is not None:
        parts.append(f"{'<' if maximum_open else '<='} {maximum}")
    return " and ".join(parts)


def check_number(owner: object, name: str, value: Any, *, minimum: float | None = None,
                 maximum: float | None = None, minimum_open: bool = False,
                 maximum_open: bool = False, integer: bool = False,
                 finite: bool = True) -> float:
    """``value`` as a float (an int when ``integer``), after checking that it is a real
    number (numpy scalars included, bools not) within [minimum, maximum] (or the open
    bounds); otherwise a ValueError ``"owner: name must be ..., got value"``.

    ``owner`` is a name or the object whose type names it."""
    kind = "a whole number" if integer else "a number"
    bounds = _bound_text(minimum, maximum, minimum_open, maximum_open)
    wanted = f"{kind} {bounds}" if bounds else kind
    ok = (isinstance(value, numbers.Integral if integer else numbers.Real)
          and not isinstance(value, bool))
    if ok and not integer:
        ok = not (finite and not math.isfinite(float(value))) and not math.isnan(float(value))
    if ok and minimum is not None:
        ok = value > minimum if minimum_open else value >= minimum
    if ok and maximum is not None:
        ok = value < maximum if maximum_open else value <= maximum
    if not ok:
        raise ValueError(f"{_owner_name(owner)}: {name} must be {wanted}, got {value!r}")
    return int(value) if integer else float(value)


def check_probability(owner: object, name: str, value: Any, *,
                      include_one: bool = True) -> float:
    """A probability in [0, 1] (or [0, 1) without ``include_one``), as a float."""
    return check_number(owner, name, value, minimum=0.0, maximum=1.0,
                        maximum_open=not include_one)


def check_flag(owner: object, name: str, value: Any) -> bool:
    """A bool, as given; otherwise ``"owner: name must be True or False, got value"``."""
    if not isinstance(value, bool):
        raise ValueError(f"{_owner_name(owner)}: {name} must be True or False, got {value!r}")
    return value

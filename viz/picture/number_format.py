"""Numbers as the pictures show them: a chosen precision, a batch as a short summary."""
from __future__ import annotations

import math
import numbers

from typing import TYPE_CHECKING, SupportsFloat

import numpy as np

if TYPE_CHECKING:
    from autodiff import Value


def spelled_out(x: float) -> str | None:
    """The text of a number shown without digits: "nan", "inf", "-inf", and "0" for 0
    and -0 alike; None for every other number."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0.0:
        return "0"
    return None


def format_number(x: SupportsFloat, precision: int = 4) -> str:
    """``x`` with ``precision`` significant digits (``f"{x:.{precision}g}"``); -0 shows
    as 0, and nan / inf are spelled out."""
    x = float(x)
    special = spelled_out(x)
    return special if special is not None else f"{x:.{precision}g}"


def format_data(data: float | np.ndarray | Value, precision: int = 4,
                entries: int = 3) -> str:
    """A Value's data or grad as text: a number as ``format_number``; a batch (1-D array)
    as ``(n,) mean m [x0, x1, x2, …]`` with ``entries`` first entries (0: none), never a
    wall of numbers. A Value (a grad built with ``create_graph``) shows its data."""
    if hasattr(data, "data") and hasattr(data, "parents"):
        data = getattr(data, "data")            # a Value: its numbers
    if isinstance(data, numbers.Real):
        return format_number(data, precision)
    if isinstance(data, np.ndarray) and data.ndim == 0:
        return format_number(data.item(), precision)
    if not isinstance(data, np.ndarray) or data.ndim != 1:
        raise TypeError(f"format_data: expected a number or a 1-D array, got "
                        f"{type(data).__name__} {data!r:.80}")
    summary = f"({data.size},) mean {format_number(np.mean(data), precision)}"
    if entries <= 0:
        return summary
    shown = ", ".join(format_number(x, precision) for x in data[:entries])
    return f"{summary} [{shown}{', …' if data.size > entries else ''}]"

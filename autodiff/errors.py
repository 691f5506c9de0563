"""Turning user input into engine data, with errors that name the operation."""
import math
import numbers

import numpy as np


def describe(data):
    """A short text for a value in an error message (arrays summarised)."""
    if isinstance(data, np.ndarray):
        if data.size <= 4:
            return f"array({np.array2string(data, separator=', ')})"
        return f"array of {data.size} values, first {data[:3].tolist()}"
    return repr(data)


def as_data(value, op="Value"):
    """Convert a number or 1-D sequence of numbers to engine data.

    Numbers become Python floats; 1-D sequences become float64 arrays (a batch: one
    scalar per example). Raises TypeError/ValueError naming ``op`` otherwise.
    """
    if type(value) is float:
        if value != value:
            raise ValueError(f"{op}: data is NaN")
        return value
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, numbers.Real):
        result = float(value)
        if math.isnan(result):
            raise ValueError(f"{op}: data is NaN")
        return result
    if hasattr(value, "data") and hasattr(value, "parents"):
        raise TypeError(f"{op}: data is already a Value ({value!r}); pass the Value "
                        "itself, or its .data for a new leaf")
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{op}: data must be numbers, got {describe(value)}") from error
        if array.ndim == 0:
            return as_data(float(array), op)
        if array.ndim != 1:
            raise ValueError(f"{op}: batched data must be 1-D (one scalar per example), "
                             f"got shape {array.shape}")
        if array.size == 0:
            raise ValueError(f"{op}: batched data is empty")
        if np.isnan(array).any():
            index = int(np.flatnonzero(np.isnan(array))[0])
            raise ValueError(f"{op}: data is NaN at example {index}")
        return array
    raise TypeError(f"{op}: data must be a number or a 1-D sequence of numbers, "
                    f"got {type(value).__name__} {value!r}")


def check_batch_lengths(op, *datas):
    """Raise ValueError if two batched operands have different lengths."""
    length = None
    for data in datas:
        if type(data) is not float:
            if length is None:
                length = len(data)
            elif len(data) != length:
                raise ValueError(f"{op}: batch lengths differ ({length} and {len(data)}); "
                                 "batched operands must hold the same examples")

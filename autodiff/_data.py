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
    text = repr(data)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _is_value(x):
    return hasattr(x, "data") and hasattr(x, "parents")


def _as_float(value, op):
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    try:
        result = float(value)
    except OverflowError:
        raise ValueError(f"{op}: {describe(value)} is too large for a float") from None
    if math.isnan(result):
        raise ValueError(f"{op}: data is NaN")
    return result


def as_data(value, op="Value"):
    """Convert a number or 1-D sequence of numbers to engine data.

    Numbers (Python or numpy, not complex, not strings) become Python floats; 1-D
    sequences become new float64 arrays (a batch: one scalar per example), never a view
    of the caller's array. Raises TypeError/ValueError naming ``op`` otherwise.
    """
    if type(value) is float:
        if value != value:
            raise ValueError(f"{op}: data is NaN")
        return value
    if isinstance(value, (numbers.Real, np.bool_)):
        return _as_float(value, op)
    if _is_value(value):
        raise TypeError(f"{op}: data is already a Value ({value!r}); pass the Value "
                        "itself, or its .data for a new leaf")
    if isinstance(value, (list, tuple, np.ndarray)):
        if isinstance(value, (list, tuple)) and any(_is_value(x) for x in value):
            raise TypeError(f"{op}: data holds Values; pass a list of Values to an "
                            "operation, or their .data for new leaves")
        raw = np.asarray(value) if isinstance(value, np.ndarray) else np.array(value, dtype=object)
        if raw.dtype.kind not in "biuf":              # complex, strings, objects
            if raw.dtype.kind != "O" or not all(
                    isinstance(x, (numbers.Real, np.bool_)) for x in raw.ravel()):
                raise TypeError(f"{op}: data must be real numbers, got {describe(value)}")
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError, OverflowError) as error:
            raise TypeError(f"{op}: data must be real numbers, got {describe(value)}") from error
        if array.ndim == 0:
            return as_data(float(array), op)
        if array.ndim != 1:
            raise ValueError(f"{op}: batched data must be 1-D (one scalar per example), "
                             f"got shape {array.shape}")
        if array.size == 0:
            raise ValueError(f"{op}: batched data is empty (a batch needs at least one example)")
        if np.isnan(array).any():
            index = int(np.flatnonzero(np.isnan(array))[0])
            raise ValueError(f"{op}: data is NaN at example {index}")
        return array
    if isinstance(value, numbers.Number):
        raise TypeError(f"{op}: data must be a real number, got {type(value).__name__} {value!r}")
    raise TypeError(f"{op}: data must be a number or a 1-D sequence of numbers, "
                    f"got {type(value).__name__} {describe(value)}")


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

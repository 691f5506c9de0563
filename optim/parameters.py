"""Parameters as the optimizers see them: lists of leaf Values, their data and grads
flattened into one float64 vector per group, and written back.

A Value's ``data`` is a float or a 1-D array (one scalar per example); flattening gives
a float one entry and an array as many entries as it has, so one vectorised formula
updates both kinds, element by element.
"""
from __future__ import annotations

import operator
import struct
from typing import Any, Iterable, Sequence

import numpy as np

from autodiff import Value
from autodiff.checks import check_number

from ._types import FlatVector, ParamGroup, Params


_get_data, _get_grad = operator.attrgetter("data"), operator.attrgetter("grad")


def parameter_groups(params: Params, owner: str) -> list[ParamGroup]:
    """``params`` as a list of group dicts: an iterable of Values becomes one group
    ``[{"params": [...]}]``; an iterable of dicts is taken as param groups (copied)."""
    if isinstance(params, (Value, dict)):
        kind = "a single Value" if isinstance(params, Value) else "a single dict"
        raise TypeError(f"{owner}: params must be an iterable of Values or a list of "
                        f"param-group dicts, got {kind}; wrap it in a list")
    try:
        items: list[Any] = list(params)
    except TypeError:
        raise TypeError(f"{owner}: params must be an iterable of Values or a list of "
                        f"param-group dicts, got {type(params).__name__}") from None
    if not items:
        raise ValueError(f"{owner}: empty parameter list (no Values to optimize)")
    dicts = [isinstance(item, dict) for item in items]
    if all(dicts):
        return [dict(item) for item in items]
    if any(dicts):
        raise TypeError(f"{owner}: params mixes Values and param-group dicts; pass either "
                        "Values or dicts of the form {'params': [...], 'lr': ...}")
    return [{"params": items}]


def parameter_list(params: Value | Iterable[Value], owner: str, where: str = "") -> list[Value]:
    """``params`` (an iterable of Values, or one Value) as a list of leaf Values;
    TypeError/ValueError naming ``owner`` for anything else."""
    if isinstance(params, Value):
        return [params]
    try:
        values = list(params)
    except TypeError:
        raise TypeError(f"{owner}: {where}params must be an iterable of Values, got "
                        f"{type(params).__name__}") from None
    for index, value in enumerate(values):
        if not isinstance(value, Value):
            hint = "; pass its .values() (its leaf Values)" if callable(
                getattr(value, "values", None)) else ""
            shown = repr(value)
            if not shown.startswith(type(value).__name__):
                shown = f"{type(value).__name__} {shown}"
            raise TypeError(f"{owner}: {where}parameter {index} is not a Value: "
                            f"{shown}{hint}")
        if not value.is_leaf:
            raise ValueError(f"{owner}: {where}parameter {index} {describe(value)} is not a "
                             f"leaf (it was computed by {value.op!r}); optimizers update "
                             "leaves, such as the ones model.parameters() returns")
    return values


def describe(value: Value) -> str:
    """How an error message names a parameter: its label when it has one."""
    return f"{value.label!r}" if value.label else f"(data {_short(value.data)})"


def _short(data):
    return f"{data:.6g}" if type(data) is float else f"array of {len(data)}"


def sizes_of(values: Sequence[Value]) -> list[int]:
    """Entries each Value contributes to the flat vector: 0 for a float (one entry,
    marked 0 to tell it from a length-1 batch), the batch length for an array."""
    return [0 if type(value.data) is float else len(value.data)  # type: ignore[arg-type]
            for value in values]


def offsets_of(sizes: Sequence[int]) -> tuple[list[int], int]:
    """Start of each Value's entries in the flat vector, and the total length."""
    starts = np.cumsum([0] + [max(size, 1) for size in sizes])
    return starts[:-1].tolist(), int(starts[-1])


def flat_grads(values: Sequence[Value], sizes: Sequence[int], owner: str) -> FlatVector:
    """The grads of ``values`` as one float64 vector, checking each one: a number for a
    float parameter (ValueError otherwise), a real array of the same length for a
    batched one; a grad that is missing or is a Value (``backward(create_graph=True)``)
    is a TypeError. NaN and inf are kept: the caller decides what to do with them."""
    if not any(sizes):
        grads = float_grads(values)
        if grads is not None:
            return grads
    pieces = [_checked_grad(values, index, owner) for index in range(len(values))]
    return np.concatenate(pieces) if pieces else np.zeros(0)


def float_grads(values: Sequence[Value]) -> FlatVector | None:
    """The grads of ``values`` (float parameters) as a float64 vector, in one pass, when
    each is a number; else None (``flat_grads`` then says which one is wrong)."""
    return _number_vector([value.grad for value in values])


def _checked_grad(values, index, owner):
    value = values[index]
    grad, data = value.grad, value.data
    name = f"{owner}: parameter {index} {describe(value)}"
    if grad is None:
        raise TypeError(f"{name} has no gradient (grad is None); call backward() on a "
                        "loss that depends on it first")
    if isinstance(grad, Value):
        raise TypeError(f"{name} has a Value as its grad (from backward(create_graph="
                        "True)); use backward() without create_graph before stepping")
    if type(data) is float:
        if isinstance(grad, float):     # NaN and inf too: the optimizer refuses them by name
            return np.array([grad])
        return np.array([check_number(f"{name} (a float)", "grad", grad, finite=False)])
    if not (isinstance(grad, np.ndarray) and grad.shape == data.shape
            and grad.dtype.kind in "fiu"):
        raise TypeError(f"{name} holds a batch of {len(data)} but its grad is "
                        f"{type(grad).__name__} {grad!r}; expected a real array of the same "
                        "length")
    return grad.astype(np.float64)


def flat_data(values: Sequence[Value], sizes: Sequence[int]) -> FlatVector:
    """The data of ``values`` as one float64 vector (the layout ``sizes`` describes)."""
    if not any(sizes):
        return np.array(list(map(_get_data, values)))
    return np.concatenate([np.atleast_1d(value.data) for value in values])


def float_data(values: Sequence[Value], count: int) -> FlatVector | None:
    """The data of ``values`` as a float64 vector, in one pass, when there are ``count``
    of them and each holds a number (a float, or an int or numpy float set since); else
    None (``check_layout`` then says what changed)."""
    if len(values) != count:
        return None
    return _number_vector([value.data for value in values])


def _number_vector(numbers: list[Any]) -> FlatVector | None:
    """``numbers`` (a list) as a float64 vector when each is a number, else None.

    ``sum`` tells, in one pass in C: it adds Python floats and ints (bools too) as
    floats and its total stays a float (a numpy float64 is one too); an array among
    them makes the total an array, a Value (a grad from ``create_graph=True``) makes it
    a Value, and None or a string raise TypeError."""
    try:
        if type(sum(numbers, 0.0)) not in (float, np.float64):
            return None
        vector = np.empty(len(numbers))    # struct packs doubles faster than fromiter
        struct.pack_into(f"{len(numbers)}d", vector.data, 0, *numbers)
    except (TypeError, OverflowError, struct.error):    # an int too large for a float
        return None
    return vector


def check_layout(values: Sequence[Value], sizes: Sequence[int], owner: str,
                 group_index: int) -> None:
    """Raise ValueError if a group's parameters no longer have the sizes they had when
    the optimizer took them (a parameter added, removed, or its batch length changed)."""
    if len(values) != len(sizes):
        raise ValueError(f"{owner}: param group {group_index} now has {len(values)} "
                         f"parameters, it had {len(sizes)} when the optimizer was built; "
                         "use add_param_group() for new parameters")
    if any(sizes) or set(map(type, map(_get_data, values))) != {float}:
        for index, value in enumerate(values):
            if isinstance(value.data, Value):
                raise TypeError(f"{owner}: parameter {index} of group {group_index} holds a "
                                f"Value as its data ({value.data!r}); data is a float or an "
                                "array (take the Value's .data)")
        for index, (size, now) in enumerate(zip(sizes, sizes_of(values))):
            if size != now:
                raise ValueError(f"{owner}: parameter {index} {describe(values[index])} "
                                 f"of group {group_index} changed size from "
                                 f"{_size_text(size)} to {_size_text(now)}")


def _size_text(size):
    return "a float" if size == 0 else f"a batch of {size}"


def write_flat(values: Sequence[Value], sizes: Sequence[int], flat: FlatVector,
               field: str = "data") -> None:
    """Set each Value's ``field`` ("data" or "grad") from ``flat``: a new float or a new
    array (never written into an existing array, which other code may share)."""
    if not any(sizes):
        if field == "data":
            write_float_data(values, flat)
        else:
            list(map(setattr, values, [field] * len(values), flat.tolist()))
        return
    starts, _ = offsets_of(sizes)
    for value, size, start in zip(values, sizes, starts):
        setattr(value, field,
                float(flat[start]) if size == 0 else flat[start:start + size].copy())


def write_float_data(values: Sequence[Value], flat: FlatVector) -> None:
    """data = flat[i] for the i-th Value of ``values`` (float parameters), as new floats:
    one loop of plain attribute writes (faster than ``map(setattr, ...)``). Iterating
    the vector's memoryview (``.data``) makes each float as it is stored, so it takes
    the memory the float it replaces has just given back (``tolist()`` would make them
    all first)."""
    for value, number in zip(values, np.ascontiguousarray(flat, np.float64).data):
        value.data = number


def zero_float_grads(values: Sequence[Value]) -> None:
    """grad = 0.0 for every Value of ``values`` (float parameters: their sizes all 0)."""
    for value in values:
        value.grad = 0.0


def owner_of_entry(sizes: Sequence[int], entry: int) -> int:
    """Index of the parameter that holds entry ``entry`` of the flat vector."""
    starts, _ = offsets_of(sizes)
    return int(np.searchsorted(starts, entry, side="right")) - 1

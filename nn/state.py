"""State dicts on disk and their checks: JSON or .npz (never pickle), errors that say what
is wrong (unknown names, missing names, wrong shapes, unreadable files).

A state dict maps dotted names (``"0.weight"``, ``"layers.1.running_var"``) to numpy
arrays with PyTorch's shapes, so ``{k: v.numpy() for k, v in torch_state.items()}``
loads into the matching chainrule module and the other way round.
"""
from __future__ import annotations

import json
import math
import zipfile
from collections import namedtuple
from pathlib import Path
from typing import Mapping

import numpy as np

from ._types import Array, PathLike, StateDict

Shapes = Mapping[str, "tuple[int, ...]"]
"""Dotted names to the shapes a module holds."""

FORMAT = "chainrule.state_dict"
VERSION = 1
SUFFIXES = (".json", ".npz")

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class StateDictError(ValueError):
    """A state dict or state file that does not fit the module, or cannot be read."""


def _suffix(path, action):
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise StateDictError(f"cannot {action} {str(path)!r}: unknown file type {suffix!r}; "
                             "use a .json or .npz file name")
    return suffix


def _numeric_array(name, value, where):
    try:
        array = np.asarray(value)
    except Exception as error:  # a tensor that needs .detach(), a ragged list, ...
        raise StateDictError(f"{where}: entry {name!r} is not an array ({error})") from error
    if array.dtype.kind not in "biuf":
        raise StateDictError(f"{where}: entry {name!r} must hold numbers, got dtype "
                             f"{array.dtype}")
    return array


def save_state(state: StateDict, path: PathLike) -> None:
    """Write ``state`` (name -> array) to ``path``: ``.npz`` as numpy's archive (one
    ``name.npy`` member per entry, no pickle), ``.json`` as
    ``{"format", "version", "state": {name: {"dtype", "shape", "data"}}}``."""
    suffix = _suffix(path, "save to")
    arrays = {name: _numeric_array(name, value, f"save {path}") for name, value in state.items()}
    if suffix == ".npz":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, array in arrays.items():
                with archive.open(f"{name}.npy", "w") as member:
                    np.lib.format.write_array(member, np.array(array, order="C"),
                                              allow_pickle=False)
        return
    document = {"format": FORMAT, "version": VERSION, "state": {
        name: {"dtype": str(array.dtype), "shape": list(array.shape), "data": array.tolist()}
        for name, array in arrays.items()}}
    Path(path).write_text(json.dumps(document))


def load_state(path: PathLike, expected: Shapes | None = None,
               strict: bool = True) -> dict[str, Array]:
    """Read a state dict written by ``save_state`` (or ``np.savez``): name -> array.

    The file is untrusted: nothing is unpickled, and every entry is checked before any
    data is read. In a ``.npz`` each member's ``.npy`` header (dtype and shape) is read
    first; its dtype must be numeric and its announced size must match the member's
    size. With ``expected`` (name -> shape, what a module holds, as ``Module.load``
    passes), names (with ``strict``) and shapes are checked against it before any array
    is allocated, so a header announcing shape (10**15,) or a small compressed member of
    the wrong shape is refused up front. A JSON entry's numbers must fit its dtype.

    Raises FileNotFoundError for a missing file and StateDictError naming the file and
    the entry for anything else that is wrong.
    """
    suffix = _suffix(path, "load from")
    if not Path(path).is_file():
        raise FileNotFoundError(f"load_state: no such file {str(path)!r}")
    where = f"cannot load {str(path)!r}"
    if suffix == ".npz":
        return _read_npz(path, where, expected, strict)
    try:
        document = json.loads(Path(path).read_text())
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise StateDictError(f"{where}: not valid JSON ({error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT \
            or not isinstance(document.get("state"), dict):
        raise StateDictError(f"{where}: not a chainrule state file (expected a JSON object "
                             f"with \"format\": \"{FORMAT}\" and a \"state\" object)")
    entries = {name: _json_header(where, name, entry)
               for name, entry in document["state"].items()}
    _check_announced(where, expected, {name: shape for name, (_, shape) in entries.items()},
                     strict)
    return {name: _json_array(where, name, dtype, shape, document["state"][name]["data"])
            for name, (dtype, shape) in entries.items()}


def _numeric_dtype(where, name, dtype):
    """``dtype`` as a numpy dtype, if it is a plain number type (bool, int, float)."""
    try:
        dtype = np.dtype(dtype)
    except (TypeError, ValueError) as error:
        raise StateDictError(f"{where}: entry {name!r}: unknown dtype {dtype!r}") from error
    if dtype.hasobject:
        raise StateDictError(f"{where}: entry {name!r} holds pickled Python objects "
                             "(dtype object), which are never loaded")
    if dtype.kind not in "biuf":
        raise StateDictError(f"{where}: entry {name!r}: dtype {dtype} is not numeric")
    return dtype


def _json_header(where, name, entry):
    """(dtype, shape) of a JSON entry, checked."""
    if not isinstance(entry, dict) or not {"dtype", "shape", "data"} <= entry.keys():
        raise StateDictError(f"{where}: entry {name!r} needs \"dtype\", \"shape\" and "
                             "\"data\"")
    dtype = _numeric_dtype(where, name, entry["dtype"])
    shape = entry["shape"]
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise StateDictError(f"{where}: entry {name!r}: shape must be a list of "
                             f"non-negative integers, got {shape!r}")
    return dtype, tuple(shape)


def _json_array(where, name, dtype, shape, data):
    """The array of a JSON entry: nested lists of ``shape`` whose every number fits
    ``dtype`` (an int8 entry of 300, a fraction in an int entry, true or a string in
    a float entry are refused, not wrapped, truncated or converted)."""
    if dtype.kind in "iu":
        limits = np.iinfo(dtype)
        fits = lambda x: type(x) is int and limits.min <= x <= limits.max  # noqa: E731
        kind = f"integers in [{limits.min}, {limits.max}]"
    elif dtype.kind == "f":
        largest = float(np.finfo(dtype).max)
        fits = lambda x: type(x) in (int, float) and abs(x) <= largest  # noqa: E731
        kind = f"finite numbers of magnitude at most {largest:.4g}"
    else:
        fits = lambda x: type(x) is bool  # noqa: E731
        kind = "true or false"
    leaves = []

    def walk(item, depth):
        if depth == len(shape):
            if not fits(item):
                raise StateDictError(f"{where}: entry {name!r}: {dtype} data must be "
                                     f"{kind}, got {item!r}")
            leaves.append(item)
            return
        if not isinstance(item, list) or len(item) != shape[depth]:
            raise StateDictError(f"{where}: entry {name!r}: data does not have the shape "
                                 f"the file says, {list(shape)}")
        for sub in item:
            walk(sub, depth + 1)

    walk(data, 0)
    return np.array(leaves, dtype=dtype).reshape(shape)


def _read_npz(path, where, expected, strict):
    """The arrays of a .npz archive, every member's header checked (and, with
    ``expected``, matched against it) before any data is read."""
    try:
        with zipfile.ZipFile(path) as archive:
            headers = {}
            for member in archive.infolist():
                if not member.filename.endswith(".npy"):
                    raise StateDictError(f"{where}: member {member.filename!r} is not a "
                                         ".npy array")
                name = member.filename[:-len(".npy")]
                headers[name] = (member, *_npy_header(archive, member, where, name))
            _check_announced(where, expected,
                             {name: shape for name, (_, shape, _) in headers.items()}, strict)
            arrays = {}
            for name, (member, shape, dtype) in headers.items():
                with archive.open(member) as stream:
                    array = np.lib.format.read_array(stream, allow_pickle=False)
                if array.shape != shape or array.dtype != dtype:    # read what was checked
                    raise StateDictError(f"{where}: entry {name!r} changed while reading")
                arrays[name] = array
            return arrays
    except StateDictError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, AttributeError) as error:
        raise StateDictError(f"{where}: not a valid .npz archive without pickled data "
                             f"({error})") from error


def _npy_header(archive, member, where, name):
    """(shape, dtype) from a member's .npy header, read without touching its data; the
    dtype must be numeric and the announced size must be the member's size."""
    with archive.open(member) as stream:
        try:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
            else:
                raise ValueError(f"unsupported .npy format version {version}")
        except ValueError as error:
            raise StateDictError(f"{where}: entry {name!r}: unreadable .npy header "
                                 f"({error})") from error
        header_size = stream.tell()
    dtype = _numeric_dtype(where, name, dtype)
    announced = math.prod(shape) * dtype.itemsize
    if announced != member.file_size - header_size:
        raise StateDictError(f"{where}: entry {name!r}: the header announces shape "
                             f"{shape} ({announced} bytes) but the member holds "
                             f"{member.file_size - header_size} bytes")
    return tuple(shape), dtype


def _check_announced(where, expected, shapes, strict):
    """StateDictError listing every name and shape in the file that does not fit
    ``expected`` (nothing is checked when it is None)."""
    if expected is None:
        return
    problems = _mismatches(expected, shapes, strict)
    if problems:
        raise StateDictError(f"{where}: " + "; ".join(problems)
                             + f". Names this module has: {', '.join(expected) or '(none)'}")


def _mismatches(expected_shapes, shapes, strict):
    """What does not fit: with ``strict`` unknown and missing names; always wrong shapes
    of the names both have."""
    problems = []
    if strict:
        problems += [f"unknown name {name!r}" for name in shapes if name not in expected_shapes]
        problems += [f"missing name {name!r}" for name in expected_shapes if name not in shapes]
    problems += [f"{name!r}: expected shape {tuple(shape)}, got {tuple(shapes[name])}"
                 for name, shape in expected_shapes.items()
                 if name in shapes and tuple(shapes[name]) != tuple(shape)]
    return problems


def check_state(expected_shapes: Shapes, state: StateDict, strict: bool,
                owner: str) -> tuple[dict[str, Array], list[str], list[str]]:
    """Match ``state`` (name -> array-like) against ``expected_shapes`` (name -> shape).

    Returns (arrays for the names both have, missing names, unexpected names). Raises
    one StateDictError listing every problem: with ``strict``, unknown and missing
    names; always, wrong shapes, entries that are not numeric arrays and non-finite
    floats.
    """
    if not hasattr(state, "items"):
        raise StateDictError(f"{owner}.load_state_dict: expected a mapping of names to "
                             f"arrays, got {type(state).__name__}")
    problems: list[str] = []
    arrays: dict[str, Array] = {}
    shapes: dict[str, tuple[int, ...] | None] = {}
    for name in state:
        if name not in expected_shapes:
            shapes[name] = None                  # unknown: only its name matters
            continue
        try:
            arrays[name] = _numeric_array(name, state[name], owner)
            shapes[name] = arrays[name].shape
        except StateDictError as error:
            problems.append(str(error).split(": ", 1)[1])
    problems += _mismatches(expected_shapes, shapes, strict)
    problems += [f"{name!r}: holds NaN or infinite values" for name, array in arrays.items()
                 if array.dtype.kind == "f" and not np.all(np.isfinite(array))]
    if problems:
        known = ", ".join(expected_shapes) or "(none)"
        raise StateDictError(f"{owner}.load_state_dict: " + "; ".join(problems)
                             + f". Names this module has: {known}")
    missing = [name for name in expected_shapes if name not in state]
    unexpected = [name for name in state if name not in expected_shapes]
    return arrays, missing, unexpected

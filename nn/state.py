"""State dicts on disk and their checks: JSON or .npz (never pickle), errors that say what
is wrong (unknown names, missing names, wrong shapes, unreadable files).

A state dict maps dotted names (``"0.weight"``, ``"layers.1.running_var"``) to numpy
arrays with PyTorch's shapes, so ``{k: v.numpy() for k, v in torch_state.items()}``
loads into the matching chainrule module and the other way round.
"""
import json
import zipfile
from collections import namedtuple
from pathlib import Path

import numpy as np

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


def save_state(state, path):
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


def load_state(path):
    """Read a state dict written by ``save_state`` (or ``np.savez``): name -> array.
    Raises FileNotFoundError for a missing file and StateDictError for a file that is
    not a readable state (wrong suffix, corrupt archive, malformed JSON, pickled data)."""
    suffix = _suffix(path, "load from")
    if not Path(path).is_file():
        raise FileNotFoundError(f"load_state: no such file {str(path)!r}")
    if suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as archive:
                return {name: archive[name] for name in archive.files}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, AttributeError) as error:
            raise StateDictError(f"cannot read {str(path)!r}: not a valid .npz archive "
                                 f"without pickled data ({error})") from error
    try:
        document = json.loads(Path(path).read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise StateDictError(f"cannot read {str(path)!r}: not valid JSON ({error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT \
            or not isinstance(document.get("state"), dict):
        raise StateDictError(f"cannot read {str(path)!r}: not a chainrule state file "
                             f"(expected a JSON object with \"format\": \"{FORMAT}\" and a "
                             "\"state\" object)")
    return {name: _json_entry(path, name, entry) for name, entry in document["state"].items()}


def _json_entry(path, name, entry):
    where = f"cannot read {str(path)!r}: entry {name!r}"
    if not isinstance(entry, dict) or not {"dtype", "shape", "data"} <= entry.keys():
        raise StateDictError(f"{where} needs \"dtype\", \"shape\" and \"data\"")
    try:
        dtype = np.dtype(entry["dtype"])
        array = np.array(entry["data"], dtype=dtype)
    except (TypeError, ValueError) as error:
        raise StateDictError(f"{where}: {error}") from error
    if dtype.kind not in "biuf":
        raise StateDictError(f"{where}: dtype {dtype} is not numeric")
    if list(array.shape) != list(entry["shape"]):
        raise StateDictError(f"{where}: data has shape {list(array.shape)}, "
                             f"the file says {entry['shape']}")
    return array


def check_state(expected_shapes, state, strict, owner):
    """Match ``state`` (name -> array-like) against ``expected_shapes`` (name -> shape).

    Returns (arrays for the names both have, missing names, unexpected names). Raises
    one StateDictError listing every problem: with ``strict``, unknown and missing
    names; always, wrong shapes and entries that are not numeric arrays.
    """
    if not hasattr(state, "items"):
        raise StateDictError(f"{owner}.load_state_dict: expected a mapping of names to "
                             f"arrays, got {type(state).__name__}")
    missing = [name for name in expected_shapes if name not in state]
    unexpected = [name for name in state if name not in expected_shapes]
    problems, arrays = [], {}
    if strict:
        problems += [f"unknown name {name!r}" for name in unexpected]
        problems += [f"missing name {name!r}" for name in missing]
    for name, shape in expected_shapes.items():
        if name not in state:
            continue
        try:
            array = _numeric_array(name, state[name], owner)
        except StateDictError as error:
            problems.append(str(error).split(": ", 1)[1])
            continue
        if tuple(array.shape) != tuple(shape):
            problems.append(f"{name!r}: expected shape {tuple(shape)}, got {tuple(array.shape)}")
        elif array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            problems.append(f"{name!r}: holds NaN or infinite values")
        else:
            arrays[name] = array
    if problems:
        known = ", ".join(expected_shapes) or "(none)"
        raise StateDictError(f"{owner}.load_state_dict: " + "; ".join(problems)
                             + f". Names this module has: {known}")
    return arrays, missing, unexpected

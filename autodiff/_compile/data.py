"""The step's own copies of its data arguments while it is traced, and every way of
reading numbers out of them.

A tape replays what its trace recorded: a number that leaves the data outside the
graph would be frozen into the tape and replayed for every batch. So, while a step is
traced (this thread, outside ``constant``'s function):

- a view of a data argument (``xb[:, 0]``, ``xb.T``, ``xb[2]``, a 0-d argument) is a
  ``DataArray`` that remembers its argument: a Value made from it is a data leaf,
  gathered from every call's data;
- one entry (``xb[i, j]``, ``for a, b in xb``, ``xb.tolist()``, ``xb.item(k)``) is a
  ``DataNumber`` that remembers where it was: a Value made from it (``ad.Value(a)``,
  ``w * a``) is a data leaf too;
- anything computed from the data in numpy or Python (``xb.mean()``, ``xb * 2``,
  ``a * 2.0``, ``np.argmax(xb[:, 0])``, a copy) is a DataArray or DataNumber that
  knows the line that computed it. It may be printed; using it in the graph, in a
  decision (``if``, ``bool``, comparisons, ``int``, an index) or as a plain number
  (``float``, ``math.*``, ``np.float64``) raises ``TracingError`` naming that line;
- writing into a data argument (``xb[0] = 1``, ``xb += 1``) raises too;
- one integer or flag of a data argument (a class label read in Python) raises at once.

Inside ``autodiff.constant(function, *data)`` numpy runs freely: every replay calls
the function again on that replay's data.
"""
import linecache
import numbers
import operator
import os
import sys
import threading
from typing import Any, Callable

import numpy as np

from .._mode import TracingError

_AUTODIFF = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PROJECT = os.path.dirname(_AUTODIFF)
# frames of these are never "the user's line": the library and numpy itself
LIBRARY = tuple(os.path.join(_PROJECT, name) + os.sep
                for name in ("autodiff", "nn", "optim", "viz")) + \
    (os.path.dirname(os.path.abspath(np.__file__)) + os.sep,)


class _Watch(threading.local):
    roots = None     # the data buffers of the step this thread traces, else None
    free = 0         # > 0 while a ``constant`` function runs (numpy unwatched)


_watch = _Watch()


def watching():
    """The roots of the data being traced in this thread, or None (not tracing, or
    inside a ``constant`` function)."""
    return None if _watch.free else _watch.roots


class unwatched:
    """Context: numpy on the data runs freely (``constant``'s function)."""

    def __enter__(self):
        _watch.free += 1

    def __exit__(self, *exc_info):
        _watch.free -= 1
        return False


def user_line(frame=None):
    """'file:line: code' of the first frame outside the library (autodiff, nn, optim,
    viz) and numpy, from ``frame`` (default: the caller's) outwards."""
    frame = sys._getframe(1) if frame is None else frame
    while frame is not None and frame.f_code.co_filename.startswith(LIBRARY):
        frame = frame.f_back
    if frame is None:
        return "an unknown line"
    filename, line = frame.f_code.co_filename, frame.f_lineno
    code = linecache.getline(filename, line).strip()
    return f"{filename}:{line}" + (f" `{code}`" if code else "")


class DataTracingError(TracingError, ValueError):
    """A TracingError about data leaving the graph; also a ValueError, as the refusal
    of a batch made outside the graph has always been."""


def refuse(what, origin):
    """Raise DataTracingError: ``what`` (a use) of a number ``origin`` (how it came
    from the data), at the user's line."""
    raise DataTracingError(
        f"compile: {what} at {user_line(sys._getframe(1))}, from {origin}, while tracing: a "
        "compiled tape would freeze this number (or the decision made on it) and replay it "
        "for every batch. Compute it in the graph (Values: ad.batch_mean(...), ad.maximum, "
        "...), or make it with ad.constant(function, *data), which every replay recomputes")


class _Root:
    """One data argument's buffer: where its memory starts and ends."""

    def __init__(self, index, array):
        self.index, self.array = index, array
        self.address = array.__array_interface__["data"][0]
        self.nbytes, self.itemsize, self.dtype = array.nbytes, array.itemsize, array.dtype

    def holds(self, array):
        """True when ``array`` (an ndarray) lies in this buffer, element-aligned."""
        address = array.__array_interface__["data"][0]
        return self.contains(address) and array.dtype == self.dtype and \
            (address - self.address) % self.itemsize == 0

    def contains(self, address):
        """True when the byte ``address`` lies in this buffer."""
        return self.nbytes > 0 and self.address <= address < self.address + self.nbytes


def _root_of(array, roots):
    for root in roots:
        if root.holds(array):
            return root
    return None


def _plain(x):
    """A DataArray as an ordinary ndarray (same memory), a DataNumber as its number."""
    if isinstance(x, DataArray):
        return x.view(np.ndarray)
    if type(x) is DataNumber:
        return x.value
    if type(x) in (list, tuple):
        return type(x)(_plain(item) for item in x)
    return x


def _derived(result, what, roots):
    """A numpy result computed from the data, as a watched DataArray / DataNumber
    (a view of a data argument stays data)."""
    if isinstance(result, np.ndarray):
        array = result.view(DataArray)
        array.root = _root_of(result, roots)
        array.origin = None if array.root is not None else what
        return array
    if isinstance(result, (np.generic, numbers.Number)) and not isinstance(result, np.ndarray):
        value = result.item() if isinstance(result, np.generic) else result
        return DataNumber(value, None, what) if isinstance(value, (int, float)) else result
    if type(result) in (list, tuple):
        return type(result)(_derived(item, what, roots) for item in result)
    return result


def _computed(name):
    return f"numbers computed from the data by {name} at {user_line(sys._getframe(2))}"


def _ufunc(ufunc, method, inputs, kwargs):
    """A ufunc on watched operands: computed on the plain ones, the result watched."""
    roots = watching()
    out = kwargs.get("out")
    if out is not None:
        if roots is not None and any(isinstance(o, DataArray) and o.root is not None and
                                     o.origin is None for o in out):
            refuse(f"writing into a data argument ({ufunc.__name__})",
                   "the step's data (a replay would not write it again)")
        kwargs["out"] = tuple(_plain(o) for o in out)
    result = getattr(ufunc, method)(*[_plain(x) for x in inputs], **kwargs)
    if roots is None:
        return result
    name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
    return _derived(result, _computed(name), roots)


class DataArray(np.ndarray):
    """A compiled step's copy of a data argument (or a view of it, or an array computed
    from it) as the traced function sees it: an ordinary array outside a trace; while
    tracing, numbers read out of it are watched (see the module docstring).
    ``root``: the argument's buffer (None for a computed array); ``origin``: for a
    computed array, where it was computed (None for a view of the data)."""

    def __array_finalize__(self, obj):
        self.root = getattr(obj, "root", None)
        self.origin = getattr(obj, "origin", None)

    def _is_data(self):
        return self.root is not None and self.origin is None and self.root.holds(self)

    def _what(self):
        if self._is_data():
            return f"data argument {self.root.index}"
        if self.origin is not None:
            return self.origin
        return f"a copy of data argument {self.root.index}" if self.root is not None \
            else "a number computed from the data"

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        roots = watching()
        plain_args, plain_kwargs = _plain(args), {k: _plain(v) for k, v in kwargs.items()}
        if roots is None or func in _SHAPE_ONLY:
            return func(*plain_args, **plain_kwargs)
        if func in _WRITES:
            refuse(f"np.{func.__name__} into a data argument", "the step's data")
        return _derived(func(*plain_args, **plain_kwargs), _computed(f"np.{func.__name__}"),
                        roots)

    def __getitem__(self, key):
        result = super().__getitem__(key)
        roots = watching()
        if roots is None or isinstance(result, np.ndarray):
            return result
        return self._entry(result, key)

    def _entry(self, number, key):
        """One entry of the array, read while tracing, as a DataNumber."""
        if isinstance(number, (np.integer, np.bool_)) and self._is_data():
            raise TracingError(
                f"compile: reading one integer of data argument {self.root.index} in "
                f"Python (a class label?), at {user_line(sys._getframe(2))}, would freeze "
                "what it selects (values[label]) into the tape; pass the labels as a "
                "batch, e.g. nn.cross_entropy(scores, yb), or run per-example graphs eagerly")
        source = None
        if self._is_data() and isinstance(number, np.floating):
            element = super().__getitem__((key if type(key) is tuple else (key,)) + (Ellipsis,))
            address = element.__array_interface__["data"][0]
            source = (self.root.index, (address - self.root.address) // self.root.itemsize)
        what = f"data argument {self.root.index}" if source is not None else self._what()
        return DataNumber(number.item(), source, what)

    def __setitem__(self, key, value):
        if watching() is not None and self._is_data():
            refuse("writing into a data argument", "the step's data (a replay would not "
                   "write it again)")
        super().__setitem__(key, _plain(value))

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def tolist(self):
        """Nested lists of the entries (DataNumbers while tracing)."""
        if watching() is None:
            return super().tolist()
        if self.ndim == 0:
            return self[()]
        return [self[index].tolist() if self.ndim > 1 else self[index]
                for index in range(len(self))]

    def item(self, *args):
        """One entry (a DataNumber while tracing)."""
        if watching() is None:
            return super().item(*args)
        if not args:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            index = (0,) * self.ndim
        elif len(args) == 1 and not isinstance(args[0], tuple):
            index = np.unravel_index(operator.index(args[0]), self.shape)
        else:
            index = args[0] if len(args) == 1 else args
        return self[tuple(int(i) for i in index)]

    def _conversion(self, name, convert):
        if watching() is not None:
            refuse(f"{name} of an array", self._what())
        return convert(self.view(np.ndarray))

    def __float__(self):
        return self._conversion("float()", float)

    def __int__(self):
        return self._conversion("int()", int)

    def __index__(self):
        return self._conversion("an index", operator.index)

    def __bool__(self):
        return self._conversion("bool() (a decision)", bool)

    def __complex__(self):
        return self._conversion("complex()", complex)


def _watched_method(name):
    """An ndarray method that does not go through ufuncs, watched while tracing."""
    method = getattr(np.ndarray, name)

    def watched(self, *args, **kwargs):
        roots = watching()
        if roots is None:
            return method(self, *args, **kwargs)
        return _derived(method(self.view(np.ndarray), *_plain(args), **kwargs),
                        _computed(f".{name}()"), roots)
    watched.__name__ = name
    watched.__doc__ = method.__doc__
    return watched


def _writing_method(name):
    """An ndarray method that writes into the array: refused on a data argument."""
    method = getattr(np.ndarray, name)

    def writing(self, *args, **kwargs):
        if watching() is not None and self._is_data():
            refuse(f".{name}() on a data argument", "the step's data (a replay would not "
                   "write it again)")
        return method(self, *args, **kwargs)
    writing.__name__ = name
    writing.__doc__ = method.__doc__
    return writing


for _name in ("argmax", "argmin", "argsort", "nonzero", "searchsorted", "round", "dot",
              "tobytes", "ptp", "trace", "choose", "compress", "cumsum", "cumprod",
              "argpartition", "max", "min", "sum", "mean", "std", "var", "prod", "all",
              "any", "clip", "__round__", "__abs__", "__neg__", "__pos__", "__invert__"):
    if hasattr(np.ndarray, _name):
        setattr(DataArray, _name, _watched_method(_name))
for _name in ("sort", "fill", "put", "partition", "itemset", "resize", "setfield",
              "byteswap"):
    if hasattr(np.ndarray, _name):
        setattr(DataArray, _name, _writing_method(_name))

_SHAPE_ONLY = {np.shape, np.ndim, np.size, np.result_type, np.may_share_memory,
               np.shares_memory, np.iscomplexobj, np.isrealobj}
_WRITES = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal}


def _arithmetic(operation, name, reflected=False):
    def apply(self, other):
        if hasattr(other, "parents") or isinstance(other, np.ndarray):
            return NotImplemented           # Value's operator, or numpy's (watched)
        if not isinstance(other, (numbers.Number, DataNumber)):
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        result = operation(_plain(a), _plain(b))
        roots = watching()
        return result if roots is None else DataNumber(result, None, _computed(name))
    apply.__name__ = name
    return apply


def _unary(operation, name):
    def apply(self):
        result = operation(self.value)
        return result if watching() is None else DataNumber(result, None, _computed(name))
    apply.__name__ = name
    return apply


def _decision(operation, name):
    def apply(self, *other):
        if watching() is not None:
            refuse(name, self.what())
        return operation(self.value, *[_plain(x) for x in other])
    apply.__name__ = name
    return apply


class DataNumber:
    """One number read from a data argument while tracing (``source`` = (argument,
    flat position): a Value made from it is a data leaf), or computed from the data
    (``source`` None: refused wherever it is used). ``value`` is the number."""

    __slots__ = ("origin", "source", "value")

    def __init__(self, value, source, origin):
        self.value, self.source, self.origin = value, source, origin

    def what(self):
        return (f"an entry of {self.origin}" if self.source is not None else self.origin)

    def __repr__(self):
        return repr(self.value)

    def __str__(self):
        return str(self.value)

    def __format__(self, spec):
        return format(self.value, spec)

    def __hash__(self):
        return hash(self.value)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ufunc(ufunc, method, inputs, kwargs)


_SYMBOLS = {"add": "'+'", "sub": "'-'", "mul": "'*'", "truediv": "'/'", "floordiv": "'//'",
            "mod": "'%'", "pow": "'**'", "neg": "'-'", "pos": "'+'"}
_operation: Callable[..., Any]         # each loop below attaches its own kind of operator
for _name, _operation in (("add", operator.add), ("sub", operator.sub),
                          ("mul", operator.mul), ("truediv", operator.truediv),
                          ("floordiv", operator.floordiv), ("mod", operator.mod),
                          ("pow", operator.pow), ("divmod", divmod)):
    _symbol = _SYMBOLS.get(_name, _name)
    setattr(DataNumber, f"__{_name}__", _arithmetic(_operation, _symbol))
    setattr(DataNumber, f"__r{_name}__", _arithmetic(_operation, _symbol, reflected=True))
for _name, _operation in (("neg", operator.neg), ("pos", operator.pos),
                          ("abs", operator.abs)):
    setattr(DataNumber, f"__{_name}__", _unary(_operation, _SYMBOLS.get(_name, _name)))
for _name, _operation, _text in (
        ("float", float, "float()"), ("int", int, "int()"),
        ("index", operator.index, "an index (or int)"), ("bool", bool, "bool() (a decision)"),
        ("complex", complex, "complex()"), ("round", round, "round()"),
        ("trunc", lambda x: int(x), "trunc()"), ("floor", lambda x: x // 1, "floor()"),
        ("ceil", lambda x: -(-x // 1), "ceil()"),
        ("lt", operator.lt, "'<'"), ("le", operator.le, "'<='"), ("gt", operator.gt, "'>'"),
        ("ge", operator.ge, "'>='"), ("eq", operator.eq, "'=='"), ("ne", operator.ne, "'!='")):
    setattr(DataNumber, f"__{_name}__", _decision(_operation, _text))
numbers.Real.register(DataNumber)


def data_buffer(index, argument):
    """The step's own contiguous copy of a data argument, as a DataArray."""
    array = np.array(argument, order="C")
    if array.dtype.kind not in "fiub":
        raise TypeError(f"compile: data argument {index} must be numbers, got {array.dtype}")
    if array.dtype.kind == "f" and array.dtype != np.float64:
        array = array.astype(np.float64)
    buffer = array.view(DataArray)
    buffer.root = _Root(index, array)
    buffer.origin = None
    return buffer


def provenance(raw, roots):
    """(argument, flat positions) when ``raw`` is a 0-d or 1-D view of a data buffer
    or a DataNumber read from one, else None."""
    if type(raw) is DataNumber:
        return None if raw.source is None else (raw.source[0], np.array([raw.source[1]]))
    if not isinstance(raw, np.ndarray) or raw.ndim > 1 or \
            getattr(raw, "origin", None) is not None:
        return None
    root = _root_of(raw, roots)
    if root is None:
        return None
    offset = raw.__array_interface__["data"][0] - root.address
    if raw.ndim == 0:
        return root.index, np.array([offset // root.itemsize])
    stride = raw.strides[0]
    if stride % root.itemsize:
        return None
    positions = offset // root.itemsize + (stride // root.itemsize) * np.arange(len(raw))
    return root.index, positions


def refuse_unrecorded(raw):
    """Raise when ``raw``, about to become a Value's data, is a watched number or array
    that no replay could recompute (computed from the data, or a copy of it)."""
    if type(raw) is DataNumber:
        if raw.source is None or type(raw.value) is not float:
            refuse("a Value made", raw.what())
    elif isinstance(raw, DataArray) and not raw._is_data():
        refuse("a Value made", raw._what())

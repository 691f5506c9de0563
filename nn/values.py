"""Vectors of Values: numpy arrays in and out, size checks, elementwise maps.

A vector is a list of Values; each Value holds a float (one example) or a 1-D array with
one float per example (a batch). An image or a sequence is a nested list of them.
"""
import numpy as np

from autodiff import Value


def to_values(X, label="", requires_grad=False):
    """Engine inputs from numbers.

    A 2-D array (n examples x d features) becomes the vector of d batched Values
    ``[Value(X[:, j]) for j in range(d)]``; a 1-D array or a list of numbers (one
    example) becomes a vector of float Values; a list holding Values is returned as it
    is. ``label``, if given, names the Values ``label[j]``. Data needs no gradient, so
    by default the Values are made with ``requires_grad=False`` (backward skips them, as
    PyTorch does for input tensors); pass ``requires_grad=True`` to get d loss / d input.
    """
    if isinstance(X, (list, tuple)) and any(isinstance(x, Value) for x in X):
        return list(X)
    array = np.asarray(X, dtype=np.float64)
    if array.ndim == 2:
        columns = array.T
    elif array.ndim == 1:
        columns = array
    else:
        raise ValueError(f"to_values: expected a 1-D (one example) or 2-D (examples x "
                         f"features) array, got shape {array.shape}")
    return [Value(column, label=f"{label}[{j}]" if label else "", requires_grad=requires_grad)
            for j, column in enumerate(columns)]


def to_numpy(values):
    """The data of a vector of Values (or of their grads, numbers or 1-D arrays) as an
    array: (n, d) when batched (one row per example), (d,) for one example. A single
    Value gives (n,) or a 0-d array."""
    if isinstance(values, Value):
        return np.asarray(values.data, dtype=np.float64)
    datas = [np.asarray(v.data if isinstance(v, Value) else v, dtype=np.float64)
             for v in values]
    if all(d.ndim == 0 for d in datas):
        return np.array(datas, dtype=np.float64)
    return np.column_stack(np.broadcast_arrays(*datas))


def check_sizes(layer, **sizes):
    """Raise ValueError naming ``layer`` unless every size given is a positive integer
    (``check_sizes("Linear", in_features=3, out_features=0)`` fails)."""
    for name, size in sizes.items():
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
            raise ValueError(f"{layer}: {name} must be a positive integer, got {size!r}")


def layer_name(layer):
    """How error messages name a layer: a string as it is, a Module as ``Class(settings)``."""
    if isinstance(layer, str):
        return layer
    return f"{type(layer).__name__}({layer.extra_repr()})"


def as_vector(x, layer, size=None):
    """``x`` as a list of Values/numbers for ``layer`` (a Module or a name, for messages),
    converting numpy arrays with ``to_values``; raises ValueError naming the layer when
    the length is not ``size``."""
    if type(x) is not list:
        if isinstance(x, np.ndarray):
            x = to_values(x)
        elif isinstance(x, tuple):
            x = list(x)
        elif isinstance(x, Value):
            raise TypeError(f"{layer_name(layer)}: expected a vector (a list of Values), "
                            "got a single Value; wrap it as [x]")
        else:
            raise TypeError(f"{layer_name(layer)}: expected a vector (a list of Values or "
                            f"a numpy array), got {type(x).__name__}")
    if size is not None and len(x) != size:
        raise ValueError(f"{layer_name(layer)}: expected an input vector of {size} values, "
                         f"got {len(x)}")
    return x


def as_input(x):
    """A numpy array converted with ``to_values``; anything else (Values, nested lists of
    them) as it is."""
    return to_values(x) if isinstance(x, np.ndarray) else x


def map_values(function, x):
    """``function`` applied to every Value of a (possibly nested) list, keeping its
    structure; a single Value or number is mapped directly."""
    if isinstance(x, (list, tuple)):
        return [map_values(function, item) if isinstance(item, (list, tuple))
                else function(item) for item in x]
    return function(x)


def flatten_values(x):
    """The Values of a (possibly nested) list, in order, as one flat list."""
    if not isinstance(x, (list, tuple)):
        return [x]
    flat = []
    for item in x:
        if isinstance(item, (list, tuple)):
            flat.extend(flatten_values(item))
        else:
            flat.append(item)
    return flat


def unflatten_like(structure, flat):
    """The Values of ``flat`` put back into the nesting of ``structure`` (the inverse of
    ``flatten_values``)."""
    items = iter(flat)
    return map_values(lambda _: next(items), structure)

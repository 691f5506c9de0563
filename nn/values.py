"""What layers take and give: vectors and images of Values, numpy arrays in and out, the
shape checks every layer uses, and Flatten / Unflatten.

A vector is a list of Values, one per feature; each Value holds a float (one example)
or a 1-D array with one float per example (a batch). An image is a nested list
channels x rows x columns of Values (notes section 1.3), so a batch of N images of
shape (C, H, W) is C x H x W Values each holding N numbers. The batch is never a
level of the lists: the same layer code runs one example or a thousand.

A numpy array means what it means in torch: a layer that takes vectors reads (N,
features) as N examples and (features,) as one; an image layer reads (N, C, H, W) or
one image (C, H, W). A list given to a vector layer is always the vector of features,
so each of its items must be one Value or number; a list of rows (``[[0.5, -1.0],
[1.0, 2.0]]``) is refused with a hint to pass ``np.array(rows)``, rather than read
with the examples and features swapped.
"""
from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, Union, cast

import numpy as np

from autodiff import Value
from autodiff.checks import check_number

from ._types import Array, ArrayLike, Data, Image, ImageInput, NestedInput, Operand, Vector
from .module import Module
from .parameter import nest


LayerName = Union[str, Module]
"""Who an error message is about: a name, or the Module itself."""

# --- names and numbers in messages, sizes --------------------------------------------

def layer_name(layer: LayerName) -> str:
    """How error messages name a layer: a string as it is, a Module as ``Class(settings)``."""
    if isinstance(layer, str):
        return layer
    return f"{type(layer).__name__}({layer.extra_repr()})"


def format_number(x: float) -> str:
    """How nn shows a number to people (progress, settings): 4 significant digits,
    ``format_number(0.123456) == "0.1235"``, ``format_number(2.0) == "2"``."""
    return f"{float(x):.4g}"


def check_sizes(layer: LayerName, **sizes: int) -> list[int]:
    """Each size given, as an int, after checking it is a positive integer
    (``check_sizes("Linear", in_features=3, out_features=0)`` raises)."""
    return [int(check_number(layer, name, size, integer=True, minimum=1))
            for name, size in sizes.items()]


def _kind(x):
    return "a single Value" if isinstance(x, Value) else type(x).__name__


def _check_batch(array, layer, batch_axis=0):
    if array.shape[batch_axis] == 0:
        raise ValueError(f"{layer_name(layer)}: the batch is empty (an array of shape "
                         f"{array.shape} holds 0 examples)")


# --- vectors -------------------------------------------------------------------------

def _vector_from_array(array, layer, size=None, label="", requires_grad=False):
    """The vector of a 1-D (one example) or 2-D (examples x features) array."""
    if array.ndim not in (1, 2):
        features = "features" if size is None else f"{size} features"
        raise ValueError(f"{layer_name(layer)}: expected an array of one example "
                         f"({features},) or of examples (N, {features}), got shape "
                         f"{array.shape}")
    if array.ndim == 2:
        _check_batch(array, layer)
    columns = array.T if array.ndim == 2 else array
    return [Value(column, label=f"{label}[{j}]" if label else "", requires_grad=requires_grad)
            for j, column in enumerate(columns)]


def to_values(X: ArrayLike | Sequence[Operand], label: str = "",
              requires_grad: bool = False) -> Vector:
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
    return _vector_from_array(np.asarray(X, dtype=np.float64), "to_values", label=label,
                              requires_grad=requires_grad)


def to_numpy(values: Value | Sequence[Value | Data]) -> Array:
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


def as_vector(x: Any, layer: LayerName, size: int | None = None,
              channels: bool = False) -> list[Any]:
    """``x`` as a list of Values/numbers for ``layer`` (a Module or a name, for messages):
    a numpy array (features,) or (N, features) is converted; a list is the vector
    itself, one Value or number per feature (with ``channels``, an entry may also be a
    nested list: a channel's positions, for BatchNorm and PReLU). Raises naming the
    layer and the shape it expects for anything else, and when the length is not
    ``size``."""
    if isinstance(x, np.ndarray):
        x = _vector_from_array(x, layer, size)
    elif isinstance(x, (list, tuple)):
        x = list(x)
        kinds = (np.ndarray,) if channels else (list, tuple, np.ndarray)
        nested = next((item for item in x if isinstance(item, kinds)), None)
        if nested is not None:
            raise TypeError(
                f"{layer_name(layer)}: a list is one vector of features, each a Value or a "
                f"number, but an item is a {type(nested).__name__}; for rows of examples "
                "pass np.array(rows) (shape (N, features), as numpy and torch read it)")
    elif isinstance(x, Value):
        raise TypeError(f"{layer_name(layer)}: expected a vector (a list of Values), "
                        "got a single Value; wrap it as [x]")
    else:
        raise TypeError(f"{layer_name(layer)}: expected a vector (a list of Values or "
                        f"a numpy array), got {type(x).__name__}")
    if size is not None and len(x) != size:
        raise ValueError(f"{layer_name(layer)}: expected an input vector of {size} values, "
                         f"got {len(x)}")
    return cast("list[Any]", x)


# --- nested lists of Values, whatever their shape -------------------------------------

def _nested_from_array(array, layer):
    """Nested lists of Values from an array whose axis 0 is the batch (torch's N):
    (N, d1, d2, ...) -> d1 x d2 x ... batched Values; a 1-D array is one example."""
    if array.ndim <= 1:
        return [Value(x) for x in np.atleast_1d(array).tolist()]
    _check_batch(array, layer)
    moved = np.moveaxis(array, 0, -1)
    flat = [Value(moved[index]) for index in np.ndindex(*moved.shape[:-1])]
    return nest(flat, moved.shape[:-1])


def as_nested(x: NestedInput, layer: LayerName) -> Any:
    """``x`` for a layer that works on any shape (activations, Dropout, Flatten): a numpy
    array with axis 0 the batch, as torch's (N, ...) tensors, becomes nested lists of
    batched Values (a 1-D array is one example); Values and nested lists of them are
    taken as they are."""
    if isinstance(x, np.ndarray):
        return _nested_from_array(np.asarray(x, dtype=np.float64), layer)
    return x


def map_values(function: Callable[[Any], Any], x: Any) -> Any:
    """``function`` applied to every Value of a (possibly nested) list, keeping its
    structure; a single Value or number is mapped directly."""
    if isinstance(x, (list, tuple)):
        return [map_values(function, item) if isinstance(item, (list, tuple))
                else function(item) for item in x]
    return function(x)


def flatten_values(x: Any) -> list[Any]:
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


def unflatten_like(structure: Any, flat: Iterable[Any]) -> Any:
    """The Values of ``flat`` put back into the nesting of ``structure`` (the inverse of
    ``flatten_values``)."""
    items = iter(flat)
    return map_values(lambda _: next(items), structure)


# --- images ----------------------------------------------------------------------------

def to_image_values(X: ArrayLike, label: str = "", requires_grad: bool = False) -> Image:
    """Engine images from a numpy array: (N, C, H, W) -> C x H x W batched Values,
    ``image[c][i][j] = Value(X[:, c, i, j])``; (C, H, W) -> one image of float Values.
    ``label``, if given, names the Values ``label[c,i,j]``. As ``to_values``, the
    pixels are data that need no gradient (``requires_grad=False``, skipped by
    backward) unless ``requires_grad=True`` asks for d loss / d pixel."""
    return _image_from_array(np.asarray(X, dtype=np.float64), "to_image_values", label,
                             requires_grad)


def _image_from_array(array, layer, label="", requires_grad=False, channels=None):
    if array.ndim not in (3, 4):
        c = "C" if channels is None else channels
        raise ValueError(f"{layer_name(layer)}: expected an array of images (N, {c}, H, W) "
                         f"or one image ({c}, H, W), got shape {array.shape}")
    if array.ndim == 4:
        _check_batch(array, layer)
    pixels = np.moveaxis(array, 0, -1) if array.ndim == 4 else array
    channels, rows, columns = pixels.shape[:3]
    return [[[Value(pixels[c, i, j], label=f"{label}[{c},{i},{j}]" if label else "",
                    requires_grad=requires_grad)
              for j in range(columns)] for i in range(rows)] for c in range(channels)]


def to_image_numpy(image: Sequence[Sequence[Sequence[Value | Data]]]) -> Array:
    """The data of an image of Values (or of numbers, or of their grads: floats or 1-D
    arrays) as an array: (N, C, H, W) when batched, (C, H, W) for one image."""
    channels, rows, columns = image_shape(image, "to_image_numpy")
    datas = [np.asarray(pixel.data if isinstance(pixel, Value) else pixel, dtype=np.float64)
             for channel in image for row in channel for pixel in row]
    if all(d.ndim == 0 for d in datas):
        return np.array(datas, dtype=np.float64).reshape(channels, rows, columns)
    stacked = np.stack(np.broadcast_arrays(*datas))               # (C*H*W, N)
    return np.moveaxis(stacked.reshape(channels, rows, columns, -1), -1, 0)


def image_shape(image: Any, layer: LayerName,
                channels: int | None = None) -> tuple[int, int, int]:
    """(C, H, W) of a nested list image, after checking it is channels x rows x columns
    with every channel the same height and every row the same width (not ragged).
    Errors name ``layer`` (a Module or a name); ``channels``, if given, is the number
    of channels the layer expects."""
    name = layer_name(layer)
    if not isinstance(image, (list, tuple)) or not image:
        raise TypeError(f"{name}: expected an image (a nested list channels x rows x "
                        f"columns of Values, or a numpy array), got {_kind(image)}")
    if channels is not None and len(image) != channels:
        raise ValueError(f"{name}: expected {channels} input channel"
                         f"{'s' if channels != 1 else ''}, got {len(image)}")
    height = width = None
    for c, channel in enumerate(image):
        if not isinstance(channel, (list, tuple)) or not channel \
                or not isinstance(channel[0], (list, tuple)):
            raise ValueError(f"{name}: channel {c} is not a list of rows (an image is "
                             f"channels x rows x columns), got {_kind(channel)}")
        if height is None:
            height, width = len(channel), len(channel[0])
        if len(channel) != height:
            raise ValueError(f"{name}: ragged image: channel {c} has {len(channel)} rows, "
                             f"channel 0 has {height}")
        for i, row in enumerate(channel):
            if not isinstance(row, (list, tuple)) or len(row) != width:
                got = f"{len(row)} columns" if isinstance(row, (list, tuple)) else _kind(row)
                raise ValueError(f"{name}: ragged image: channel {c} row {i} has {got}, "
                                 f"row 0 of channel 0 has {width} columns")
    if width == 0:
        raise ValueError(f"{name}: the image has rows of 0 columns")
    return len(image), cast(int, height), cast(int, width)


def as_image(x: ImageInput | NestedInput, layer: LayerName,
             channels: int | None = None) -> tuple[Any, tuple[int, int, int]]:
    """``x`` as a nested list image for ``layer``: a numpy array (N, C, H, W) or
    (C, H, W) is converted; a nested list is checked with ``image_shape``. Returns the
    image and its (C, H, W)."""
    if isinstance(x, np.ndarray):
        x = _image_from_array(np.asarray(x, dtype=np.float64), layer, channels=channels)
    return x, image_shape(x, layer, channels)


# --- reshaping: Flatten and Unflatten ---------------------------------------------------

def _depth(x):
    """How many list levels ``x`` has (its number of dimensions besides the batch)."""
    depth = 0
    while isinstance(x, (list, tuple)):
        if not x:
            break
        depth, x = depth + 1, x[0]
    return depth


def _dimension(dim, depth, layer, what):
    """``dim`` (torch's numbering, negative from the end) as a list level 1..depth."""
    level = dim + depth + 1 if dim < 0 else dim
    if level == 0:
        raise ValueError(f"{layer}: {what}={dim} is the batch dimension, which is inside "
                         "each Value (one number per example) and cannot be reshaped")
    if not 1 <= level <= depth:
        raise ValueError(f"{layer}: {what}={dim} is out of range for an input of "
                         f"{depth + 1} dimensions (batch + {depth} list levels)")
    return level


def _merge_levels(x, levels):
    """The top ``levels`` list levels of ``x`` merged into one list (row-major)."""
    if levels == 1:
        return list(x)
    return [value for item in x for value in _merge_levels(item, levels - 1)]


def _at_level(x, level, function):
    """``function`` applied to every sub-list found at list level ``level`` (1: x)."""
    if level == 1:
        return function(x)
    return [_at_level(item, level - 1, function) for item in x]


class Flatten(Module):
    """Dimensions start_dim..end_dim merged into one, as ``torch.nn.Flatten``: by
    default an image C x H x W becomes the vector of C * H * W Values in row-major
    order, y[c H W + i W + j] = x[c][i][j], ready for ``Linear``. Gradients pass
    unchanged (the output Values are the input Values): no arithmetic, no graph nodes.

    Dimensions are counted as in torch, with the batch as dimension 0: list level 1 is
    torch's dimension 1 (channels of an image). A numpy array is read as torch's
    tensor, axis 0 the batch: ``Flatten()(np.zeros((N, C, H, W)))`` gives C * H * W
    Values of N numbers each.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        start_dim = int(check_number("Flatten", "start_dim", start_dim, integer=True))
        end_dim = int(check_number("Flatten", "end_dim", end_dim, integer=True))
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: NestedInput) -> list[Any]:
        """x with list levels start_dim..end_dim merged."""
        x = as_nested(x, self)
        depth = _depth(x)
        start = _dimension(self.start_dim, depth, "Flatten", "start_dim")
        end = _dimension(self.end_dim, depth, "Flatten", "end_dim")
        if start > end:
            raise ValueError(f"Flatten: start_dim={self.start_dim} comes after "
                             f"end_dim={self.end_dim}")
        return _at_level(x, start, lambda sub: _merge_levels(sub, end - start + 1))

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Dimension ``dim`` split into ``unflattened_size``, as ``torch.nn.Unflatten``:
    ``Unflatten(1, (1, 8, 8))`` turns a vector of 64 Values (a digits batch from
    ``nn.batches``) into a 1 x 8 x 8 image, x[c][i][j] = v[c 64 + i 8 + j]. One size may
    be -1 (inferred)."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        sizes = tuple(unflattened_size)
        if not sizes or not all(isinstance(n, numbers.Integral) and (n >= 1 or n == -1)
                                for n in sizes) or sizes.count(-1) > 1:
            raise ValueError(f"Unflatten: unflattened_size must be positive integers (one "
                             f"may be -1), got {unflattened_size!r}")
        dim = int(check_number("Unflatten", "dim", dim, integer=True))
        super().__init__()
        self.dim, self.unflattened_size = dim, sizes

    def forward(self, x: NestedInput) -> list[Any]:
        """x with list level ``dim`` cut into nested lists of ``unflattened_size``."""
        x = as_nested(x, self)
        level = _dimension(self.dim, _depth(x), "Unflatten", "dim")
        return _at_level(x, level, self._split)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def _split(self, values):
        known = math.prod(n for n in self.unflattened_size if n != -1)
        sizes = tuple(len(values) // known if n == -1 else n for n in self.unflattened_size)
        if math.prod(sizes) != len(values):
            raise ValueError(f"Unflatten: cannot split a dimension of {len(values)} into "
                             f"{self.unflattened_size}")
        return nest(list(values), sizes)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

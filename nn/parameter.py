"""Parameter: a tensor of trainable leaf Values, laid out by shape as nested lists."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from autodiff import Value, zero_grad

from ._types import Array, ArrayLike


def nest(flat: list[Any], shape: Sequence[int]) -> Any:
    """The flat list cut into nested lists of ``shape`` (row-major, as numpy)."""
    if len(shape) <= 1:
        return flat if shape else flat[0]
    step = len(flat) // shape[0]
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


class Parameter:
    """A learnt tensor: one leaf ``Value`` per entry, indexed like nested lists.

    ``Parameter(np.zeros((2, 3)))`` holds 6 leaves; ``p[1][2]`` (or ``p[1, 2]``) is the
    Value in row 1, column 2, ``p[1]`` the list of row 1. The layout is PyTorch's (a
    Linear weight is out_features x in_features), so ``numpy()`` has the shape of the
    corresponding torch tensor. ``values()`` is the flat list of leaves (row-major),
    which is what an optimizer updates; ``data``/``grad`` are the leaves' data and
    gradients as arrays of ``shape``. Assigning ``p.data = array`` writes every leaf.

    Registered on a Module under a name, its leaves are labelled ``name[i,j]`` and carry
    the module's scope (``Value.scope``), so pictures of the graph can group them.
    """

    __slots__ = ("shape", "_leaves", "_nested", "name")
    shape: tuple[int, ...]
    _leaves: list[Value]
    _nested: Any
    name: str

    def __init__(self, data: ArrayLike, name: str = "") -> None:
        array = np.array(data, dtype=np.float64)
        if not np.all(np.isfinite(array)):
            raise ValueError(f"Parameter({name!r}): data must be finite, got {array!r}")
        self.shape = array.shape
        self._leaves = [Value(x) for x in array.ravel().tolist()]
        self._nested = nest(self._leaves, self.shape)
        self.name = ""
        self.rename(name)

    # --- structure ------------------------------------------------------------------
    @property
    def ndim(self) -> int:
        """Number of dimensions (len(shape))."""
        return len(self.shape)

    def numel(self) -> int:
        """Number of entries (the product of the shape)."""
        return len(self._leaves)

    def values(self) -> list[Value]:
        """The leaf Values, flat, in row-major order."""
        return list(self._leaves)

    def rename(self, name: str, scope: str | None = None) -> None:
        """Call this parameter ``name``: leaves are labelled ``name[i,j,...]``; with
        ``scope`` (a module path) every leaf's ``scope`` is set to it."""
        self.name = name
        indices = np.ndindex(*self.shape) if self.shape else [()]
        for leaf, index in zip(self._leaves, indices):
            leaf.label = f"{name}[{','.join(map(str, index))}]" if index else name
            if scope is not None:
                leaf.scope = scope

    def __getitem__(self, index: int | slice | tuple[int, ...]) -> Any:
        if not self.shape:
            raise TypeError(f"Parameter({self.name!r}): it is 0-d: use values()[0]")
        if type(index) is tuple:
            item = self._nested
            for i in index:
                item = item[i]
            return item
        return self._nested[index]

    def __iter__(self) -> Iterator[Any]:
        if not self.shape:
            raise TypeError(f"Parameter({self.name!r}): it is 0-d and cannot be iterated")
        return iter(self._nested)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError(f"Parameter({self.name!r}): it is 0-d and has no len()")
        return self.shape[0]

    # --- data and gradients ---------------------------------------------------------
    @property
    def data(self) -> Array:
        """The leaves' data as a float64 array of ``shape`` (a copy)."""
        return np.array([leaf.data for leaf in self._leaves],
                        dtype=np.float64).reshape(self.shape)

    @data.setter
    def data(self, array: ArrayLike) -> None:
        self.copy_(array)

    def copy_(self, array: ArrayLike) -> Parameter:
        """Write ``array`` (same shape) into the leaves' data; checks shape and finiteness."""
        array = np.asarray(array, dtype=np.float64)
        if array.shape != self.shape:
            raise ValueError(f"Parameter({self.name!r}): expected data of shape "
                             f"{self.shape}, got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"Parameter({self.name!r}): data must be finite")
        for leaf, x in zip(self._leaves, array.ravel().tolist()):
            leaf.data = x
        return self

    def numpy(self) -> Array:
        """The data as a float64 array of ``shape`` (a copy), like ``tensor.numpy()``."""
        return self.data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Array:
        return self.data if dtype is None else self.data.astype(dtype)

    @property
    def grad(self) -> Array:
        """d(loss)/d(entry) for every entry, as a float64 array of ``shape``."""
        grads = [leaf.grad for leaf in self._leaves]
        return np.array([float(g.data if isinstance(g, Value) else g) for g in grads],
                        dtype=np.float64).reshape(self.shape)

    def zero_grad(self) -> None:
        """Set every leaf's grad to zero (``autodiff.zero_grad``: 0.0, as an optimizer's
        ``zero_grad`` does)."""
        zero_grad(self._leaves)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20)
        return f"Parameter(name={self.name!r}, shape={self.shape}, data={body})"

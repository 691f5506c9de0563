"""Flatten and Unflatten: reshaping nested lists of Values, as torch's (no arithmetic, so
no graph nodes: the same Values, regrouped).

Dimensions are counted as in torch, with the batch as dimension 0: an image batch
(N, C, H, W) is C x H x W nested lists of Values that each hold N numbers, so list
level 1 is torch's dimension 1 (channels), level 3 dimension 3 (columns). The batch
dimension is inside every Value and cannot be reshaped. One image (float Values) is
treated the same way, as a batch would be.
"""
import math
import numbers

from .module import Module
from .parameter import _nest
from .values import as_input


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
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"{layer}: {what} must be an integer, got {dim!r}")
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
    unchanged (the output Values are the input Values)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        """x with list levels start_dim..end_dim merged."""
        x = as_input(x)
        depth = _depth(x)
        start = _dimension(self.start_dim, depth, "Flatten", "start_dim")
        end = _dimension(self.end_dim, depth, "Flatten", "end_dim")
        if start > end:
            raise ValueError(f"Flatten: start_dim={self.start_dim} comes after "
                             f"end_dim={self.end_dim}")
        return _at_level(x, start, lambda sub: _merge_levels(sub, end - start + 1))

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Dimension ``dim`` split into ``unflattened_size``, as ``torch.nn.Unflatten``:
    ``Unflatten(1, (1, 8, 8))`` turns a vector of 64 Values (a digits batch from
    ``nn.batches``) into a 1 x 8 x 8 image, x[c][i][j] = v[c 64 + i 8 + j]. One size may
    be -1 (inferred)."""

    def __init__(self, dim, unflattened_size):
        sizes = tuple(unflattened_size)
        if not sizes or not all(isinstance(n, numbers.Integral) and (n >= 1 or n == -1)
                                for n in sizes) or sizes.count(-1) > 1:
            raise ValueError(f"Unflatten: unflattened_size must be positive integers (one "
                             f"may be -1), got {unflattened_size!r}")
        super().__init__()
        self.dim, self.unflattened_size = dim, sizes

    def forward(self, x):
        """x with list level ``dim`` cut into nested lists of ``unflattened_size``."""
        x = as_input(x)
        level = _dimension(self.dim, _depth(x), "Unflatten", "dim")
        return _at_level(x, level, self._split)

    def _split(self, values):
        known = math.prod(n for n in self.unflattened_size if n != -1)
        sizes = tuple(len(values) // known if n == -1 else n for n in self.unflattened_size)
        if math.prod(sizes) != len(values):
            raise ValueError(f"Unflatten: cannot split a dimension of {len(values)} into "
                             f"{self.unflattened_size}")
        return _nest(list(values), sizes)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

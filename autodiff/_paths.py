"""``paths``: the chain rule as "multiply along a path, add over paths".

d output / d wrt = sum over every path from wrt to output of the product of the local
derivatives on its edges. A path is a sequence of edges (one per use of a Value: in
``a * a`` the two uses are two edges, so two paths), and the products of all the paths
add up to the gradient that backward computes.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._backward import topological_order
from ._types import Data
from ._value import Edge, Value


def _plain(x: Any) -> Any:
    """The data of a Value, anything else as it is (an array's own .data is a buffer)."""
    return x.data if isinstance(x, Value) else x


class TooManyPathsError(ValueError):
    """More paths than ``max_paths``; ``count`` says how many there are."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


def _number(x: Any) -> str:
    """A number or a batch for a path's text: ``2``, ``0.3333``, ``[1, 2, 3]``."""
    data = _plain(x)
    if isinstance(data, np.ndarray):
        if data.size <= 4:
            return "[" + ", ".join(f"{v:.4g}" for v in data) + "]"
        return f"[{data[0]:.4g}, {data[1]:.4g}, {data[2]:.4g}, … ({data.size} examples)]"
    return f"{data:.4g}"


def _seed(output: Value) -> Data:
    """What backward starts from: 1, or 1 for every example of a batched output."""
    return 1.0 if type(output.data) is float else np.ones_like(output.data)


class Path:
    """One path from ``wrt`` to ``output``: ``edges`` (``autodiff.Edge``, wrt's first),
    ``values`` (wrt, then the child of each edge, ending at the output), ``locals``
    (the local derivative d(child)/d(parent) of each edge) and ``product``: their
    product, which is what this path adds to d output / d wrt.

    For a batch the product is taken per example; where a scalar feeds a batch (a
    weight) it is summed over the examples, as backward sums it, so that the products
    of all the paths add up to the gradient in every case."""

    __slots__ = ("edges", "output", "wrt")

    def __init__(self, wrt: Value, output: Value, edges: Iterable[Edge]) -> None:
        self.wrt, self.output, self.edges = wrt, output, tuple(edges)

    @property
    def values(self) -> list[Value]:
        """The Values along the path: wrt first, the output last."""
        return [self.wrt] + [edge.child for edge in self.edges]

    @property
    def locals(self) -> list[Data]:
        """The local derivative of each edge, wrt's edge first."""
        return [edge.local_grad for edge in self.edges]

    @property
    def product(self) -> Data:
        """local_1 × local_2 × ... × local_n: the chain rule along this path alone
        (backward's ``local × upstream``, edge by edge from the output, seeded with 1;
        summed over the batch where a parent holds one number for the whole batch)."""
        upstream = _seed(self.output)
        for edge in reversed(self.edges):
            upstream = _plain(edge.local_grad) * upstream
            if type(edge.parent.data) is float and isinstance(upstream, np.ndarray):
                upstream = float(np.sum(upstream))
        return upstream

    @property
    def summed_over_batch(self) -> bool:
        """True when the product adds up the examples of a batch: wrt holds one number
        and some edge of the path carries one number per example."""
        return type(self.wrt.data) is float and any(
            isinstance(_plain(local), np.ndarray) for local in self.locals)

    def arrows(self) -> str:
        """The path as text, ``a -> c -> e``; an edge whose child uses its parent more
        than once names the operand: ``a -[1]-> mul``."""
        text = self.wrt.name
        for edge in self.edges:
            repeated = sum(parent is edge.parent for parent in edge.child.parents) > 1
            text += f" -[{edge.index}]-> " if repeated else " -> "
            text += edge.child.name
        return text

    def __str__(self) -> str:
        names = self.arrows()
        if not self.edges:
            return f"{names}: the output itself, d/d{self.wrt.name} = 1"
        factors = " × ".join(_number(local) for local in self.locals)
        summed = " (summed over the batch)" if self.summed_over_batch else ""
        return f"{names}: {factors} = {_number(self.product)}{summed}"

    __repr__ = __str__


class Paths(list[Path]):
    """Every path from ``wrt`` to ``output`` (a list of ``Path``); ``total`` is the sum of
    their products, d output / d wrt."""

    def __init__(self, paths: Iterable[Path], wrt: Value, output: Value) -> None:
        super().__init__(paths)
        self.wrt, self.output = wrt, output

    @property
    def total(self) -> Data:
        """The sum over the paths of their products: the gradient d output / d wrt."""
        total = 0.0 if type(self.wrt.data) is float else np.zeros_like(self.wrt.data)
        for path in self:
            total = total + path.product
        return total

    def __str__(self) -> str:
        if not self:
            return f"no path from {self.wrt.name} to {self.output.name}: the gradient is 0"
        lines = [str(path) for path in self]
        products = " + ".join(_number(path.product) for path in self)
        lines.append(f"sum over {len(self)} path{'s' if len(self) > 1 else ''}: "
                     f"{products} = {_number(self.total)} = d{self.output.name}/d{self.wrt.name}")
        return "\n".join(lines)

    __repr__ = __str__


def count_paths(output: Value, wrt: Value) -> dict[Value, int]:
    """node -> the number of paths from ``wrt`` to it (0 where it does not depend on
    wrt), for every node ``output`` depends on: 1 for wrt, and for any other node the sum
    over its edges of the parent's count (Python integers: exact however many)."""
    counts: dict[Value, int] = {}
    for node in topological_order(output):
        counts[node] = 1 if node is wrt else sum(counts[parent] for parent in node.parents)
    return counts


def paths(output: Value, wrt: Value, max_paths: int | None = 1000) -> Paths:
    """Every path from ``wrt`` to ``output`` along the graph's edges, each with the
    product of its local derivatives; their sum is d output / d wrt:

        d output / d wrt = sum over paths p of  prod over edges (u -> v) of p  dv/du

    A Value used twice by one operation (``a * a``) gives two paths. A batched output
    counts as its sum over the batch (seeded with 1 per example, as gradcheck does).
    The number of paths can grow exponentially with depth: more than ``max_paths`` is a
    ``TooManyPathsError`` (a ValueError) saying how many there are, counted without
    listing them."""
    if not isinstance(output, Value) or not isinstance(wrt, Value):
        raise TypeError(f"paths: output and wrt must be Values, got "
                        f"{type(output).__name__} and {type(wrt).__name__}")
    counts = count_paths(output, wrt)
    total = counts.get(output, 0)
    if max_paths is not None and total > max_paths:
        raise TooManyPathsError(
            f"paths: there are {total} paths from {wrt.name} to {output.name}, more than "
            f"max_paths={max_paths}; pass a larger max_paths (or None) to list them all, or "
            "ask for the paths to an intermediate Value", total)
    found = []
    stack: list[tuple[Value, tuple[Edge, ...]]] = [(output, ())] if total else []
    while stack:
        node, suffix = stack.pop()
        if node is wrt:
            found.append(Path(wrt, output, suffix))
            continue
        for edge in reversed(node.edges()):          # operand 0's paths listed first
            if counts.get(edge.parent, 0):
                stack.append((edge.parent, (edge,) + suffix))
    return Paths(found, wrt, output)


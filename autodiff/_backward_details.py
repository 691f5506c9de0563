"""What backward needs beyond the plain chain rule of ``_backward.py``: the edges'
contributions when a gradient is a batch or a graph (``create_graph``), and the seed a
pass starts from (checked against the output)."""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._data import as_data, describe
from ._table import STOP_GRADIENT
from ._value import CONSTANT, Data, Value


def batched_contributions(node: Value, upstream: np.ndarray) -> list[Any]:
    """``local * upstream`` for each edge of a node whose gradient is a batch (one number
    per example). A parent holding one scalar for the whole batch (a weight) gets the
    sum over the examples, sum_k local_k upstream_k: for all such edges at once, one
    matrix-vector product. ``None`` for an edge into a constant."""
    contributions: list[Any] = []
    summed, summed_locals = [], []
    for index, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
        if parent.primitive is CONSTANT:
            contributions.append(None)
        elif type(parent.data) is not float:
            contributions.append(local * upstream)
        elif type(local) is float:
            contributions.append(local * float(upstream.sum()))
        else:
            contributions.append(None)
            summed.append(index)
            summed_locals.append(local)
    if summed:
        for index, total in zip(summed, (np.array(summed_locals) @ upstream).tolist()):
            contributions[index] = total
    return contributions


def graph_contributions(node: Value, upstream: Value) -> list[Value | None]:
    """``local * upstream`` as Values (``create_graph``): the local derivatives are
    evaluated again from the primitive's rule on the Values themselves, so each
    contribution is a graph that can be differentiated again. (None into a constant or
    a stop_gradient: no graph is needed for what goes no further.)"""
    from ._operations import batch_sum
    contributions: list[Value | None] = []
    for parent, local in zip(node.parents, node.primitive.local_grads_of(*node.parents, node)):
        if parent.primitive is CONSTANT or parent.primitive is STOP_GRADIENT:
            contributions.append(None)
            continue
        contribution = upstream if (type(local) is float and local == 1.0) else local * upstream
        if type(parent.data) is float and type(contribution.data) is not float:
            contribution = batch_sum(contribution)       # a scalar: sum over the batch
        contributions.append(contribution)
    return contributions


def seed_of(root: Value, grad: ArrayLike | Value | None, create_graph: bool) -> Any:
    """The gradient a pass starts from at ``root``: 1, or ``grad`` (one per example for a
    batched root); a constant Value with ``create_graph``."""
    seed: Any
    if grad is None:
        if isinstance(root.data, np.ndarray):
            raise ValueError(
                f"backward: the output is batched ({root.batch_size} examples); reduce it "
                "first (batch_sum / batch_mean) or pass grad= with one seed per example")
        seed = 1.0
    else:
        seed = grad.data if isinstance(grad, Value) else as_data(grad, "backward")
        if type(seed) is not type(root.data) or (isinstance(seed, np.ndarray)
                                                  and len(seed) != root.batch_size):
            raise ValueError(f"backward: grad {describe(seed)} does not match the output "
                             f"{describe(root.data)}")
    if create_graph:
        return grad if isinstance(grad, Value) else Value(seed, requires_grad=False)
    return seed


def zero_like(data: Data) -> Data:
    """0 of the same kind as ``data``: a float, or an array of zeros."""
    return 0.0 if type(data) is float else np.zeros_like(data)


def is_zero(grad: Any) -> bool:
    """True for a gradient that is 0 (a float, or an array of zeros)."""
    return type(grad) is float and grad == 0.0 or (
        isinstance(grad, np.ndarray) and not grad.any())

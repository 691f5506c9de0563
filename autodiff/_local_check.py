"""Which rule is wrong: each node's local derivatives, d(out)/d(operand) as its
primitive's rule gave them, against central differences of the primitive's own
forward, (forward(x + eps) - forward(x - eps)) / (2 eps), at the node's operands.

``gradcheck`` runs this when a gradient disagrees, so that its report names the
primitive (built-in or made with ``autodiff.primitive``) and the operand whose
derivative is wrong, not only the input where the error showed.
"""
from __future__ import annotations

import math

import numpy as np

from ._backward import topological_order
from ._data import describe
from ._mode import no_grad
from ._table import Primitive
from ._value import Value

SEQUENCE_FORWARDS = ("sum", "affine")     # forwards that take the operands as one tuple


def _plain(x):
    """The data of a Value, anything else as it is (an array's own .data is a buffer)."""
    return x.data if isinstance(x, Value) else x


class LocalMismatch:
    """One operand of one node whose rule disagrees with central differences:
    ``primitive`` (its name), ``operand`` (index) and ``operand_name``, the ``node``,
    ``rule`` and ``numeric`` (the two derivatives, at the example where they differ
    most for a batch), ``error`` = |rule - numeric| / max(1, |numeric|), and ``at``:
    the operands' data there."""

    __slots__ = (
        "at",
        "error",
        "node",
        "numeric",
        "operand",
        "operand_name",
        "primitive",
        "rule",
    )

    def __init__(self, primitive: str, operand: int, operand_name: str, node: Value,
                 rule: float, numeric: float, error: float, at: str) -> None:
        self.primitive, self.operand, self.operand_name, self.node = (
            primitive, operand, operand_name, node)
        self.rule, self.numeric, self.error, self.at = rule, numeric, error, at

    def __str__(self) -> str:
        return (f"{self.primitive}: d out/d {self.operand_name} (operand {self.operand}) is "
                f"{self.rule:.6g} by its rule but {self.numeric:.6g} by central differences "
                f"of its forward, at {self.at}")

    __repr__ = __str__


def _evaluate(primitive, datas):
    forward = (primitive.float_forward if all(type(d) is float for d in datas)
               else primitive.array_forward)
    return forward(tuple(datas)) if primitive.name in SEQUENCE_FORWARDS else forward(*datas)


def _operand_names(primitive, count):
    names = getattr(primitive, "operand_names", None)
    if names is not None and len(names) == count:
        return list(names)
    return [f"operand {i}" for i in range(count)]


def _shifted(datas, index, delta):
    shifted = list(datas)
    shifted[index] = datas[index] + delta
    return shifted


def node_mismatches(node, eps=1e-6, tol=1e-4):
    """The operands of ``node`` whose stored local derivative differs from central
    differences of its primitive's forward by more than ``tol`` (relative, as
    gradcheck's error). Nodes that reduce a batch to a number (batch_sum, index) and
    operands where the forward cannot be shifted (a domain edge) are not checked."""
    primitive = node.primitive
    if not node.parents or not isinstance(primitive, Primitive) or not primitive.passes_gradient:
        return []
    datas = [parent.data for parent in node.parents]
    if type(node.data) is float and any(type(d) is not float for d in datas):
        return []                      # a batch reduced to a number: not elementwise
    names = _operand_names(primitive, len(datas))
    found = []
    for index, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
        if not parent.requires_grad:
            continue
        try:
            numeric = (np.asarray(_evaluate(primitive, _shifted(datas, index, eps)))
                       - np.asarray(_evaluate(primitive, _shifted(datas, index, -eps)))) / (2 * eps)
        except (ValueError, ArithmeticError, RuntimeError):
            continue
        rule = np.broadcast_to(np.asarray(_plain(local), dtype=np.float64),
                               numeric.shape)
        if not (np.all(np.isfinite(numeric)) and np.all(np.isfinite(rule))):
            continue
        errors = np.abs(rule - numeric) / np.maximum(1.0, np.abs(numeric))
        worst = int(np.argmax(errors)) if errors.ndim else None
        error = float(errors.max()) if errors.ndim else float(errors)
        if error > tol:
            def pick(array, at=worst):
                return float(array) if at is None else float(array.reshape(-1)[at])
            at_datas = [d if type(d) is float else float(np.asarray(d).reshape(-1)[worst])
                        for d in datas]
            at = ", ".join(f"{n} = {describe(d)}" for n, d in zip(names, at_datas))
            if worst is not None:
                at += f" (example {worst})"
            found.append(LocalMismatch(primitive.name, index, names[index], node, pick(rule),
                                       pick(numeric), error, at))
    return found


def local_mismatches(output: Value, eps: float = 1e-6, tol: float = 1e-4
                     ) -> list[LocalMismatch]:
    """Every node ``output`` depends on whose rule disagrees with its forward
    (``node_mismatches``), the largest error first."""
    found = []
    with no_grad():
        for node in topological_order(output):
            found += node_mismatches(node, eps, tol)
    return sorted(found, key=lambda mismatch: -mismatch.error if math.isfinite(mismatch.error)
                  else -math.inf)

"""Forward mode: tangents pushed along the same edges, with the same local derivatives.

The whole rule is ``push_forward``: a node's tangent (d node / d t, for a direction t
in the inputs) is the sum over its edges of local_grad * tangent(parent). One pass
from the inputs to the outputs gives J v, one column of the Jacobian per direction;
reverse mode gives one row per backward pass. (``backward`` is ``push`` in the other
direction.)
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ._backward import topological_order
from ._computation_order import computation_order
from ._data import as_data
from ._mode import enable_grad
from ._nesting import (as_outputs, closes_over_variables, differentiating, is_nested,
                       leaf_of, matrix, result, watching)
from ._operations import batch_sum
from ._value import Value
from ._step_text import default_number
from ._types import Derivative, Function


def push_forward(node: Value, tangents: dict[int, Any], create_graph: bool = False
                 ) -> list[Any]:
    """One step of forward mode: tangent(node) = sum over edges of local * tangent(parent).

    ``tangents`` maps id(parent) -> tangent (absent: 0). Returns what each edge added
    (``None`` where the parent's tangent is 0) and stores the node's tangent. With
    ``create_graph`` (an enclosing transform is recording) the local derivatives are
    evaluated again from the primitive's rule on the Values themselves, as backward's
    ``create_graph`` does, so the tangent is a graph that can be differentiated again."""
    if not create_graph:
        return _add_contributions(node, node.local_grads, tangents)
    if not any(id(parent) in tangents for parent in node.parents):
        return [None] * len(node.parents)
    with enable_grad():
        return _add_contributions(
            node, node.primitive.local_grads_of(*node.parents, node), tangents)


def _add_contributions(node: Value, local_grads: Sequence[Any], tangents: dict[int, Any]
                       ) -> list[Any]:
    contributions: list[Any] = []
    total: Any = None
    for parent, local in zip(node.parents, local_grads):
        tangent = tangents.get(id(parent))
        if tangent is None:
            contributions.append(None)
            continue
        contribution = local * tangent
        if type(node.data) is float:                      # a batch reduced to a number
            if isinstance(contribution, np.ndarray):
                contribution = float(np.sum(contribution))
            elif isinstance(contribution, Value) and type(contribution.data) is not float:
                contribution = batch_sum(contribution)
        contributions.append(contribution)
        total = contribution if total is None else total + contribution
    if total is not None:
        tangents[id(node)] = _shaped_like(node.data, total)
    return contributions


def _shaped_like(data: Any, tangent: Any) -> Any:
    """``tangent`` with the shape of ``data``: a batch node whose local derivatives and
    parent tangents are all numbers (``x_batch + w``) has one tangent per example."""
    if type(data) is float:
        return tangent
    if isinstance(tangent, Value):
        return tangent if type(tangent.data) is not float else tangent * np.ones(len(data))
    return tangent if np.ndim(tangent) == 1 else np.full(len(data), float(tangent))


def forward_pass(outputs: Sequence[Value], seeds: Iterable[tuple[Value, Any]],
                 create_graph: bool = False) -> tuple[list[Value], dict[int, Any]]:
    """Tangents of every node the outputs depend on, from ``seeds`` (leaf -> tangent):
    each node pushed once, parents first. Returns (order, tangents by id)."""
    order = topological_order(*outputs)
    tangents = {id(leaf): tangent for leaf, tangent in seeds}
    for node in order:
        if node.parents:
            push_forward(node, tangents, create_graph)
    return order, tangents


def _tangent_of(value: Value, tangents: dict[int, Any]) -> Any:
    tangent = tangents.get(id(value))
    if tangent is None:
        return 0.0 if type(value.data) is float else np.zeros_like(value.data)
    return tangent


def _shape_text(data: Any) -> str:
    return "a number" if type(data) is float else f"a batch of {len(data)} examples"


def direction(data: Any, given: Any, what: str, of: str) -> Any:
    """A tangent or cotangent ``given`` for a primal or output holding ``data``: a
    number for a number, a batch of the same length for a batch (or a Value of that
    shape, from an enclosing transform). NaN and anything else is a ValueError or
    TypeError that names ``what`` (``"jvp: tangent 0"``) and ``of`` (``"primal 0"``)."""
    if isinstance(given, Value):
        own = given.data
        if np.any(np.isnan(own)):
            raise ValueError(f"{what}: data is NaN")
    else:
        own = given = as_data(given, what)
    if type(own) is not type(data) or (type(own) is not float and np.size(own) != np.size(data)):
        kind = what.split(": ")[-1].split()[0]
        raise ValueError(f"{what} is {_shape_text(own)} but {of} is {_shape_text(data)}; "
                         f"a {kind} has the shape of its {of.split()[0]}")
    return given


def jvp(f: Function, primals: Any, tangents: Any) -> tuple[Derivative, Derivative]:
    """(f(primals), J v): the outputs and their directional derivatives along
    ``tangents`` v (one per primal), d/dt f(primals + t v) at t = 0, by one forward
    pass. ``f`` takes the primals as separate arguments and returns a Value or a list
    of Values; results are numbers (lists for a list output).

    Each tangent has the shape of its primal (a number, or a batch of the same length);
    a NaN primal or tangent, or a wrong count or shape, is an error naming jvp (as in
    ``vjp``). An output that is a plain number does not depend on the primals: its
    tangent is 0, with a warning (as in ``grad``). Inside another transform (given
    Values, or called by a function that one differentiates) the results are Values
    that the enclosing transform differentiates: ``grad(lambda x: jvp(f, [x], [1.])[1])``
    is f'' (and so are they at the top level when f closes over a Value that requires
    grad). A batched output's tangent is a batch of its length."""
    primal_list = list(primals) if isinstance(primals, (list, tuple)) else [primals]
    directions = list(tangents) if isinstance(tangents, (list, tuple)) else [tangents]
    if len(directions) != len(primal_list):
        raise ValueError(f"jvp: needs one tangent per primal, got {len(directions)} tangents "
                         f"for {len(primal_list)} primals")
    nested = is_nested(primal_list, directions)
    with differentiating("jvp", watching(nested)) as run:
        leaves = [leaf_of(primal, f"jvp: primal {index}")
                  for index, primal in enumerate(primal_list)]
        seeds = [direction(leaf.data, tangent, f"jvp: tangent {index}", f"primal {index}")
                 for index, (leaf, tangent) in enumerate(zip(leaves, directions))]
        outputs, single = as_outputs(f(*leaves), "jvp", "tangent")
    nested = nested or closes_over_variables(outputs, run)
    if nested:
        seeds = [seed if isinstance(seed, Value) or type(seed) is float
                 else Value(seed, requires_grad=False) for seed in seeds]
    _, found = forward_pass(outputs, zip(leaves, seeds), create_graph=nested)
    values = [result(out, nested) for out in outputs]
    derivatives = [result(_tangent_of(out, found), nested) for out in outputs]
    if single:
        return values[0], derivatives[0]
    return values, derivatives


def forward_columns(outputs: Sequence[Value], leaves: Sequence[Value],
                    create_graph: bool = False) -> np.ndarray:
    """The Jacobian d outputs / d leaves column by column: one forward pass per leaf
    (with ``create_graph``, an object array of Values, for an enclosing transform)."""
    columns = []
    for leaf in leaves:
        _, found = forward_pass(outputs, [(leaf, 1.0)], create_graph)
        columns.append([_tangent_of(out, found) for out in outputs])
    rows = [[column[i] for column in columns] for i in range(len(outputs))]
    return matrix(rows, len(leaves), create_graph)


class TangentStep:
    """One node of forward mode: ``tangent`` = sum over ``edges`` of local x parent
    tangent; each edge is (parent, index, local_grad, parent_tangent, contribution)."""

    __slots__ = ("number", "node", "tangent", "edges", "names")

    def __init__(self, number: int, node: Value, tangent: Any,
                 edges: list[tuple[Value, int, Any, Any, Any]],
                 names: Mapping[Value, str] | None = None) -> None:
        self.number, self.node, self.tangent, self.edges = number, node, tangent, edges
        self.names = names        # Value -> what to call it (``Graph.forward_steps``: v1, ...)

    def __str__(self) -> str:
        def name(value: Value) -> str:
            return (self.names or {}).get(value) or value.name
        node = self.node
        operands = ", ".join(name(parent) for parent in node.parents)
        lines = [f"step {self.number}: {name(node)} = {node.op}({operands}), tangent "
                 f"{default_number(self.tangent)}"]
        for parent, index, local, parent_tangent, contribution in self.edges:
            lines.append(f"  {name(parent)} -> {name(node)}: local {default_number(local)} × "
                         f"tangent {default_number(parent_tangent)} = "
                         f"{default_number(contribution)}")
        return "\n".join(lines)

    __repr__ = __str__


def forward_steps(roots: Value | Sequence[Value],
                  seeds: dict[Value, Any] | Iterable[tuple[Value, Any]]
                  ) -> Iterator[TangentStep]:
    """Forward mode one node at a time: a ``TangentStep`` per node with parents, in the
    order a program computed them (``computation_order``), each one call of the same
    ``push_forward`` that ``jvp`` makes. ``roots``: a Value or a list of Values;
    ``seeds``: {leaf: tangent} or (leaf, tangent) pairs (tangent 0 elsewhere)."""
    outputs = [roots] if isinstance(roots, Value) else list(roots)
    pairs = seeds.items() if isinstance(seeds, dict) else seeds
    tangents = {id(leaf): tangent for leaf, tangent in pairs}
    number = 0
    for node in computation_order(outputs):
        if not node.parents:
            continue
        contributions = push_forward(node, tangents)
        number += 1
        edges = [(parent, index, local, tangents.get(id(parent), 0.0), contribution)
                 for index, (parent, local, contribution) in enumerate(
                     zip(node.parents, node.local_grads, contributions))
                 if contribution is not None]
        yield TangentStep(number, node, _tangent_of(node, tangents), edges)

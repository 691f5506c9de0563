"""Forward mode: tangents pushed along the same edges, with the same local derivatives.

The whole rule is ``push_forward``: a node's tangent (d node / d t, for a direction t
in the inputs) is the sum over its edges of local_grad * tangent(parent). One pass
from the inputs to the outputs gives J v, one column of the Jacobian per direction;
reverse mode gives one row per backward pass. (``backward`` is ``push`` in the other
direction.)
"""
import numpy as np

from ._backward import computation_order, topological_order
from ._value import Value
from ._step_text import default_number


def push_forward(node, tangents):
    """One step of forward mode: tangent(node) = sum over edges of local * tangent(parent).

    ``tangents`` maps id(parent) -> tangent (absent: 0). Returns what each edge added
    (``None`` where the parent's tangent is 0) and stores the node's tangent."""
    contributions, total = [], 0.0
    for parent, local in zip(node.parents, node.local_grads):
        tangent = tangents.get(id(parent))
        if tangent is None:
            contributions.append(None)
            continue
        contribution = local * tangent
        if type(node.data) is float and isinstance(contribution, np.ndarray):
            contribution = float(np.sum(contribution))    # a batch reduced to a number
        contributions.append(contribution)
        total = total + contribution
    if any(c is not None for c in contributions):
        tangents[id(node)] = total
    return contributions


def forward_pass(outputs, seeds):
    """Tangents of every node the outputs depend on, from ``seeds`` (leaf -> tangent):
    each node pushed once, parents first. Returns (order, tangents by id)."""
    order = topological_order(*outputs)
    tangents = {id(leaf): tangent for leaf, tangent in seeds}
    for node in order:
        if node.parents:
            push_forward(node, tangents)
    return order, tangents


def _tangent_of(value, tangents):
    tangent = tangents.get(id(value))
    if tangent is None:
        return 0.0 if type(value.data) is float else np.zeros_like(value.data)
    return tangent


def _leaves(primals, name):
    flat = [x for x in primals] if isinstance(primals, (list, tuple)) else [primals]
    return [x if isinstance(x, Value) else Value(x) for x in flat]


def jvp(f, primals, tangents):
    """(f(primals), J v): the outputs and their directional derivatives along
    ``tangents`` (one per primal), by one forward pass. ``f`` takes the primals as
    separate arguments and returns a Value or a list of Values; results are numbers
    (lists for a list output)."""
    leaves = _leaves(primals, "jvp")
    directions = list(tangents) if isinstance(tangents, (list, tuple)) else [tangents]
    if len(directions) != len(leaves):
        raise ValueError(f"jvp: needs one tangent per primal, got {len(directions)} tangents "
                         f"for {len(leaves)} primals")
    result = f(*leaves)
    outputs = [result] if isinstance(result, Value) else list(result)
    if not all(isinstance(out, Value) for out in outputs):
        raise TypeError(f"jvp: the function must return Values, got {result!r}")
    _, found = forward_pass(outputs, [(leaf, float(t) if np.ndim(t) == 0 else np.asarray(t, float))
                                      for leaf, t in zip(leaves, directions)])
    values = [out.data for out in outputs]
    derivatives = [_tangent_of(out, found) for out in outputs]
    if isinstance(result, Value):
        return values[0], derivatives[0]
    return values, derivatives


def forward_columns(outputs, leaves):
    """The Jacobian d outputs / d leaves column by column: one forward pass per leaf."""
    columns = []
    for leaf in leaves:
        _, found = forward_pass(outputs, [(leaf, 1.0)])
        columns.append([_tangent_of(out, found) for out in outputs])
    return np.array(columns, dtype=np.float64).T.reshape(len(outputs), len(leaves))


class TangentStep:
    """One node of forward mode: ``tangent`` = sum over ``edges`` of local x parent
    tangent; each edge is (parent, index, local_grad, parent_tangent, contribution)."""

    __slots__ = ("number", "node", "tangent", "edges", "names")

    def __init__(self, number, node, tangent, edges, names=None):
        self.number, self.node, self.tangent, self.edges = number, node, tangent, edges
        self.names = names        # Value -> what to call it (``Graph.forward_steps``: v1, ...)

    def __str__(self):
        def name(value):
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


def forward_steps(roots, seeds):
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

"""Tracing: run a function on labelled inputs and keep its whole graph."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Callable

from ._backward import backward, topological_order
from ._computation_order import computation_order
from ._forward import TangentStep, forward_steps
from ._nesting import differentiating
from ._steps import Step, backward_steps
from ._types import Data, DataLike
from ._value import Edge, Value


class Graph:
    """A traced computation.

    ``inputs``: name -> leaf Value; ``outputs``: the Values f returned;
    ``nodes``: every Value, parents before children; ``edges``: every edge (one per
    use of a parent), each with its local derivative d(child)/d(parent).
    """

    def __init__(self, inputs: dict[str, Value], outputs: Iterable[Value]) -> None:
        self.inputs = inputs
        self.outputs = tuple(outputs)
        self.nodes: list[Value] = topological_order(*self.outputs)
        self.edges: list[Edge] = [edge for node in self.nodes for edge in node.edges()]

    @property
    def output(self) -> Value:
        """The single output (an error if f returned several)."""
        if len(self.outputs) != 1:
            raise ValueError(f"Graph.output: the function returned {len(self.outputs)} "
                             "outputs; use graph.outputs[i]")
        return self.outputs[0]

    def backward(self, grad: Any = None) -> Graph:
        """Backward from the output; every node's ``grad`` is then d(output)/d(node)."""
        backward(self.output, grad)
        return self

    def steps(self, grad: Any = None) -> list[Step]:
        """Run backward one node at a time; a list of ``Step`` records (see
        ``autodiff.backward_steps``), one per node with parents, in the engine's order."""
        names = self.names()
        steps = list(backward_steps(self.output, grad))
        for step in steps:
            step.names = names
        return steps

    def forward_steps(self, wrt: str | Mapping[str, Any] | None = None) -> list[TangentStep]:
        """Forward mode one node at a time (``autodiff.forward_steps``), named as
        ``steps`` names them: ``wrt`` is an input's name (tangent 1; the first input by
        default) or {name: tangent} for a direction."""
        if wrt is None:
            wrt = next(iter(self.inputs))
        seeds = {wrt: 1.0} if isinstance(wrt, str) else dict(wrt)
        unknown = [name for name in seeds if name not in self.inputs]
        if unknown:
            raise ValueError(f"Graph.forward_steps: no input named {unknown[0]!r}; the "
                             f"inputs are {list(self.inputs)}")
        names = self.names()
        steps = list(forward_steps(self.outputs, {self.inputs[name]: tangent
                                                  for name, tangent in seeds.items()}))
        for step in steps:
            step.names = names
        return steps

    def names(self) -> dict[Value, str]:
        """Value -> name: a label where there is one, else v1, v2, ... for the operations
        in the order they were computed (as the pictures number them)."""
        names, count = {}, 0
        for node in computation_order(self.outputs):
            if node.label:
                names[node] = node.label
            elif node.parents:
                count += 1
                names[node] = f"v{count}"
        return names

    def gradients(self) -> dict[str, Data]:
        """name -> d(output)/d(input) after ``backward``."""
        return {name: value.grad for name, value in self.inputs.items()}

    def __repr__(self) -> str:
        return (f"Graph({len(self.nodes)} nodes, {len(self.edges)} edges, inputs "
                f"{list(self.inputs)})")


def trace(f: Callable[..., Value | Iterable[Value]], **inputs: DataLike) -> Graph:
    """Run ``f(**inputs)`` on fresh leaves labelled with the argument names and return
    its ``Graph``. ``f`` returns a Value or a sequence of Values.

    Tracing counts as a transform (``_nesting.py``): a ``grad`` or ``jvp`` inside ``f``
    returns Values, so the graph records how its result depends on the inputs
    (``trace(lambda x: x * grad(lambda t: x * t)(2.0), x=1.5)`` is x^2, d/dx = 2x);
    like the transforms, it records inside ``no_grad`` too."""
    leaves = {name: Value(data, label=name) for name, data in inputs.items()}
    with differentiating("trace"):
        result = f(**leaves)
    outputs = [result] if isinstance(result, Value) else (
        list(result) if isinstance(result, (list, tuple)) else [])
    if not outputs or not all(isinstance(out, Value) for out in outputs):
        raise TypeError(f"trace: the function must return Values, got {result!r}")
    return Graph(leaves, outputs)

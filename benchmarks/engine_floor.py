"""How fast can an engine with chainrule's data layout be? A stripped-down reference.

    python benchmarks/engine_floor.py

The same random graph as benchmarks/engine.py, built and backpropagated by a minimal
engine written here with chainrule's node layout (a __slots__ object with data, grad,
parents and local-derivative tuples) but none of its work: no input checks, no per-thread
recording state, no primitive table, add/sub/mul/relu inlined by hand. Its ns/node is
about the floor for this layout in CPython; chainrule is measured in the same run.
"""
import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engine  # noqa: E402  (benchmarks/engine.py: the random program and its builder)


class Node:
    __slots__ = ("data", "grad", "parents", "local_grads", "primitive", "label", "scope")

    def __init__(self, data):
        self.data, self.grad, self.parents, self.local_grads = data, 0.0, (), ()
        self.primitive, self.label, self.scope = None, "", None

    def __add__(self, other):
        return _node(self.data + other.data, (self, other), (1.0, 1.0))

    def __sub__(self, other):
        return _node(self.data - other.data, (self, other), (1.0, -1.0))

    def __mul__(self, other):
        other = other if type(other) is Node else Node(other)
        return _node(self.data * other.data, (self, other), (other.data, self.data))

    def relu(self):
        x = self.data
        return _node(x if x > 0.0 else 0.0, (self,), (1.0 if x > 0.0 else 0.0,))

    def backward(self):
        zero, order, stack = float(0), [], [self]
        while stack:
            node = stack.pop()
            if node is None:
                order.append(stack.pop())
            elif node.parents and node.grad is not zero:
                node.grad = zero
                stack += (node, None)
                stack.extend(node.parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad = parent.grad + local * node.grad


def _node(data, parents, local_grads):
    node = Node.__new__(Node)
    node.data, node.grad, node.parents, node.local_grads = data, 0.0, parents, local_grads
    node.primitive, node.label, node.scope = None, "", None
    return node


def main():
    from autodiff import Value
    leaf_data, program = engine.random_program(200_000)
    print("random graph: 200000 nodes, forward + backward, collector off, best of 3")
    for name, cls in (("stripped-down reference", Node), ("chainrule", Value)):
        gc.collect()
        gc.disable()
        try:
            best = min(engine.run_once(cls, leaf_data, program) for _ in range(3))
        finally:
            gc.enable()
        print(f"{name:<26}{best * 1e9 / (len(leaf_data) + len(program)):>8.0f} ns/node")


if __name__ == "__main__":
    main()

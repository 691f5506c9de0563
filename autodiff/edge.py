"""Edges of the graph: each carries its local derivative d(child)/d(parent)."""


class Edge:
    """One use of ``parent`` by ``child`` (``a * a`` has two edges, index 0 and 1).

    ``local_grad`` is d(child)/d(parent), stored when the child was computed;
    ``contribution`` is the chain-rule product ``local_grad * child.grad`` that this
    edge adds to ``parent.grad`` during backward.
    """

    __slots__ = ("parent", "child", "index", "local_grad")

    def __init__(self, parent, child, index, local_grad):
        self.parent = parent
        self.child = child
        self.index = index
        self.local_grad = local_grad

    @property
    def contribution(self):
        """local_grad * child.grad: what this edge adds to parent.grad."""
        return self.local_grad * self.child.grad

    def __repr__(self):
        return (f"Edge({self.parent.name} -> {self.child.name} [{self.index}], "
                f"local_grad={self.local_grad!r})")

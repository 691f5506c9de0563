"""Value: one scalar quantity in the computation graph."""
import numpy as np

from .errors import as_data, describe
from .mode import check_not_tracing, state


class _Constant:
    """The ``primitive`` of a leaf made with ``requires_grad=False``: data (inputs,
    targets), shifts and masks that no gradient needs to reach."""

    __slots__ = ()
    name = ""

    def __repr__(self):
        return "CONSTANT"


CONSTANT = _Constant()


class Value:
    """A scalar (or one scalar per example of a batch) and the edges that made it.

    ``data``: a float, or a 1-D float64 array with one entry per example.
    ``grad``: d(root)/d(self) after ``backward``, the same kind as ``data``.
    ``parents``: the operands, in order; ``a * a`` has ``(a, a)``: two edges.
    ``local_grads``: d(self)/d(parent) for each parent, stored when the op ran.
    ``primitive``: the operation that produced it (``None`` for a leaf, ``CONSTANT``
    for a leaf made with ``requires_grad=False``, which backward gives no gradient).
    """

    __slots__ = ("data", "grad", "parents", "local_grads", "primitive", "label", "scope")
    __array_ufunc__ = None  # `ndarray * Value` defers to Value.__rmul__

    def __init__(self, data, label="", requires_grad=True):
        self.data = as_data(data, "Value")
        self.grad = 0.0 if type(self.data) is float else np.zeros_like(self.data)
        self.parents = ()
        self.local_grads = ()
        self.primitive = None if requires_grad else CONSTANT
        self.label = label
        self.scope = state.context[1]

    @property
    def op(self):
        """Name of the primitive that produced this Value ('' for a leaf)."""
        return "" if self.primitive is None else self.primitive.name

    @property
    def requires_grad(self):
        """False for a leaf made with ``requires_grad=False``: backward skips the edges
        into it and its grad stays 0 (like a PyTorch tensor with requires_grad=False)."""
        return self.primitive is not CONSTANT

    @requires_grad.setter
    def requires_grad(self, flag):
        if self.parents:
            raise ValueError(f"requires_grad: only a leaf can change it, not {self!r}")
        self.primitive = None if flag else CONSTANT

    @property
    def name(self):
        """What to call this Value in a picture: its label, else its op, else (for an
        unlabelled leaf, a constant) its data."""
        if self.label:
            return self.label
        if self.parents:
            return self.primitive.name
        return f"{self.data:.4g}" if type(self.data) is float else "batch"

    @property
    def is_leaf(self):
        """True for Values with no parents: inputs, parameters, constants."""
        return not self.parents

    @property
    def batch_size(self):
        """Number of examples for batched data, ``None`` for a plain scalar."""
        return None if type(self.data) is float else len(self.data)

    def edges(self):
        """The edges into this Value, one per operand, with their local derivatives."""
        from .edge import Edge
        return [Edge(parent, self, index, local)
                for index, (parent, local) in enumerate(zip(self.parents, self.local_grads))]

    def backward(self, grad=None, create_graph=False):
        """Reverse-mode pass: fill ``.grad`` of every Value this one depends on.

        dL/dp = sum over edges p -> c of local(c, p) * dL/dc, processed in reverse
        topological order. Non-leaf grads are reset first; leaf grads accumulate.
        """
        from .backward import backward
        backward(self, grad, create_graph)

    def detach(self):
        """A new leaf holding the same data that needs no gradient (as torch's detach)."""
        return Value(self.data, requires_grad=False)

    def item(self):
        """The data as a Python float (only for unbatched Values)."""
        check_not_tracing("item()/float()")
        if type(self.data) is not float:
            raise ValueError(f"item: Value is batched ({len(self.data)} examples)")
        return self.data

    __float__ = item

    def __bool__(self):
        check_not_tracing("bool()")
        return True

    def __lt__(self, other):
        check_not_tracing("'<'")
        return self.data < getattr(other, "data", other)

    def __le__(self, other):
        check_not_tracing("'<='")
        return self.data <= getattr(other, "data", other)

    def __gt__(self, other):
        check_not_tracing("'>'")
        return self.data > getattr(other, "data", other)

    def __ge__(self, other):
        check_not_tracing("'>='")
        return self.data >= getattr(other, "data", other)

    def __repr__(self):
        parts = [f"data={describe(self.data)}", f"grad={describe(self.grad)}"]
        if self.primitive is not None:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

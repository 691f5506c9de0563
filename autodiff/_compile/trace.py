"""Tracing a step for ``compile``: run it once on the step's own copies of the data,
note where every leaf came from, and rewrite the recorded graph into a compact form.

Where a leaf came from decides what the tape does with it on every replay:

- a parameter: read from the parameters' flat vector;
- data: a Value made from (a view of) a data argument, or from one number of it
  (``for a, b in X``): gathered from the new batch;
- ``autodiff.constant(function, *arrays)``: ``function`` called again (dropout masks,
  one-hot targets);
- a number made in the step (``1.0 - y * s``): a constant of the tape;
- a batch made any other way (an array computed from the data in numpy): refused,
  since the tape would replay it for every batch.

Rewrites (before grouping): a chain of ``+`` becomes one n-ary sum, and a sum of
products ``w1*x1 + ... + wk*xk (+ b)`` becomes ``affine`` (a matrix product on replay).
"""
import os
import sys
import threading

import numpy as np

from .._mode import TracingError

_active = threading.local()


def active_recorder():
    """The Recorder of the step this thread is tracing, or None."""
    return getattr(_active, "recorder", None)


class _Root:
    """One data argument's buffer: where its memory starts and ends."""

    def __init__(self, index, array):
        self.index, self.array = index, array
        self.address = array.__array_interface__["data"][0]
        self.nbytes, self.itemsize, self.dtype = array.nbytes, array.itemsize, array.dtype


class DataArray(np.ndarray):
    """A compiled step's copy of a data argument, as the traced function sees it. It is
    an ordinary array, except that a single float taken out of it (``X[i, j]``,
    ``for a, b in X``) remembers where it came from (a ``DataFloat``)."""

    def __array_finalize__(self, obj):
        self.root = getattr(obj, "root", None)

    def __getitem__(self, key):
        result = super().__getitem__(key)
        if isinstance(result, np.floating) and self.root is not None:
            element = super().__getitem__((key if type(key) is tuple else (key,)) + (Ellipsis,))
            return DataFloat(result, self.root, element)
        if isinstance(result, (np.integer, np.bool_)) and self.root is not None:
            raise TracingError(
                f"compile: reading one integer of data argument {self.root.index} in Python "
                f"(a class label?), at {user_line(sys._getframe(1))}, would freeze what it "
                "selects (values[label]) into the tape; pass the labels as a batch, e.g. "
                "nn.cross_entropy(scores, yb), or run per-example graphs eagerly")
        return result

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


class DataFloat(float):
    """A float read from a data argument: ``source`` = (argument, flat position)."""

    def __new__(cls, value, root, element):
        number = float.__new__(cls, value)
        address = element.__array_interface__["data"][0]
        number.source = (root.index, (address - root.address) // root.itemsize)
        return number


def data_buffer(index, argument):
    """The step's own contiguous copy of a data argument, as a DataArray."""
    array = np.array(argument, order="C")
    if array.dtype.kind not in "fiub":
        raise TypeError(f"compile: data argument {index} must be numbers, got {array.dtype}")
    if array.dtype.kind == "f" and array.dtype != np.float64:
        array = array.astype(np.float64)
    buffer = array.view(DataArray)
    buffer.root = _Root(index, array)
    return buffer


def provenance(raw, roots):
    """(argument, flat positions) when ``raw`` is a 1-D view of a data buffer or a
    DataFloat, else None."""
    if isinstance(raw, DataFloat):
        return raw.source[0], np.array([raw.source[1]])
    if not isinstance(raw, np.ndarray) or raw.ndim != 1:
        return None
    address = raw.__array_interface__["data"][0]
    for root in roots:
        if root.nbytes and root.address <= address < root.address + root.nbytes \
                and raw.dtype == root.dtype:
            offset, stride = address - root.address, raw.strides[0]
            if offset % root.itemsize or stride % root.itemsize:
                return None
            positions = offset // root.itemsize + (stride // root.itemsize) * np.arange(len(raw))
            return root.index, positions
    return None


def user_line(frame):
    """'file:line' of the first frame outside autodiff/ from ``frame`` outwards."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autodiff/
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
    return "an unknown line" if frame is None else \
        f"{frame.f_code.co_filename}:{frame.f_lineno}"


class Recorder:
    """What tracing learns about leaves: for each piece of data converted for a leaf
    (``as_data``), its provenance; the ``constant`` and ``observe`` records, in order."""

    def __init__(self, roots):
        self.roots = roots
        self.converted = {}    # id(data) -> (data, ("data", arg, positions) | ("batch", frame))
        self.constants = []    # (function, sources, leaves)
        self.observers = []    # (function, values)

    def note_conversion(self, raw, data):
        earlier = self.converted.get(id(raw))
        if earlier is not None and earlier[0] is raw:      # converted twice (operand, Value)
            self.converted[id(data)] = (data, earlier[1])
            return
        found = provenance(raw, self.roots)
        if found is not None:
            self.converted[id(data)] = (data, ("data",) + found)
        elif type(data) is not float:
            self.converted[id(data)] = (data, ("batch", sys._getframe(2)))

    def origin(self, leaf):
        """("data", arg, positions), ("batch", frame) or None for a leaf's data."""
        entry = self.converted.get(id(leaf.data))
        return entry[1] if entry is not None and entry[0] is leaf.data else None

    def note_constant(self, function, arrays, leaves):
        sources = []
        for position, array in enumerate(arrays):
            found = provenance(array, self.roots)
            if found is None:
                raise ValueError(
                    f"constant: array {position} is not (a 1-D view of) a data argument of "
                    f"the step being compiled, at {user_line(sys._getframe(2))}; pass the "
                    "data array itself (e.g. the targets) so every replay recomputes it")
            sources.append(found)
        self.constants.append((function, sources, leaves))

    def note_observer(self, function, values):
        self.observers.append((function, values))


class tracing:
    """Context: data converted for new leaves (the engine's ``as_data``, wherever
    autodiff imported it) is noted by ``recorder``; comparisons and
    ``bool``/``item``/``float`` on Values refuse (autodiff._mode.check_not_tracing)."""

    def __init__(self, recorder, value_class, state):
        self.recorder, self.state = recorder, state
        self.original = value_class.__init__.__globals__["as_data"]

    def __enter__(self):
        if active_recorder() is not None:
            raise RuntimeError("compile: a compiled step was called while tracing another")
        original, note = self.original, self.recorder.note_conversion

        def as_data(value, *args, **kwargs):
            data = original(value, *args, **kwargs)
            note(value, data)
            return data
        self.patched = [module for name, module in list(sys.modules.items())
                        if (name == "autodiff" or name.startswith("autodiff."))
                        and getattr(module, "as_data", None) is original]
        for module in self.patched:
            module.as_data = as_data
        _active.recorder = self.recorder
        self.state.tracing = True
        return self

    def __exit__(self, *exc_info):
        for module in self.patched:
            module.as_data = self.original
        _active.recorder = None
        self.state.tracing = False
        return False


class Graph:
    """The traced graph as flat lists indexed by node number (parents first):
    ``kind`` 0 for a scalar, 1 for a batch; ``primitive`` (None for a leaf);
    ``operands`` (node numbers); ``leaf`` (for leaves: ("param", i), ("data", arg,
    positions), ("constant", record, row), ("fixed",)); ``alive`` (False once a rewrite
    folded the node into its consumer)."""

    def __init__(self, values, table, constant_marker):
        self.values = values
        self.number = {id(v): i for i, v in enumerate(values)}
        number = self.number
        self.kind = [0 if type(v.data) is float else 1 for v in values]
        self.primitive = [v.primitive if v.parents else None for v in values]
        self.operands = [[number[id(p)] for p in v.parents] for v in values]
        self.leaf = [None] * len(values)
        self.alive = [True] * len(values)
        self.table = table
        self.constant_marker = constant_marker


def build_graph(loss, params, recorder, table, topological_order, constant_marker):
    """The Graph of ``loss`` with every leaf classified; raises for a batch leaf that
    no replay could recompute."""
    observed = [v for _, values in recorder.observers for v in values]
    values = topological_order(loss, *observed)
    graph = Graph(values, table, constant_marker)
    param_index = {id(p): i for i, p in enumerate(params)}
    origin = recorder.origin
    fresh = {}
    for record, (_, _, leaves) in enumerate(recorder.constants):
        for row, leaf in enumerate(leaves):
            fresh[id(leaf)] = (record, row)
    for i, value in enumerate(values):
        if value.parents:
            continue
        key = id(value)
        if key in param_index:
            graph.leaf[i] = ("param", param_index[key])
        elif key in fresh:
            graph.leaf[i] = ("constant",) + fresh[key]
        elif origin(value) is not None and origin(value)[0] == "data":
            graph.leaf[i] = origin(value)
        elif graph.kind[i] == 0:
            graph.leaf[i] = ("fixed",)
        else:
            noted = origin(value)
            where = user_line(noted[1]) if noted else "a line before the step"
            made = "computed without recording (no_grad)" if value.primitive not in (
                None, constant_marker) else "made from an array"
            raise ValueError(
                f"compile: a batched Value {made} at {where} is neither data of the step "
                "nor a parameter; a tape would replay this batch for every batch. Make it "
                "from a data argument (pass the array to the step), or with "
                "autodiff.constant(function, *data) so each replay recomputes it")
    rewrite(graph, [graph.number[id(v)] for v in observed])
    return graph


def rewrite(graph, pinned):
    """Chains of add/sum into one sum; sums of products into affine (in place).
    Nodes in ``pinned`` (observed Values) are kept. Linear in the graph's size: a
    chain's inner nodes are marked folded, then each outermost sum collects its terms."""
    add, total, mul, affine = (graph.table[name] for name in ("add", "sum", "mul", "affine"))
    primitive, operands, alive, kind, leaf = (graph.primitive, graph.operands, graph.alive,
                                              graph.kind, graph.leaf)
    count = len(primitive)
    uses = [0] * count
    consumer = [-1] * count
    for i, ops in enumerate(operands):
        for j in ops:
            uses[j] += 1
            consumer[j] = i
    for j in pinned:
        uses[j] += 2
    summing = [p is add or p is total for p in primitive]
    for j in range(count):
        if summing[j] and uses[j] == 1 and summing[consumer[j]]:
            alive[j] = False                       # folded into its consumer's sum
    for i in range(count):
        if not summing[i] or not alive[i]:
            continue
        terms, stack = [], list(reversed(operands[i]))
        while stack:
            j = stack.pop()
            if alive[j] or not summing[j]:
                terms.append(j)
            else:
                stack.extend(reversed(operands[j]))
        primitive[i], operands[i] = total, terms
        products = [j for j in terms if primitive[j] is mul and uses[j] == 1]
        if not products or len(terms) - len(products) > 1:
            continue
        others = [j for j in terms if not (primitive[j] is mul and uses[j] == 1)]
        weights, inputs = [], []
        for j in products:
            a, b = operands[j]
            if kind[a] == 0 and (kind[b] == 1 or leaf[b] is None or leaf[b][0] != "param"):
                weights.append(a), inputs.append(b)
            elif kind[b] == 0:
                weights.append(b), inputs.append(a)
            else:
                break
        else:
            if len({kind[j] for j in inputs}) == 1:
                for j in products:
                    alive[j] = False
                primitive[i], operands[i] = affine, weights + inputs + others

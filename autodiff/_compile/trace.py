"""Tracing a step for ``compile``: run it once on the step's own copies of the data,
note where every leaf came from, and rewrite the recorded graph into a compact form.

Where a leaf came from decides what the tape does with it on every replay:

- a parameter: read from the parameters' flat vector;
- data: a Value made from (a view of) a data argument, or from one number of it
  (``for a, b in X``), or a ``Value`` argument of the step: gathered from the new
  call's arguments (data.py watches every way numbers leave the data arguments);
- ``autodiff.constant(function, *arrays)``: ``function`` called again (dropout masks,
  one-hot targets);
- a number made in the step (``1.0 - y * s``): a constant of the tape;
- a number or batch computed from the data in numpy: refused when it becomes a Value
  (data.py); a batch made any other way: refused too, since the tape would replay it
  for every batch.

Rewrites (before grouping): a chain of ``+`` becomes one n-ary sum, and a sum of
products ``w1*x1 + ... + wk*xk (+ b)`` becomes ``affine`` (a matrix product on replay).
"""
import sys
import threading

import numpy as np

from .._mode import TracingError
from .data import (LIBRARY, DataArray, DataNumber, _watch, data_buffer,  # noqa: F401
                   provenance, refuse_unrecorded, user_line)

_active = threading.local()


def active_recorder():
    """The Recorder of the step this thread is tracing, or None."""
    return getattr(_active, "recorder", None)


class Recorder:
    """What tracing learns about leaves: for each piece of data converted for a leaf
    (``as_data``), its provenance; the ``constant`` and ``observe`` records, in order."""

    def __init__(self, roots):
        self.roots = roots
        self.converted = {}    # id(data) -> (data, ("data", arg, positions) | ("batch", frame))
        self.constants = []    # (function, sources, leaves)
        self.observers = []    # (function, values)
        self.watched = set()   # ids of leaves whose .data the user may not read: params,
                               # constant leaves (see ValueDataGuard)

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
        self.watched.update(map(id, leaves))

    def note_observer(self, function, values):
        self.observers.append((function, values))


class tracing:
    """Context: data converted for new leaves (the engine's ``as_data``, wherever
    autodiff imported it) is noted by ``recorder``, and refused when it is a number
    computed from the data (data.py); numbers read out of the data arguments are
    watched; comparisons and ``bool``/``item``/``float`` on Values refuse
    (autodiff._mode.check_not_tracing), and so does reading ``.data`` of a Value that
    depends on the step's data or parameters in the user's code (``ValueDataGuard``)."""

    def __init__(self, recorder, value_class, state):
        self.recorder, self.state, self.value_class = recorder, state, value_class
        self.original = value_class.__init__.__globals__["as_data"]

    def __enter__(self):
        if active_recorder() is not None:
            raise RuntimeError("compile: a compiled step was called while tracing another")
        original, note = self.original, self.recorder.note_conversion

        def as_data(value, *args, **kwargs):
            if type(value) is DataNumber:
                refuse_unrecorded(value)
                data = original(value.value, *args, **kwargs)
            else:
                if isinstance(value, DataArray):
                    refuse_unrecorded(value)
                data = original(value, *args, **kwargs)
            note(value, data)
            return data
        self.patched = [module for name, module in list(sys.modules.items())
                        if (name == "autodiff" or name.startswith("autodiff."))
                        and getattr(module, "as_data", None) is original]
        for module in self.patched:
            module.as_data = as_data
        self.guard = ValueDataGuard(self.value_class, self.recorder, self.state)
        _active.recorder = self.recorder
        _watch.roots = self.recorder.roots
        self.state.tracing = True
        return self

    def __exit__(self, *exc_info):
        for module in self.patched:
            module.as_data = self.original
        self.guard.remove()
        _active.recorder = None
        _watch.roots = None
        self.state.tracing = False
        return False


class ValueDataGuard:
    """While installed, ``Value.data`` is a property: code outside the library (the
    user's step) that reads the data of a Value the tape recomputes (a computed Value,
    a parameter, data, a ``constant``) gets TracingError naming the line, since the
    number it reads would be frozen into the tape. The engine, nn's layers, ``constant``
    and ``observe`` read it freely. (Installed on the class for the duration of one
    trace; in other threads reads are not checked.)"""

    def __init__(self, value_class, recorder, state):
        self.value_class = value_class
        self.slot = slot = value_class.__dict__["data"]
        get, converted, watched = slot.__get__, recorder.converted, recorder.watched
        getframe = sys._getframe
        library = {id(vars(module)) for module in list(sys.modules.values())
                   if getattr(module, "__file__", None) and module.__file__.startswith(LIBRARY)}

        def read(value):
            if id(getframe(1).f_globals) in library:       # the engine, nn, ...: free
                return get(value)
            data = get(value)
            if not state.tracing or not (value.parents or type(data) is not float or
                                         id(value) in watched or id(data) in converted):
                return data
            frame = getframe(1)
            if frame.f_code.co_filename.startswith(LIBRARY):    # imported since
                library.add(id(frame.f_globals))
                return data
            raise TracingError(
                f"compile: reading .data of {value!r} at {user_line(frame)}, while "
                "tracing: a compiled tape would freeze the number read (or the decision "
                "made on it) and replay it for every batch. Use the Value itself in the "
                "graph, autodiff.observe(function, value) for a side effect (logging), or "
                "run the step eagerly")
        value_class.data = property(read, slot.__set__, doc=slot.__doc__)

    def remove(self):
        self.value_class.data = self.slot


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
    arguments = getattr(recorder, "arguments", {})
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
        elif key in arguments:                  # a Value argument: its data, every call
            size = 1 if graph.kind[i] == 0 else len(value.data)
            graph.leaf[i] = ("data", arguments[key], np.arange(size))
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

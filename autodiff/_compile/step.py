"""compile: trace a training step once, then replay it as a few numpy operations per
group of like nodes, reading the same rules table as the eager engine.

    step = autodiff.compile(loss_fn, model)        # or a list of parameter Values
    for xb, yb in batches:
        optimizer.zero_grad()
        loss = step(xb, yb)                        # forward + backward: p.grad filled
        optimizer.step()

``loss_fn(*data)`` gets the step's data arguments (numpy arrays) and returns one scalar
Value. The first call with a new structure (argument shapes and dtypes, the modules'
train/eval modes) runs ``loss_fn`` eagerly and records it (a tape); later calls write
the new batch into the tape and replay it. Replay = forward and backward of every
group of nodes of one level with the same primitive, each computed by one numpy call:
dL/dp accumulates into ``p.grad`` exactly as ``loss.backward()`` would (to rounding).

Parameters: the first call takes them over: their data and grads move into two flat
vectors of the step (``step.parameter_vector``, ``step.gradient_vector``), and
``p.data`` / ``p.grad`` read and write those (the same Value objects, so the eager
engine, the pictures and a state dict see them as always, and a parameter is always
current, whoever changes it). A call then does nothing per parameter, and an ``optim``
optimizer over them updates the flat vectors once per param group
(``autodiff.parameter_slots``); a hand update on the vectors
(``step.parameter_vector -= lr * step.gradient_vector``) works too. ``release()``
gives them their own storage back; after it, calls copy the parameters in and the
grads out once per call, until ``parameter_vector``, ``gradient_vector`` or
``zero_grad()`` is used again.

A tape never lies: everything the trace reads from outside its recorded graph is
recorded, keyed or refused.

- Recorded (recomputed from each call's arguments): views and entries of the data
  arguments (data.py), a ``Value`` argument's data, ``constant(function, *data)``
  (masks, one-hot targets: the function is called again), ``stop_gradient`` nodes,
  ``observe(function, *values)`` (side effects such as batch norm's running
  statistics), the parameters' data.
- Keyed (checked on every call, key.py): argument shapes and dtypes, other hashable
  arguments by value, the modules' settings, the parameters' identity and
  ``requires_grad``. At most ``tape_limit`` tapes are kept.
- Refused (``TracingError`` naming the user's line): Python decisions on Values
  (``<``, ``bool``, ``item``, ``float``), ``.data`` of a traced Value read by the
  user's code, numbers computed from the data in numpy or Python that reach the graph
  or a decision, one integer read out of a data argument, writing into the data.
- Constants of the tape: numbers that do not come from the data (closed-over numbers,
  a random draw made in the step).

A NaN in the data a call reads raises as the eager engine does. Tracing swaps the
engine's data conversion (``as_data``) for one that notes where each leaf's data came
from, and ``Value.data`` for a guarded property, for the duration of the trace (trace
one step at a time).
"""
import operator
from collections.abc import Iterable
from typing import Any, Callable

import numpy as np

from .data import unwatched
from .key import ModuleWatch, frozen_positions
from .tape import Tape
from .trace import DataArray, Recorder, active_recorder, build_graph, data_buffer, tracing
from .._mode import state
from .._types import Model
from .._value import Value

_data_slot, _grad_slot = Value.data, Value.grad  # type: ignore[misc]  # CompiledParameter reuses


_get_data, _get_grad = operator.attrgetter("data"), operator.attrgetter("grad")


def _write_grads(params, gradient):
    """p.grad += the step's gradient for every parameter (as backward accumulates)."""
    try:
        totals = np.array(list(map(_get_grad, params)), dtype=np.float64) + gradient
    except (TypeError, ValueError):
        raise TypeError("compile: every parameter's grad must be a number before a step "
                        "(a Value grad from backward(create_graph=True)? call zero_grad)"
                        ) from None
    if set(map(type, params)) == {Value}:        # no parameter owned by another step
        list(map(_grad_slot.__set__, params, totals.tolist()))
    else:
        for p, total in zip(params, totals.tolist()):
            p.grad = total


class _Cell:
    """Where a compiled parameter's data and grad live: entry ``index`` of a store."""

    __slots__ = ("store", "index")

    def __init__(self, store, index):
        self.store, self.index = store, index


def _number(x, what, value):
    if type(x) is float:
        return x
    if isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool):
        return float(x)
    raise TypeError(f"compile: parameter {value.label or ''} is owned by a compiled step; its "
                    f"{what} must be a number, got {type(x).__name__} {x!r} (call "
                    "step.release() first to use it otherwise, e.g. create_graph)")


class CompiledParameter(Value):
    """A parameter Value whose ``data`` and ``grad`` live in a compiled step's flat
    vectors (same object, same class behaviour: only where the two numbers are kept)."""

    __slots__ = ()

    @property
    def data(self):
        cell = _data_slot.__get__(self)
        return cell.store.data.item(cell.index)

    @data.setter
    def data(self, x):
        cell = _data_slot.__get__(self)
        cell.store.data[cell.index] = _number(x, "data", self)

    @property
    def grad(self):
        cell = _data_slot.__get__(self)
        return cell.store.grad.item(cell.index)

    @grad.setter
    def grad(self, x):
        cell = _data_slot.__get__(self)
        cell.store.grad[cell.index] = _number(x, "grad", self)


class _ParameterStore:
    """The flat data and grad vectors of a list of parameters (in that order)."""

    def __init__(self, params):
        self.params = list(params)
        self.data = np.array([p.data for p in self.params], dtype=np.float64)
        self.grad = np.array([p.grad for p in self.params], dtype=np.float64)
        for index, p in enumerate(self.params):
            cell = _Cell(self, index)
            if type(p) is CompiledParameter:
                old = _data_slot.__get__(p)
                old.store.valid = False
            else:
                p.__class__ = CompiledParameter
            _data_slot.__set__(p, cell)
            _grad_slot.__set__(p, 0.0)
        self.valid = True

    def release(self):
        if not self.valid:
            return
        data, grad = self.data.tolist(), self.grad.tolist()
        for p, x, g in zip(self.params, data, grad):
            p.__class__ = Value
            _data_slot.__set__(p, x)
            _grad_slot.__set__(p, g)
        self.valid = False


def _store_for(params):
    """The store already holding exactly these parameters, else a new one."""
    first = params[0]
    if type(first) is CompiledParameter:
        store = _data_slot.__get__(first).store
        if store.valid and len(store.params) == len(params) and all(
                a is b for a, b in zip(store.params, params)):
            return store
    return _ParameterStore(params)


def _parameters_of(params):
    """(parameter list, the Module whose settings key the tapes, or None) from a Module
    or Values."""
    root = None
    if callable(getattr(params, "parameters", None)) and callable(getattr(params, "modules", None)):
        root = params
        params = params.parameters()
    if isinstance(params, Value):
        params = [params]
    try:
        values = list(params)
    except TypeError:
        raise TypeError("compile: params must be a Module or an iterable of Values, got "
                        f"{type(params).__name__}") from None
    if not values:
        raise ValueError("compile: params is empty (nothing to train)")
    seen = set()
    for index, value in enumerate(values):
        if not isinstance(value, Value):
            raise TypeError(f"compile: parameter {index} must be a Value, got "
                            f"{type(value).__name__} {value!r}")
        if not value.is_leaf:
            raise ValueError(f"compile: parameter {index} must be a leaf, got {value!r}")
        if type(value.data) is not float:
            raise ValueError(f"compile: parameter {index} must hold a float, got a batch of "
                             f"{len(value.data)}")
        if id(value) in seen:
            raise ValueError(f"compile: parameter {index} appears twice")
        seen.add(id(value))
    return values, root


class CompiledStep:
    """``step(*data) -> loss`` (a float): forward and backward of ``loss_fn(*data)``,
    traced once per structure and replayed; see the module docstring.

    The first call takes the parameters over: their data and grads live in its two
    flat vectors, and a call costs nothing per parameter; after ``release()`` they are
    plain Values again, copied in and out once per call.
    """

    def __init__(self, loss_fn: Callable[..., Value], params: Model | Iterable[Value]) -> None:
        if not callable(loss_fn):
            raise TypeError(f"compile: loss_fn must be callable, got {loss_fn!r}")
        self.loss_fn = loss_fn
        self.params, root = _parameters_of(params)
        self.watch = ModuleWatch(root) if root is not None else None
        self.store = None               # None: parameters are plain Values (copied per call)
        self.tapes: dict[tuple[Any, ...], Tape] = {}
        self._read_frozen()

    tape_limit = 16
    """At most this many tapes are kept (one per structure: shapes, settings, ...);
    tracing one more forgets the oldest."""

    def _read_frozen(self):
        self.parameter_ids = set(map(id, self.params))
        self.frozen_changes = Value._requires_grad_changes
        frozen = frozen_positions(self.params)
        self.frozen = frozen if len(frozen) else None

    def _check_model(self):
        """The model's part of a tape's key (its modules' settings), after reading the
        parameters again if a module changed (a new list: the tapes are dropped) and
        which of them are frozen if a ``requires_grad`` changed (see key.py)."""
        watch = self.watch
        if watch is not None and watch.changed():
            params, _ = _parameters_of(watch.root)
            if len(params) != len(self.params) or not all(map(operator.is_, params,
                                                              self.params)):
                self.release()
                self.params, self.tapes = params, {}
                self._read_frozen()
        if Value._requires_grad_changes != self.frozen_changes:
            self._read_frozen()
        return () if watch is None else watch.settings

    @property
    def parameter_vector(self) -> np.ndarray:
        """The parameters' data as one flat vector (live: writing it moves them)."""
        return self._own().data

    @property
    def gradient_vector(self) -> np.ndarray:
        """The parameters' grads as one flat vector (live)."""
        return self._own().grad

    def zero_grad(self) -> None:
        """Every parameter's grad = 0 (one vector fill)."""
        self._own().grad.fill(0.0)

    owns_parameters = True          # release() turns it off, _own() on again

    def release(self) -> None:
        """Give the parameters their own storage back (plain Values again); later calls
        copy them in and out, until ``parameter_vector``, ``gradient_vector`` or
        ``zero_grad()`` is used again."""
        self.owns_parameters = False
        if self.store is not None:
            self.store.release()
            self.store = None

    def _own(self):
        self.owns_parameters = True
        if self.store is None or not self.store.valid:
            self.store = _store_for(self.params)
        return self.store

    def _vectors(self):
        """(the parameters' data, a vector their grads accumulate into, write-back)."""
        store = self.store
        if store is not None and store.valid:
            return store.data, store.grad, None
        if self.owns_parameters:
            store = self._own()
            return store.data, store.grad, None
        params = self.params
        data = np.array(list(map(_get_data, params)), dtype=np.float64)
        if data.shape != (len(params),):
            raise ValueError("compile: every parameter must hold a float (one changed to "
                             "a batch)")
        return data, np.zeros(len(params)), _write_grads

    def _key(self, data):
        key = [self._check_model()]
        for argument in data:
            if isinstance(argument, np.ndarray):
                key.append((argument.shape, argument.dtype.str))
            elif isinstance(argument, Value):       # read on every call, as data
                key.append(("parameter", id(argument)) if id(argument) in self.parameter_ids
                           else ("Value", None if type(argument.data) is float
                                 else len(argument.data)))
            else:
                try:
                    hash(argument)
                except TypeError:
                    raise TypeError("compile: a step argument must be a numpy array (data) "
                                    f"or hashable (a setting), got {type(argument).__name__}"
                                    ) from None
                key.append(argument)
        return tuple(key)

    def __call__(self, *data: Any) -> float:
        key = self._key(data)
        tape = self.tapes.get(key)
        if tape is None:
            return self._trace(key, data)
        arrays = [np.ravel(argument) if isinstance(argument, np.ndarray) else
                  np.ravel(argument.data) if isinstance(argument, Value) else None
                  for argument in data]
        values, grads, write_back = self._vectors()
        tape.refresh(arrays, values)
        loss = tape.forward()
        tape.backward(grads, self.frozen)
        if write_back is not None:
            write_back(self.params, grads)
        return loss

    def _trace(self, key, data):
        import autodiff
        arguments, value_arguments = [], {}
        parameter_ids = self.parameter_ids
        for i, argument in enumerate(data):
            if isinstance(argument, np.ndarray):
                argument = data_buffer(i, argument)
            elif isinstance(argument, Value) and id(argument) not in parameter_ids:
                # its data as a leaf read on every call
                argument = Value(argument.data, label=argument.label, requires_grad=False)
                value_arguments[id(argument)] = i
            arguments.append(argument)
        recorder = Recorder([a.root for a in arguments if isinstance(a, DataArray)])
        recorder.arguments = value_arguments
        recorder.watched.update(map(id, self.params))
        recorder.watched.update(value_arguments)
        with tracing(recorder, Value, state):
            loss = self.loss_fn(*arguments)
        if not isinstance(loss, Value) or type(loss.data) is not float:
            raise ValueError("compile: loss_fn must return one scalar Value (reduce the "
                             f"batch, e.g. batch_mean), got {loss!r}")
        if not loss.parents:
            raise ValueError("compile: the loss does not depend on any computation")
        constant_marker = Value(0.0, requires_grad=False).primitive
        graph = build_graph(loss, self.params, recorder, autodiff.PRIMITIVES,
                            autodiff.topological_order, constant_marker)
        lengths = {len(v.data) for v in graph.values if type(v.data) is not float}
        if len(lengths) > 1:
            raise ValueError(f"compile: the step mixes batches of lengths {sorted(lengths)}")
        tape = Tape(graph, loss, len(self.params), recorder, lengths.pop() if lengths else None)
        values, grads, write_back = self._vectors()
        tape.load(graph, loss, values)
        tape.forward(observe=False)
        if len(self.tapes) >= self.tape_limit:
            del self.tapes[next(iter(self.tapes))]
        self.tapes[key] = tape
        tape.backward(grads, self.frozen)
        if write_back is not None:
            write_back(self.params, grads)
        return loss.data

    def __repr__(self):
        return (f"CompiledStep({getattr(self.loss_fn, '__name__', 'loss_fn')}, "
                f"{len(self.params)} parameters, {len(self.tapes)} tapes)")


def compile(loss_fn: Callable[..., Value],  # noqa: A001 (like torch.compile)
            params: Model | Iterable[Value]) -> CompiledStep:
    """A compiled training step: ``step(*data)`` returns loss_fn(*data) as a float and
    adds d loss / d p to every parameter's grad, as ``loss.backward()`` does.

    ``params``: a Module (its parameters, read again when one is replaced; its
    modules' settings, train/eval mode included, are part of the tape's key) or an
    iterable of parameter Values. A parameter with ``requires_grad`` False is read but
    its grad left alone. Other leaves of the graph are constants. See the module
    docstring for what is recorded, keyed and refused.
    """
    return CompiledStep(loss_fn, params)


def constant(function: Callable[..., Any], *arrays: np.ndarray) -> Value | list[Value]:
    """A leaf that needs no gradient holding ``function(*arrays)``: a Value for a number
    or a 1-D result (a batch), a list of Values for a 2-D result (one per row).

    Eagerly this is just the leaf. In a step being compiled, ``arrays`` must be data
    arguments of the step (or views of them), and every replay calls ``function``
    again on that replay's data: a dropout mask is drawn anew, a one-hot target is
    made from the new labels, instead of being frozen into the tape.
    """
    with unwatched():             # numpy on the data runs freely: replays call it again
        result = np.asarray(function(*arrays), dtype=np.float64)
    if result.ndim > 2:
        raise ValueError(f"constant: the function must return a number, a 1-D or a 2-D "
                         f"array, got shape {result.shape}")
    rows = [float(result)] if result.ndim == 0 else ([result] if result.ndim == 1 else result)
    leaves = [Value(row, requires_grad=False) for row in rows]
    recorder = active_recorder()
    if recorder is not None:
        recorder.note_constant(function, arrays, leaves)
    return leaves if result.ndim == 2 else leaves[0]


def observe(function: Callable[..., object], *values: Value) -> None:
    """Call ``function(*[v.data for v in values])`` now and, in a compiled step, after
    every replay's forward with that replay's values: a side effect that reads
    values (batch norm's running statistics) keeps happening on every step."""
    function(*[v.data for v in values])
    recorder = active_recorder()
    if recorder is not None:
        recorder.note_observer(function, values)

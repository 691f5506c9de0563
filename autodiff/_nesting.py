"""What every transform (grad, jvp, vjp, jacobian, hessian, gradcheck) does alike so that
they nest: how it turns its arguments into leaves, its function's result into Values,
and when its own result must stay a graph.

A transform is *nested* when an enclosing one is recording: it was given Values, or it
runs while another transform calls its function (``state.differentiating`` counts them;
a closure over the outer variable passes numbers but still runs inside). A nested
transform builds its derivative as a graph (as ``create_graph`` does) and returns
Values, so that the enclosing transform differentiates through it; a transform called
on plain numbers returns plain numbers, unless its function closes over a Value that
requires grad while grad mode records (``x * grad(lambda t: x * t)(2.0)`` at the top
level): then its result depends on that Value, and it returns Values too, so that an
eager ``backward`` through it is right (as torch.func inside ordinary autograd).

A transform cannot run inside a step being compiled (``autodiff.compile``): its
derivative's graph would be frozen into the tape; that is an error naming the line.
"""
import numbers
import os
import sys
import warnings

import numpy as np

from ._backward import topological_order
from ._data import as_data
from ._mode import TracingError, enable_grad, is_grad_enabled, state
from ._value import Value


def contains_value(argument):
    """True when ``argument`` is a Value or a list/tuple/object array holding one."""
    if isinstance(argument, Value):
        return True
    if isinstance(argument, (list, tuple)) or (isinstance(argument, np.ndarray)
                                               and argument.dtype == object):
        return any(contains_value(a) for a in argument)
    return False


def is_nested(*arguments):
    """True when an enclosing transform is recording: inside another transform's call
    of its function, or given Values."""
    return state.differentiating > 0 or any(contains_value(a) for a in arguments)


class differentiating:
    """Context manager: run the transform ``name``'s function as one more transform in
    progress, recording the graph even inside ``no_grad`` (as torch.func does). With
    ``watch`` (a transform at the top level while grad mode records), the leaves that
    require grad made while it runs are collected in ``born``, so that
    ``closes_over_variables`` can tell them from Values made before (a closure). Inside
    a step being compiled it raises TracingError naming the user's line. (A class, not
    a generator: it runs on every call of a transform.)"""

    __slots__ = ("name", "watch", "born", "_previous", "_births")

    def __init__(self, name="a transform", watch=False):
        self.name, self.watch, self.born = name, watch, None

    def __enter__(self):
        if state.tracing:
            raise TracingError(
                f"compile: {self.name} inside a step being compiled, at "
                f"{_caller_line()}; the tape cannot replay a derivative built while "
                "tracing. Compute it eagerly (call the step without compile), or write the "
                "derivative out as operations")
        self._previous = state.context
        self._births = state.births
        if self.watch:
            self.born = state.births = []
        state.context = (True, self._previous[1])
        state.differentiating += 1
        return self

    def __exit__(self, *exc_info):
        state.differentiating -= 1
        state.births = self._births
        state.context = (self._previous[0], state.context[1])
        return False


def watching(nested):
    """Whether a transform must look for closed-over Values after its function ran:
    at the top level (not ``nested``) while grad mode records (not under ``no_grad``)."""
    return not nested and is_grad_enabled()


def closes_over_variables(outputs, run):
    """True when ``outputs`` (the function's results) reach a leaf that requires grad
    and was not made while the transform ``run`` (a ``differentiating``) ran: a Value
    the function closes over, which an eager ``backward`` through the transform's
    result must reach. False when ``run`` did not watch."""
    if run.born is None:
        return False
    born = {id(leaf) for leaf in run.born}
    return any(not node.parents and node.requires_grad and id(node) not in born
               for node in topological_order(*outputs))


def leaf_of(argument, what="Value"):
    """The Value a transform differentiates with respect to, for one argument.

    A number or a batch becomes a fresh leaf. A Value (from an enclosing transform)
    becomes a new node equal to it, ``x + 0``: this derivative is then taken with
    respect to the argument alone, not to other uses of x that the function closes
    over (no perturbation confusion), while the enclosing derivative still reaches x
    through it. ``what`` names the argument in errors (``"jvp: primal 0"``: a NaN,
    a string)."""
    if isinstance(argument, Value):
        if not argument.requires_grad:
            return Value(argument.data)
        with enable_grad():
            return argument + 0.0
    return Value(as_data(argument, what))


def as_leaves(argument, what="Value"):
    """``leaf_of`` through lists and tuples: (the structure to pass to f, the flat list
    of its leaves)."""
    if isinstance(argument, (list, tuple)):
        pairs = [as_leaves(item, what) for item in argument]
        return type(argument)(p[0] for p in pairs), [v for p in pairs for v in p[1]]
    leaf = leaf_of(argument, what)
    return leaf, [leaf]


def _caller_line():
    """'file:line: code' of the first frame outside autodiff/ (the user's line)."""
    package, frame = os.path.dirname(os.path.abspath(__file__)), sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) \
            == package:
        frame = frame.f_back
    return "an unknown line" if frame is None else f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _caller_level():
    """The ``stacklevel`` of the first frame outside autodiff/ (the user's call)."""
    package, level, frame = os.path.dirname(os.path.abspath(__file__)), 1, sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) \
            == package:
        frame, level = frame.f_back, level + 1
    return level


def as_output(output, name, derivative="derivative", expected="a Value"):
    """The function's result as a Value. A number (Python or numpy, or a 0-d array)
    does not depend on the inputs: it becomes a constant with a warning that its
    ``derivative`` is zero; anything else that is not a Value is a TypeError naming
    the transform ``name`` and what it ``expected``."""
    if isinstance(output, Value):
        return output
    number = output
    if isinstance(output, np.ndarray) and output.ndim == 0 and output.dtype.kind in "biuf":
        number = output[()]
    if isinstance(number, (numbers.Real, np.bool_)):
        data = as_data(number, name)                  # a NaN is an error, not a constant
        warnings.warn(f"{name}: the function returned {output!r}, which does not depend on "
                      f"its inputs; the {derivative} is zero", stacklevel=_caller_level())
        return Value(data, requires_grad=False)
    if isinstance(output, np.ndarray):
        raise TypeError(f"{name}: the function returned a numpy array of shape "
                        f"{output.shape}; it must return {expected}")
    raise TypeError(f"{name}: the function must return {expected}, got "
                    f"{type(output).__name__} {output!r}")


def as_outputs(result, name, derivative="derivative"):
    """(the outputs as a list of Values, whether f returned a single one): a list,
    tuple or 1-D object array of outputs, or one output."""
    expected = "a Value or a list of Values"
    if isinstance(result, (list, tuple)) or (isinstance(result, np.ndarray)
                                             and result.dtype == object and result.ndim == 1):
        return [as_output(item, name, derivative, expected) for item in result], False
    return [as_output(result, name, derivative, expected)], True


def scalar_output(output, name):
    """``output`` if it is one number (not a batch), else a ValueError naming ``name``."""
    if type(output.data) is not float:
        raise ValueError(f"{name}: the function returned a batched Value "
                         f"({len(output.data)} examples); reduce it with batch_sum or "
                         "batch_mean first")
    return output


def result(quantity, nested):
    """What a transform hands back: a Value when nested (a number becomes a constant
    Value), its data otherwise."""
    if nested:
        return quantity if isinstance(quantity, Value) else Value(quantity, requires_grad=False)
    return quantity.data if isinstance(quantity, Value) else quantity


def matrix(rows, columns, nested):
    """An (m, n) array from m rows of n derivatives: float64, or (nested) an object array
    of Values that the enclosing transform differentiates."""
    out = np.empty((len(rows), columns), dtype=object if nested else np.float64)
    for i, row in enumerate(rows):
        for j, entry in enumerate(row):
            out[i, j] = result(entry, nested)
    return out

"""Derivatives of Python functions: grad, value_and_grad, jacobian, hessian."""
import numpy as np

from .backward import gradients
from .value import Value


def _contains_value(argument):
    if isinstance(argument, Value):
        return True
    return isinstance(argument, (list, tuple)) and any(_contains_value(a) for a in argument)


def _as_leaves(argument):
    """Numbers become fresh leaves, Values stay (for nested derivatives), lists recurse.
    Returns the structure to pass to f and the flat list of Values to differentiate."""
    if isinstance(argument, Value):
        return argument, [argument]
    if isinstance(argument, (list, tuple)):
        pairs = [_as_leaves(item) for item in argument]
        return type(argument)(p[0] for p in pairs), [v for p in pairs for v in p[1]]
    leaf = Value(argument)
    return leaf, [leaf]


def _like(argument, flat_iterator):
    """Rebuild the structure of ``argument`` from the flat gradients."""
    if isinstance(argument, (list, tuple)):
        return type(argument)(_like(item, flat_iterator) for item in argument)
    return next(flat_iterator)


def _scalar_output(output, name):
    if not isinstance(output, Value):
        raise TypeError(f"{name}: the function must return a Value, got {type(output).__name__}")
    if type(output.data) is not float:
        raise ValueError(f"{name}: the function returned a batched Value "
                         f"({len(output.data)} examples); reduce it with batch_sum or "
                         "batch_mean first")
    return output


def value_and_grad(f, argnums=0):
    """Return a function computing (f(*args), df/d args[argnums]).

    Numbers in, numbers out. Values in (as inside another ``grad``), Values out that
    carry the derivative's own graph, so ``grad(grad(f))`` is the second derivative.
    """
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def compute(*args):
        for position in positions:
            if not -len(args) <= position < len(args):
                raise TypeError(f"grad: argnums {position} is out of range for "
                                f"{len(args)} arguments")
        nested = any(_contains_value(args[p]) for p in positions)
        call_args, flats = list(args), []
        for position in positions:
            call_args[position], flat = _as_leaves(args[position])
            flats.append(flat)
        output = _scalar_output(f(*call_args), "grad")
        found = iter(gradients(output, [v for flat in flats for v in flat],
                               create_graph=nested))
        results = tuple(_like(args[p], found) for p in positions)
        return (output if nested else output.data), (results[0] if single else results)
    compute.__name__ = f"value_and_grad_{getattr(f, '__name__', 'f')}"
    return compute


def grad(f, argnums=0):
    """Return a function computing df/dx for the arguments at ``argnums`` (an int or a
    tuple of ints): a float per number argument, a list per list argument."""
    compute = value_and_grad(f, argnums)

    def gradient(*args):
        return compute(*args)[1]
    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return gradient


def _vector_leaves(xs, name):
    if isinstance(xs, Value) or np.ndim(xs) != 1:
        raise TypeError(f"{name}: xs must be a list of numbers (a vector), got {xs!r}")
    leaves = [Value(x) for x in xs]
    if any(type(leaf.data) is not float for leaf in leaves):
        raise ValueError(f"{name}: xs must hold plain numbers, not batches")
    return leaves


def jacobian(f, xs):
    """J[i][j] = d f(x)_i / d x_j for f from a list of Values to a list of Values (or
    one Value), by one backward pass per output. Returns an (m, n) numpy array."""
    leaves = _vector_leaves(xs, "jacobian")
    outputs = f(leaves)
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    rows = [gradients(_scalar_output(y, "jacobian"), leaves) for y in outputs]
    return np.array(rows, dtype=np.float64).reshape(len(outputs), len(leaves))


def hessian(f, xs):
    """H[i][j] = d^2 f / dx_i dx_j for f from a list of Values to one Value: the
    gradient is built as a graph (create_graph=True), then differentiated once per
    component. Returns an (n, n) numpy array."""
    leaves = _vector_leaves(xs, "hessian")
    output = _scalar_output(f(leaves), "hessian")
    first = gradients(output, leaves, create_graph=True)
    rows = [gradients(g, leaves) if isinstance(g, Value) else [0.0] * len(leaves)
            for g in first]
    return np.array(rows, dtype=np.float64)

"""Derivatives of Python functions: grad, value_and_grad, jacobian, hessian."""
import numbers
import warnings

import numpy as np

from ._backward import gradients
from ._forward import forward_columns
from ._mode import state
from ._value import Value


def _contains_value(argument):
    if isinstance(argument, Value):
        return True
    return isinstance(argument, (list, tuple)) and any(_contains_value(a) for a in argument)


def _as_leaves(argument):
    """Numbers become fresh leaves; a Value (inside another differentiation) becomes a
    new node equal to it, ``x + 0``, so that this derivative is taken with respect to
    the argument alone, not to other uses of x that f closes over, while the enclosing
    derivative still sees x through it. Lists recurse. Returns the structure to pass
    to f and the flat list of Values to differentiate."""
    if isinstance(argument, Value):
        own = argument + 0.0
        return own, [own]
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

    Numbers in, numbers out. Inside another differentiation (Values passed in, or
    called while an enclosing ``grad`` is running, as in a closure over its variable),
    Values out that carry the derivative's own graph, so ``grad(grad(f))`` is the second
    derivative and ``grad(lambda x: x * grad(lambda y: x * y)(2.0))`` sees x inside.
    """
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def compute(*args, **kwargs):
        for position in positions:
            if not -len(args) <= position < len(args):
                raise TypeError(f"grad: argnums {position} is out of range for "
                                f"{len(args)} arguments")
        nested = state.differentiating > 0 or any(_contains_value(a) for a in args)
        call_args, flats = list(args), []
        for position in positions:
            call_args[position], flat = _as_leaves(args[position])
            flats.append(flat)
        state.differentiating += 1
        try:
            output = f(*call_args, **kwargs)
        finally:
            state.differentiating -= 1
        leaves = [v for flat in flats for v in flat]
        if not isinstance(output, Value) and isinstance(output, (numbers.Real, np.bool_)):
            warnings.warn(f"grad: the function returned {output!r}, which does not depend "
                          "on its inputs; the gradient is zero", stacklevel=2)
            output = Value(float(output), requires_grad=False)
        output = _scalar_output(output, "grad")
        found = iter(gradients(output, leaves, create_graph=nested)
                     if output.requires_grad else [_zero(v, nested) for v in leaves])
        results = tuple(_like(args[p], found) for p in positions)
        return (output if nested else output.data), (results[0] if single else results)
    compute.__name__ = f"value_and_grad_{getattr(f, '__name__', 'f')}"
    return compute


def _zero(leaf, as_value=False):
    zero = 0.0 if type(leaf.data) is float else np.zeros_like(leaf.data)
    return Value(zero, requires_grad=False) if as_value else zero


def grad(f, argnums=0):
    """Return a function computing df/dx for the arguments at ``argnums`` (an int or a
    tuple of ints): a float per number argument, a list per list argument."""
    compute = value_and_grad(f, argnums)

    def gradient(*args, **kwargs):
        return compute(*args, **kwargs)[1]
    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return gradient


def _vector_leaves(xs, name):
    if isinstance(xs, Value) or np.ndim(xs) != 1:
        raise TypeError(f"{name}: xs must be a list of numbers (a vector), got {xs!r}")
    leaves = [Value(x) for x in xs]
    if any(type(leaf.data) is not float for leaf in leaves):
        raise ValueError(f"{name}: xs must hold plain numbers, not batches")
    return leaves


def _check_mode(name, mode, modes):
    if mode not in modes:
        raise ValueError(f"{name}: mode must be one of {', '.join(map(repr, modes))}, "
                         f"got {mode!r}")


def jacobian(f, xs, mode="reverse"):
    """J[i][j] = d f(x)_i / d x_j for f from a list of Values to a list of Values (or
    one Value). ``mode="reverse"``: one backward pass per output, row by row;
    ``mode="forward"``: one forward (tangent) pass per input, column by column. The
    same numbers; reverse is cheaper with few outputs, forward with few inputs.
    Returns an (m, n) numpy array."""
    _check_mode("jacobian", mode, ("reverse", "forward"))
    leaves = _vector_leaves(xs, "jacobian")
    outputs = f(leaves)
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    outputs = [_scalar_output(y, "jacobian") for y in outputs]
    if mode == "forward":
        return forward_columns(outputs, leaves)
    rows = [gradients(y, leaves) for y in outputs]
    return np.array(rows, dtype=np.float64).reshape(len(outputs), len(leaves))


def hessian(f, xs, mode="forward-over-reverse"):
    """H[i][j] = d^2 f / dx_i dx_j for f from a list of Values to one Value. The
    gradient is built as a graph (``create_graph``, reverse mode), then differentiated
    again: by one forward pass per input (``"forward-over-reverse"``, column j = the
    gradient's tangent along x_j) or one backward pass per component
    (``"reverse-over-reverse"``). Returns an (n, n) numpy array."""
    _check_mode("hessian", mode, ("forward-over-reverse", "reverse-over-reverse"))
    leaves = _vector_leaves(xs, "hessian")
    output = _scalar_output(f(leaves), "hessian")
    first = [g if isinstance(g, Value) else Value(g, requires_grad=False)
             for g in gradients(output, leaves, create_graph=True)]
    if mode == "forward-over-reverse":
        return forward_columns(first, leaves)
    rows = [gradients(g, leaves) if g.requires_grad else [0.0] * len(leaves) for g in first]
    return np.array(rows, dtype=np.float64)


def jacfwd(f):
    """A function xs -> J, the Jacobian of f (a list of Values -> a Value or a list of
    Values) by forward mode: one pass per input, column by column."""
    def jacobian_forward(xs):
        return jacobian(f, xs, mode="forward")
    jacobian_forward.__name__ = f"jacfwd_{getattr(f, '__name__', 'f')}"
    return jacobian_forward


def vjp(f, primals, cotangents):
    """(f(primals), u^T J): the outputs, and the cotangent u (one number per output)
    pulled back to the inputs by one backward pass: d(sum_i u_i f_i)/d x_j, a row
    combination of the Jacobian. ``f`` takes the primals as separate arguments, as in
    ``jvp``; results are numbers (lists for several outputs or primals)."""
    leaves = [x if isinstance(x, Value) else Value(x) for x in
              (primals if isinstance(primals, (list, tuple)) else [primals])]
    result = f(*leaves)
    outputs = [result] if isinstance(result, Value) else list(result)
    weights = list(cotangents) if isinstance(cotangents, (list, tuple)) else [cotangents]
    if len(weights) != len(outputs):
        raise ValueError(f"vjp: needs one cotangent per output, got {len(weights)} for "
                         f"{len(outputs)} outputs")
    total = outputs[0] * weights[0]
    for output, weight in zip(outputs[1:], weights[1:]):
        total = total + output * weight
    pulled = gradients(_scalar_output(total, "vjp"), leaves)
    values = [out.data for out in outputs]
    return (values[0] if isinstance(result, Value) else values), (
        pulled if isinstance(primals, (list, tuple)) else pulled[0])

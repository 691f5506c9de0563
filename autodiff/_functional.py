"""Derivatives of Python functions: grad, value_and_grad, jacobian, jacfwd, hessian, vjp
(jvp is in ``_forward.py``); how they nest is in ``_nesting.py``."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Callable

import numpy as np

from ._gradients import gradients
from ._data import as_data
from ._forward import direction, forward_columns
from ._mode import enable_grad
from ._nesting import (as_leaves, as_output, as_outputs, closes_over_variables,
                       contains_value, differentiating, is_nested, leaf_of, matrix, result,
                       scalar_output, watching)
from ._operations import batch_sum
from ._types import Derivative, Function
from ._value import Value


def _like(argument: Any, flat_iterator: Iterator[Any]) -> Any:
    """Rebuild the structure of ``argument`` from the flat gradients."""
    if isinstance(argument, (list, tuple)):
        return type(argument)(_like(item, flat_iterator) for item in argument)
    return next(flat_iterator)


def value_and_grad(f: Function, argnums: int | Sequence[int] = 0
                   ) -> Callable[..., tuple[Derivative, Derivative]]:
    """Return a function computing (f(*args), df/d args[argnums]).

    Numbers in, numbers out. Inside another transform (Values passed in, or called
    while an enclosing ``grad``, ``jvp``, ``vjp``, ``jacobian`` or ``hessian`` runs its
    function, as in a closure over its variable), Values out that carry the
    derivative's own graph, so ``grad(grad(f))`` is the second derivative and
    ``grad(lambda x: x * grad(lambda y: x * y)(2.0))`` sees x inside. At the top level,
    a function closing over a Value that requires grad (while grad mode records) gives
    Values too, so that ``backward`` through them reaches it (``_nesting.py``). A function that
    returns a plain number (Python or numpy, or a 0-d array) does not depend on its
    inputs: the gradient is zero, with a warning; any other non-Value is a TypeError.
    """
    single = isinstance(argnums, int)
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def compute(*args: Any, **kwargs: Any) -> tuple[Derivative, Derivative]:
        for position in positions:
            if not -len(args) <= position < len(args):
                raise TypeError(f"grad: argnums {position} is out of range for "
                                f"{len(args)} arguments")
        nested = is_nested(args, list(kwargs.values()))
        call_args, flats = list(args), []
        with differentiating("grad", watching(nested)) as run:
            for position in positions:
                call_args[position], flat = as_leaves(args[position],
                                                      f"grad: argument {position}")
                flats.append(flat)
            output = as_output(f(*call_args, **kwargs), "grad", "gradient",
                               "a Value (batch_sum or batch_mean reduce a batch)")
        output = scalar_output(output, "grad")
        nested = nested or closes_over_variables([output], run)
        leaves = [v for flat in flats for v in flat]
        found = iter([result(g, nested)
                      for g in gradients(output, leaves, create_graph=nested)])
        results = tuple(_like(args[p], found) for p in positions)
        return result(output, nested), (results[0] if single else results)
    compute.__name__ = f"value_and_grad_{getattr(f, '__name__', 'f')}"
    return compute


def grad(f: Function, argnums: int | Sequence[int] = 0) -> Callable[..., Derivative]:
    """Return a function computing df/dx for the arguments at ``argnums`` (an int or a
    tuple of ints): a float per number argument, a list per list argument."""
    compute = value_and_grad(f, argnums)

    def gradient(*args: Any, **kwargs: Any) -> Derivative:
        return compute(*args, **kwargs)[1]
    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return gradient


def _vector(xs: Any, name: str) -> list[Any]:
    """xs as a list of numbers or one-number Values (from an enclosing transform)."""
    if isinstance(xs, Value) or not isinstance(xs, (list, tuple, np.ndarray)) \
            or np.ndim(xs) != 1 and not contains_value(xs):
        raise TypeError(f"{name}: xs must be a list of numbers (a vector), got {xs!r}")
    items = list(xs)
    for index, x in enumerate(items):
        data = x.data if isinstance(x, Value) else as_data(x, f"{name}: xs[{index}]")
        if type(data) is not float:
            raise ValueError(f"{name}: xs must hold plain numbers, not batches "
                             f"(xs[{index}] is a batch of {np.size(data)})")
    return items


def _check_mode(name: str, mode: str, modes: tuple[str, ...]) -> None:
    if mode not in modes:
        raise ValueError(f"{name}: mode must be one of {', '.join(map(repr, modes))}, "
                         f"got {mode!r}")


def jacobian(f: Function, xs: Sequence[Any], mode: str = "reverse") -> np.ndarray:
    """J[i][j] = d f(x)_i / d x_j for f from a list of Values to a list of Values (or
    one Value). ``mode="reverse"``: one backward pass per output, row by row;
    ``mode="forward"``: one forward (tangent) pass per input, column by column. The
    same numbers; reverse is cheaper with few outputs, forward with few inputs.
    Returns an (m, n) numpy array (inside another transform, an object array of
    Values that the enclosing one differentiates). An output that is a plain number
    is a constant: its row is zero, with a warning."""
    _check_mode("jacobian", mode, ("reverse", "forward"))
    xs = _vector(xs, "jacobian")
    nested = is_nested(xs)
    with differentiating("jacobian", watching(nested)) as run:
        leaves = [leaf_of(x) for x in xs]
        outputs, _ = as_outputs(f(leaves), "jacobian", "row of the Jacobian")
    outputs = [scalar_output(y, "jacobian") for y in outputs]
    nested = nested or closes_over_variables(outputs, run)
    if mode == "forward":
        return forward_columns(outputs, leaves, nested)
    rows = [gradients(y, leaves, create_graph=nested) for y in outputs]
    return matrix(rows, len(leaves), nested)


def hessian(f: Function, xs: Sequence[Any], mode: str = "forward-over-reverse"
            ) -> np.ndarray:
    """H[i][j] = d^2 f / dx_i dx_j for f from a list of Values to one Value. The
    gradient is built as a graph (``create_graph``, reverse mode), then differentiated
    again: by one forward pass per input (``"forward-over-reverse"``, column j = the
    gradient's tangent along x_j) or one backward pass per component
    (``"reverse-over-reverse"``). Returns an (n, n) numpy array (inside another
    transform, an object array of Values, as ``jacobian``)."""
    _check_mode("hessian", mode, ("forward-over-reverse", "reverse-over-reverse"))
    xs = _vector(xs, "hessian")
    nested = is_nested(xs)
    with differentiating("hessian", watching(nested)) as run:
        leaves = [leaf_of(x) for x in xs]
        output = scalar_output(as_output(f(leaves), "hessian", "Hessian",
                                         "one Value (a number, not a batch)"), "hessian")
    nested = nested or closes_over_variables([output], run)
    first = [result(g, True) for g in gradients(output, leaves, create_graph=True)]
    if mode == "forward-over-reverse":
        return forward_columns(first, leaves, nested)
    rows = [gradients(g, leaves, create_graph=nested) if g.requires_grad
            else [0.0] * len(leaves) for g in first]
    return matrix(rows, len(leaves), nested)


def jacfwd(f: Function) -> Callable[[Sequence[Any]], np.ndarray]:
    """A function xs -> J, the Jacobian of f (a list of Values -> a Value or a list of
    Values) by forward mode: one pass per input, column by column."""
    def jacobian_forward(xs: Sequence[Any]) -> np.ndarray:
        return jacobian(f, xs, mode="forward")
    jacobian_forward.__name__ = f"jacfwd_{getattr(f, '__name__', 'f')}"
    return jacobian_forward


def _cotangents(cotangents: Any, outputs: Sequence[Value], single: bool) -> list[Any]:
    """One cotangent per output. For a single output, ``cotangents`` is its cotangent
    (or a list holding only it); otherwise a list of them."""
    if single:
        wrapped = isinstance(cotangents, (list, tuple)) and len(cotangents) == 1 and (
            type(outputs[0].data) is float or np.ndim(cotangents[0]) == 1
            or isinstance(cotangents[0], Value))
        return [cotangents[0]] if wrapped else [cotangents]
    return list(cotangents) if isinstance(cotangents, (list, tuple)) else [cotangents]


def vjp(f: Function, primals: Any, cotangents: Any) -> tuple[Derivative, Derivative]:
    """(f(primals), u^T J): the outputs, and the cotangent u (one per output) pulled
    back to the inputs by one backward pass: d(sum_i u_i . f_i)/d x_j, a row
    combination of the Jacobian. ``f`` takes the primals as separate arguments, as in
    ``jvp``; results are numbers (lists for several outputs or primals).

    Each cotangent has the shape of its output (a number, or a batch of the same
    length); a NaN primal or cotangent, or a wrong count or shape, is an error naming
    vjp (as in ``jvp``). An output that is a plain number is a constant: it adds
    nothing, with a warning. Inside another transform the results are Values that the
    enclosing transform differentiates (as ``grad``)."""
    primal_list = list(primals) if isinstance(primals, (list, tuple)) else [primals]
    nested = is_nested(primal_list, cotangents)
    with differentiating("vjp", watching(nested)) as run:
        leaves = [leaf_of(primal, f"vjp: primal {index}")
                  for index, primal in enumerate(primal_list)]
        outputs, single = as_outputs(f(*leaves), "vjp", "pulled-back cotangent")
    nested = nested or closes_over_variables(outputs, run)
    weights = _cotangents(cotangents, outputs, single)
    if len(weights) != len(outputs):
        raise ValueError(f"vjp: needs one cotangent per output, got {len(weights)} for "
                         f"{len(outputs)} outputs")
    weights = [direction(out.data, weight, f"vjp: cotangent {index}", f"output {index}")
               for index, (out, weight) in enumerate(zip(outputs, weights))]
    with enable_grad():
        total = None
        for output, weight in zip(outputs, weights):
            term = output * weight
            term = term if type(term.data) is float else batch_sum(term)
            total = term if total is None else total + term
    if total is None:
        raise ValueError("vjp: f returned no outputs to pull a cotangent back through")
    pulled = [result(g, nested) for g in gradients(total, leaves, create_graph=nested)]
    values = [result(out, nested) for out in outputs]
    return (values[0] if single else values), (
        pulled if isinstance(primals, (list, tuple)) else pulled[0])

"""Random expressions for practice: a fresh graph of engine primitives over a few
labelled leaves, every value kept where the primitives are smooth and the numbers are
readable (no log of a number near 0, no division by one, no exp of a large number)."""
from __future__ import annotations

import math
import numbers
from typing import Callable

import numpy as np

from ._operations import add, div, exp, log, mul, sigmoid, sqrt, sub, tanh
from ._types import BinaryOperation, UnaryOperation
from ._value import Value

LEAF_NAMES = ("a", "b", "c", "d")
_LARGEST = 20.0          # |value| of every node stays below this
_SMALLEST = 0.05         # and, for an operation, at least this
_TRIES = 50              # draws of an operation before a node falls back to addition


_Row = tuple[int, Callable[..., Value], Callable[..., bool]]


def _binary(function: BinaryOperation, domain: Callable[[float, float], bool]) -> _Row:
    return 2, function, domain


def _unary(function: UnaryOperation, domain: Callable[[float], bool]) -> _Row:
    return 1, function, domain


# name -> (operand count, function, domain check on the operands' data)
_OPERATIONS = {
    "add": _binary(add, lambda x, y: True),
    "sub": _binary(sub, lambda x, y: True),
    "mul": _binary(mul, lambda x, y: abs(x * y) < _LARGEST),
    "div": _binary(div, lambda x, y: abs(y) >= 0.5),
    "exp": _unary(exp, lambda x: x <= 2.0),
    "log": _unary(log, lambda x: x >= 0.25),
    "sqrt": _unary(sqrt, lambda x: x >= 0.25),
    "tanh": _unary(tanh, lambda x: abs(x) <= 3.0),
    "sigmoid": _unary(sigmoid, lambda x: abs(x) <= 4.0),
}


def _as_generator(generator: np.random.Generator | int | None) -> np.random.Generator:
    if generator is None:
        return np.random.default_rng()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool) \
            and generator >= 0:
        return np.random.default_rng(int(generator))
    raise TypeError(f"random_expression: generator must be a numpy Generator, a "
                    f"non-negative int seed or None, got {generator!r}")


def random_expression(depth: int = 3, generator: np.random.Generator | int | None = None,
                      leaves: int = 3) -> Value:
    """A random expression of ``depth`` levels of operations over ``leaves`` labelled
    inputs (``a``, ``b``, ``c``, ``d``), returned as its output Value: a fresh graph to
    practise the chain rule on (``viz.quiz(seed=...)`` quizzes one).

    Each operation is drawn from add, sub, mul, div, exp, log, sqrt, tanh and sigmoid;
    its first operand is an expression of depth - 1, a second one of a smaller depth, so
    the root is ``depth`` operations above some input and inputs are often used more
    than once (their gradient is then a sum over several edges). An operation is kept
    only where it is smooth and its result readable: log and sqrt of x >= 0.25, division
    by |y| >= 0.5, exp of x <= 2, |x·y| < 20 for mul, every value from 0.05 to 20 in
    size (a zero would make every product through it 0);
    inputs are multiples of 0.5 in [-2, 2] other than 0 (so products are simple).
    ``generator``: an int seed (the same expression every time), a numpy Generator, or
    None (fresh randomness). The leaves start with grad 0."""
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or not \
            1 <= depth <= 8:
        raise ValueError(f"random_expression: depth must be an integer from 1 to 8, got "
                         f"{depth!r}")
    if isinstance(leaves, bool) or not isinstance(leaves, numbers.Integral) or not \
            1 <= leaves <= len(LEAF_NAMES):
        raise ValueError(f"random_expression: leaves must be an integer from 1 to "
                         f"{len(LEAF_NAMES)}, got {leaves!r}")
    random = _as_generator(generator)
    choices = [value for value in np.arange(-2.0, 2.5, 0.5) if value != 0.0]
    inputs = [Value(float(random.choice(choices)), label=name)
              for name in LEAF_NAMES[:leaves]]
    return _expression(int(depth), inputs, random)


def _readable(value: float) -> bool:
    """Small enough to read, and not (nearly) 0: a zero makes every product through it
    0, which teaches nothing."""
    return math.isfinite(value) and _SMALLEST <= abs(value) < _LARGEST


def _expression(depth: int, inputs: list[Value], random: np.random.Generator) -> Value:
    """A random expression exactly ``depth`` operations high over ``inputs``."""
    if depth == 0:
        return inputs[int(random.integers(len(inputs)))]
    first = _expression(depth - 1, inputs, random)
    names = list(_OPERATIONS)
    for _ in range(_TRIES):
        arity, function, domain = _OPERATIONS[names[int(random.integers(len(names)))]]
        if arity == 1:
            if domain(first.data):
                result = function(first)
                if _readable(float(result.data)):
                    return result
            continue
        second = _expression(int(random.integers(depth)), inputs, random)
        operands = (first, second) if random.random() < 0.5 else (second, first)
        if domain(operands[0].data, operands[1].data):
            result = function(*operands)
            if _readable(float(result.data)):
                return result
    for leaf in inputs:             # first ± a leaf: one of the two is readable (|leaf| >= 0.5)
        for function in (add, sub):
            if _readable(float(first.data + (leaf.data if function is add else -leaf.data))):
                return function(first, leaf)
    return add(first, inputs[0])

"""Applying a primitive: convert the operands, run the forward, and record the node
(its parents and its local derivatives). The public functions (``add``, ``exp``, ...)
and Value's operators (``+``, ``*``, ``**``, ...) are made here from the table.
"""
from __future__ import annotations

import builtins
import functools
import math
import numbers
from collections.abc import Iterable
from typing import Any, Callable

import numpy as np

from . import _table as table
from ._data import as_data, check_batch_lengths
from ._mode import state
from ._table import Primitive
from ._types import BinaryOperation, Data, Operand, UnaryOperation
from ._value import CONSTANT, Value

# Speed: the node is built field by field, inline in each builder below (not by
# Value.__init__ or a shared helper): this is the hottest code of the library, and a
# call per operation costs ~15% of a forward pass (benchmarks/engine.py).
_new_value = Value.__new__


def operand(x: Operand, op: str) -> Value:
    """A number or array used in an operation (``b + 1``), as a constant leaf
    (``requires_grad=False``, as torch treats a number): backward gives it no gradient,
    the pictures draw it grey with its value. Anything else is a TypeError naming the
    operation."""
    return Value(as_data(x, op), requires_grad=False)


def unary(primitive: Primitive) -> UnaryOperation:
    """The function applying a one-operand primitive: check, forward, and record the
    parent and its local derivative (a constant result under ``no_grad``)."""
    float_forward, array_forward, check, rule = (
        primitive.float_forward, primitive.array_forward, primitive.check,
        primitive.local_grads)
    constant = rule if type(rule) is tuple else None

    def apply(x: Operand) -> Value:
        if type(x) is not Value and not isinstance(x, Value):
            x = operand(x, primitive.name)
        data = x.data
        if check is not None:
            check(data)
        out = float_forward(data) if type(data) is float else array_forward(data)
        node = _new_value(Value)
        node.data, node.grad, node.label = out, 0.0, ""
        recording, node.scope = state.context
        if recording:
            node.primitive, node.parents = primitive, (x,)
            node.local_grads = constant if constant is not None else rule(data, out)
        else:
            node.primitive, node.parents, node.local_grads = CONSTANT, (), ()
        return node
    apply.__name__ = primitive.name
    apply.__doc__ = f"{primitive.name}: {primitive.formula}"
    return apply


def binary(primitive: Primitive) -> BinaryOperation:
    """The function applying a two-operand primitive (numbers become leaves)."""
    float_forward, array_forward, check, rule = (
        primitive.float_forward, primitive.array_forward, primitive.check,
        primitive.local_grads)
    constant = rule if type(rule) is tuple else None
    name = primitive.name

    def apply(a: Operand, b: Operand) -> Value:
        if type(a) is not Value and not isinstance(a, Value):
            a = operand(a, name)
        if type(b) is not Value and not isinstance(b, Value):
            b = operand(b, name)
        x, y = a.data, b.data
        if check is not None:
            check(x, y)
        if type(x) is float and type(y) is float:
            out = float_forward(x, y)
        else:
            if type(x) is not float and type(y) is not float and len(x) != len(y):  # type: ignore[arg-type]  # two batches
                check_batch_lengths(name, x, y)
            out = array_forward(x, y)
        node = _new_value(Value)
        node.data, node.grad, node.label = out, 0.0, ""
        recording, node.scope = state.context
        if recording:
            node.primitive, node.parents = primitive, (a, b)
            node.local_grads = constant if constant is not None else rule(x, y, out)
        else:
            node.primitive, node.parents, node.local_grads = CONSTANT, (), ()
        return node
    apply.__name__ = name
    apply.__doc__ = f"{name}: {primitive.formula}"
    return apply


_ONLY_VALUES, _ONLY_FLOATS = {Value}, {float}


def _values(items, op):
    operands = tuple(items)
    if set(map(type, operands)) != _ONLY_VALUES:    # speed: 3x an all(...) over the operands
        operands = tuple(x if isinstance(x, Value) else operand(x, op) for x in operands)
    return operands


def _n_ary_node(primitive: Primitive, operands: tuple[Value, ...], out: Data,
                local_grads: Callable[[], tuple[Any, ...]]) -> Value:
    node = _new_value(Value)
    node.data, node.grad, node.label = out, 0.0, ""
    recording, node.scope = state.context
    if recording:
        node.primitive, node.parents, node.local_grads = primitive, operands, local_grads()
    else:
        node.primitive, node.parents, node.local_grads = CONSTANT, (), ()
    return node


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 (autodiff.sum, like torch.sum)
    """x1 + x2 + ... + xn as one node with n edges: d/dxi = 1."""
    operands = _values(values, "sum")
    if not operands:
        raise ValueError("sum: needs at least one value, got an empty sequence")
    datas = [x.data for x in operands]
    if set(map(type, datas)) == _ONLY_FLOATS:
        out = builtins.sum(datas)
    else:
        check_batch_lengths("sum", *datas)
        out = table.SUM.array_forward(datas)
    return _n_ary_node(table.SUM, operands, out, lambda: (1.0,) * len(operands))


def _extreme(primitive: Primitive) -> Callable[[Iterable[Operand]], Value]:
    def reduce(values: Iterable[Operand]) -> Value:
        operands = _values(values, primitive.name)
        if not operands:
            raise ValueError(f"{primitive.name}: needs at least one value, got an empty sequence")
        datas = [x.data for x in operands]
        if all(type(d) is float for d in datas):
            out = primitive.float_forward(*datas)
        else:
            check_batch_lengths(primitive.name, *datas)
            out = primitive.array_forward(*datas)
        return _n_ary_node(primitive, operands, out,
                           lambda: primitive.local_grads(*datas, out))
    return reduce


max = _extreme(table.MAX)  # noqa: A001 (autodiff.max, like torch.max)
max.__doc__ = """max(values): the largest of x1, ..., xn as one node with n edges;
d/dxi = 1/k for each of the k inputs equal to the maximum (ties split evenly, as in
torch), 0 for the others."""
min = _extreme(table.MIN)  # noqa: A001
min.__doc__ = """min(values): the smallest of x1, ..., xn as one node with n edges;
d/dxi = 1/k for each of the k inputs equal to the minimum, 0 for the others."""


def affine(weights: Iterable[Operand], inputs: Iterable[Operand],
           bias: Operand | None = None) -> Value:
    """w1 x1 + ... + wn xn (+ b) as one node with 2n (+1) edges: a neuron's weighted
    sum. d/dwj = xj, d/dxj = wj, d/db = 1. (``dot`` composes the same function from
    mul and sum nodes, for pictures that show every product.)"""
    weights, inputs = tuple(weights), tuple(inputs)
    if len(weights) != len(inputs) or not weights:
        raise ValueError(f"affine: needs as many weights as inputs (at least one), got "
                         f"{len(weights)} weights and {len(inputs)} inputs")
    operands = weights + inputs + (() if bias is None else (bias,))
    if set(map(type, operands)) != _ONLY_VALUES:
        operands = _values(operands, "affine")
    datas = tuple([x.data for x in operands])  # type: ignore[union-attr]  # all Values now
    forward = (table.AFFINE.float_forward if set(map(type, datas)) == _ONLY_FLOATS
               else table.AFFINE.array_forward)
    out = forward(datas)
    # speed: the node built here, not by _n_ary_node (affine is every neuron of a layer)
    node = _new_value(Value)
    node.data, node.grad, node.label = out, 0.0, ""
    recording, node.scope = state.context
    if recording:
        node.primitive = table.AFFINE
        node.parents = operands  # type: ignore[assignment]  # all Values (_values above)
        node.local_grads = table.AFFINE.local_grads(*datas, out)
    else:
        node.primitive, node.parents, node.local_grads = CONSTANT, (), ()
    return node


add = binary(table.ADD)
sub = binary(table.SUB)
mul = binary(table.MUL)
div = binary(table.DIV)
neg = unary(table.NEG)
exp = unary(table.EXP)
log = unary(table.LOG)
sqrt = unary(table.SQRT)
tanh = unary(table.TANH)
sigmoid = unary(table.SIGMOID)
softplus = unary(table.SOFTPLUS)
relu = unary(table.RELU)
abs = unary(table.ABS)  # noqa: A001 (autodiff.abs, like torch.abs)
maximum = binary(table.MAXIMUM)
minimum = binary(table.MINIMUM)
batch_sum = unary(table.BATCH_SUM)
batch_mean = unary(table.BATCH_MEAN)
stop_gradient = unary(table.STOP_GRADIENT)
stop_gradient.__doc__ = """stop_gradient(x): the value of x as a constant of the graph:
d/dx = 0, and backward goes no further (torch's ``detach``, recorded as a node so that a
replay recomputes it from x)."""
sin = unary(table.SIN)
cos = unary(table.COS)
tan = unary(table.TAN)
arcsin = asin = unary(table.ARCSIN)
arccos = acos = unary(table.ARCCOS)
arctan = atan = unary(table.ARCTAN)
sinh = unary(table.SINH)
cosh = unary(table.COSH)
arcsinh = asinh = unary(table.ARCSINH)
arccosh = acosh = unary(table.ARCCOSH)
arctanh = atanh = unary(table.ARCTANH)
log2 = unary(table.LOG2)
log10 = unary(table.LOG10)
log1p = unary(table.LOG1P)
expm1 = unary(table.EXPM1)
erf = unary(table.ERF)
sign = unary(table.SIGN)
arctan2 = atan2 = binary(table.ARCTAN2)
hypot = binary(table.HYPOT)
remainder = binary(table.REMAINDER)
_power_value = binary(table.POW)
_power_constants = binary(table.POW_CONSTANTS)
_power_constant = functools.lru_cache(maxsize=1024)(lambda p: unary(table.POW_CONSTANT(p)))
_leaky_relu = functools.lru_cache(maxsize=1024)(lambda s: unary(table.LEAKY_RELU(s)))
_clamp = functools.lru_cache(maxsize=1024)(lambda bounds: unary(table.CLAMP(bounds)))
_select = functools.lru_cache(maxsize=4096)(lambda index: unary(table.INDEX(index)))


def pow(base: Operand, exponent: Operand) -> Value:  # noqa: A001
    """base ** exponent. A number exponent p: d/dx = p x^(p-1). A Value exponent b that
    needs a gradient: d/da = b a^(b-1), d/db = a^b ln a (then the base must be > 0).
    A constant exponent per example (an array, or a Value with requires_grad=False):
    d/da = b a^(b-1), each example as x ** p with a number p (``(-2) ** [2, 3]`` is
    [4, -8], as torch)."""
    if isinstance(exponent, Value):
        if exponent.requires_grad:
            return _power_value(base, exponent)
        return _power_constants(base, exponent)
    if isinstance(exponent, (np.ndarray, list, tuple)):     # one exponent per example
        return _power_constants(base, Value(as_data(exponent, "pow"), requires_grad=False))
    if not isinstance(exponent, numbers.Real) or isinstance(exponent, bool):
        raise TypeError(f"pow: exponent must be a number or a Value, got {exponent!r}")
    return _power_constant(float(exponent))(base)


def leaky_relu(x: Operand, negative_slope: float = 0.01) -> Value:
    """x if x > 0 else negative_slope * x; d/dx = 1 if x > 0 else negative_slope."""
    if not isinstance(negative_slope, numbers.Real) or not 0.0 <= negative_slope < 1.0:
        raise ValueError(f"leaky_relu: negative_slope must be in [0, 1), got {negative_slope!r}")
    return _leaky_relu(float(negative_slope))(x)


def clamp(x: Operand, min: float | None = None, max: float | None = None,  # noqa: A002
          closed: bool = True) -> Value:  # (min=, max=: torch.clamp's names)
    """min(max(x, low), high); d/dx = 1 where low <= x <= high (1 at the bounds, as
    torch.clamp), 0 outside; ``closed=False``: 1 only strictly inside (0 at the bounds,
    as torch's hardtanh and relu6). Either bound may be None."""
    low = -math.inf if min is None else min
    high = math.inf if max is None else max
    for name, bound in (("min", low), ("max", high)):
        if not isinstance(bound, numbers.Real) or isinstance(bound, bool) or bound != bound:
            raise ValueError(f"clamp: {name} must be a number or None, got {bound!r}")
    if low > high:
        raise ValueError(f"clamp: min must be <= max, got min={low!r}, max={high!r}")
    return _clamp((float(low), float(high), bool(closed)))(x)


def _example(self: Value, index: int) -> Value:
    """v[k]: example k of a batched Value, as a node whose gradient goes to that example
    only (a one-hot local derivative)."""
    if type(self.data) is float:
        raise TypeError(f"index: only a batched Value can be indexed, got {self!r}")
    if not isinstance(index, numbers.Integral) or isinstance(index, bool):
        raise TypeError(f"index: an example is chosen by a whole number, got {index!r}")
    size = len(self.data)
    if not -size <= index < size:
        raise IndexError(f"index: example {index} is out of range for a batch of {size}")
    return _select(int(index) % size)(self)


def _reflected(function: BinaryOperation) -> Callable[[Value, Operand], Value]:
    def reflected(self: Value, other: Operand) -> Value:
        return function(other, self)
    return reflected


def _detach(self: Value) -> Value:
    """The same data as a constant (as torch's ``detach``): recorded as a
    ``stop_gradient`` node while the graph is being recorded, a constant leaf otherwise."""
    return stop_gradient(self)


# Value's operators and methods, attached by name: a type checker does not follow
# assignments to a class from outside it, so their types belong in the Value class.
_METHODS = {
    "__add__": add, "__radd__": _reflected(add), "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul),
    "__truediv__": div, "__rtruediv__": _reflected(div),
    "__pow__": pow, "__rpow__": _reflected(pow), "__neg__": neg, "__abs__": abs,
    "__pos__": lambda self: self,
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh,
    "sigmoid": sigmoid, "relu": relu, "leaky_relu": leaky_relu, "softplus": softplus,
    "detach": _detach, "__mod__": remainder, "__rmod__": _reflected(remainder),
    "__getitem__": _example,
    "__iter__": None,      # a Value is one quantity; v[k] picks an example, not an item
    "clamp": clamp,
}
for _function in (sin, cos, tan, arcsin, arccos, arctan, sinh, cosh, arcsinh, arccosh, arctanh,
                  log2, log10, log1p, expm1, erf, sign, abs, hypot):
    _METHODS[_function.__name__] = _function
for _name, _method in _METHODS.items():
    setattr(Value, _name, _method)

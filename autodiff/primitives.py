"""The primitives: each declared once, as a forward function and a local-derivative rule.

A rule receives the operands and the output, and returns d(out)/d(operand) for each
operand. Rules are written with arithmetic that works on floats, on numpy arrays (a
batch) and on Values, so the same rule gives stored numbers during the forward pass
and a differentiable graph for ``backward(create_graph=True)``. Everything else in the
library (softmax, losses, layers) is composed from these.
"""
import builtins
import functools
import math
import operator

import numpy as np

from .errors import as_data, check_batch_lengths, describe
from .mode import state
from .value import Value


class Primitive:
    """An operation of the engine: its name, forward on floats and on arrays, its
    local-derivative rule, and an optional domain check run before the forward.

    ``local_grads`` is a function (operands..., out) -> one derivative per operand, or,
    for derivatives that are constants (add, sub, neg), simply that tuple.
    """

    __slots__ = ("name", "float_forward", "array_forward", "local_grads", "check", "formula")

    def __init__(self, name, float_forward, array_forward, local_grads, check=None, formula=""):
        self.name = name
        self.float_forward = float_forward
        self.array_forward = array_forward
        self.local_grads = local_grads
        self.check = check
        self.formula = formula

    def local_grads_of(self, *operands_and_out):
        """The local derivatives for these operands (data or Values) and output."""
        rule = self.local_grads
        return rule if type(rule) is tuple else rule(*operands_and_out)

    def __repr__(self):
        return f"Primitive({self.name!r}: {self.formula})"


# --- helpers that dispatch on float / array / Value --------------------------------------

def step(x):
    """1 where x > 0, else 0 (the derivative of relu); a constant leaf for a Value."""
    if type(x) is float:
        return 1.0 if x > 0.0 else 0.0
    if isinstance(x, Value):
        return Value(step(x.data))
    return np.heaviside(x, 0.0)


def sign(x):
    """-1, 0 or 1 (the derivative of abs; 0 at 0, as in PyTorch)."""
    if type(x) is float:
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)
    if isinstance(x, Value):
        return Value(sign(x.data))
    return np.sign(x)


def greater_indicator(x, y):
    """1 where x > y, 1/2 where x == y, else 0 (d max(x, y) / dx: ties split evenly)."""
    if type(x) is float and type(y) is float:
        return 1.0 if x > y else (0.5 if x == y else 0.0)
    if isinstance(x, Value) or isinstance(y, Value):
        return Value(greater_indicator(getattr(x, "data", x), getattr(y, "data", y)))
    return (np.greater(x, y) + 0.5 * np.equal(x, y)).astype(np.float64)


def ones_like(x):
    """1 for a float, an array of ones for a batch (a constant leaf for a Value)."""
    if isinstance(x, Value):
        return Value(ones_like(x.data))
    return 1.0 if type(x) is float else np.ones_like(x)


def _log_any(x):
    return log(x) if isinstance(x, Value) else (math.log(x) if type(x) is float else np.log(x))


def _all(condition):
    return condition if isinstance(condition, (bool, np.bool_)) else bool(np.all(condition))


def _fail(op, message, data):
    raise ValueError(f"{op}: {message}, got {describe(data)}")


# --- domain checks (run on data before the forward) --------------------------------------

def _check_positive(op):
    def check(x):
        if not _all(x > 0.0):
            _fail(op, f"input must be > 0 ({op} is undefined at and below 0)", x)
    return check


def _check_sqrt(x):
    if not _all(x >= 0.0):
        _fail("sqrt", "input must be >= 0", x)
    if state.context[0] and not _all(x > 0.0):
        _fail("sqrt", "the derivative 1/(2 sqrt(x)) is infinite at x = 0; "
              "use sqrt(x + eps) to differentiate here", x)


def _check_div(x, y):
    if not _all(y != 0.0):
        _fail("div", "division by zero (the divisor is 0)", y)


def _check_exp(x):
    if not _all(x < 709.78):
        _fail("exp", "overflow: exp(x) exceeds the largest float for x > 709.78; "
              "use a stable form (logsumexp, log_softmax, softplus)", x)


def _check_power(exponent):
    integral = float(exponent).is_integer()

    def check(x):
        if not integral and not _all(x >= 0.0):
            _fail("pow", f"a negative base has no real power {exponent}", x)
        if exponent < 0 and not _all(x != 0.0):
            _fail("pow", f"0 ** {exponent} divides by zero", x)
        if 0 < exponent < 1 and state.context[0] and not _all(x != 0.0):
            _fail("pow", f"the derivative of x ** {exponent} is infinite at x = 0", x)
    return check


def _check_value_power(x, y):
    if not _all(x > 0.0):
        _fail("pow", "with a Value exponent the base must be > 0 "
              "(d(a**b)/db = a**b * log(a))", x)


def _stable_sigmoid_float(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _stable_sigmoid_array(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _stable_tanh_float(x):
    return math.tanh(x)


def _sum_batched(datas):
    """x1 + ... + xn when some are batches: the batches stacked and reduced in one go."""
    batches = [d for d in datas if type(d) is not float]
    total = np.add.reduce(np.array(batches)) if len(batches) > 1 else batches[0].copy()
    scalars = [d for d in datas if type(d) is float]
    return total + builtins.sum(scalars) if scalars else total


_ONLY_FLOATS, _ONLY_VALUES = {float}, {Value}


def _affine_float(datas):
    """w1 x1 + ... + wn xn (+ b) on floats; ``datas`` = (w1..wn, x1..xn[, b])."""
    n = len(datas) // 2
    total = builtins.sum(map(operator.mul, datas[:n], datas[n:2 * n]))
    return total + datas[-1] if len(datas) % 2 else total


def _affine_batched(datas):
    """The same when some operands are batches: float weights against batched inputs
    (a layer on a batch) is one matrix-vector product; anything else goes term by term.
    Batch lengths are checked on the way (a clear error names them)."""
    n = len(datas) // 2
    weights, inputs = datas[:n], datas[n:2 * n]
    bias = datas[-1] if len(datas) % 2 else 0.0
    if set(map(type, weights)) == _ONLY_FLOATS and float not in set(map(type, inputs)):
        try:
            stacked = np.array(inputs)
        except ValueError:                           # inputs of different lengths
            check_batch_lengths("affine", *inputs)
            raise
        if type(bias) is not float and len(bias) != stacked.shape[1]:
            check_batch_lengths("affine", inputs[0], bias)
        return np.dot(weights, stacked) + bias
    check_batch_lengths("affine", *datas)
    return _sum_batched([w * x for w, x in zip(weights, inputs)]) + bias


def _affine_local_grads(*operands_and_out):
    """d/dw_j = x_j, d/dx_j = w_j, d/db = 1: the inputs, then the weights (then 1)."""
    operands = operands_and_out[:-1]
    n = len(operands) // 2
    return operands[n:2 * n] + operands[:n] + ((1.0,) if len(operands) % 2 else ())


def _batch_sum_forward(x):
    return x if type(x) is float else float(np.sum(x))


def _batch_mean_forward(x):
    return x if type(x) is float else float(np.mean(x))


def _batch_mean_local(x, out):
    data = x.data if isinstance(x, Value) else x
    local = 1.0 if type(data) is float else np.full_like(data, 1.0 / len(data))
    return (Value(local),) if isinstance(x, Value) else (local,)


# --- the table ----------------------------------------------------------------------------
# name: Primitive(name, float forward, array forward, local rule (operands..., out), check)

ADD = Primitive("add", operator.add, operator.add, (1.0, 1.0),
                formula="a + b; d/da = 1, d/db = 1")
SUB = Primitive("sub", operator.sub, operator.sub, (1.0, -1.0),
                formula="a - b; d/da = 1, d/db = -1")
MUL = Primitive("mul", operator.mul, operator.mul, lambda a, b, out: (b, a),
                formula="a * b; d/da = b, d/db = a")
DIV = Primitive("div", operator.truediv, operator.truediv,
                lambda a, b, out: (1.0 / b, -out / b), _check_div,
                formula="a / b; d/da = 1/b, d/db = -a/b^2")
NEG = Primitive("neg", operator.neg, operator.neg, (-1.0,),
                formula="-a; d/da = -1")
POW_VALUE = Primitive("pow", operator.pow, np.power,
                      lambda a, b, out: (b * a ** (b - 1.0), out * _log_any(a)),
                      _check_value_power,
                      formula="a ** b; d/da = b a^(b-1), d/db = a^b log a")
EXP = Primitive("exp", math.exp, np.exp, lambda x, out: (out,), _check_exp,
                formula="e^x; d/dx = e^x")
LOG = Primitive("log", math.log, np.log, lambda x, out: (1.0 / x,), _check_positive("log"),
                formula="ln x; d/dx = 1/x")
SQRT = Primitive("sqrt", math.sqrt, np.sqrt, lambda x, out: (0.5 / out,), _check_sqrt,
                 formula="sqrt(x); d/dx = 1/(2 sqrt(x))")
TANH = Primitive("tanh", math.tanh, np.tanh, lambda x, out: (1.0 - out * out,),
                 formula="tanh x; d/dx = 1 - tanh^2 x")
SIGMOID = Primitive("sigmoid", _stable_sigmoid_float, _stable_sigmoid_array,
                    lambda x, out: (out * (1.0 - out),),
                    formula="1/(1+e^-x); d/dx = s(1-s)")
RELU = Primitive("relu", lambda x: x if x > 0.0 else 0.0, lambda x: np.maximum(x, 0.0),
                 lambda x, out: (step(x),), formula="max(x, 0); d/dx = 1 if x > 0 else 0")
ABS = Primitive("abs", builtins.abs, np.abs, lambda x, out: (sign(x),),
                formula="|x|; d/dx = sign(x)")
MAXIMUM = Primitive("maximum", max, np.maximum,
                    lambda a, b, out: (greater_indicator(a, b), greater_indicator(b, a)),
                    formula="max(a, b); d/da = [a > b] (1/2 at a tie)")
MINIMUM = Primitive("minimum", min, np.minimum,
                    lambda a, b, out: (greater_indicator(b, a), greater_indicator(a, b)),
                    formula="min(a, b); d/da = [a < b] (1/2 at a tie)")
SUM = Primitive("sum", builtins.sum, _sum_batched, lambda *operands: (1.0,) * (len(operands) - 1),
                formula="x1 + ... + xn; d/dxi = 1")
AFFINE = Primitive("affine", _affine_float, _affine_batched, _affine_local_grads,
                   formula="w1 x1 + ... + wn xn + b; d/dwj = xj, d/dxj = wj, d/db = 1")
BATCH_SUM = Primitive("batch_sum", _batch_sum_forward, _batch_sum_forward,
                      lambda x, out: (ones_like(x),),
                      formula="sum over the batch; d/dx_k = 1 for every example k")
BATCH_MEAN = Primitive("batch_mean", _batch_mean_forward, _batch_mean_forward,
                       _batch_mean_local,
                       formula="mean over the batch; d/dx_k = 1/n for every example k")


@functools.lru_cache(maxsize=1024)
def power_primitive(exponent):
    """x ** p for a constant p: d/dx = p x^(p-1)."""
    if exponent == 0:
        rule = lambda x, out: (0.0 * x,)  # noqa: E731
    elif exponent == 1:
        rule = lambda x, out: (1.0,)  # noqa: E731
    else:
        rule = lambda x, out: (exponent * x ** (exponent - 1),)  # noqa: E731
    return Primitive("pow", lambda x: x ** exponent, lambda x: np.power(x, exponent), rule,
                     _check_power(exponent), formula=f"x ** {exponent}; d/dx = {exponent} x^{exponent - 1}")


@functools.lru_cache(maxsize=1024)
def leaky_relu_primitive(slope):
    """max(x, slope x) for 0 <= slope < 1: d/dx = 1 if x > 0 else slope."""
    def derivative(x):
        if type(x) is float:
            return 1.0 if x > 0.0 else slope
        if isinstance(x, Value):
            return Value(derivative(x.data))
        return np.where(x > 0.0, 1.0, slope)
    return Primitive("leaky_relu", lambda x: x if x > 0.0 else slope * x,
                     lambda x: np.where(x > 0.0, x, slope * x),
                     lambda x, out: (derivative(x),),
                     formula=f"x if x > 0 else {slope} x; d/dx = 1 or {slope}")


# --- applying a primitive: compute forward, record parents and local derivatives ----------

_new_value = Value.__new__


def operand(x, op):
    """A number or array used in an operation, as a leaf Value (drawn as a constant);
    anything else is a TypeError that names the operation."""
    return Value(as_data(x, op))


def _unary(primitive):
    """The function applying a one-operand primitive: check, forward, and record the
    parent and its local derivative (unless in ``no_grad``)."""
    float_forward, array_forward, check, rule = (
        primitive.float_forward, primitive.array_forward, primitive.check,
        primitive.local_grads)
    constant = rule if type(rule) is tuple else None

    def apply(x):
        if type(x) is not Value and not isinstance(x, Value):
            x = operand(x, primitive.name)
        data = x.data
        if check is not None:
            check(data)
        out = float_forward(data) if type(data) is float else array_forward(data)
        node = _new_value(Value)
        node.data = out
        node.grad = 0.0
        node.primitive = primitive
        node.label = ""
        recording, node.scope = state.context
        if recording:
            node.parents = (x,)
            node.local_grads = constant if constant is not None else rule(data, out)
        else:
            node.parents = node.local_grads = ()
        return node
    apply.__name__ = primitive.name
    apply.__doc__ = f"{primitive.name}: {primitive.formula}"
    return apply


def _binary(primitive):
    """The function applying a two-operand primitive (numbers are wrapped as leaves)."""
    float_forward, array_forward, check, rule = (
        primitive.float_forward, primitive.array_forward, primitive.check,
        primitive.local_grads)
    constant = rule if type(rule) is tuple else None
    name = primitive.name

    def apply(a, b):
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
            if type(x) is not float and type(y) is not float and len(x) != len(y):
                check_batch_lengths(name, x, y)
            out = array_forward(x, y)
        # the node is built inline, here and in _unary, sum and affine: this is the
        # library's hottest code, and a shared helper would cost a call per operation
        node = _new_value(Value)
        node.data = out
        node.grad = 0.0
        node.primitive = primitive
        node.label = ""
        recording, node.scope = state.context
        if recording:
            node.parents = (a, b)
            node.local_grads = constant if constant is not None else rule(x, y, out)
        else:
            node.parents = node.local_grads = ()
        return node
    apply.__name__ = name
    apply.__doc__ = f"{name}: {primitive.formula}"
    return apply


add = _binary(ADD)
sub = _binary(SUB)
mul = _binary(MUL)
div = _binary(DIV)
neg = _unary(NEG)
exp = _unary(EXP)
log = _unary(LOG)
sqrt = _unary(SQRT)
tanh = _unary(TANH)
sigmoid = _unary(SIGMOID)
relu = _unary(RELU)
abs = _unary(ABS)  # noqa: A001 (autodiff.abs, like torch.abs)
maximum = _binary(MAXIMUM)
minimum = _binary(MINIMUM)
batch_sum = _unary(BATCH_SUM)
batch_mean = _unary(BATCH_MEAN)
_power_value = _binary(POW_VALUE)
_power_constant = functools.lru_cache(maxsize=1024)(lambda p: _unary(power_primitive(p)))
_leaky_relu_with_slope = functools.lru_cache(maxsize=1024)(lambda s: _unary(leaky_relu_primitive(s)))


def pow(base, exponent):  # noqa: A001
    """base ** exponent. A number exponent p: d/dx = p x^(p-1). A Value exponent b:
    d/da = b a^(b-1), d/db = a^b log a (then the base must be > 0)."""
    if isinstance(exponent, Value):
        return _power_value(base, exponent)
    if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):
        raise TypeError(f"pow: exponent must be a number or a Value, got {exponent!r}")
    return _power_constant(float(exponent))(base)


def leaky_relu(x, negative_slope=0.01):
    """x if x > 0 else negative_slope * x; d/dx = 1 if x > 0 else negative_slope."""
    if not 0.0 <= negative_slope < 1.0:
        raise ValueError(f"leaky_relu: negative_slope must be in [0, 1), got {negative_slope!r}")
    return _leaky_relu_with_slope(float(negative_slope))(x)


def sum(values):  # noqa: A001
    """x1 + x2 + ... + xn as one node with n edges: d/dxi = 1."""
    operands = tuple(values)
    if set(map(type, operands)) != _ONLY_VALUES:
        operands = tuple(x if isinstance(x, Value) else operand(x, "sum") for x in operands)
    if not operands:
        raise ValueError("sum: needs at least one value, got an empty sequence")
    datas = [x.data for x in operands]
    out = builtins.sum(datas) if type(datas[0]) is float else None
    if type(out) is not float:                       # some operands are batches
        check_batch_lengths("sum", *datas)
        out = _sum_batched(datas)
    node = _new_value(Value)
    node.data, node.grad, node.primitive, node.label = out, 0.0, SUM, ""
    recording, node.scope = state.context
    node.parents = operands if recording else ()
    node.local_grads = (1.0,) * len(operands) if recording else ()
    return node


def affine(weights, inputs, bias=None):
    """w1 x1 + ... + wn xn (+ b) as one node with 2n (+1) edges: a neuron's weighted
    sum. d/dwj = xj, d/dxj = wj, d/db = 1. (``dot`` composes the same function from
    mul and sum nodes, for pictures that show every product.)"""
    weights, inputs = tuple(weights), tuple(inputs)
    if len(weights) != len(inputs) or not weights:
        raise ValueError(f"affine: needs as many weights as inputs (at least one), got "
                         f"{len(weights)} weights and {len(inputs)} inputs")
    operands = weights + inputs + (() if bias is None else (bias,))
    if set(map(type, operands)) != _ONLY_VALUES:
        operands = tuple(x if isinstance(x, Value) else operand(x, "affine") for x in operands)
    datas = tuple([x.data for x in operands])
    out = (_affine_float if set(map(type, datas)) == _ONLY_FLOATS else _affine_batched)(datas)
    node = _new_value(Value)
    node.data, node.grad, node.primitive, node.label = out, 0.0, AFFINE, ""
    recording, node.scope = state.context
    node.parents = operands if recording else ()
    node.local_grads = _affine_local_grads(*datas, out) if recording else ()
    return node


# --- operators on Value ---------------------------------------------------------------------

def _reflected(function):
    def reflected(self, other):
        return function(other, self)
    return reflected


Value.__add__, Value.__radd__ = add, _reflected(add)
Value.__sub__, Value.__rsub__ = sub, _reflected(sub)
Value.__mul__, Value.__rmul__ = mul, _reflected(mul)
Value.__truediv__, Value.__rtruediv__ = div, _reflected(div)
Value.__pow__, Value.__rpow__ = pow, _reflected(pow)
Value.__neg__ = neg
Value.__abs__ = abs
Value.__pos__ = lambda self: self
Value.exp, Value.log, Value.sqrt, Value.tanh = exp, log, sqrt, tanh
Value.sigmoid, Value.relu, Value.leaky_relu = sigmoid, relu, leaky_relu

PRIMITIVES = {p.name: p for p in (ADD, SUB, MUL, DIV, NEG, POW_VALUE, EXP, LOG, SQRT, TANH,
                                  SIGMOID, RELU, ABS, MAXIMUM, MINIMUM, SUM, AFFINE, BATCH_SUM,
                                  BATCH_MEAN)}

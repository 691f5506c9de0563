"""Small functions the derivative rules use, each working on a float, on an array (a
batch) and on a Value, so that one rule serves the forward pass (numbers stored on the
edges) and ``create_graph`` (a graph that can be differentiated again).

Indicators (the derivatives of relu, abs, max) are piecewise constant: on a Value they
give a constant leaf, whose own derivative is 0.
"""
import builtins
import math

import numpy as np

from ._value import Value, data_of


def constant_like(x, number):
    """``number`` in the shape of ``x``: a float, an array, or a constant leaf."""
    if isinstance(x, Value):
        return Value(constant_like(x.data, number), requires_grad=False)
    return float(number) if type(x) is float else np.full_like(x, number)


def step(x):
    """1 where x > 0, else 0 (the derivative of relu)."""
    if type(x) is float:
        return 1.0 if x > 0.0 else 0.0
    if isinstance(x, Value):
        return Value(step(x.data), requires_grad=False)
    return (x > 0.0).astype(np.float64)


def slope_step(x, slope):
    """1 where x > 0, else ``slope`` (the derivative of leaky_relu)."""
    if type(x) is float:
        return 1.0 if x > 0.0 else slope
    if isinstance(x, Value):
        return Value(slope_step(x.data, slope), requires_grad=False)
    return np.where(x > 0.0, 1.0, slope)


def sign(x):
    """-1, 0 or 1 (the derivative of abs; 0 at 0, as in PyTorch)."""
    if type(x) is float:
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)
    if isinstance(x, Value):
        return Value(sign(x.data), requires_grad=False)
    return np.sign(x)


def greater_indicator(x, y):
    """1 where x > y, 1/2 where x == y, else 0 (d max(x, y) / dx: ties split evenly)."""
    if type(x) is float and type(y) is float:
        return 1.0 if x > y else (0.5 if x == y else 0.0)
    if isinstance(x, Value) or isinstance(y, Value):
        return Value(greater_indicator(data_of(x), data_of(y)),
                     requires_grad=False)
    return (np.greater(x, y) + 0.5 * np.equal(x, y)).astype(np.float64)


def log_of(x):
    """ln x."""
    if isinstance(x, Value):
        return x.log()
    return math.log(x) if type(x) is float else np.log(x)


def power_slope(x, p):
    """d(x ** p)/dx = p x^(p-1) for a constant p (a number, or one per example): 0 where
    p = 0 (even at x = 0 or inf), and +-inf where it exceeds the largest float, never
    a bare OverflowError or ZeroDivisionError. On a Value x, a node of the graph."""
    if isinstance(x, Value) or isinstance(p, Value):
        exponent = data_of(p)
        return p * x ** (exponent - 1.0)
    if type(x) is float and type(p) is float:
        if p == 0.0:
            return 0.0
        try:
            return p * x ** (p - 1.0)
        except (OverflowError, ZeroDivisionError):      # beyond the largest float
            with np.errstate(over="ignore", divide="ignore"):
                return p * float(np.power(x, p - 1.0))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return np.where(np.equal(p, 0.0), 0.0, p * np.power(x, np.subtract(p, 1.0)))


def hypot_of(a, b):
    """sqrt(a^2 + b^2) without overflow or underflow in a^2 (math.hypot); on Values, a
    ``hypot`` node of the graph."""
    if isinstance(a, Value) or isinstance(b, Value):
        return Value.hypot(a, b)          # the primitive, attached in _operations.py
    if type(a) is float and type(b) is float:
        return math.hypot(a, b)
    return np.hypot(a, b)


def sigmoid_float(x):
    """1 / (1 + e^-x) without overflow: e^x / (1 + e^x) for x < 0."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sigmoid_array(x):
    """The same for every example of a batch."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_of(x):
    """1 / (1 + e^-x) (the derivative of softplus)."""
    if isinstance(x, Value):
        return x.sigmoid()
    return sigmoid_float(x) if type(x) is float else sigmoid_array(x)


def softplus_float(x):
    """log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): finite for every x."""
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def softplus_array(x):
    """The same for every example of a batch."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def tie_shares(operands, out):
    """d max(x_1..x_n) / d x_i: 1/k for each of the k inputs equal to the result, 0 for
    the others (ties split evenly, as torch's max does)."""
    datas = [data_of(x) for x in operands]
    result = data_of(out)
    if type(result) is float and all(type(d) is float for d in datas):
        winners = [1.0 if d == result else 0.0 for d in datas]
        count = builtins.sum(winners)
        shares = [w / count for w in winners]
    else:
        # one share per example, for a number operand too (a weight against a batch):
        # its gradient is then sum_k share_k upstream_k, as for every other local
        # derivative of a number in a batched node (never sum(share) x sum(upstream))
        winners = [np.equal(d, result).astype(np.float64) for d in datas]
        count = np.add.reduce(np.broadcast_arrays(*winners)) if len(winners) > 1 else winners[0]
        shares = [w / count for w in winners]
    if any(isinstance(x, Value) for x in (*operands, out)):
        return tuple(Value(s, requires_grad=False) for s in shares)
    return tuple(shares)


def elementwise(float_function, array_function, method):
    """One function on a float, an array, or a Value (then the Value's own method, so
    the result is a node of the graph and can be differentiated again)."""
    def apply(x):
        if isinstance(x, Value):
            return getattr(x, method)()
        return float_function(x) if type(x) is float else array_function(x)
    apply.__name__ = method
    return apply


def nan_where_math_refuses(function):
    """``function`` on a float, NaN where ``math`` raises for an infinite input
    (sin(inf)): what numpy gives for the same number in a batch."""
    def apply(x):
        try:
            return function(x)
        except ValueError:
            return math.nan
    apply.__name__ = function.__name__
    return apply


sin_float, cos_float, tan_float = map(nan_where_math_refuses, (math.sin, math.cos, math.tan))
sin_of = elementwise(sin_float, np.sin, "sin")
cos_of = elementwise(cos_float, np.cos, "cos")
sinh_of = elementwise(math.sinh, np.sinh, "sinh")
cosh_of = elementwise(math.cosh, np.cosh, "cosh")
sqrt_of = elementwise(math.sqrt, np.sqrt, "sqrt")
exp_of = elementwise(math.exp, np.exp, "exp")
erf_array = np.vectorize(math.erf, otypes=[np.float64])


def quotient_of(a, b):
    """The whole quotient q of a % b = a - q b, as % computed it: Python's and numpy's
    floor division ``a // b``, which comes from the same fmod as ``a % b`` (1 // 0.1 is 9,
    the 9 of 1 % 0.1 = 1 - 9 x 0.1, where floor(1 / 0.1) rounds to 10). Piecewise
    constant (the derivative of a % b by b is -q): a constant leaf for a Value."""
    if isinstance(a, Value) or isinstance(b, Value):
        return Value(quotient_of(data_of(a), data_of(b)),
                     requires_grad=False)
    return a // b


def between(x, low, high, closed=True):
    """1 where low <= x <= high (low < x < high unless ``closed``), else 0: the
    derivative of clamp, 1 at the bounds as torch.clamp (0 there as torch's hardtanh)."""
    if isinstance(x, Value):
        return Value(between(x.data, low, high, closed), requires_grad=False)
    if type(x) is float:
        return 1.0 if (low <= x <= high if closed else low < x < high) else 0.0
    inside = (x >= low) & (x <= high) if closed else (x > low) & (x < high)
    return inside.astype(np.float64)


def one_hot(x, index):
    """d x[index] / d x: 1 at ``index``, 0 elsewhere (a constant leaf for a Value)."""
    if isinstance(x, Value):
        return Value(one_hot(x.data, index), requires_grad=False)
    hot = np.zeros_like(x)
    hot[index] = 1.0
    return hot


def sum_batched(datas):
    """x1 + ... + xn when some are batches: the batches stacked and reduced in one go."""
    batches = [d for d in datas if type(d) is not float]
    total = np.add.reduce(np.array(batches)) if len(batches) > 1 else batches[0].copy()
    scalars = [d for d in datas if type(d) is float]
    return total + builtins.sum(scalars) if scalars else total


def batch_reduce(reduce):
    """A reduction over the examples of a batch (np.sum, np.mean) to a float; a float
    stays as it is."""
    return lambda x: x if type(x) is float else float(reduce(x))


def batch_mean_slope(x, out):
    """d mean / d x_k = 1/n (1 for an unbatched x)."""
    data = data_of(x)
    return (constant_like(x, 1.0 if type(data) is float else 1.0 / len(data)),)

"""The extended set of primitives: beyond the course notes' twenty (``_table.py``),
the rows that layers and textbooks use: softplus, affine (a neuron in one node), max and
min of many, clamp, one example of a batch, the trigonometric and hyperbolic functions,
their inverses, log2, log10, log1p, expm1, erf, sign, arctan2, hypot and remainder.

Each row is built as the core ones are (see ``_primitive.py``); ``_table.py`` lists them
all in ``PRIMITIVES``.
"""
import builtins
import math
import operator

import numpy as np

from . import _domains as domain
from ._data import check_batch_lengths
from ._elementwise import (between, constant_like, cos_float, cos_of, cosh_of, erf_array,
                           exp_of, hypot_of, one_hot, power_slope, quotient_of, sigmoid_of,
                           sin_float, sin_of, sinh_of, softplus_array, softplus_float, sqrt_of,
                           sum_batched, tan_float, tie_shares)
from ._primitive import Primitive, PrimitiveFamily

LN2, LN10, TWO_OVER_SQRT_PI = math.log(2.0), math.log(10.0), 2.0 / math.sqrt(math.pi)


def _affine_float(datas):
    """w1 x1 + ... + wn xn (+ b) on floats; ``datas`` = (w1..wn, x1..xn[, b])."""
    n = len(datas) // 2
    total = builtins.sum(map(operator.mul, datas[:n], datas[n:2 * n]))
    return total + datas[-1] if len(datas) % 2 else total


def _affine_local_grads(*operands_and_out):
    """d/dw_j = x_j, d/dx_j = w_j, d/db = 1: the inputs, then the weights (then 1)."""
    operands = operands_and_out[:-1]
    n = len(operands) // 2
    return operands[n:2 * n] + operands[:n] + ((1.0,) if len(operands) % 2 else ())


def _affine_text(names):
    n = len(names) // 2
    return names[n:2 * n] + names[:n] + (["1"] if len(names) % 2 else [])


def _affine_batched(datas):
    """The same when some operands are batches: float weights against batched inputs
    (a layer on a batch) is one matrix-vector product; anything else goes term by term.
    Batch lengths are checked on the way (a clear error names them)."""
    n = len(datas) // 2
    weights, inputs = datas[:n], datas[n:2 * n]
    bias = datas[-1] if len(datas) % 2 else 0.0
    if all(type(w) is float for w in weights) and not any(type(x) is float for x in inputs):
        try:
            stacked = np.array(inputs)
        except ValueError:                           # inputs of different lengths
            check_batch_lengths("affine", *inputs)
            raise
        if type(bias) is not float and len(bias) != stacked.shape[1]:
            check_batch_lengths("affine", inputs[0], bias)
        return np.dot(weights, stacked) + bias
    check_batch_lengths("affine", *datas)
    return sum_batched([w * x for w, x in zip(weights, inputs)]) + bias


def _arctan2_local_grads(y, x):
    """d/dy = x/(x^2 + y^2), d/dx = -y/(x^2 + y^2), as (x/h)/h and -(y/h)/h with
    h = hypot(y, x): x^2 + y^2 would underflow to 0 at (1e-200, 1e-200), where the
    derivative is 5e199."""
    h = hypot_of(y, x)
    return x / h / h, -(y / h) / h


def _stacked(reduce):
    """An n-ary reduction of floats and batches (batches stacked, floats broadcast)."""
    return lambda *datas: reduce(np.broadcast_arrays(*datas), axis=0)


# --- pow with one exponent per example; softplus, affine, max and min of many ----------

POW_CONSTANTS = Primitive("pow", domain.power, domain.power,
                          lambda a, b, out: (power_slope(a, b), 0.0),
                          domain.check_constant_powers,
                          formula="a ** b, b a constant (one per example); d/da = b a^(b-1), "
                                  "d/db = 0 (no gradient for a constant)",
                          derivative_text=("{1}·{0}^({1} - 1)", "0"))
SOFTPLUS = Primitive("softplus", softplus_float, softplus_array,
                     lambda x, out: (sigmoid_of(x),),
                     formula="ln(1 + e^x); d/dx = sigmoid(x)", derivative_text=("σ({0})",))
AFFINE = Primitive("affine", _affine_float, _affine_batched, _affine_local_grads,
                   formula="w1 x1 + ... + wn xn + b; d/dwj = xj, d/dxj = wj, d/db = 1",
                   derivative_text=_affine_text)
MAX = Primitive("max", lambda *datas: max(datas), _stacked(np.max),
                lambda *operands_and_out: tie_shares(operands_and_out[:-1], operands_and_out[-1]),
                formula="max(x1, ..., xn); d/dxi = 1/k for each of the k largest, else 0",
                derivative_text=("[{out} = x_i]/k",))
MIN = Primitive("min", lambda *datas: min(datas), _stacked(np.min),
                lambda *operands_and_out: tie_shares(operands_and_out[:-1], operands_and_out[-1]),
                formula="min(x1, ..., xn); d/dxi = 1/k for each of the k smallest, else 0",
                derivative_text=("[{out} = x_i]/k",))

# the functions of every textbook: trigonometric, hyperbolic, logarithms, erf, ...
SIN = Primitive("sin", sin_float, np.sin, lambda x, out: (cos_of(x),),
                formula="sin x; d/dx = cos x", derivative_text=("cos({0})",))
COS = Primitive("cos", cos_float, np.cos, lambda x, out: (-sin_of(x),),
                formula="cos x; d/dx = -sin x", derivative_text=("-sin({0})",))
TAN = Primitive("tan", tan_float, np.tan, lambda x, out: (1.0 + out * out,),
                formula="tan x; d/dx = 1 + tan^2 x", derivative_text=("1 + tan²({0})",))
ARCSIN = Primitive("arcsin", math.asin, np.arcsin,
                   lambda x, out: (1.0 / sqrt_of(1.0 - x * x),),
                   domain.within_one("arcsin", "1/sqrt(1 - x^2)"),
                   formula="arcsin x; d/dx = 1/sqrt(1 - x^2)",
                   derivative_text=("1/sqrt(1 - {0}²)",))
ARCCOS = Primitive("arccos", math.acos, np.arccos,
                   lambda x, out: (-1.0 / sqrt_of(1.0 - x * x),),
                   domain.within_one("arccos", "-1/sqrt(1 - x^2)"),
                   formula="arccos x; d/dx = -1/sqrt(1 - x^2)",
                   derivative_text=("-1/sqrt(1 - {0}²)",))
ARCTAN = Primitive("arctan", math.atan, np.arctan, lambda x, out: (1.0 / (1.0 + x * x),),
                   formula="arctan x; d/dx = 1/(1 + x^2)", derivative_text=("1/(1 + {0}²)",))
SINH = Primitive("sinh", math.sinh, np.sinh, lambda x, out: (cosh_of(x),),
                 domain.check_cosh("sinh"),
                 formula="sinh x; d/dx = cosh x", derivative_text=("cosh({0})",))
COSH = Primitive("cosh", math.cosh, np.cosh, lambda x, out: (sinh_of(x),),
                 domain.check_cosh("cosh"),
                 formula="cosh x; d/dx = sinh x", derivative_text=("sinh({0})",))
ARCSINH = Primitive("arcsinh", math.asinh, np.arcsinh,
                    lambda x, out: (1.0 / hypot_of(x, 1.0),),
                    formula="arcsinh x; d/dx = 1/sqrt(x^2 + 1)",
                    derivative_text=("1/sqrt({0}² + 1)",))
ARCCOSH = Primitive("arccosh", math.acosh, np.arccosh,
                    lambda x, out: (1.0 / (sqrt_of(x - 1.0) * sqrt_of(x + 1.0)),),
                    domain.check_arccosh,
                    formula="arccosh x; d/dx = 1/sqrt(x^2 - 1)",
                    derivative_text=("1/sqrt({0}² - 1)",))
ARCTANH = Primitive("arctanh", math.atanh, np.arctanh, lambda x, out: (1.0 / (1.0 - x * x),),
                    domain.within_one("arctanh"),
                    formula="arctanh x; d/dx = 1/(1 - x^2)", derivative_text=("1/(1 - {0}²)",))
LOG2 = Primitive("log2", math.log2, np.log2, lambda x, out: (1.0 / (x * LN2),),
                 domain.positive("log2"), formula="log2 x; d/dx = 1/(x ln 2)",
                 derivative_text=("1/({0}·ln 2)",))
LOG10 = Primitive("log10", math.log10, np.log10, lambda x, out: (1.0 / (x * LN10),),
                  domain.positive("log10"), formula="log10 x; d/dx = 1/(x ln 10)",
                  derivative_text=("1/({0}·ln 10)",))
LOG1P = Primitive("log1p", math.log1p, np.log1p, lambda x, out: (1.0 / (1.0 + x),),
                  domain.above("log1p", -1.0), formula="ln(1 + x); d/dx = 1/(1 + x)",
                  derivative_text=("1/(1 + {0})",))
# d/dx expm1 is e^x itself, not out + 1, which is 0 once e^x < 1e-16 (x < -37)
EXPM1 = Primitive("expm1", math.expm1, np.expm1, lambda x, out: (exp_of(x),), domain.check_expm1,
                  formula="e^x - 1; d/dx = e^x", derivative_text=("exp({0})",))
ERF = Primitive("erf", math.erf, erf_array,
                lambda x, out: (TWO_OVER_SQRT_PI * exp_of(-(x * x)),),
                formula="erf x; d/dx = 2/sqrt(pi) e^(-x^2)",
                derivative_text=("2/√π·exp(-{0}²)",))
SIGN = Primitive("sign", lambda x: 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0), np.sign,
                 lambda x, out: (constant_like(x, 0.0),),
                 formula="sign x; d/dx = 0", derivative_text=("0",))
ARCTAN2 = Primitive("arctan2", math.atan2, np.arctan2,
                    lambda y, x, out: _arctan2_local_grads(y, x),
                    domain.not_both_zero("arctan2"),
                    formula="arctan2(y, x); d/dy = x/(x^2 + y^2), d/dx = -y/(x^2 + y^2)",
                    derivative_text=("{1}/({0}² + {1}²)", "-{0}/({0}² + {1}²)"))
HYPOT = Primitive("hypot", math.hypot, np.hypot, lambda a, b, out: (a / out, b / out),
                  domain.not_both_zero("hypot"),
                  formula="sqrt(a^2 + b^2); d/da = a/hypot, d/db = b/hypot",
                  derivative_text=("{0}/{out}", "{1}/{out}"))
REMAINDER = Primitive("remainder", operator.mod, np.remainder,
                      lambda a, b, out: (1.0, -quotient_of(a, b)), domain.check_remainder,
                      formula="a - b q, q = a // b (floor division: the sign of b, as torch); "
                              "d/da = 1, d/db = -q",
                      derivative_text=("1", "-({0} // {1})"))


def _clamp(bounds):
    """min(max(x, low), high): d/dx = 1 for low <= x <= high (1 at the bounds, as
    torch.clamp), or for low < x < high when not closed (0 at the bounds, as hardtanh)."""
    low, high, closed = bounds
    less = "≤" if closed else "<"
    return Primitive("clamp", lambda x: min(max(x, low), high), lambda x: np.clip(x, low, high),
                     lambda x, out: (between(x, low, high, closed),),
                     formula=f"clamp(x, {low:g}, {high:g}); d/dx = 1 if {low:g} {less} x "
                             f"{less} {high:g} else 0",
                     derivative_text=(f"[{low:g} {less} {{0}} {less} {high:g}]",),
                     parameter=bounds)


def _select(index):
    """x[k]: example k of a batch as a number; d/dx = 1 at example k, 0 elsewhere."""
    def forward(x):
        if type(x) is float:
            raise TypeError(f"index: only a batched Value can be indexed, got {x!r}")
        return float(x[index])
    return Primitive("index", forward, forward, lambda x, out: (one_hot(x, index),),
                     formula=f"x[{index}]; d/dx_k = [k = {index}]",
                     derivative_text=(f"[k = {index}]",), parameter=index)


CLAMP = PrimitiveFamily("clamp", _clamp, "min(max(x, low), high); d/dx = [low <= x <= high]")
INDEX = PrimitiveFamily("index", _select, "x[k], one example of a batch; d/dx_j = [j = k]")

"""The table of primitives: every operation of the engine, with its derivatives.

Each row gives the forward (on a float, and on an array: one number per example of a
batch), the local-derivative rule d(out)/d(operand) for each operand, the domain check,
and the formula. A rule receives the operands and the output and is written with
arithmetic that works on floats, on arrays and on Values: the same rule stores numbers
on the edges during the forward pass, and builds a differentiable graph for
``backward(create_graph=True)``, so derivatives of every order come from this table.
Everything else in the library (softmax, losses, layers) is composed from these rows.
"""
import builtins
import functools
import math
import operator

import numpy as np

from . import _domains as domain
from ._data import check_batch_lengths
from ._elementwise import (between, constant_like, cos_float, cos_of, cosh_of, erf_array,
                           exp_of, greater_indicator, hypot_of, log_of, one_hot, power_slope,
                           quotient_of, sigmoid_array, sigmoid_float, sigmoid_of, sign,
                           sin_float, sin_of, sinh_of, slope_step, softplus_array,
                           softplus_float, sqrt_of, step, tan_float, tie_shares)
from ._value import data_of

LN2, LN10, TWO_OVER_SQRT_PI = math.log(2.0), math.log(10.0), 2.0 / math.sqrt(math.pi)


class Primitive:
    """One operation: ``name``, ``float_forward``, ``array_forward``, ``local_grads``
    (a rule (operands..., out) -> one derivative per operand, or a tuple when the
    derivatives are constants), ``check`` (the domain, run before the forward),
    ``formula``, and ``derivative_text``: the derivatives as text, one per operand, in
    terms of ``{0}``, ``{1}``, ... (the operands) and ``{out}`` (for pictures)."""

    __slots__ = ("name", "float_forward", "array_forward", "local_grads", "check", "formula",
                 "derivative_text", "passes_gradient", "parameter")

    def __init__(self, name, float_forward, array_forward, local_grads, check=None,
                 formula="", derivative_text=(), passes_gradient=True, parameter=None):
        self.name = name
        self.float_forward = float_forward
        self.array_forward = array_forward
        self.local_grads = local_grads
        self.check = check
        self.formula = formula
        self.derivative_text = derivative_text
        self.passes_gradient = passes_gradient
        self.parameter = parameter

    def local_grads_of(self, *operands_and_out):
        """The local derivatives for these operands (data or Values) and output."""
        rule = self.local_grads
        return rule if type(rule) is tuple else rule(*operands_and_out)

    def local_grad_text(self, operand_names, out_name="out"):
        """d(out)/d(operand) as text for each operand, e.g. ``mul`` of a, b: ("b", "a")."""
        text = self.derivative_text
        if callable(text):
            return tuple(text(list(operand_names)))
        if len(text) == 1 and len(operand_names) > 1:        # n-ary with one rule
            text = text * len(operand_names)
        return tuple(t.format(*operand_names, out=out_name) for t in text)

    def __repr__(self):
        return f"Primitive({self.name!r}: {self.formula})"


class PrimitiveFamily:
    """Primitives with a constant parameter (``x ** 3``, ``leaky_relu`` with slope 0.1):
    ``family(parameter)`` gives the Primitive for that parameter (one per value)."""

    def __init__(self, name, make, formula):
        self.name = name
        self.formula = formula
        self._make = functools.lru_cache(maxsize=1024)(make)

    def __call__(self, parameter):
        return self._make(parameter)

    def __repr__(self):
        return f"PrimitiveFamily({self.name!r}: {self.formula})"


def _sum_batched(datas):
    """x1 + ... + xn when some are batches: the batches stacked and reduced in one go."""
    batches = [d for d in datas if type(d) is not float]
    total = np.add.reduce(np.array(batches)) if len(batches) > 1 else batches[0].copy()
    scalars = [d for d in datas if type(d) is float]
    return total + builtins.sum(scalars) if scalars else total


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
    return _sum_batched([w * x for w, x in zip(weights, inputs)]) + bias


def _arctan2_local_grads(y, x):
    """d/dy = x/(x^2 + y^2), d/dx = -y/(x^2 + y^2), as (x/h)/h and -(y/h)/h with
    h = hypot(y, x): x^2 + y^2 would underflow to 0 at (1e-200, 1e-200), where the
    derivative is 5e199."""
    h = hypot_of(y, x)
    return x / h / h, -(y / h) / h


def _stacked(reduce):
    """An n-ary reduction of floats and batches (batches stacked, floats broadcast)."""
    return lambda *datas: reduce(np.broadcast_arrays(*datas), axis=0)


def _batch_mean_local(x, out):
    """d mean / d x_k = 1/n (1 for an unbatched x)."""
    data = data_of(x)
    return (constant_like(x, 1.0 if type(data) is float else 1.0 / len(data)),)


def _batch_reduce(reduce):
    return lambda x: x if type(x) is float else float(reduce(x))


# --- the table ----------------------------------------------------------------------------
#          name       float forward  array forward  d(out)/d(operands)   domain

ADD = Primitive("add", operator.add, operator.add, (1.0, 1.0),
                formula="a + b; d/da = 1, d/db = 1", derivative_text=("1", "1"))
SUB = Primitive("sub", operator.sub, operator.sub, (1.0, -1.0),
                formula="a - b; d/da = 1, d/db = -1", derivative_text=("1", "-1"))
MUL = Primitive("mul", operator.mul, operator.mul, lambda a, b, out: (b, a),
                formula="a * b; d/da = b, d/db = a", derivative_text=("{1}", "{0}"))
DIV = Primitive("div", operator.truediv, operator.truediv,
                lambda a, b, out: (1.0 / b, -out / b), domain.check_div,
                formula="a / b; d/da = 1/b, d/db = -a/b^2",
                derivative_text=("1/{1}", "-{out}/{1}"))
NEG = Primitive("neg", operator.neg, operator.neg, (-1.0,),
                formula="-a; d/da = -1", derivative_text=("-1",))
POW = Primitive("pow", domain.power, domain.power,
                lambda a, b, out: (power_slope(a, b), out * log_of(a)), domain.check_value_power,
                formula="a ** b; d/da = b a^(b-1), d/db = a^b ln a",
                derivative_text=("{1}·{0}^({1} - 1)", "{out}·ln {0}"))
POW_CONSTANTS = Primitive("pow", domain.power, domain.power,
                          lambda a, b, out: (power_slope(a, b), 0.0),
                          domain.check_constant_powers,
                          formula="a ** b, b a constant (one per example); d/da = b a^(b-1), "
                                  "d/db = 0 (no gradient for a constant)",
                          derivative_text=("{1}·{0}^({1} - 1)", "0"))
EXP = Primitive("exp", math.exp, np.exp, lambda x, out: (out,), domain.check_exp,
                formula="e^x; d/dx = e^x", derivative_text=("exp({0})",))
LOG = Primitive("log", math.log, np.log, lambda x, out: (1.0 / x,), domain.positive("log"),
                formula="ln x; d/dx = 1/x", derivative_text=("1/{0}",))
SQRT = Primitive("sqrt", math.sqrt, np.sqrt, lambda x, out: (0.5 / out,), domain.check_sqrt,
                 formula="sqrt(x); d/dx = 1/(2 sqrt(x))", derivative_text=("1/(2·sqrt({0}))",))
TANH = Primitive("tanh", math.tanh, np.tanh, lambda x, out: (1.0 - out * out,),
                 formula="tanh x; d/dx = 1 - tanh^2 x", derivative_text=("1 - tanh²({0})",))
SIGMOID = Primitive("sigmoid", sigmoid_float, sigmoid_array,
                    lambda x, out: (out * (1.0 - out),),
                    formula="s = 1/(1+e^-x); d/dx = s(1-s)",
                    derivative_text=("σ({0})·(1 - σ({0}))",))
SOFTPLUS = Primitive("softplus", softplus_float, softplus_array,
                     lambda x, out: (sigmoid_of(x),),
                     formula="ln(1 + e^x); d/dx = sigmoid(x)", derivative_text=("σ({0})",))
RELU = Primitive("relu", lambda x: x if x > 0.0 else 0.0, lambda x: np.maximum(x, 0.0),
                 lambda x, out: (step(x),), formula="max(x, 0); d/dx = 1 if x > 0 else 0",
                 derivative_text=("[{0} > 0]",))
ABS = Primitive("abs", builtins.abs, np.abs, lambda x, out: (sign(x),),
                formula="|x|; d/dx = sign(x) (0 at 0)", derivative_text=("sign({0})",))
MAXIMUM = Primitive("maximum", max, np.maximum,
                    lambda a, b, out: (greater_indicator(a, b), greater_indicator(b, a)),
                    formula="max(a, b); d/da = [a > b] (1/2 at a tie)",
                    derivative_text=("[{0} > {1}]", "[{1} > {0}]"))
MINIMUM = Primitive("minimum", min, np.minimum,
                    lambda a, b, out: (greater_indicator(b, a), greater_indicator(a, b)),
                    formula="min(a, b); d/da = [a < b] (1/2 at a tie)",
                    derivative_text=("[{0} < {1}]", "[{1} < {0}]"))
SUM = Primitive("sum", builtins.sum, _sum_batched,
                lambda *operands: (1.0,) * (len(operands) - 1),
                formula="x1 + ... + xn; d/dxi = 1", derivative_text=("1",))
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
BATCH_SUM = Primitive("batch_sum", _batch_reduce(np.sum), _batch_reduce(np.sum),
                      lambda x, out: (constant_like(x, 1.0),),
                      formula="sum over the batch; d/dx_k = 1 for every example k",
                      derivative_text=("1",))
BATCH_MEAN = Primitive("batch_mean", _batch_reduce(np.mean), _batch_reduce(np.mean),
                       _batch_mean_local,
                       formula="mean over the batch; d/dx_k = 1/n for every example k",
                       derivative_text=("1/n",))
STOP_GRADIENT = Primitive("stop_gradient", float, np.copy, (0.0,),
                          formula="x, as a constant; d/dx = 0 (backward stops here)",
                          derivative_text=("0",), passes_gradient=False)

# the functions of every textbook: trigonometric, hyperbolic, logarithms, erf, ...
SIN = Primitive("sin", sin_float, np.sin, lambda x, out: (cos_of(x),),
                formula="sin x; d/dx = cos x", derivative_text=("cos({0})",))
COS = Primitive("cos", cos_float, np.cos, lambda x, out: (-sin_of(x),),
                formula="cos x; d/dx = -sin x", derivative_text=("-sin({0})",))
TAN = Primitive("tan", tan_float, np.tan, lambda x, out: (1.0 + out * out,),
                formula="tan x; d/dx = 1 + tan^2 x", derivative_text=("1 + tan²({0})",))
ARCSIN = Primitive("arcsin", math.asin, np.arcsin,
                   lambda x, out: (1.0 / sqrt_of(1.0 - x * x),), domain.within_one("arcsin", "1/sqrt(1 - x^2)"),
                   formula="arcsin x; d/dx = 1/sqrt(1 - x^2)",
                   derivative_text=("1/sqrt(1 - {0}²)",))
ARCCOS = Primitive("arccos", math.acos, np.arccos,
                   lambda x, out: (-1.0 / sqrt_of(1.0 - x * x),), domain.within_one("arccos", "-1/sqrt(1 - x^2)"),
                   formula="arccos x; d/dx = -1/sqrt(1 - x^2)",
                   derivative_text=("-1/sqrt(1 - {0}²)",))
ARCTAN = Primitive("arctan", math.atan, np.arctan, lambda x, out: (1.0 / (1.0 + x * x),),
                   formula="arctan x; d/dx = 1/(1 + x^2)", derivative_text=("1/(1 + {0}²)",))
SINH = Primitive("sinh", math.sinh, np.sinh, lambda x, out: (cosh_of(x),), domain.check_cosh("sinh"),
                 formula="sinh x; d/dx = cosh x", derivative_text=("cosh({0})",))
COSH = Primitive("cosh", math.cosh, np.cosh, lambda x, out: (sinh_of(x),), domain.check_cosh("cosh"),
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


def _power_constant(exponent):
    """x ** p for a constant p: d/dx = p x^(p-1) (0 for p = 0, even at x = inf)."""
    if exponent == 0:
        rule = lambda x, out: (constant_like(x, 0.0),)  # noqa: E731
    elif exponent == 1:
        rule = (1.0,)
    else:
        def rule(x, out):
            try:
                return (exponent * x ** (exponent - 1.0),)
            except (OverflowError, ZeroDivisionError):     # a float beyond the largest
                return (power_slope(x, exponent),)
    p = f"{exponent:g}"
    return Primitive("pow", lambda x: domain.power(x, exponent),
                     lambda x: domain.power(x, exponent), rule, domain.check_power(exponent),
                     formula=f"x ** {p}; d/dx = {p} x^{exponent - 1:g}",
                     derivative_text=(f"{p}·{{0}}^{exponent - 1:g}",), parameter=exponent)


def _leaky_relu(slope):
    """max(x, slope x) for 0 <= slope < 1: d/dx = 1 if x > 0 else slope."""
    s = f"{slope:g}"
    return Primitive("leaky_relu", lambda x: x if x > 0.0 else slope * x,
                     lambda x: np.where(x > 0.0, x, slope * x),
                     lambda x, out: (slope_step(x, slope),),
                     formula=f"x if x > 0 else {s} x; d/dx = 1 or {s}",
                     derivative_text=(f"1 if {{0}} > 0 else {s}",), parameter=slope)


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


POW_CONSTANT = PrimitiveFamily("pow", _power_constant, "x ** p, p a number; d/dx = p x^(p-1)")
LEAKY_RELU = PrimitiveFamily("leaky_relu", _leaky_relu,
                             "x if x > 0 else s x; d/dx = 1 if x > 0 else s")
CLAMP = PrimitiveFamily("clamp", _clamp, "min(max(x, low), high); d/dx = [low <= x <= high]")
INDEX = PrimitiveFamily("index", _select, "x[k], one example of a batch; d/dx_j = [j = k]")

PRIMITIVES = {"add": ADD, "sub": SUB, "mul": MUL, "div": DIV, "neg": NEG, "pow": POW,
              "pow_constant": POW_CONSTANT, "exp": EXP, "log": LOG, "sqrt": SQRT,
              "tanh": TANH, "sigmoid": SIGMOID, "softplus": SOFTPLUS, "relu": RELU,
              "leaky_relu": LEAKY_RELU, "abs": ABS, "maximum": MAXIMUM, "minimum": MINIMUM,
              "sum": SUM, "max": MAX, "min": MIN, "affine": AFFINE, "batch_sum": BATCH_SUM, "batch_mean": BATCH_MEAN,
              "pow_constants": POW_CONSTANTS, "stop_gradient": STOP_GRADIENT, "clamp": CLAMP, "index": INDEX,
              "sin": SIN, "cos": COS, "tan": TAN, "arcsin": ARCSIN, "arccos": ARCCOS,
              "arctan": ARCTAN, "sinh": SINH, "cosh": COSH, "arcsinh": ARCSINH,
              "arccosh": ARCCOSH, "arctanh": ARCTANH, "log2": LOG2, "log10": LOG10,
              "log1p": LOG1P, "expm1": EXPM1, "erf": ERF, "sign": SIGN, "arctan2": ARCTAN2,
              "hypot": HYPOT, "remainder": REMAINDER}

"""The rules table: every operation of the engine and its derivatives. The course notes'
primitives come first and read alone; the extended set (softplus, affine, trig,
hyperbolic, erf, remainder, ...) is in ``_table_extended.py``; ``PRIMITIVES`` lists all.

A row (``Primitive``, ``_primitive.py``) gives the forward on a float and on an array
(one number per example of a batch), the rule d(out)/d(operand) for each operand, the
domain check and the formula. A rule receives the operands and the output, with
arithmetic that works on floats, arrays and Values: the same rule stores numbers on the
edges in the forward pass and builds a differentiable graph for
``backward(create_graph=True)``, so derivatives of every order come from this table.
Everything else (softmax, losses, layers) is composed from these rows.
"""
import builtins
import math
import operator

import numpy as np

from . import _domains as domain
from ._elementwise import (batch_mean_slope, batch_reduce, constant_like, greater_indicator,
                           log_of, power_slope, sigmoid_array, sigmoid_float, sign, slope_step,
                           step, sum_batched)
from ._primitive import Primitive, PrimitiveFamily

# --- the course notes' primitives ---------------------------------------------------------
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
SUM = Primitive("sum", builtins.sum, sum_batched,
                lambda *operands: (1.0,) * (len(operands) - 1),
                formula="x1 + ... + xn; d/dxi = 1", derivative_text=("1",))
BATCH_SUM = Primitive("batch_sum", batch_reduce(np.sum), batch_reduce(np.sum),
                      lambda x, out: (constant_like(x, 1.0),),
                      formula="sum over the batch; d/dx_k = 1 for every example k",
                      derivative_text=("1",))
BATCH_MEAN = Primitive("batch_mean", batch_reduce(np.mean), batch_reduce(np.mean),
                       batch_mean_slope,
                       formula="mean over the batch; d/dx_k = 1/n for every example k",
                       derivative_text=("1/n",))
STOP_GRADIENT = Primitive("stop_gradient", float, np.copy, (0.0,),
                          formula="x, as a constant; d/dx = 0 (backward stops here)",
                          derivative_text=("0",), passes_gradient=False)


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


POW_CONSTANT = PrimitiveFamily("pow", _power_constant, "x ** p, p a number; d/dx = p x^(p-1)")
LEAKY_RELU = PrimitiveFamily("leaky_relu", _leaky_relu,
                             "x if x > 0 else s x; d/dx = 1 if x > 0 else s")

# --- the extended set, and the whole table ------------------------------------------------
from ._table_extended import (  # noqa: E402  (after the core, so that the core reads alone)
    AFFINE, ARCCOS, ARCCOSH, ARCSIN, ARCSINH, ARCTAN, ARCTAN2, ARCTANH, CLAMP, COS, COSH, ERF,
    EXPM1, HYPOT, INDEX, LOG1P, LOG2, LOG10, MAX, MIN, POW_CONSTANTS, REMAINDER, SIGN, SIN, SINH,
    SOFTPLUS, TAN)

PRIMITIVES: dict[str, Primitive | PrimitiveFamily] = {
    "add": ADD, "sub": SUB, "mul": MUL, "div": DIV, "neg": NEG, "pow": POW,
    "pow_constant": POW_CONSTANT, "exp": EXP, "log": LOG, "sqrt": SQRT, "tanh": TANH,
    "sigmoid": SIGMOID, "softplus": SOFTPLUS, "relu": RELU, "leaky_relu": LEAKY_RELU,
    "abs": ABS, "maximum": MAXIMUM, "minimum": MINIMUM, "sum": SUM, "max": MAX, "min": MIN,
    "affine": AFFINE, "batch_sum": BATCH_SUM, "batch_mean": BATCH_MEAN,
    "pow_constants": POW_CONSTANTS, "stop_gradient": STOP_GRADIENT, "clamp": CLAMP,
    "index": INDEX, "sin": SIN, "cos": COS, "tan": TAN, "arcsin": ARCSIN, "arccos": ARCCOS,
    "arctan": ARCTAN, "sinh": SINH, "cosh": COSH, "arcsinh": ARCSINH, "arccosh": ARCCOSH,
    "arctanh": ARCTANH, "log2": LOG2, "log10": LOG10, "log1p": LOG1P, "expm1": EXPM1,
    "erf": ERF, "sign": SIGN, "arctan2": ARCTAN2, "hypot": HYPOT, "remainder": REMAINDER}

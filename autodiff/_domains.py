"""Where each primitive is defined, and what it does at the edges: one policy, for a
number and for a batch alike (a batch is refused when any example is, with the same
error the number gets). The checks run on the data before the forward.

1. Outside its domain a primitive raises ValueError naming itself and the value:
   log, log2, log10 at x <= 0; log1p at x <= -1; sqrt at x < 0; arcsin, arccos at
   |x| > 1; arctanh at |x| >= 1; arccosh at x < 1; div and remainder by 0; x ** p with
   a negative base and a fractional p, 0 ** p with p < 0; a ** b with a Value exponent
   that needs a gradient requires a > 0 (d/db = a^b ln a).
2. Overflow: exp, expm1, sinh, cosh and pow refuse a result beyond the largest float
   (ValueError naming the primitive and the input, +-inf inputs included: exp(inf) is
   refused, exp(-inf) is 0). Everything else follows IEEE arithmetic, as numpy and
   torch: 1e308 * 10 is inf, 1 / 1e-320 is inf.
3. Where the value exists but the derivative is infinite (sqrt and x ** p, 0 < p < 1,
   at 0; arcsin, arccos at +-1; arccosh at 1) or undefined (arctan2, hypot at (0, 0)),
   the value is computed when nothing is recorded (``no_grad``) and refused while
   recording, saying that the derivative is infinite (undefined) there.
4. Infinite inputs (data may be +-inf, never NaN) give IEEE's results: the limit where
   there is one (tanh(inf) = 1, 1 / inf = 0, with derivatives 0), NaN where there is
   none (inf - inf, inf % 2, sin(inf)), for a number as numpy gives it for a batch.
5. Derivative rules never raise: they are written in forms that stay finite wherever
   the derivative is (arctan2 at (1e-200, 1e-200): (x/h)/h with h = hypot(y, x), not
   x/(x^2 + y^2)); a derivative beyond the largest float is +-inf (d(x ** -1)/dx at
   x = 1e-200 is -inf), never a bare OverflowError or ZeroDivisionError.
"""
import numpy as np

from ._data import describe
from ._mode import state

LARGEST_EXP_INPUT = 709.78          # exp(709.78) is just below the largest float
LARGEST_COSH_INPUT = 710.47         # cosh(710.47) and sinh(710.47) too


def all_true(condition):
    """``condition`` for a float comparison, all of it for a batch."""
    return condition if isinstance(condition, (bool, np.bool_)) else bool(np.all(condition))


def fail(op, message, data):
    raise ValueError(f"{op}: {message}, got {describe(data)}")


def positive(op):
    """The check for log and its kin: x > 0."""
    return above(op, 0.0, f" ({op} is undefined at and below 0)")


def at_least(op, bound, derivative):
    """The check x >= bound, and x > bound while recording, where ``derivative`` (text)
    is infinite (sqrt at 0, arccosh at 1)."""
    def check(x):
        if not all_true(x >= bound):
            fail(op, f"input must be >= {bound:g}", x)
        if state.context[0] and not all_true(x > bound):
            fail(op, f"the derivative {derivative} is infinite at x = {bound:g}"
                 + ("; use sqrt(x + eps) to differentiate here" if op == "sqrt" else ""), x)
    return check


check_sqrt = at_least("sqrt", 0.0, "1/(2 sqrt(x))")
check_arccosh = at_least("arccosh", 1.0, "1/sqrt(x^2 - 1)")


def check_div(x, y):
    if not all_true(y != 0.0):
        fail("div", "division by zero (the divisor is 0)", y)


def exp_overflow(op):
    """The check for exp and expm1: x < 709.78, else e^x exceeds the largest float."""
    def check(x):
        if not all_true(x < LARGEST_EXP_INPUT):
            fail(op, f"overflow: exp(x) exceeds the largest float for x > {LARGEST_EXP_INPUT}; "
                 "use a stable form (logsumexp, log_softmax, softplus)", x)
    return check


check_exp = exp_overflow("exp")
check_expm1 = exp_overflow("expm1")


def check_power(exponent):
    """The check for x ** p with a constant p."""
    integral = float(exponent).is_integer()

    def check(x):
        if not integral and not all_true(x >= 0.0):
            fail("pow", f"a negative base has no real power {exponent}", x)
        if exponent < 0 and not all_true(x != 0.0):
            fail("pow", f"0 ** {exponent} divides by zero", x)
        if 0 < exponent < 1 and state.context[0] and not all_true(x != 0.0):
            fail("pow", f"the derivative of x ** {exponent} is infinite at x = 0", x)
    return check


def check_value_power(x, y):
    """a ** b with a Value exponent that needs a gradient: d/db = a^b ln a needs a > 0."""
    if not all_true(x > 0.0):
        fail("pow", "with a Value exponent the base must be > 0 "
             "(d(a**b)/db = a**b * log(a))", x)


def check_constant_powers(x, y):
    """a ** b with a constant exponent per example (an array, or a Value that needs no
    gradient): each example as ``x ** p`` with a number p (see ``check_power``)."""
    base, exponent = np.asarray(x), np.asarray(y)
    if not all_true((base >= 0.0) | (exponent == np.floor(exponent))):
        fail("pow", "a negative base has no real power with a fractional exponent", (x, y))
    if not all_true((base != 0.0) | (exponent >= 0.0)):
        fail("pow", "0 ** p with p < 0 divides by zero", (x, y))
    if state.context[0] and not all_true((base != 0.0) | (exponent == 0.0) | (exponent >= 1.0)):
        fail("pow", "the derivative of x ** p (0 < p < 1) is infinite at x = 0", (x, y))


def power(x, y):
    """x ** y on floats or arrays; a result beyond the largest float from finite x and y
    is an error naming pow, the base and the exponent (an infinite input gives IEEE's
    answer: inf ** 2 is inf, 1e300 ** inf is inf, for a number and a batch alike)."""
    if type(x) is float and type(y) is float:
        try:
            return x ** y
        except OverflowError:
            _overflow(x, y)
    with np.errstate(over="ignore"):
        result = np.power(x, y)
    if not np.isfinite(result).all() and np.any(np.isinf(result) & np.isfinite(x)
                                                & np.isfinite(y)):
        _overflow(x, y)
    return result


def _overflow(x, y):
    raise ValueError(f"pow: overflow: x ** p exceeds the largest float, got "
                     f"{describe(x)} ** {describe(y)}")


def within_one(op, derivative=None):
    """The check for arcsin/arccos (|x| <= 1, where ``derivative`` (text) is infinite at
    +-1, so |x| < 1 while recording) and arctanh (|x| < 1: ``derivative`` None)."""
    def check(x):
        magnitude = abs(x) if type(x) is float else np.abs(x)
        if derivative is None:
            if not all_true(magnitude < 1.0):
                fail(op, "input must satisfy |x| < 1", x)
            return
        if not all_true(magnitude <= 1.0):
            fail(op, "input must satisfy |x| <= 1", x)
        if state.context[0] and not all_true(magnitude < 1.0):
            fail(op, f"the derivative {derivative} is infinite at x = +-1 (the value is "
                 "defined there: compute it under no_grad)", x)
    return check


def check_cosh(op):
    """sinh and cosh: a result beyond the largest float is refused, as for exp."""
    def check(x):
        if not all_true((abs(x) if type(x) is float else np.abs(x)) < LARGEST_COSH_INPUT):
            fail(op, f"overflow: {op}(x) exceeds the largest float for |x| > "
                 f"{LARGEST_COSH_INPUT}", x)
    return check


def above(op, bound, why=""):
    """The check x > bound (log: x > 0, log1p: x > -1)."""
    def check(x):
        if not all_true(x > bound):
            fail(op, f"input must be > {bound:g}{why}", x)
    return check


def check_remainder(x, y):
    if not all_true(y != 0.0):
        fail("remainder", "the divisor is 0", y)


def not_both_zero(op):
    """arctan2 and hypot: the derivative is undefined where both operands are 0."""
    def check(x, y):
        if state.context[0] and not all_true((x != 0.0) | (y != 0.0)):
            fail(op, "the derivative is undefined where both inputs are 0", (x, y))
    return check

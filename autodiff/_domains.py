"""Where each primitive is defined: checks run on the data before the forward, so that a
value outside the domain is a clear error naming the operation, never a NaN.

Overflow is handled one way, one example or a batch alike: ``exp`` and ``pow`` refuse a
result beyond the largest float (with the input that caused it); other arithmetic
follows IEEE (``1e308 * 10`` is inf), as numpy and PyTorch do.
"""
import numpy as np

from ._data import describe
from ._mode import state

LARGEST_EXP_INPUT = 709.78          # exp(709.78) is just below the largest float


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


def check_exp(x):
    if not all_true(x < LARGEST_EXP_INPUT):
        fail("exp", f"overflow: exp(x) exceeds the largest float for x > {LARGEST_EXP_INPUT}; "
             "use a stable form (logsumexp, log_softmax, softplus)", x)


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
    if not all_true(x > 0.0):
        fail("pow", "with a Value exponent the base must be > 0 "
             "(d(a**b)/db = a**b * log(a))", x)


def power(x, y):
    """x ** y on floats or arrays; a result beyond the largest float is an error naming
    pow and the base (finite inputs only: inf ** 2 is inf, as given)."""
    try:
        if type(x) is float and type(y) is float:
            return x ** y
        with np.errstate(over="raise"):
            return np.power(x, y)
    except (OverflowError, FloatingPointError):
        fail("pow", f"overflow: the result of ** {describe(y)} exceeds the largest float", x)




def within_one(op, closed):
    """The check for arcsin/arccos (|x| <= 1; the derivative is infinite at +-1, so
    |x| < 1 while recording) and arctanh (|x| < 1)."""
    def check(x):
        inside = abs(x) < 1.0 if type(x) is float else np.abs(x) < 1.0
        if closed and not state.context[0]:
            inside = abs(x) <= 1.0 if type(x) is float else np.abs(x) <= 1.0
        if not all_true(inside):
            bound = "|x| <= 1 (|x| < 1 to differentiate: the derivative is infinite at +-1)" \
                if closed else "|x| < 1"
            fail(op, f"input must satisfy {bound}", x)
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

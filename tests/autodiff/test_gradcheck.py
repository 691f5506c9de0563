"""gradcheck itself: it must fail on planted wrong derivatives and on NaN or inf."""
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff._operations import unary


def planted(rule):
    """x^3 whose derivative rule is ``rule`` (x -> d/dx) instead of 3x^2."""
    return unary(ad.Primitive("planted_cube", lambda x: x ** 3, lambda x: x ** 3,
                              lambda x, out: (rule(x),), formula="x^3; d/dx = planted"))


POINTS = [np.array([-1.3, 0.4, 2.0]), 0.7]


def test_gradcheck_passes_the_true_rule():
    cube = planted(lambda x: 3.0 * x * x)
    assert ad.gradcheck(lambda v: cube(v[0]) * v[1], POINTS).ok


@pytest.mark.parametrize("rule, what", [
    (lambda x: -3.0 * x * x, "sign flipped"),
    (lambda x: 3.03 * x * x, "off by 1%"),
    (lambda x: 3.0 * x * x + (np.abs(x - 0.4) < 1e-12) * 0.5 if not isinstance(x, float)
     else 3.0 * x * x, "wrong at one point"),
])
def test_gradcheck_fails_on_a_planted_wrong_derivative(rule, what):
    cube = planted(rule)
    result = ad.gradcheck(lambda v: cube(v[0]) * v[1], POINTS)
    assert not result.ok, what
    assert result.where[0] == 0 and result.max_error > 1e-3


def test_gradcheck_reports_where_a_single_example_is_wrong():
    cube = planted(lambda x: 3.0 * x * x + (np.abs(x - 0.4) < 1e-12) * 0.5)
    result = ad.gradcheck(lambda v: cube(v[0]) * v[1], POINTS)
    assert result.where == (0, 1)
    assert result.analytic == pytest.approx((3 * 0.16 + 0.5) * 0.7)


@pytest.mark.parametrize("function", [
    lambda v: v[0] * math.inf,
    lambda v: v[0] * ad.Value(math.inf) - ad.Value(math.inf),
    lambda v: ad.exp(v[0]) * 1e308,
])
def test_gradcheck_fails_on_a_nan_or_infinite_output_or_gradient(function):
    result = ad.gradcheck(function, [1.0])
    assert not result.ok and not bool(result)
    assert math.isinf(result.max_error)


def test_gradcheck_compares_signs_not_magnitudes():
    flipped = planted(lambda x: -3.0 * x * x)
    result = ad.gradcheck(lambda v: flipped(v[0]), [2.0])
    assert result.analytic == pytest.approx(-12.0) and result.numeric == pytest.approx(12.0)
    assert result.max_error == pytest.approx(2.0, rel=1e-6)


def test_gradcheck_default_tolerance_is_tight():
    nearly = planted(lambda x: 3.0 * x * x * (1 + 1e-4))
    assert not ad.gradcheck(lambda v: nearly(v[0]), [2.0]).ok

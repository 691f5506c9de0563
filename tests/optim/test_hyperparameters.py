"""Hyper-parameters (optim/hyperparameters.py): each optimizer's settings are checked
when it is made, when a param group is added and before every step, and a bad one is
an error naming the optimizer, the setting and the value: out of range, NaN, an
infinity, a bool or a string alike. numpy scalars are numbers."""
import math

import numpy as np
import pytest

import optim
from autodiff import Value
from optim.hyperparameters import FLAG, FRACTION, NON_NEGATIVE, POSITIVE


def params():
    return [Value(0.5, label="w"), Value([0.3, -0.2], label="batch")]


@pytest.mark.parametrize("rule, accepted, refused", [
    (NON_NEGATIVE, [0, 0.0, 2.5, np.float32(1e-3), np.int64(3)],
     [-1e-12, math.inf, math.nan, True, "1", None]),
    (POSITIVE, [1e-300, 5], [0, 0.0, -1.0, math.inf, math.nan, False]),
    (FRACTION, [0, 0.5, 0.999999], [1, 1.0, -0.1, math.nan, True]),
])
def test_each_rule_accepts_its_interval_and_refuses_the_rest(rule, accepted, refused):
    for value in accepted:
        checked = rule.check("Owner", "setting", value)
        assert type(checked) is float and checked == float(value)
    for value in refused:
        with pytest.raises(ValueError, match=f"Owner: setting must be a number .*, got "
                                             f"{value!r}"):
            rule.check("Owner", "setting", value)


def test_a_flag_is_true_or_false_and_nothing_else():
    assert FLAG.check("SGD", "nesterov", True) is True
    for value in (1, 0, "yes", None):
        with pytest.raises(ValueError, match=f"SGD: nesterov must be True or False, got "
                                             f"{value!r}"):
            FLAG.check("SGD", "nesterov", value)


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-0.1), r"SGD: lr must be a number >= 0, got -0.1"),
    (lambda p: optim.Adam(p, lr=-1e-3), r"Adam: lr must be a number >= 0, got -0.001"),
    (lambda p: optim.Adagrad(p, lr=float("nan")), r"Adagrad: lr must be a number >= 0, got nan"),
    (lambda p: optim.SGD(p, lr=math.inf), "SGD: lr must be a number >= 0, got inf"),
    (lambda p: optim.Adam(p, eps=math.nan), "Adam: eps must be a number >= 0, got nan"),
    (lambda p: optim.Momentum(p, lr=0.1, rho=1.0),
     "Momentum: rho must be a number >= 0 and < 1, got 1.0"),
    (lambda p: optim.Momentum(p, lr=0.1, rho=-0.5), "Momentum: rho must be a number >= 0 and < 1"),
    (lambda p: optim.Nesterov(p, lr=0.1, rho=1.5),
     "Nesterov: rho must be a number >= 0 and < 1, got 1.5"),
    (lambda p: optim.Adadelta(p, rho=1.0), "Adadelta: rho must be a number >= 0 and < 1, got 1.0"),
    (lambda p: optim.Adadelta(p, eps=0.0), "Adadelta: eps must be a number > 0, got 0.0"),
    (lambda p: optim.RMSprop(p, lr=0.1, gamma=1.0), "RMSprop: gamma must be a number >= 0 and < 1"),
    (lambda p: optim.Adam(p, beta1=1.0), "Adam: beta1 must be a number >= 0 and < 1, got 1.0"),
    (lambda p: optim.AdamW(p, beta2=-0.1), "AdamW: beta2 must be a number >= 0 and < 1, got -0.1"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=1.2), "SGD: momentum must be a number >= 0 and < 1"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "SGD: nesterov=True needs a momentum > 0"),
    (lambda p: optim.Adam(p, weight_decay=-1), r"Adam: weight_decay must be a number >= 0"),
    (lambda p: optim.Adam([{"params": p, "lr": -2.0}]), r"Adam: param group 0: lr must be"),
    (lambda p: optim.Adam([{"params": p, "learning_rate": 0.1}]),
     "Adam: param group 0: unknown hyper-parameter 'learning_rate'; Adam has lr, "),
])
def test_bad_hyper_parameters_raise_errors_naming_the_optimizer_and_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make(params())


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr="0.1"), "SGD: lr must be a number >= 0, got '0.1'"),
    (lambda p: optim.SGD(p, lr=Value(0.1)), r"SGD: lr must be a number >= 0, got Value\(data=0.1"),
    (lambda p: optim.Momentum(p, lr=0.1, rho=True),
     "Momentum: rho must be a number >= 0 and < 1, got True"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.5, nesterov=1),
     "SGD: nesterov must be True or False, got 1"),
])
def test_hyper_parameters_of_the_wrong_type_are_refused_by_name(make, message):
    with pytest.raises(ValueError, match=message):
        make(params())


def test_numpy_scalars_are_hyper_parameters_like_python_numbers():
    optimizer = optim.Adam(params(), lr=np.float32(0.5), beta1=np.float64(0.8))
    assert type(optimizer.param_groups[0]["lr"]) is float and optimizer.param_groups[0][
        "beta1"] == 0.8


def test_a_hyper_parameter_set_badly_between_steps_is_caught_at_the_next_step():
    values = params()
    optimizer = optim.Momentum(values, lr=0.1)
    optimizer.param_groups[0]["rho"] = 1.0
    before = [np.copy(p.data) for p in values]
    with pytest.raises(ValueError, match="Momentum: rho must be a number >= 0 and < 1, got 1.0"):
        optimizer.step()
    assert all(np.array_equal(a, p.data) for a, p in zip(before, values))

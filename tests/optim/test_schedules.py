"""Schedules set a hyper-parameter from the step count: the learning-rate schedules
equal their closed forms and PyTorch's schedulers; ParamSchedule drives any
hyper-parameter (the notes' momentum recipe) and is checked like a constructor."""
import math

import numpy as np
import pytest

import optim
from autodiff import Value


def lrs(schedule, steps=12):
    """The lr of every group for steps 0..steps-1."""
    values = []
    for _ in range(steps):
        values.append(schedule.values)
        schedule.step()
    return np.array(values)


def two_groups():
    return optim.SGD([{"params": [Value(1.0)], "lr": 0.1}, {"params": [Value(2.0)]}], lr=0.5)


@pytest.mark.parametrize("make, closed_form", [
    (lambda o: optim.StepLR(o, step_size=3, gamma=0.5), lambda base, t: base * 0.5 ** (t // 3)),
    (lambda o: optim.ExponentialLR(o, gamma=0.9), lambda base, t: base * 0.9 ** t),
    (lambda o: optim.CosineLR(o, T_max=8, eta_min=0.01),
     lambda base, t: 0.01 + (base - 0.01) * (1 + math.cos(math.pi * t / 8)) / 2),
    (lambda o: optim.LambdaLR(o, lambda t: 1 / (1 + t)), lambda base, t: base / (1 + t)),
])
def test_learning_rate_schedules_follow_their_formula_in_every_group(make, closed_form):
    got = lrs(make(two_groups()))
    expected = [[closed_form(0.1, t), closed_form(0.5, t)] for t in range(12)]
    np.testing.assert_allclose(got, expected, rtol=1e-15)


@pytest.mark.parametrize("ours, theirs", [
    (lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
     lambda torch, o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    (lambda o: optim.ExponentialLR(o, gamma=0.9),
     lambda torch, o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    (lambda o: optim.CosineAnnealingLR(o, T_max=8, eta_min=0.01),
     lambda torch, o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.01)),
    (lambda o: optim.LambdaLR(o, lambda t: 1 / (1 + t)),
     lambda torch, o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + t))),
])
def test_learning_rate_schedules_equal_pytorchs_schedulers(torch, ours, theirs):
    optimizer = torch.optim.SGD([{"params": [torch.zeros(1)], "lr": 0.1},
                                 {"params": [torch.zeros(1)]}], lr=0.5)
    scheduler = theirs(torch, optimizer)
    expected = []
    for _ in range(12):
        expected.append([group["lr"] for group in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(lrs(ours(two_groups())), expected, rtol=1e-12)


def test_the_notes_momentum_recipe_is_one_line():
    optimizer = optim.Momentum([Value(1.0)], lr=0.1)
    recipe = optim.ParamSchedule(optimizer, "rho", lambda step: 0.5 if step < 100 else 0.9)
    rhos = [optimizer.param_groups[0]["rho"]]
    for _ in range(150):
        recipe.step()
        rhos.append(optimizer.param_groups[0]["rho"])
    assert rhos[:100] == [0.5] * 100 and rhos[100:] == [0.9] * 51


def test_a_schedule_drives_any_hyper_parameter_of_any_optimizer():
    optimizer = optim.Adam([Value(1.0)], lr=0.1)
    optim.ParamSchedule(optimizer, "beta1", lambda step: 0.8).step()
    assert optimizer.param_groups[0]["beta1"] == 0.8
    optim.ParamSchedule(optimizer, "lr", lambda step: 0.01 * (step + 1)).step()
    assert optimizer.param_groups[0]["lr"] == 0.02


def test_a_schedule_value_outside_the_allowed_range_raises_with_the_step():
    optimizer = optim.Momentum([Value(1.0)], lr=0.1, rho=0.5)
    schedule = optim.ParamSchedule(optimizer, "rho", lambda step: 0.5 + 0.25 * step)
    schedule.step()
    with pytest.raises(ValueError, match="ParamSchedule at step 2: Momentum: rho must be a "
                                         "number >= 0 and < 1, got 1.0"):
        schedule.step()
    assert optimizer.param_groups[0]["rho"] == 0.75


@pytest.mark.parametrize("make, error, message", [
    (lambda o: optim.ParamSchedule(o, "beta1", lambda t: 0.5), ValueError,
     "ParamSchedule: Momentum has no hyper-parameter 'beta1'; it has lr, weight_decay, rho"),
    (lambda o: optim.ParamSchedule(o, "rho", 0.5), TypeError,
     "ParamSchedule: value_at must be a function of the step, got 0.5"),
    (lambda o: optim.StepLR(o, step_size=0), ValueError,
     "StepLR: step_size must be a whole number >= 1, got 0"),
    (lambda o: optim.StepLR(o, step_size=2, gamma=-0.5), ValueError,
     "StepLR: gamma must be a number > 0, got -0.5"),
    (lambda o: optim.ExponentialLR(o, gamma=0), ValueError, "ExponentialLR: gamma must be"),
    (lambda o: optim.ExponentialLR(o, gamma=math.inf), ValueError,
     "ExponentialLR: gamma must be a number > 0, got inf"),
    (lambda o: optim.StepLR(o, step_size=1, gamma=math.nan), ValueError,
     "StepLR: gamma must be a number > 0, got nan"),
    (lambda o: optim.StepLR(o, step_size=True), ValueError,
     "StepLR: step_size must be a whole number >= 1, got True"),
    (lambda o: optim.CosineLR(o, T_max=2.5), ValueError, "CosineLR: T_max must be a whole"),
    (lambda o: optim.CosineLR(o, T_max=5, eta_min=-1), ValueError, "CosineLR: eta_min must"),
    (lambda o: optim.CosineLR(o, T_max=5, eta_min=math.nan), ValueError,
     "CosineLR: eta_min must be a number >= 0, got nan"),
    (lambda o: optim.LambdaLR(o, lambda t: -1.0), ValueError,
     "LambdaLR at step 0: Momentum: lr must be a number >= 0, got -0.1"),
    (lambda o: optim.LambdaLR(o, lambda t: math.inf), ValueError,
     "LambdaLR at step 0: Momentum: lr must be a number >= 0, got inf"),
    (lambda o: optim.LambdaLR(o, lambda t: "fast"), TypeError,
     r"LambdaLR at step 0: the lr for initial value 0.1 cannot be computed \(TypeError: "),
    (lambda o: optim.StepLR("optimizer", step_size=1), TypeError,
     "StepLR: expected an optim optimizer, got str"),
])
def test_bad_schedule_arguments_raise_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(optim.Momentum([Value(1.0)], lr=0.1))


def test_a_schedule_state_dict_resumes_at_the_saved_step():
    schedule = optim.StepLR(two_groups(), step_size=2, gamma=0.5)
    for _ in range(5):
        schedule.step()
    resumed = optim.StepLR(two_groups(), step_size=2, gamma=0.5)
    resumed.load_state_dict(schedule.state_dict())
    assert resumed.last_step == 5 and resumed.values == schedule.values == [0.025, 0.125]
    with pytest.raises(ValueError, match="ExponentialLR.load_state_dict: schedule is 'StepLR'"):
        optim.ExponentialLR(two_groups(), gamma=0.5).load_state_dict(schedule.state_dict())


def test_an_exponential_schedule_that_overflows_names_itself_the_step_and_keeps_the_last_lr():
    optimizer = optim.SGD([Value(1.0)], lr=0.1)
    schedule = optim.ExponentialLR(optimizer, gamma=1e10)
    for _ in range(30):
        schedule.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e299, rel=1e-12)
    with pytest.raises(ValueError, match=r"ExponentialLR\(gamma=10000000000.0\) at step 31: the "
                                         r"lr for initial value 0.1 cannot be computed "
                                         r"\(OverflowError"):
        schedule.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e299, rel=1e-12)


def test_a_schedule_whose_value_becomes_infinite_is_refused_by_name():
    optimizer = optim.SGD([Value(1.0)], lr=1e300)
    schedule = optim.StepLR(optimizer, step_size=1, gamma=1e10)
    with pytest.raises(ValueError, match=r"StepLR\(step_size=1, gamma=10000000000.0\) at step 1: "
                                         "SGD: lr must be a number >= 0, got inf"):
        schedule.step()
    assert optimizer.param_groups[0]["lr"] == 1e300


def saved_step_lr():
    schedule = optim.StepLR(two_groups(), step_size=2, gamma=0.5)
    schedule.step()
    return schedule.state_dict()


def edited_schedule(change):
    state = saved_step_lr()
    change(state)
    return state


@pytest.mark.parametrize("state, error, message", [
    (edited_schedule(lambda s: s["base_values"].__setitem__(1, "abc")), ValueError,
     r"StepLR.load_state_dict: base_values\[1\] must be a number, got 'abc'"),
    (edited_schedule(lambda s: s["base_values"].__setitem__(0, None)), ValueError,
     r"StepLR.load_state_dict: base_values\[0\] must be a number, got None"),
    (edited_schedule(lambda s: s["base_values"].__setitem__(0, math.nan)), ValueError,
     r"StepLR.load_state_dict: base_values\[0\] must be a number, got nan"),
    (edited_schedule(lambda s: s.update(base_values=0.1)), ValueError,
     "StepLR.load_state_dict: base_values must be a list of 2 numbers .*got 0.1"),
    (edited_schedule(lambda s: s["base_values"].pop()), ValueError,
     r"StepLR.load_state_dict: base_values must be a list of 2 numbers .*got \[0.1\]"),
    (edited_schedule(lambda s: s.update(last_step="3")), ValueError,
     "StepLR.load_state_dict: last_step must be a whole number >= 0, got '3'"),
    (edited_schedule(lambda s: s["base_values"].__setitem__(0, -1.0)), ValueError,
     "StepLR.+ at step 1: SGD: lr must be a number >= 0, got -1.0"),
    ("not a dict", TypeError, "StepLR.load_state_dict: state_dict must be a dict, got str"),
])
def test_a_bad_schedule_state_dict_names_the_entry_and_changes_nothing(state, error, message):
    schedule = optim.StepLR(two_groups(), step_size=2, gamma=0.5)
    for _ in range(3):
        schedule.step()
    before = schedule.state_dict(), schedule.values
    with pytest.raises(error, match=message):
        schedule.load_state_dict(state)
    assert (schedule.state_dict(), schedule.values) == before

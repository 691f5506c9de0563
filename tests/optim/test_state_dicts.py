"""Loading an optimizer's saved state (optim/state_dicts.py): every mismatch with the
optimizer is an error that says what differs, and nothing is loaded until everything
has been checked."""
import math

import numpy as np
import pytest

import optim
from autodiff import Value


def fresh_params():
    return [Value(0.5, label="w"), Value(-1.0), Value([0.3, -0.2, 0.8], label="batch")]


def saved_adam():
    """An Adam state after two steps on fixed gradients (3 parameters, 5 entries)."""
    params = fresh_params()
    optimizer = optim.Adam(params, lr=0.1)
    for _ in range(2):
        for p, grad in zip(params, [0.5, -2.0, np.array([1.0, 0.0, -3.0])]):
            p.grad = grad
        optimizer.step()
    return optimizer.state_dict()


def edited(change):
    state = saved_adam()
    change(state)
    return state


@pytest.mark.parametrize("state, error, message", [
    (edited(lambda s: s.update(optimizer="SGD")), ValueError,
     "Adam.load_state_dict: the state_dict is from 'SGD', not 'Adam'"),
    (edited(lambda s: s.pop("state")), ValueError, r"missing \['state'\]"),
    (edited(lambda s: s["param_groups"].append(s["param_groups"][0])), ValueError,
     "the state_dict has 2 param groups, this optimizer has 1"),
    (edited(lambda s: s["param_groups"][0]["sizes"].pop()), ValueError,
     "param group 0 of the state_dict has 2 parameters, this optimizer's has 3"),
    (edited(lambda s: s["param_groups"][0]["sizes"].__setitem__(2, 4)), ValueError,
     "parameter 2: the state_dict has size 4, this optimizer's parameter has size 3"),
    (edited(lambda s: s["param_groups"][0]["hyperparameters"].pop("beta1")), ValueError,
     r"param group 0 hyper-parameters has the wrong entries \(missing \['beta1'\]\)"),
    (edited(lambda s: s["param_groups"][0]["hyperparameters"].update(rho=0.9)), ValueError,
     r"unexpected \['rho'\]"),
    (edited(lambda s: s["param_groups"][0]["hyperparameters"].update(lr=-1.0)), ValueError,
     r"Adam: param group 0: lr must be a number >= 0, got -1.0"),
    (edited(lambda s: s["state"][0]["v"].pop()), ValueError,
     "param group 0 state 'v' must be a list of 5 numbers .*got 4 entries"),
    (edited(lambda s: s["state"][0]["v"].__setitem__(2, "1.5")), ValueError,
     r"Adam.load_state_dict: param group 0 state 'v'\[2\] must be a number, got '1.5'"),
    (edited(lambda s: s["state"][0]["s"].__setitem__(0, True)), ValueError,
     r"param group 0 state 's'\[0\] must be a number, got True"),
    (edited(lambda s: s["state"][0]["s"].__setitem__(4, math.inf)), ValueError,
     r"param group 0 state 's'\[4\] must be a number, got inf"),
    (edited(lambda s: s["state"][0].update(step=-1)), ValueError,
     "step must be a whole number >= 0, got -1"),
    (edited(lambda s: s["state"][0].update(s="abc")), ValueError,
     "param group 0 state 's' must be a list of 5 numbers .*got 'abc'"),
    (edited(lambda s: s["state"][0].update(step=2.0)), ValueError,
     "step must be a whole number >= 0, got 2.0"),
    (edited(lambda s: s["state"][0].update(step=True)), ValueError,
     "step must be a whole number >= 0, got True"),
    (edited(lambda s: s["param_groups"][0].update(sizes=3)), ValueError,
     "param group 0 sizes must be a list, got 3"),
    (edited(lambda s: s["param_groups"][0]["hyperparameters"].update(eps=float("nan"))),
     ValueError, "Adam: param group 0: eps must be a number >= 0, got nan"),
])
def test_load_state_dict_says_what_does_not_match_and_loads_nothing(state, error, message):
    params = fresh_params()
    optimizer = optim.Adam(params, lr=0.1)
    before = optimizer.state_dict()
    with pytest.raises(error, match=message):
        optimizer.load_state_dict(state)
    assert optimizer.state_dict() == before


def test_load_state_dict_takes_the_saved_hyper_parameters():
    state = saved_adam()
    state["param_groups"][0]["hyperparameters"]["lr"] = 0.005
    optimizer = optim.Adam(fresh_params(), lr=0.1)
    optimizer.load_state_dict(state)
    assert optimizer.param_groups[0]["lr"] == 0.005 and optimizer.state_dict()["state"][0][
        "step"] == 2
    assert math.isclose(optimizer.state_of(optimizer.param_groups[0]["params"][0])["v"],
                        state["state"][0]["v"][0])

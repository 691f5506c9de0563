"""What every optimizer shares (optim/optimizer.py): param groups with their own
hyper-parameters, zero grads, stepping every parameter, refusing a non-finite
gradient or step with nothing changed, state_of, repr, and a state_dict that resumes
exactly."""
import json
import math

import numpy as np
import pytest

import optim
from autodiff import Value

ALL = {
    "SGD": lambda p, **o: optim.SGD(p, lr=0.01, **o),
    "SGD-nesterov": lambda p, **o: optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True, **o),
    "Momentum": lambda p, **o: optim.Momentum(p, lr=0.01, rho=0.9, **o),
    "Nesterov": lambda p, **o: optim.Nesterov(p, lr=0.01, rho=0.9, **o),
    "Adagrad": lambda p, **o: optim.Adagrad(p, lr=0.1, **o),
    "RMSprop": lambda p, **o: optim.RMSprop(p, lr=0.01, gamma=0.9, **o),
    "Adadelta": lambda p, **o: optim.Adadelta(p, rho=0.9, eps=1e-6, **o),
    "Adam": lambda p, **o: optim.Adam(p, lr=0.01, **o),
    "AdamW": lambda p, **o: optim.AdamW(p, lr=0.01, **o),
}


def loss_of(params):
    """A small loss with a different gradient for every parameter (batched ones too)."""
    from autodiff import batch_sum
    total = 0.0
    for index, p in enumerate(params):
        term = (p - 0.1 * index) ** 2 * (index + 1) + p * p * p * 0.1
        total = total + (batch_sum(term) if p.batch_size else term)
    return total


def train(optimizer, params, steps):
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(params).backward()
        optimizer.step()
        history.append([np.copy(p.data) for p in params])
    return history


def fresh_params():
    return [Value(0.5, label="w"), Value(-1.0), Value([0.3, -0.2, 0.8], label="batch")]


# --- param groups ----------------------------------------------------------------------

def test_param_groups_have_their_own_hyper_parameters_and_take_the_rest_from_the_defaults():
    fast, slow = Value(1.0), Value(1.0)
    optimizer = optim.Momentum([{"params": [fast], "lr": 0.5}, {"params": [slow]}],
                               lr=0.1, rho=0.0)
    assert [g["lr"] for g in optimizer.param_groups] == [0.5, 0.1]
    assert optimizer.param_groups[1]["rho"] == 0.0
    (fast * 2.0 + slow * 2.0).backward()
    optimizer.step()
    assert (fast.data, slow.data) == (1.0 - 0.5 * 2.0, 1.0 - 0.1 * 2.0)
    late = Value(3.0)
    optimizer.add_param_group({"params": [late], "lr": 1.0})
    late.grad = 1.0
    optimizer.step()
    assert late.data == 2.0


# --- stepping --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_a_zero_grad_is_a_gradient_like_any_other(name):
    """Grads are never None here: a parameter the loss does not use has grad 0 and is
    stepped with it (only momentum and weight decay can then move it)."""
    used, unused = Value(1.0), Value(1.0)
    optimizer = ALL[name]([used, unused], weight_decay=0.0)
    for _ in range(3):
        optimizer.zero_grad()
        (used * used).backward()
        optimizer.step()
    assert unused.data == 1.0 and optimizer.state_of(unused)["step"] == 3
    decayed = ALL[name]([Value(1.0)], weight_decay=0.1)
    decayed.step()
    assert decayed.param_groups[0]["params"][0].data < 1.0


def test_momentum_keeps_moving_a_parameter_whose_gradient_became_zero():
    w = Value(1.0)
    optimizer = optim.Momentum([w], lr=0.1, rho=0.5)
    w.grad = 1.0
    optimizer.step()                        # dx = -0.1
    optimizer.zero_grad()
    optimizer.step()                        # dx = -0.05, with grad 0
    assert w.data == pytest.approx(1.0 - 0.1 - 0.05, abs=1e-15)


def test_zero_grad_resets_float_and_batched_grads():
    params = fresh_params()
    optimizer = optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    optimizer.zero_grad()
    assert params[0].grad == 0.0 and type(params[0].grad) is float
    np.testing.assert_array_equal(params[2].grad, np.zeros(3))


def snapshot(optimizer):
    """Every parameter's data and the optimizer's whole state, as plain data."""
    return ([np.copy(p.data).tolist() for group in optimizer.param_groups
             for p in group["params"]], optimizer.state_dict())


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_a_non_finite_gradient_is_refused_and_nothing_changes(name, bad):
    """inf and -inf get the same refusal as NaN, after some normal steps (so there is
    state to keep), for a float parameter and for one entry of a batched one."""
    for position, entry in ((1, None), (2, 1)):
        params = fresh_params()
        optimizer = ALL[name](params)
        train(optimizer, params, 3)
        before = snapshot(optimizer)
        loss_of(params).backward()
        if entry is None:
            params[position].grad = bad
        else:
            params[position].grad = params[position].grad.copy()
            params[position].grad[entry] = bad
        shown = "nan" if math.isnan(bad) else repr(bad)
        with pytest.raises(FloatingPointError,
                           match=rf"{name.split('-')[0]}: step 4, parameter {position} .*: its "
                                 rf"gradient is {shown}; nothing was changed"):
            optimizer.step()
        assert snapshot(optimizer) == before


def test_a_step_that_would_make_a_parameter_infinite_is_refused_and_nothing_changes():
    w, b = Value(1.0, label="w"), Value(1.0, label="b")
    optimizer = optim.SGD([w, b], lr=1e300)
    w.grad, b.grad = 1.0, -1e10                      # finite, but lr * grad overflows
    with pytest.raises(FloatingPointError, match="SGD: step 1, parameter 1 'b' of param group 0: "
                                                 "the step would make the parameter inf "
                                                 r"\(its gradient is -10000000000.0\); nothing"):
        optimizer.step()
    assert (w.data, b.data) == (1.0, 1.0)


@pytest.mark.parametrize("name", ["Adagrad", "RMSprop", "Adam", "Adadelta"])
def test_a_gradient_whose_square_overflows_is_refused_before_the_state_turns_infinite(name):
    w = Value(1.0, label="w")
    optimizer = ALL[name]([w])
    w.grad = 1e200                                   # g * g = inf: the step would be 0 forever
    with pytest.raises(FloatingPointError, match=rf"{name}: step 1, parameter 0 'w' .*: the step "
                                                 r"would make its state 's' inf"):
        optimizer.step()
    assert w.data == 1.0 and optimizer.state_of(w)["s"] == 0.0


def test_a_non_finite_gradient_in_a_later_group_leaves_the_earlier_groups_unchanged():
    first, second = Value(1.0), Value(2.0)
    optimizer = optim.Momentum([{"params": [first]}, {"params": [second]}], lr=0.1)
    first.grad, second.grad = 1.0, -math.inf
    with pytest.raises(FloatingPointError, match="param group 1: its gradient is -inf"):
        optimizer.step()
    assert (first.data, second.data) == (1.0, 2.0)
    assert optimizer.state_of(first) == {"step": 0, "dx": 0.0}


def test_step_returns_the_loss_of_its_closure():
    w = Value(3.0)
    optimizer = optim.SGD([w], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = w * w
        loss.backward()
        return loss

    assert optimizer.step(closure).data == 9.0 and w.data == 3.0 - 0.25 * 6.0


def test_state_of_gives_one_parameters_state_and_refuses_strangers():
    params = fresh_params()
    optimizer = optim.Adam(params, lr=0.1)
    train(optimizer, params, 2)
    state = optimizer.state_of(params[2])
    assert state["step"] == 2 and state["v"].shape == (3,) and type(optimizer.state_of(
        params[1])["s"]) is float
    with pytest.raises(ValueError, match="Adam.state_of: .* is not one of this optimizer's"):
        optimizer.state_of(Value(1.0))


def test_repr_shows_the_hyper_parameters():
    text = repr(optim.Momentum([Value(1.0), Value(2.0)], lr=0.1, rho=0.5))
    assert text == "Momentum(2 parameters: lr=0.1, weight_decay=0.0, rho=0.5)"


# --- state_dict ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_a_state_dict_round_trip_through_json_resumes_identically(name):
    make = ALL[name]
    params = fresh_params()
    uninterrupted = train(make(params), params, 10)

    params = fresh_params()
    first = make(params)
    train(first, params, 4)
    saved = json.loads(json.dumps(first.state_dict()))
    resumed_params = [Value(np.copy(p.data), label=p.label) for p in params]
    resumed = make(resumed_params, weight_decay=0.3)     # the saved value replaces it
    resumed.load_state_dict(saved)
    assert resumed.state_dict() == first.state_dict()
    continued = train(resumed, resumed_params, 6)
    for expected, got in zip(uninterrupted[4:], continued):
        for a, b in zip(expected, got):
            np.testing.assert_array_equal(a, b)


def test_a_state_dict_is_plain_data():
    params = fresh_params()
    optimizer = optim.Adam(params, lr=0.1)
    train(optimizer, params, 1)

    def plain(item):
        if isinstance(item, dict):
            return all(type(k) is str and plain(v) for k, v in item.items())
        if isinstance(item, list):
            return all(plain(v) for v in item)
        return type(item) in (str, int, float, bool)

    state = optimizer.state_dict()
    assert plain(state)
    assert state["param_groups"][0]["sizes"] == [0, 0, 3]
    assert len(state["state"][0]["v"]) == 5


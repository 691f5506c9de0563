"""Optimizers over parameters a compiled step owns (optim/flat_groups.py,
autodiff/_compile/slots.py): they read and write the step's flat vectors, and every
iterate, state, schedule, clip and error is the one they give on plain Values."""
import json

import numpy as np
import pytest

import autodiff as ad
import nn
import optim

TOLERANCE = 1e-12
OPTIMIZERS = {
    "SGD": lambda groups: optim.SGD(groups, lr=0.05),
    "SGD-momentum": lambda groups: optim.SGD(groups, lr=0.05, momentum=0.9, nesterov=True),
    "Momentum": lambda groups: optim.Momentum(groups, lr=0.05, rho=0.9),
    "Nesterov": lambda groups: optim.Nesterov(groups, lr=0.05, rho=0.9),
    "Adagrad": lambda groups: optim.Adagrad(groups, lr=0.05),
    "RMSprop": lambda groups: optim.RMSprop(groups, lr=0.01, gamma=0.9),
    "Adadelta": lambda groups: optim.Adadelta(groups),
    "Adam": lambda groups: optim.Adam(groups, lr=0.01),
    "AdamW": lambda groups: optim.AdamW(groups, lr=0.01),
}


def mlp():
    return nn.MLP([2, 6, 1], activation="tanh", generator=0)


def hinge(model):
    def loss_fn(xb, yb):
        score = model(nn.to_values(xb))[0]
        return ad.batch_mean(ad.relu(1.0 - yb * score))
    return loss_fn


def batches(count=6, size=16):
    generator = np.random.default_rng(1)
    X = generator.normal(size=(64, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    return [(X[rows], y[rows]) for rows in
            (generator.permutation(64)[:size] for _ in range(count))]


def weight_and_bias_groups(model):
    """Two param groups that interleave in the model's order (not one slice each)."""
    named = list(model.named_parameters())
    weights = [v for name, p in named if name.endswith("weight") for v in p.values()]
    biases = [v for name, p in named if name.endswith("bias") for v in p.values()]
    return [{"params": weights, "weight_decay": 0.01}, {"params": biases}]


def train_both(make_optimizer, steps_hook=None, count=6):
    """An eager model (loss.backward(), plain Values) and its compiled twin, each
    trained with its own optimizer over two interleaved param groups."""
    eager, compiled = mlp(), mlp()
    step = ad.compile(hinge(compiled), compiled)
    optimizers = [make_optimizer(weight_and_bias_groups(m)) for m in (eager, compiled)]
    for X, y in batches(count):
        optimizers[0].zero_grad()
        hinge(eager)(X, y).backward()
        optimizers[1].zero_grad()
        step(X, y)
        if steps_hook is not None:
            steps_hook(eager, compiled)
        for optimizer in optimizers:
            optimizer.step()
    return eager, compiled, optimizers, step


def assert_same_parameters(eager, compiled):
    for (name, a), (_, b) in zip(eager.state_dict().items(), compiled.state_dict().items()):
        np.testing.assert_allclose(b, a, rtol=0, atol=TOLERANCE, err_msg=name)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_steps_owned_parameters_as_it_steps_plain_values(name):
    eager, compiled, optimizers, _ = train_both(OPTIMIZERS[name])
    assert type(compiled.parameters()[0]) is not ad.Value      # owned by the step
    assert ad.parameter_slots(optimizers[1].param_groups[0]["params"]) is not None
    assert_same_parameters(eager, compiled)
    saved = [json.loads(json.dumps(o.state_dict())) for o in optimizers]
    for a, b in zip(saved[0]["state"], saved[1]["state"]):
        for key in a:
            np.testing.assert_allclose(b[key], a[key], rtol=0, atol=TOLERANCE)


def test_the_step_reads_the_flat_vectors_the_optimizer_writes():
    model = mlp()
    step = ad.compile(hinge(model), model)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    X, y = batches(1)[0]
    optimizer.zero_grad()
    step(X, y)
    expected = step.parameter_vector - 0.1 * step.gradient_vector
    optimizer.step()
    np.testing.assert_array_equal(step.parameter_vector, expected)
    np.testing.assert_array_equal([p.data for p in model.parameters()], expected)
    optimizer.zero_grad()
    assert not step.gradient_vector.any()


def test_schedules_and_gradient_clipping_work_on_owned_parameters():
    def clip(eager, compiled):
        norms = [optim.clip_grad_norm(m.parameters(), max_norm=0.05) for m in (eager, compiled)]
        assert abs(norms[0] - norms[1]) <= TOLERANCE
        optim.clip_grad_value(eager.parameters(), 0.01)
        optim.clip_grad_value(compiled.parameters(), 0.01)

    schedules = []

    def make(groups):
        optimizer = optim.Momentum(groups, lr=0.1, rho=0.5)
        schedules.append((optim.StepLR(optimizer, 2, gamma=0.5),
                          optim.ParamSchedule(optimizer, "rho", lambda t: 0.5 if t < 3 else 0.9)))
        return optimizer

    def hook(eager, compiled):
        clip(eager, compiled)
        for pair in schedules:
            for schedule in pair:
                schedule.step()
    eager, compiled, optimizers, _ = train_both(make, hook)
    assert optimizers[1].param_groups[0]["lr"] == 0.1 * 0.5 ** 3
    assert_same_parameters(eager, compiled)


def test_a_released_step_leaves_the_optimizer_on_plain_values_with_its_state():
    eager, compiled, optimizers, step = train_both(OPTIMIZERS["Adam"], count=3)
    step.release()
    assert type(compiled.parameters()[0]) is ad.Value
    for X, y in batches(3):
        for model, optimizer in zip((eager, compiled), optimizers):
            optimizer.zero_grad()
            hinge(model)(X, y).backward()
            optimizer.step()
    assert_same_parameters(eager, compiled)


def test_a_nan_gradient_in_the_flat_vector_is_refused_naming_the_parameter_and_changes_nothing():
    model = mlp()
    step = ad.compile(hinge(model), model)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    X, y = batches(1)[0]
    step(X, y)
    optimizer.step()
    before, state = step.parameter_vector.copy(), optimizer.state_dict()
    step.gradient_vector[3] = np.nan
    with pytest.raises(FloatingPointError, match=r"Adam: step 2, parameter 3 'weight\[1,1\]'"):
        optimizer.step()
    np.testing.assert_array_equal(step.parameter_vector, before)
    assert optimizer.state_dict() == state


def test_a_hyperparameter_set_by_hand_is_still_checked_on_the_fast_path():
    model = mlp()
    step = ad.compile(hinge(model), model)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    step(*batches(1)[0])
    optimizer.step()
    optimizer.param_groups[0]["lr"] = -1.0
    with pytest.raises(ValueError, match="SGD: lr must be"):
        optimizer.step()


def test_parameter_slots_exist_only_for_values_one_live_step_owns():
    first, second = mlp(), mlp()
    assert ad.parameter_slots(first.parameters()) is None                # plain Values
    step = ad.compile(hinge(first), first)
    other = ad.compile(hinge(second), second)
    step(*batches(1)[0])
    other(*batches(1)[0])
    params = first.parameters()
    slots = ad.parameter_slots(params)
    assert slots.index == slice(0, len(params)) and slots.valid
    np.testing.assert_array_equal(slots.data(), [p.data for p in params])
    evens = ad.parameter_slots(params[::2])
    np.testing.assert_array_equal(evens.index, np.arange(0, len(params), 2))
    assert ad.parameter_slots(params[:2] + second.parameters()[:2]) is None   # two steps
    step.release()
    assert not slots.valid and ad.parameter_slots(params) is None

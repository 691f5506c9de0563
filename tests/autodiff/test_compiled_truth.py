"""A tape never lies: everything a traced step reads from outside its recorded graph is
recorded (recomputed from each call's arguments), part of the tape's key (checked on
every call), or refused with an error naming the user's line. Each replay is compared
with the eager engine on fresh data (loss and every grad to 1e-12)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
import nn

TOLERANCE = 1e-12
HERE = r"test_compiled_truth\.py:\d+"


def grads_of(model):
    return np.array([p.grad for p in model.parameters()])


def eager_run(model, loss_fn, *data):
    """(loss, grads) of loss_fn eagerly, from zeroed grads."""
    model.zero_grad()
    loss = loss_fn(*data)
    loss.backward()
    return loss.data, grads_of(model)


def compiled_run(model, step, *data):
    model.zero_grad()
    return step(*data), grads_of(model)


def assert_same(compiled, eager):
    (loss, grads), (expected_loss, expected_grads) = compiled, eager
    assert abs(loss - expected_loss) <= TOLERANCE * max(1.0, abs(expected_loss))
    np.testing.assert_allclose(grads, expected_grads, rtol=0, atol=TOLERANCE)


def fresh_batches(count=3, rows=6, columns=3, seed=0):
    generator = np.random.default_rng(seed)
    return [generator.normal(size=(rows, columns)) * (k + 1) + k for k in range(count)]


def assert_replays_equal_eager(model, loss_fn, batches, extra=()):
    """Every call of the compiled step equals the eager run on the same data."""
    step = ad.compile(loss_fn, model)
    for X in batches:
        data = (X,) + tuple(extra)
        assert_same(compiled_run(model, step, *data), eager_run(model, loss_fn, *data))
    return step


def small_net():
    return nn.MLP([3, 4, 1], activation="tanh", generator=0)


def compiled_mean_square(net):
    """The loss mean(net(x)[0]^2) compiled over ``net`` and called once on the first
    fresh batch: (loss_fn, step, that batch)."""
    def loss_fn(xb):
        return ad.batch_mean(net(xb)[0] ** 2)
    step = ad.compile(loss_fn, net)
    X = fresh_batches()[0]
    step(X)
    return loss_fn, step, X


# --- numbers read out of the data: recorded, or refused naming the line ------------------

def test_the_issue_repro_is_refused_instead_of_replaying_a_stale_mean():
    net = small_net()
    step = ad.compile(lambda xb: ad.batch_mean(net(xb)[0] * xb.mean()), net)
    with pytest.raises(ad.TracingError, match=f"{HERE}.*computed from the data by .mean"):
        step(fresh_batches()[0])


@pytest.mark.parametrize("read", ["mean", "entry times a number", "float", "np.float64",
                                  "index from argmax", "sum in numpy", "a copy"])
def test_numbers_computed_from_the_data_are_refused_naming_the_line(read):
    net = small_net()

    def loss_fn(xb):
        out = net(xb)[0]
        total = ad.batch_mean(out * out)
        if read == "mean":
            return total * xb.mean()
        if read == "entry times a number":
            return total * (xb[0, 0] * 2.0)
        if read == "float":
            return total * float(xb[1, 2])
        if read == "np.float64":
            return total * np.float64(xb[0, 1])
        if read == "index from argmax":
            return total + out[int(np.argmax(xb[:, 0]))]
        if read == "sum in numpy":
            return total * np.sum(xb[:, 1])
        return total * ad.batch_mean(ad.Value(xb[[0, 2, 1, 3, 4, 5], 0]))
    with pytest.raises(ad.TracingError, match=f"compile: .* at .*{HERE}"):
        ad.compile(loss_fn, net)(fresh_batches()[0])


@pytest.mark.parametrize("read", ["entry", "item", "tolist", "iteration", "column view"])
def test_entries_of_the_data_are_recorded_and_read_from_every_call(read):
    net = small_net()

    def loss_fn(xb):
        total = ad.batch_mean(net(xb)[0] ** 2)
        if read == "entry":
            return total * xb[1, 2]
        if read == "item":
            return total * xb.item(4)
        if read == "tolist":               # one scalar graph per example
            return ad.sum([net([a, b, c])[0] * a for a, b, c in xb.tolist()])
        if read == "iteration":
            return ad.sum([row[0] * net(list(row))[0] for row in xb])
        return total + ad.batch_mean(ad.Value(xb[:, 1]) * net(xb)[0])
    assert_replays_equal_eager(net, loss_fn, fresh_batches())


def test_numbers_from_the_data_print_freely_but_not_decide():
    net = small_net()
    printed = []

    def loss_fn(xb):
        printed.append(f"{xb.mean():.3f}")          # harmless: formatted
        if xb[0, 0] > 0:                             # a decision: refused
            return ad.batch_mean(net(xb)[0])
        return ad.batch_mean(-net(xb)[0])
    with pytest.raises(ad.TracingError, match=f"'>' at .*{HERE}"):
        ad.compile(loss_fn, net)(fresh_batches()[0])
    assert len(printed) == 1


def test_writing_into_the_data_while_tracing_is_refused():
    net = small_net()

    def loss_fn(xb):
        xb[:, 0] = 0.0
        return ad.batch_mean(net(xb)[0])
    with pytest.raises(ad.TracingError, match=f"writing into a data argument at .*{HERE}"):
        ad.compile(loss_fn, net)(fresh_batches()[0])


def test_numpy_inside_constant_is_recomputed_from_every_call():
    net = small_net()

    def loss_fn(xb):
        scale = ad.constant(lambda column: np.full(len(column), column.mean()), xb[:, 0])
        return ad.batch_mean(net(xb)[0] * scale)
    assert_replays_equal_eager(net, loss_fn, fresh_batches())


def test_a_zero_dimensional_argument_is_read_on_every_call():
    net = small_net()

    def loss_fn(xb, scale):
        return ad.batch_mean(net(xb)[0] ** 2) * scale
    step = ad.compile(loss_fn, net)
    X = fresh_batches()[0]
    for scale in (2.0, 5.0, -1.5):
        data = (X, np.array(scale))
        assert_same(compiled_run(net, step, *data), eager_run(net, loss_fn, *data))
    assert len(step.tapes) == 1


def test_a_decision_on_a_zero_dimensional_argument_is_refused():
    net = small_net()

    def loss_fn(xb, scale):
        return ad.batch_mean(net(xb)[0]) * (2.0 if scale > 1 else 1.0)
    with pytest.raises(ad.TracingError, match=f"at .*{HERE}"):
        ad.compile(loss_fn, net)(fresh_batches()[0], np.array(2.0))


# --- .data of a traced Value ------------------------------------------------------------

@pytest.mark.parametrize("whose", ["loss", "output", "parameter"])
def test_reading_data_of_a_traced_value_is_refused_naming_the_line(whose):
    net = small_net()

    def loss_fn(xb):
        loss = ad.batch_mean(net(xb)[0] ** 2)
        if whose == "loss" and loss.data > 0:
            return loss * 2.0
        if whose == "output":
            return loss * float(np.mean(net(xb)[0].data))
        if whose == "parameter":
            return loss + net.parameters()[0].data
        return loss
    with pytest.raises(ad.TracingError, match=f"reading .data of .* at .*{HERE}"):
        ad.compile(loss_fn, net)(fresh_batches()[0])


def test_data_of_a_number_made_in_the_step_and_of_values_outside_a_trace_read_freely():
    net = small_net()

    def loss_fn(xb):
        half = ad.Value(0.5)
        return ad.batch_mean(net(xb)[0] ** 2) * half.data
    assert_replays_equal_eager(net, loss_fn, fresh_batches())
    loss = ad.batch_mean(net(fresh_batches()[0])[0])
    assert loss.data == loss.data                   # eager: no guard


# --- module settings, parameters' identity and requires_grad: the key --------------------

@pytest.mark.parametrize("setting", ["dropout p", "dropout off", "batchnorm eps",
                                     "batchnorm momentum", "evaluation mode", "leaky slope"])
def test_module_settings_changed_after_the_first_call_are_honoured(setting):
    def build():
        return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.LeakyReLU(0.1),
                             nn.Dropout(0.5, generator=3), nn.Linear(4, 1))
    eager, compiled = build(), build()
    compiled.load_state_dict(eager.state_dict())

    def loss_of(model):
        return lambda xb: ad.batch_mean(model(xb)[0] ** 2)
    step = ad.compile(loss_of(compiled), compiled)
    X = fresh_batches()[0]
    assert_same(compiled_run(compiled, step, X), eager_run(eager, loss_of(eager), X))
    for model in (eager, compiled):
        if setting == "dropout p":
            model[3].p = 0.2
        elif setting == "dropout off":
            model[3].p = 0.0
        elif setting == "batchnorm eps":
            model[1].eps = 0.5
        elif setting == "batchnorm momentum":
            model[1].momentum = 0.9
        elif setting == "evaluation mode":
            model.eval()
        else:
            model[2].negative_slope = 0.3
    for X in fresh_batches(seed=1):
        assert_same(compiled_run(compiled, step, X), eager_run(eager, loss_of(eager), X))
    np.testing.assert_allclose(compiled[1].running_mean, eager[1].running_mean, rtol=0,
                               atol=TOLERANCE)


def test_a_replaced_parameter_is_read_and_trained():
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    loss_fn, step, X = compiled_mean_square(net)
    old = net[0].weight.values()
    net[0].weight = nn.Parameter(np.linspace(-1, 1, 12).reshape(4, 3))
    ad.zero_grad(old)
    for X in fresh_batches(seed=2):
        assert_same(compiled_run(net, step, X), eager_run(net, loss_fn, X))
    assert all(p.grad == 0.0 for p in old)          # no longer part of the model
    assert net[0].weight.values()[0].grad != 0.0


def test_a_frozen_parameter_keeps_its_grad_and_the_others_match_eager():
    net = small_net()
    loss_fn, step, X = compiled_mean_square(net)
    frozen = net.parameters()[0]
    frozen.requires_grad = False
    for X in fresh_batches(seed=3):
        compiled = compiled_run(net, step, X)
        assert frozen.grad == 0.0
        assert_same(compiled, eager_run(net, loss_fn, X))
        frozen.data += 0.25                          # still read on every call
    frozen.requires_grad = True
    X = fresh_batches()[1]
    assert_same(compiled_run(net, step, X), eager_run(net, loss_fn, X))
    assert frozen.grad != 0.0


def test_a_value_argument_is_read_on_every_call_with_one_tape():
    net = small_net()

    def loss_fn(xb, temperature):
        return ad.batch_mean(net(xb)[0] ** 2) / temperature
    step = ad.compile(loss_fn, net)
    X = fresh_batches()[0]
    for temperature in (1.0, 2.0, 0.5, 4.0):
        compiled = compiled_run(net, step, X, ad.Value(temperature))
        assert_same(compiled, eager_run(net, loss_fn, X, ad.Value(temperature)))
    assert len(step.tapes) == 1


def test_the_tape_cache_is_bounded():
    net = small_net()
    step = ad.compile(lambda xb, scale: ad.batch_mean(net(xb)[0]) * scale, net)
    X = fresh_batches()[0]
    for scale in range(step.tape_limit + 5):       # a setting: one tape each
        step(X, float(scale))
    assert len(step.tapes) == step.tape_limit


def test_nan_in_the_data_raises_as_eager_and_leaves_the_grads_alone():
    net = small_net()
    loss_fn, step, X = compiled_mean_square(net)
    net.zero_grad()
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="data is NaN at example 2"):
        loss_fn(X)
    with pytest.raises(ValueError, match="data is NaN at example 2"):
        step(X)
    assert not grads_of(net).any()


# --- the rule, on random step functions ----------------------------------------------------

def _term(kind, constant):
    """One term of a random step: (function (xb, scale, out, net) -> Value, refused?)."""
    terms = {
        "model": (lambda xb, s, out, net: ad.batch_mean(out * out), False),
        "closed number": (lambda xb, s, out, net: constant * ad.batch_mean(out), False),
        "constant": (lambda xb, s, out, net: ad.batch_mean(out * ad.constant(
            lambda column: column * 2.0 + 1.0, xb[:, 0])), False),
        "entry": (lambda xb, s, out, net: ad.batch_mean(out) * xb[1, 0], False),
        "item": (lambda xb, s, out, net: ad.batch_mean(out) * xb.item(3), False),
        "tolist": (lambda xb, s, out, net: ad.sum([a * b for a, b in xb.tolist()]),
                   True),
        "per example": (lambda xb, s, out, net: ad.sum([net([a, b])[0] * a
                                                        for a, b in xb.tolist()]), False),
        "zero-d argument": (lambda xb, s, out, net: ad.batch_mean(out) * s, False),
        "detached": (lambda xb, s, out, net: ad.batch_mean(out * out.detach()), False),
        "maximum": (lambda xb, s, out, net: ad.batch_mean(ad.maximum(out, 0.1)), False),
        "mean": (lambda xb, s, out, net: ad.batch_mean(out) * xb.mean(), True),
        "entry arithmetic": (lambda xb, s, out, net: ad.batch_mean(out) * (xb[0, 1] + 1.0),
                             True),
        "float": (lambda xb, s, out, net: ad.batch_mean(out) * float(xb[2, 1]), True),
        "np.float64": (lambda xb, s, out, net: ad.batch_mean(out) * np.float64(xb[0, 0]),
                       True),
        "argmax index": (lambda xb, s, out, net: out[int(np.argmax(xb[:, 0]))], True),
        "branch on data": (lambda xb, s, out, net: ad.batch_mean(out) *
                           (2.0 if ad.batch_mean(out).data > 0 else 1.0), True),
        "branch on value": (lambda xb, s, out, net: ad.batch_mean(out) *
                            (2.0 if ad.batch_mean(out) > 0 else 1.0), True),
        "float of scale": (lambda xb, s, out, net: ad.batch_mean(out) * float(s), True),
    }
    return terms[kind]


KINDS = ["model", "closed number", "constant", "entry", "item", "tolist", "per example",
         "zero-d argument", "detached", "maximum", "mean", "entry arithmetic", "float",
         "np.float64", "argmax index", "branch on data", "branch on value", "float of scale"]


@settings(max_examples=30, deadline=None)
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=4),
       constant=st.floats(-3, 3, allow_nan=False), seed=st.integers(0, 2 ** 16))
def test_random_steps_replay_eager_or_are_refused_naming_the_line(kinds, constant, seed):
    net = nn.MLP([2, 3, 1], activation="tanh", generator=1)
    terms = [_term(kind, constant) for kind in kinds]

    def loss_fn(xb, scale):
        out = net(xb)[0]
        return ad.sum([term(xb, scale, out, net) for term, _ in terms])
    step = ad.compile(loss_fn, net)
    generator = np.random.default_rng(seed)
    refused = any(refusal for _, refusal in terms)
    for call in range(3):
        data = (generator.normal(size=(5, 2)) * (call + 1), np.array(generator.normal()))
        if refused:
            with pytest.raises(ad.TracingError, match=f"compile: .*{HERE}"):
                step(*data)
            return
        assert_same(compiled_run(net, step, *data), eager_run(net, loss_fn, *data))

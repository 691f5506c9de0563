"""fit / evaluate / predict / accuracy, and the two training targets of the issue:
100% training accuracy on make_moons, >= 95% test accuracy on the 8x8 digits.

Every layer's gradients (inputs and parameters) against central differences, in
training and evaluation mode, on single examples and on batches; and nn.gradcheck_module
itself: replays random draws, leaves buffers as they were, catches a missing gradient.

Recurrent networks learn: an LSTM predicts sine waves far better than the trivial
baselines, and a stack RNN counts a^n b^n past the training lengths better than an LSTM
of similar size (the full, multi-seed experiment: benchmarks/anbn_generalisation.py)."""

import numpy as np
import pytest

import autodiff as ad
import nn
import optim
from autodiff import no_grad

bce_logits = nn.binary_cross_entropy_with_logits


class TinySGD:
    """SGD with momentum, written here so these tests do not depend on optim:
    v <- momentum v + g, p <- p - lr v."""

    def __init__(self, params, lr, momentum=0.0):
        self.params, self.lr, self.momentum = list(params), lr, momentum
        self.velocity = [0.0] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0

    def step(self):
        for i, p in enumerate(self.params):
            self.velocity[i] = self.momentum * self.velocity[i] + p.grad
            p.data -= self.lr * self.velocity[i]


def test_mlp_reaches_full_training_accuracy_on_moons():
    X, y = nn.make_moons(100, noise=0.1, generator=0)
    model = nn.MLP([2, 16, 16, 1], generator=0)
    optimizer = TinySGD(model.parameters(), lr=0.1, momentum=0.9)
    history = nn.fit(model, bce_logits, optimizer, X, y, epochs=400,
                     batch_size=100, generator=0,
                     early_stopping=lambda epoch, loss: nn.evaluate(model, X, y)["accuracy"] == 1)
    assert nn.evaluate(model, X, y)["accuracy"] == 1.0
    assert history["loss"][-1] < history["loss"][0]


def test_mlp_reaches_95_percent_test_accuracy_on_digits():
    pytest.importorskip("sklearn")
    X, y = nn.load_digits()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, generator=0)
    mean, scale = X_train.mean(axis=0), X_train.std(axis=0) + 0.01      # standardise pixels
    X_train, X_test = (X_train - mean) / scale, (X_test - mean) / scale
    model = nn.MLP([64, 32, 10], generator=0)
    optimizer = TinySGD(model.parameters(), lr=0.05, momentum=0.9)
    history = nn.fit(model, nn.cross_entropy, optimizer, X_train, y_train, epochs=12,
                     batch_size=128, generator=0, validation_data=(X_test, y_test))
    assert len(history["val_loss"]) == 12
    results = nn.evaluate(model, X_test, y_test, loss_fn=nn.cross_entropy)
    assert results["accuracy"] >= 0.95, results
    assert results["loss"] == pytest.approx(history["val_loss"][-1])


def small_problem():
    X, y = nn.make_xor(40, generator=1)
    return X, y, nn.MLP([2, 8, 1], generator=1)


def test_early_stopping_hook_gets_epoch_and_validation_loss_and_stops():
    X, y, model = small_problem()
    calls = []

    def stop_at_epoch_two(epoch, val_loss):
        calls.append((epoch, val_loss))
        return epoch == 2
    history = nn.fit(model, bce_logits, TinySGD(model.parameters(), 0.1), X, y,
                     epochs=10, batch_size=8, validation_data=(X, y),
                     early_stopping=stop_at_epoch_two)
    assert [epoch for epoch, _ in calls] == [0, 1, 2]
    assert [loss for _, loss in calls] == history["val_loss"]
    assert len(history["loss"]) == 3


def test_validation_loss_can_leave_out_the_weight_penalty_of_the_training_loss():
    X, y, model = small_problem()
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]

    def penalised(outputs, targets):
        return bce_logits(outputs, targets) + nn.l2_penalty(weights, 0.1)
    history = nn.fit(model, penalised, TinySGD(model.parameters(), 0.1), X, y, epochs=2,
                     batch_size=8, validation_data=(X, y), val_loss_fn=bce_logits)
    plain = nn.evaluate(model, X, y, loss_fn=bce_logits)["loss"]
    assert history["val_loss"][-1] == pytest.approx(plain, rel=1e-12)
    assert nn.evaluate(model, X, y, loss_fn=penalised)["loss"] > plain


def test_early_stopping_object_with_step_is_called_with_the_monitored_loss():
    class StopAfterThree:
        """Like optim.EarlyStopping: step(metric) -> True to stop."""

        def __init__(self):
            self.metrics = []

        def step(self, metric):
            self.metrics.append(metric)
            return len(self.metrics) == 3

    X, y, model = small_problem()
    stopper = StopAfterThree()
    history = nn.fit(model, bce_logits, TinySGD(model.parameters(), 0.1), X, y,
                     epochs=10, early_stopping=stopper)
    assert stopper.metrics == history["loss"] and len(history["loss"]) == 3
    with pytest.raises(TypeError, match="early_stopping must be a function"):
        nn.fit(model, bce_logits, TinySGD(model.parameters(), 0.1), X, y,
               early_stopping=5)


def test_fit_shows_a_tqdm_bar_with_the_losses_by_default_and_none_when_asked(capsys):
    X, y, model = small_problem()
    optimizer = TinySGD(model.parameters(), 0.1)
    history = nn.fit(model, bce_logits, optimizer, X, y, epochs=2)
    shown = capsys.readouterr().err
    assert "fit: 100%" in shown and "2/2" in shown
    assert f"loss={nn.values.format_number(history['loss'][-1])}" in shown
    nn.fit(model, bce_logits, optimizer, X, y, epochs=2, progress=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="fit: progress must be True or False, got 'yes'"):
        nn.fit(model, bce_logits, optimizer, X, y, epochs=2, progress="yes")


def _declared_dependencies():
    """The ``dependencies`` of pyproject.toml, parsed with tomllib (Python 3.11+) or tomli
    where one is there; on 3.10 without tomli, the installed distribution's metadata."""
    from pathlib import Path
    try:
        import tomllib as toml
    except ImportError:
        try:
            import tomli as toml
        except ImportError:
            from importlib import metadata
            return [requirement for requirement in metadata.requires("chainrule") or []
                    if "extra ==" not in requirement]
    project = toml.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    return project["project"]["dependencies"]


def test_tqdm_is_a_dependency_of_the_distribution():
    assert any(d.startswith("tqdm") for d in _declared_dependencies())


def test_evaluate_and_predict_use_eval_mode_and_restore_the_modes():
    X, y = nn.make_moons(30, generator=2)
    model = nn.MLP([2, 8, 1], dropout=0.5, batch_norm=True, generator=2)
    model.train()
    first = nn.evaluate(model, X, y, loss_fn=bce_logits)
    second = nn.evaluate(model, X, y, loss_fn=bce_logits, batch_size=7)
    assert first["loss"] == pytest.approx(second["loss"], rel=1e-12)   # no dropout or batch stats
    assert all(m.training for m in model.modules())
    outputs = nn.predict(model, X)
    assert outputs.shape == (30, 1)
    assert first["accuracy"] == nn.accuracy(outputs, y)


def test_accuracy_uses_argmax_for_logits_and_sign_for_one_logit():
    assert nn.accuracy(np.array([[2.0, 1.0], [0.0, 3.0]]), [0, 0]) == 0.5
    assert nn.accuracy(np.array([1.5, -0.5, 0.2]), [1, 0, 0]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="3 outputs but 2 labels"):
        nn.accuracy(np.zeros(3), [0, 1])


def test_fit_checks_the_optimizer_and_the_loss():
    X, y, model = small_problem()
    with pytest.raises(TypeError, match="optimizer must have zero_grad"):
        nn.fit(model, bce_logits, object(), X, y)
    with pytest.raises(ValueError, match="fit: loss_fn must return one scalar Value"):
        nn.fit(model, lambda out, t: bce_logits(out, t, reduction="none"),
               TinySGD(model.parameters(), 0.1), X, y, epochs=1)


def test_one_training_step_lowers_the_loss_on_its_batch():
    X, y, model = small_problem()
    optimizer = TinySGD(model.parameters(), 0.5)
    inputs = nn.to_values(X)
    before = bce_logits(model(inputs), y)
    before.backward()
    optimizer.step()
    with ad.no_grad():
        after = bce_logits(model(inputs), y)
    assert after.data < before.data


def trained_batch_norm():
    """BatchNorm1d with learnt-looking gamma, beta and running statistics."""
    layer = nn.BatchNorm1d(3)
    layer.weight.data, layer.bias.data = [0.5, 2.0, -1.0], [0.1, 0.2, 0.3]
    layer.train()(np.random.default_rng(2).normal(size=(8, 3)))
    return layer


# id, a new layer taking 3 inputs, whether it accepts single examples in training mode
LAYERS = [
    ("linear", lambda: nn.Linear(3, 2, generator=0), True),
    ("linear-no-bias", lambda: nn.Linear(3, 2, bias=False, generator=1), True),
    ("mlp", lambda: nn.MLP([3, 4, 4, 2], activation="tanh", generator=2), True),
    ("mlp-batchnorm-dropout", lambda: nn.MLP([3, 4, 2], batch_norm=True, dropout=0.3,
                                             generator=3), False),
    ("sigmoid", nn.Sigmoid, True),
    ("tanh", nn.Tanh, True),
    ("relu", nn.ReLU, True),
    ("leaky_relu", lambda: nn.LeakyReLU(0.1), True),
    ("prelu-shared", nn.PReLU, True),
    ("prelu-channels", lambda: nn.PReLU(3), True),
    ("maxout", lambda: nn.Maxout(3, 2, pieces=3, generator=0), True),
    ("dropout", lambda: nn.Dropout(0.4, generator=6), True),
    ("batchnorm", trained_batch_norm, False),
]


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("batch", [None, 5], ids=["single", "batch"])
@pytest.mark.parametrize("name, make, single_in_training", LAYERS, ids=[e[0] for e in LAYERS])
def test_layer_gradients_match_central_differences(name, make, single_in_training, batch,
                                                   mode):
    if batch is None and mode == "train" and not single_in_training:
        pytest.skip("batch statistics need a batch (training on one example is an error)")
    layer = getattr(make(), mode)()
    rng = np.random.default_rng(1)
    x = list(rng.normal(size=3)) if batch is None else list(rng.normal(size=(3, batch)))
    result = nn.gradcheck_module(layer, x)
    assert result.ok, result


class Detached(nn.Module):
    """y = w * x computed on a copy of x's data: no gradient reaches x."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter([1.5])

    def forward(self, x):
        return [self.weight[0] * ad.Value(v.data) for v in x]


def test_a_gradient_that_does_not_flow_is_caught():
    result = nn.gradcheck_module(Detached(), [0.3, -0.7])
    assert not result.ok
    assert result.where[0] in (0, 1) and result.analytic == 0.0


def test_parameters_are_checked_after_the_inputs():
    layer = nn.Linear(2, 1, generator=0)
    result = nn.gradcheck_module(layer, [0.3, -0.7])
    assert result.ok and result.where[0] < 2 + 3


def test_buffers_are_restored_and_dropout_masks_replayed():
    model = nn.Sequential(nn.BatchNorm1d(2), nn.Dropout(0.5, generator=0))
    before = [buffer.copy() for buffer in model.buffers()]
    X = np.random.default_rng(0).normal(size=(2, 6))
    assert nn.gradcheck_module(model, list(X)).ok
    for buffer, saved in zip(model.buffers(), before):
        np.testing.assert_array_equal(buffer, saved)


def test_nested_inputs_keep_their_structure():
    layer = nn.PReLU(2)
    channels = [[0.5, -1.0], [-0.2, 0.8]]
    assert nn.gradcheck_module(layer, channels).ok


def train(model, loss_of, steps, lr):
    """Full-batch Adam: ``steps`` updates of ``loss_of(model)``; returns the last loss."""
    optimizer = optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_of(model)
        loss.backward()
        optimizer.step()
    return loss.data


def next_value_loss(predictions, targets, warm_up=3):
    """MSE of the next value after the first ``warm_up`` steps (the frequency of a sine
    cannot be known from fewer)."""
    return nn.mse_loss([p[0] for p in predictions[warm_up:]],
                       [targets[t, :, 0] for t in range(warm_up, len(predictions))])


def test_an_lstm_predicts_sine_waves_far_better_than_the_baselines():
    X, y = nn.make_sine_sequences(64, length=12, generator=0)
    X_test, y_test = nn.make_sine_sequences(200, length=12, generator=1)
    model = nn.SequenceModel(nn.LSTM(1, 6, generator=0), 1, generator=0)
    inputs = nn.to_sequence(X)
    train(model, lambda m: next_value_loss(m(inputs), y), steps=60, lr=0.03)
    with no_grad():
        mse = next_value_loss(model(X_test), y_test).data
    predict_zero = np.mean(y_test[3:] ** 2)                   # ~0.5
    repeat_last = np.mean((y_test[3:] - X_test[3:]) ** 2)     # ~0.09
    print(f"\nsine next value, test MSE: LSTM {mse:.4f}, repeat the last value "
          f"{repeat_last:.4f}, predict 0 {predict_zero:.4f}")
    assert mse < repeat_last / 10 and mse < predict_zero / 100


def test_a_stack_rnn_counts_anbn_past_the_training_lengths_better_than_an_lstm():
    train_task, test_task = nn.make_anbn(range(1, 11)), nn.make_anbn(range(11, 31))
    inputs = nn.to_sequence(train_task.X)
    models = {"StackRNN": nn.StackRNN(3, 8, stack_depth=32, generator=2),
              "LSTM": nn.LSTM(3, 4, generator=2)}
    scores = {}
    for name, core in models.items():
        model = nn.SequenceModel(core, 3, generator=2)
        train(model, lambda m: nn.sequence_cross_entropy(m(inputs), train_task.y,
                                                        train_task.mask),
              steps=120, lr=0.05)
        with no_grad():
            logits = nn.sequence_to_numpy(model(test_task.X))
        scores[name] = nn.anbn_accuracy(logits, test_task)
        print(f"\n{name} ({len(model.parameters())} parameters): a^n b^n for unseen "
              f"n = 11..30: strings right {scores[name][0]:.2f}, symbols right "
              f"{scores[name][1]:.3f}", end="")
    assert scores["StackRNN"][0] >= 0.9
    assert scores["StackRNN"][0] > scores["LSTM"][0] + 0.3

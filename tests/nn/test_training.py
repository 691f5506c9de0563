"""fit / evaluate / predict / accuracy, and the two training targets of the issue:
100% training accuracy on make_moons, >= 95% test accuracy on the 8x8 digits."""
import sys

import numpy as np
import pytest

import autodiff as ad
import nn


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
    X, y = nn.make_moons(100, noise=0.1, seed=0)
    model = nn.MLP([2, 16, 16, 1], generator=0)
    optimizer = TinySGD(model.parameters(), lr=0.1, momentum=0.9)
    history = nn.fit(model, nn.binary_cross_entropy, optimizer, X, y, epochs=400,
                     batch_size=100, seed=0,
                     early_stopping=lambda epoch, loss: nn.evaluate(model, X, y)["accuracy"] == 1)
    assert nn.evaluate(model, X, y)["accuracy"] == 1.0
    assert history["loss"][-1] < history["loss"][0]


def test_mlp_reaches_95_percent_test_accuracy_on_digits():
    pytest.importorskip("sklearn")
    X, y = nn.load_digits()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0)
    mean, scale = X_train.mean(axis=0), X_train.std(axis=0) + 0.01      # standardise pixels
    X_train, X_test = (X_train - mean) / scale, (X_test - mean) / scale
    model = nn.MLP([64, 32, 10], generator=0)
    optimizer = TinySGD(model.parameters(), lr=0.05, momentum=0.9)
    history = nn.fit(model, nn.cross_entropy, optimizer, X_train, y_train, epochs=12,
                     batch_size=128, seed=0, validation_data=(X_test, y_test))
    assert len(history["val_loss"]) == 12
    results = nn.evaluate(model, X_test, y_test, loss_fn=nn.cross_entropy)
    assert results["accuracy"] >= 0.95, results
    assert results["loss"] == pytest.approx(history["val_loss"][-1])


def small_problem():
    X, y = nn.make_xor(40, seed=1)
    return X, y, nn.MLP([2, 8, 1], generator=1)


def test_early_stopping_hook_gets_epoch_and_validation_loss_and_stops():
    X, y, model = small_problem()
    calls = []

    def stop_at_epoch_two(epoch, val_loss):
        calls.append((epoch, val_loss))
        return epoch == 2
    history = nn.fit(model, nn.binary_cross_entropy, TinySGD(model.parameters(), 0.1), X, y,
                     epochs=10, batch_size=8, validation_data=(X, y),
                     early_stopping=stop_at_epoch_two)
    assert [epoch for epoch, _ in calls] == [0, 1, 2]
    assert [loss for _, loss in calls] == history["val_loss"]
    assert len(history["loss"]) == 3


def test_validation_loss_can_leave_out_the_weight_penalty_of_the_training_loss():
    X, y, model = small_problem()
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]

    def penalised(outputs, targets):
        return nn.binary_cross_entropy(outputs, targets) + nn.l2_penalty(weights, 0.1)
    history = nn.fit(model, penalised, TinySGD(model.parameters(), 0.1), X, y, epochs=2,
                     batch_size=8, validation_data=(X, y), val_loss_fn=nn.binary_cross_entropy)
    plain = nn.evaluate(model, X, y, loss_fn=nn.binary_cross_entropy)["loss"]
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
    history = nn.fit(model, nn.binary_cross_entropy, TinySGD(model.parameters(), 0.1), X, y,
                     epochs=10, early_stopping=stopper)
    assert stopper.metrics == history["loss"] and len(history["loss"]) == 3
    with pytest.raises(TypeError, match="early_stopping must be a function"):
        nn.fit(model, nn.binary_cross_entropy, TinySGD(model.parameters(), 0.1), X, y,
               early_stopping=5)


def test_progress_defaults_to_a_terminal_outside_ci(monkeypatch, capsys):
    X, y, model = small_problem()
    optimizer = TinySGD(model.parameters(), 0.1)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)                  # no tqdm: plain lines
    monkeypatch.setenv("CI", "true")
    nn.fit(model, nn.binary_cross_entropy, optimizer, X, y, epochs=2)
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("CI")
    nn.fit(model, nn.binary_cross_entropy, optimizer, X, y, epochs=2)
    assert "epoch 2/2: loss=" in capsys.readouterr().err
    nn.fit(model, nn.binary_cross_entropy, optimizer, X, y, epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_uses_tqdm_when_installed(capsys):
    pytest.importorskip("tqdm")
    X, y, model = small_problem()
    nn.fit(model, nn.binary_cross_entropy, TinySGD(model.parameters(), 0.1), X, y, epochs=2,
           progress=True)
    assert "2/2" in capsys.readouterr().err


def test_evaluate_and_predict_use_eval_mode_and_restore_the_modes():
    X, y = nn.make_moons(30, seed=2)
    model = nn.MLP([2, 8, 1], dropout=0.5, batch_norm=True, generator=2)
    model.train()
    first = nn.evaluate(model, X, y, loss_fn=nn.binary_cross_entropy)
    second = nn.evaluate(model, X, y, loss_fn=nn.binary_cross_entropy, batch_size=7)
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
        nn.fit(model, nn.binary_cross_entropy, object(), X, y)
    with pytest.raises(ValueError, match="loss_fn must return one scalar Value"):
        nn.fit(model, lambda out, t: nn.binary_cross_entropy(out, t, reduction="none"),
               TinySGD(model.parameters(), 0.1), X, y, epochs=1)


def test_one_training_step_lowers_the_loss_on_its_batch():
    X, y, model = small_problem()
    optimizer = TinySGD(model.parameters(), 0.5)
    inputs = nn.to_values(X)
    before = nn.binary_cross_entropy(model(inputs), y)
    before.backward()
    optimizer.step()
    with ad.no_grad():
        after = nn.binary_cross_entropy(model(inputs), y)
    assert after.data < before.data

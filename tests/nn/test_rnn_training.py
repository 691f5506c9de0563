"""Recurrent networks learn: an LSTM predicts sine waves far better than the trivial
baselines, and a stack RNN counts a^n b^n past the training lengths better than an LSTM
of similar size (the full, multi-seed experiment: benchmarks/anbn_generalisation.py)."""
import numpy as np

import nn
import optim
from autodiff import no_grad


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
    X, y = nn.make_sine_sequences(64, length=12, seed=0)
    X_test, y_test = nn.make_sine_sequences(200, length=12, seed=1)
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

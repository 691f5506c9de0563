"""Each optimizer trains the moons MLP to 100% training accuracy.

The set-up: 100 points of ``nn.make_moons(noise=0.1, seed=0)``, the MLP 2-16-16-1 with
tanh (``nn.MLP(..., generator=0)``), binary cross-entropy on the logit, full batch (one
batched graph per step). The learning rates, and the steps each needs here:

    optimizer                    lr      steps to 100%
    SGD                          1.0     ~130
    Momentum(rho=0.9)            0.1     ~105   (SGD(momentum=0.9) is the same)
    Nesterov(rho=0.9)            0.1     ~105
    Adagrad                      0.1     ~80
    RMSprop(gamma=0.9)           0.01    ~115
    Adadelta(rho=0.9, eps=1e-6)  (1.0)   ~195   (no lr in the notes' formula)
    Adam                         0.03    ~50
    AdamW(weight_decay=0.01)     0.03    ~50
"""
import numpy as np
import pytest

import nn
import optim

MAX_STEPS = 400

LEARNING_RATES = {
    "SGD": lambda p: optim.SGD(p, lr=1.0),
    "SGD-momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "Momentum": lambda p: optim.Momentum(p, lr=0.1, rho=0.9),
    "Nesterov": lambda p: optim.Nesterov(p, lr=0.1, rho=0.9),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.1),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.01, gamma=0.9),
    "Adadelta": lambda p: optim.Adadelta(p, rho=0.9, eps=1e-6),
    "Adam": lambda p: optim.Adam(p, lr=0.03),
    "AdamW": lambda p: optim.AdamW(p, lr=0.03, weight_decay=0.01),
}


@pytest.fixture(scope="module")
def moons():
    return nn.make_moons(100, noise=0.1, seed=0)


def steps_to_perfect_accuracy(model, optimizer, X, y):
    """Full-batch training until every training point is classified right; the number
    of steps taken (None if MAX_STEPS were not enough)."""
    inputs = nn.to_values(X)
    for step in range(MAX_STEPS):
        optimizer.zero_grad()
        logits = model(inputs)
        if nn.accuracy(nn.to_numpy(logits), y) == 1.0:
            return step
        nn.binary_cross_entropy(logits, y).backward()
        optimizer.step()
    return None


@pytest.mark.parametrize("name", LEARNING_RATES)
def test_each_optimizer_trains_the_moons_mlp_to_full_training_accuracy(name, moons):
    X, y = moons
    model = nn.MLP([2, 16, 16, 1], activation="tanh", generator=0)
    assert nn.accuracy(nn.predict(model, X), y) < 0.9
    optimizer = LEARNING_RATES[name](model.parameters())
    steps = steps_to_perfect_accuracy(model, optimizer, X, y)
    assert steps is not None, f"{name} did not reach 100% in {MAX_STEPS} steps"
    assert nn.accuracy(nn.predict(model, X), y) == 1.0
    assert np.isfinite([p.data for p in model.parameters()]).all()

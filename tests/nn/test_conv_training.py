"""A tiny CNN (conv-relu-pool-linear) learns the digits: loss falls fast with batched
Values and Adam, and it trains through nn.fit from flat pixel rows via Unflatten.
(The >= 97% test-accuracy run is benchmarks/cnn_digits.py, not part of the suite.)"""
import numpy as np

import nn
import optim


def tiny_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, generator=0), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 3 * 3, 10, generator=1))


def test_a_tiny_cnn_cuts_its_loss_on_a_few_digits_in_a_few_steps():
    X, y = nn.load_digits()
    X, y = X[:120].reshape(-1, 1, 8, 8), y[:120]
    model = tiny_cnn()
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    images = nn.to_image_values(X)
    losses = []
    for _ in range(25):
        optimizer.zero_grad()
        loss = nn.cross_entropy(model(images), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    assert losses[0] > 2.0                      # about log 10 at the start
    assert losses[-1] < 0.1 * losses[0]
    assert nn.accuracy(nn.to_numpy(model(images)), y) > 0.95


def test_a_cnn_behind_unflatten_trains_with_fit_on_flat_pixel_rows():
    X, y = nn.load_digits()
    model = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), *tiny_cnn())
    before = nn.evaluate(model, X[:200], y[:200], loss_fn=nn.cross_entropy)
    history = nn.fit(model, nn.cross_entropy, optim.Adam(model.parameters(), lr=0.03),
                     X[:200], y[:200], epochs=4, batch_size=50, seed=0, progress=False)
    after = nn.evaluate(model, X[:200], y[:200], loss_fn=nn.cross_entropy)
    assert history["loss"][-1] < history["loss"][0]
    assert after["loss"] < 0.5 * before["loss"]
    assert after["accuracy"] > 0.8
    assert nn.predict(model, X[:3]).shape == (3, 10)
    assert np.isfinite(after["loss"])

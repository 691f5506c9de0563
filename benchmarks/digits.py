"""An MLP on the 8x8 digits, chainrule (batched Values) against PyTorch, in one run.

    python benchmarks/digits.py [--epochs 10] [--batch-size 64]

MLP 64-32-10 (ReLU), cross-entropy, Adam (lr 0.01), mini-batches, the same initial
weights and the same batch order for both. Prints seconds per epoch, the test accuracy
reached, and the ratio of the times. The CNN version is benchmarks/cnn_digits.py.
"""
import argparse
import time

import numpy as np


def data():
    import nn
    X, y = nn.load_digits()
    return nn.train_test_split(X, y, test_size=0.2, generator=0)


def run_chainrule(model, X, y, X_test, y_test, epochs, batch_size):
    import nn
    import optim
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    times = []
    for epoch in range(epochs):
        start = time.perf_counter()
        nn.fit(model, nn.cross_entropy, optimizer, X, y, epochs=1, batch_size=batch_size,
               generator=epoch, progress=False)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), nn.evaluate(model, X_test, y_test)["accuracy"]


def run_torch(state, X, y, X_test, y_test, epochs, batch_size):
    import torch
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 10)).double()
    model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    tX, ty = torch.tensor(X), torch.tensor(y, dtype=torch.long)
    times = []
    for epoch in range(epochs):
        start = time.perf_counter()
        order = np.random.default_rng(epoch).permutation(len(y))   # the same as nn.batches
        for begin in range(0, len(order), batch_size):
            rows = torch.tensor(order[begin:begin + batch_size])
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(tX[rows]), ty[rows])
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    with torch.no_grad():
        predicted = model(torch.tensor(X_test)).argmax(1).numpy()
    return float(np.median(times)), float(np.mean(predicted == y_test))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    import nn
    X, X_test, y, y_test = data()
    model = nn.MLP([64, 32, 10], activation="relu", generator=0)
    state = model.state_dict()
    rows = {"chainrule (batched Values)": run_chainrule(model, X, y, X_test, y_test,
                                                        args.epochs, args.batch_size)}
    try:
        rows["torch, 1 thread"] = run_torch(state, X, y, X_test, y_test, args.epochs,
                                            args.batch_size)
    except ImportError:
        print("torch is not installed: chainrule only")
    print(f"digits MLP 64-32-10, {len(y)} training / {len(y_test)} test images, "
          f"{args.epochs} epochs, batch {args.batch_size}, Adam")
    print(f"{'':30}{'s/epoch':>10}{'test acc':>10}")
    for name, (seconds, accuracy) in rows.items():
        print(f"{name:30}{seconds:>10.3f}{accuracy:>10.3f}")
    if len(rows) == 2:
        ours, theirs = (value[0] for value in rows.values())
        print(f"chainrule takes {ours / theirs:.1f}x the time of torch per epoch")


if __name__ == "__main__":
    main()

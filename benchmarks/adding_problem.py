"""The adding problem (Hochreiter & Schmidhuber 1997): an LSTM against a tanh RNN of the
same hidden size and the trivial baseline (notes 1.2: why gradients vanish, and the
LSTM's answer).

Each sequence holds values from U(0, 1) and two markers; the target, the sum of the two
marked values, is read from the last output through a Linear layer. Predicting the
mean, 1, scores MSE 1/6 ~ 0.167. Both networks are trained with Adam on the same
batches; the script prints the test MSE every ``--every`` steps.

    python benchmarks/adding_problem.py                     # length 20, ~1 minute
    python benchmarks/adding_problem.py --length 40 --steps 600
"""
import argparse
import time

import numpy as np

import nn
import optim
from autodiff import no_grad


def last_step_mse(model, X, y):
    """MSE of the read-out of the last step against the sums y."""
    return nn.mse_loss(model(X)[-1][0], y)


def main():
    """Parse the options, train each model, print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--length", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X_test, y_test = nn.make_adding_problem(1000, args.length, generator=10_000 + args.seed)
    print(f"adding problem, length {args.length}: predicting 1 scores test MSE "
          f"{np.mean((y_test - 1.0) ** 2):.4f}")
    for name, core in (("LSTM", nn.LSTM(2, args.hidden, generator=args.seed)),
                       ("tanh RNN", nn.RNN(2, args.hidden, generator=args.seed))):
        model = nn.SequenceModel(core, 1, generator=args.seed)
        optimizer = optim.Adam(model.parameters(), lr=args.lr)
        batches = np.random.default_rng(args.seed)
        start, scores = time.perf_counter(), []
        for step in range(1, args.steps + 1):
            X, y = nn.make_adding_problem(args.batch, args.length, generator=batches)
            optimizer.zero_grad()
            loss = last_step_mse(model, X, y)
            loss.backward()
            optimizer.step()
            if step % args.every == 0:
                with no_grad():
                    scores.append(f"{step}:{last_step_mse(model, X_test, y_test).data:.4f}")
        print(f"{name:8s} ({len(model.parameters())} parameters, "
              f"{time.perf_counter() - start:.0f} s): test MSE by step {' '.join(scores)}",
              flush=True)


if __name__ == "__main__":
    main()

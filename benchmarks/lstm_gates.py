"""Which LSTM gate matters most? The same LSTM trained with one gate at a time fixed
open (gate value 1), against the unmodified LSTM, on a task that needs memory (notes
1.2: "实验表明，重要性 forget > input > output"; notebook 11, section 2).

Task: the adding problem (``nn.make_adding_problem``): the target, the sum of the two
marked values of a sequence, is read from the last hidden state through a Linear layer;
predicting the mean, 1, scores MSE 1/6 ~ 0.167. The variants share everything but the
fixed gate: the same initial weights (an ``nn.LSTMCell``, forget bias 1, and the
read-out, from one generator per seed), the same batches, Adam, ``autodiff.compile``d
training steps. A fixed gate's weights stay in the model, unused (their gradient is 0).

    c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
    fixed i: c_t = f * c_{t-1} + g    fixed f: c_t = c_{t-1} + i * g    fixed o: h_t = tanh(c_t)

The script prints the test MSE (1000 sequences, never trained on) of every variant and
seed, then a markdown table with per variant the median, the mean and the number of seeds
that learnt the task (test MSE below 0.05, under a third of the baseline).

    python benchmarks/lstm_gates.py                         # length 30, 10 seeds, ~2.5 minutes of CPU
    python benchmarks/lstm_gates.py --length 10 --steps 300 --seeds 0 1 2 3   # notebook 11
"""
import argparse
import time

import numpy as np

import autodiff as ad
import nn
import optim

GATES = ("i", "f", "g", "o")                   # torch's order of the stacked gate rows
LEARNT = 0.05                                  # test MSE under 0.3 x the baseline's 1/6
VARIANTS = {"LSTM": None, "input gate fixed at 1": "i", "forget gate fixed at 1": "f",
            "output gate fixed at 1": "o"}


class GatedLSTM(nn.Module):
    """An LSTM (``nn.LSTMCell``'s weights and equations) with a Linear read-out of the
    last hidden state, whose gate ``fixed`` ("i", "f" or "o"; None: no gate fixed) is
    the constant 1 instead of sigmoid(W_ih x + b_ih + W_hh h + b_hh)."""

    def __init__(self, input_size, hidden_size, fixed=None, generator=None):
        if fixed not in (None, "i", "f", "o"):
            raise ValueError(f"GatedLSTM: fixed must be None, 'i', 'f' or 'o', got {fixed!r}")
        super().__init__()
        generator = np.random.default_rng(generator)
        self.cell = nn.LSTMCell(input_size, hidden_size, generator=generator)
        self.readout = nn.Linear(hidden_size, 1, generator=generator)
        self.hidden_size, self.fixed = hidden_size, fixed

    def preactivations(self, gate, x, h):
        """a = W_ih x + b_ih + W_hh h + b_hh for the rows of ``gate``."""
        k = GATES.index(gate)
        rows = slice(k * self.hidden_size, (k + 1) * self.hidden_size)
        cell = self.cell
        return [a + b for a, b in zip(nn.linear(x, cell.weight_ih[rows], cell.bias_ih[rows]),
                                      nn.linear(h, cell.weight_hh[rows], cell.bias_hh[rows]))]

    def gate(self, name, x, h):
        """sigmoid(a) for the gate ``name``, or H ones if it is the fixed gate."""
        if name == self.fixed:
            return [1.0] * self.hidden_size
        return [ad.sigmoid(a) for a in self.preactivations(name, x, h)]

    def step(self, x, state):
        """(h', c') from x and (h, c): the LSTM step with the fixed gate at 1."""
        h, c = state
        i, f, o = self.gate("i", x, h), self.gate("f", x, h), self.gate("o", x, h)
        g = [ad.tanh(a) for a in self.preactivations("g", x, h)]
        c = [fk * ck + ik * gk for fk, ck, ik, gk in zip(f, c, i, g)]
        return [ok * ad.tanh(ck) for ok, ck in zip(o, c)], c

    def forward(self, X):
        """The read-out of the last hidden state for X (T, N, input_size)."""
        state = ([0.0] * self.hidden_size, [0.0] * self.hidden_size)
        for t in range(X.shape[0]):
            state = self.step(nn.to_values(X[t]), state)
        return self.readout(state[0])[0]


def train(fixed, seed, length, hidden, steps, batch, lr, test):
    """Test MSE of the variant with gate ``fixed`` after ``steps`` Adam steps."""
    model = GatedLSTM(2, hidden, fixed, generator=seed)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    step = ad.compile(lambda X, y: nn.mse_loss(model(X), y), model)
    batches = np.random.default_rng(1000 + seed)
    for _ in range(steps):
        X, y = nn.make_adding_problem(batch, length, generator=batches)
        optimizer.zero_grad()
        step(X, y)
        optimizer.step()
    with ad.no_grad():
        return nn.mse_loss(model(test[0]), test[1]).data


def main():
    """Parse the options, train every variant for every seed, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--length", type=int, default=30)
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    args = parser.parse_args()
    test = nn.make_adding_problem(1000, args.length, generator=123_456)
    print(f"adding problem, length {args.length}, hidden {args.hidden}, {args.steps} Adam "
          f"steps (lr {args.lr}) of {args.batch} sequences; predicting 1 scores test MSE "
          f"{np.mean((test[1] - 1.0) ** 2):.4f}", flush=True)
    results = {}
    for name, fixed in VARIANTS.items():
        start = time.perf_counter()
        results[name] = [train(fixed, seed, args.length, args.hidden, args.steps, args.batch,
                               args.lr, test) for seed in args.seeds]
        print(f"{name:>22}: test MSE {' '.join(f'{v:.4f}' for v in results[name])} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    print("\n| variant | " + " | ".join(f"seed {s}" for s in args.seeds) +
          f" | median | mean | seeds below {LEARNT} |")
    print("| --- |" + " ---: |" * (len(args.seeds) + 3))
    for name, losses in results.items():
        print(f"| {name} | " + " | ".join(f"{v:.4f}" for v in losses) +
              f" | {np.median(losses):.4f} | {np.mean(losses):.4f} | "
              f"{sum(v < LEARNT for v in losses)} |")

if __name__ == "__main__":
    main()

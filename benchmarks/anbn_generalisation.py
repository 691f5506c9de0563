"""a^n b^n next-symbol prediction: does a stack-augmented RNN count beyond the n it was
trained on better than an LSTM of similar size? (notes 1.2, "stack rnn"; Joulin &
Mikolov 2015.)

Both models are a recurrent core plus a Linear read-out at every step
(``nn.SequenceModel``): a StackRNN with 8 hidden units (175 parameters) and an LSTM
with 4 (159 parameters). Each is trained with Adam (lr 0.05) on one batch holding
a^n b^n for every n = 1..10, loss the next-symbol cross-entropy inside each string
(``nn.sequence_cross_entropy`` with ``AnBn.mask``). A string counts as right when every
deterministic symbol (from the first b on: the remaining b's, then '$') is the argmax
(``nn.anbn_accuracy``).

Every ``--every`` steps the script measures the fraction of strings right for unseen
lengths: validation n = 11..20 and test n = 21..50. It prints, per model, the mean test
score over the seeds at every checkpoint, and the test score of the checkpoint with the
best validation score (early stopping, the same rule for both models). Training data
only reach n = 10, so a network may also learn "after ten a's a b must come", which
fits the training set as well as counting does; the validation set picks the
checkpoint that counts.

    python benchmarks/anbn_generalisation.py                  # 5 seeds, ~3 minutes
    python benchmarks/anbn_generalisation.py --seeds 0 1 --steps 200
"""
import argparse
import time

import numpy as np

import nn
import optim
from autodiff import no_grad

TRAIN, VALIDATION, TEST = range(1, 11), range(11, 21), range(21, 51)


def build(kind, seed):
    """The two contenders: ~160-175 parameters each (the stack holds more than the
    longest test string)."""
    if kind == "StackRNN":
        core = nn.StackRNN(3, 8, stack_depth=max(TEST) + 2, generator=seed)
    else:
        core = nn.LSTM(3, 4, generator=seed)
    return nn.SequenceModel(core, 3, generator=seed)


def strings_right(model, task):
    """Fraction of ``task``'s strings whose deterministic symbols are all predicted."""
    with no_grad():
        return nn.anbn_accuracy(nn.sequence_to_numpy(model(task.X)), task)[0]


def train_and_measure(model, tasks, steps, every, lr):
    """Full-batch Adam on the training strings; every ``every`` steps, the validation
    and test scores. Returns a list of (step, validation, test)."""
    optimizer = optim.Adam(model.parameters(), lr=lr)
    inputs = nn.to_sequence(tasks["train"].X)
    history = []
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = nn.sequence_cross_entropy(model(inputs), tasks["train"].y, tasks["train"].mask)
        loss.backward()
        optimizer.step()
        if step % every == 0:
            history.append((step, strings_right(model, tasks["validation"]),
                            strings_right(model, tasks["test"])))
    return history


def early_stopped(history):
    """The test score of the checkpoint with the best validation score (the latest of
    equally good ones, as "keep the last best")."""
    best = max(history, key=lambda entry: (entry[1], entry[0]))
    return best[2]


def main():
    """Parse the options, train each model, print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--models", nargs="+", default=["StackRNN", "LSTM"],
                        choices=["StackRNN", "LSTM"])
    args = parser.parse_args()
    tasks = {"train": nn.make_anbn(TRAIN), "validation": nn.make_anbn(VALIDATION),
             "test": nn.make_anbn(TEST)}
    curves, stopped = {kind: [] for kind in args.models}, {kind: [] for kind in args.models}
    for seed in args.seeds:
        for kind in args.models:
            model = build(kind, seed)
            start = time.perf_counter()
            history = train_and_measure(model, tasks, args.steps, args.every, args.lr)
            curves[kind].append([test for _, _, test in history])
            stopped[kind].append(early_stopped(history))
            print(f"{kind:8s} seed {seed} ({len(model.parameters())} parameters, "
                  f"{time.perf_counter() - start:.0f} s): test strings right by step "
                  + " ".join(f"{step}:{test:.2f}" for step, _, test in history)
                  + f"; early-stopped {stopped[kind][-1]:.2f}", flush=True)
    steps = [args.every * (k + 1) for k in range(args.steps // args.every)]
    print(f"\nfraction of unseen strings right, n = {min(TEST)}..{max(TEST)} (trained on "
          f"n <= {max(TRAIN)}), mean over seeds {args.seeds}:")
    print("step      " + " ".join(f"{step:>5d}" for step in steps) + "   early-stopped")
    for kind in args.models:
        means = np.mean(curves[kind], axis=0)
        print(f"{kind:9s} " + " ".join(f"{m:5.2f}" for m in means) +
              f"   {np.mean(stopped[kind]):.2f}")


if __name__ == "__main__":
    main()

"""Training as the README writes it, against PyTorch, in one process.

    python benchmarks/training.py [--repeats 200] [--only moons,lstm,...]
                                   [--all-optimizers moons,digits-mlp]

The loop timed is the README's::

    step = ad.compile(loss_fn, net)                 # or net.parameters(), micrograd's way
    opt = optim.Adam(net.parameters(), lr=...)      # any optimizer of optim
    opt.zero_grad(); step(xb, yb); opt.step()       # one training step, a fresh batch each

against PyTorch doing the same (float64, torch.set_num_threads(1), the same
torch.optim optimizer, ``opt.zero_grad(); loss.backward(); opt.step()``), compiled and
torch steps timed in alternating blocks of 25 so that load on a shared machine hits
both alike; median ms per step. Columns:
  eager     chainrule's eager engine with the same optimizer (loss.backward())
  compiled  the README's loop above
  vector    SGD rows only: the same step with a hand update on the step's flat vectors
            (step.parameter_vector -= lr * step.gradient_vector), the floor
  torch     PyTorch
Then three checks of the issue's other goals:
  fit       nn.fit(compile=True) against the hand-written loop, per step (both from a
            fresh compile, the same epochs and batch size)
  share     in eager training of a ~5,000-parameter model (digits MLP 64-64-10), the
            optimizer's step() as a share of the whole step; and beside it the bare
            passes, the least any optimizer of these Values does (read data and grads,
            write data, nothing else), as a share of the same step
  first     the first call of a fresh compile (trace, tape, that step), in eager steps
Without torch, the torch columns are left out. numpy's BLAS is held to one thread.

Workloads:
  moons            MLP 2-16-16-1 (ReLU), batch 100, hinge + L2 (the micrograd demo)
  moons-micrograd  the same network written micrograd's way, sum(w * x) + b per neuron
  per-example      the same, one scalar graph per example (100 graphs)
  digits-mlp       MLP 64-64-10 (ReLU), batch 128, cross-entropy
  digits-cnn       conv 6x3x3 (same), ReLU, max pool 2, linear; batch 32, cross-entropy
  moons-1000, moons-10000   the moons MLP on batches of 1,000 and 10,000 points
  lstm             LSTM(2, 8) over 12 steps of the adding problem, batch 16, a Linear
                   read-out of the last hidden state, MSE
"""
import argparse
import os
import struct
import sys
import time

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")      # numpy on one core too, as torch (before import)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from compiled import (MicrogradNet, batch_stream, digits, has_torch,  # noqa: E402
                      hinge_loss, interleaved_ms, micrograd_loss, moons, moons_model,
                      torch_loss, torch_twin)

WORKLOADS = ("moons", "moons-micrograd", "per-example", "digits-mlp", "digits-cnn",
             "moons-1000", "moons-10000", "lstm")
GOALS = {"moons": 0.35, "moons-micrograd": 0.35, "per-example": 0.45, "digits-mlp": 0.8,
         "digits-cnn": 0.7, "moons-1000": 0.6, "moons-10000": 1.0, "lstm": 0.7}
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adadelta", "Adam",
              "AdamW")


# --- optimizers: ours and torch's twin, with the same hyper-parameters ---------------------

def make_optimizer(name, params):
    import optim
    return {"SGD": lambda: optim.SGD(params, lr=0.05),
            "Momentum": lambda: optim.Momentum(params, lr=0.05, rho=0.9),
            "Nesterov": lambda: optim.Nesterov(params, lr=0.05, rho=0.9),
            "Adagrad": lambda: optim.Adagrad(params, lr=0.05),
            "RMSprop": lambda: optim.RMSprop(params, lr=0.001, gamma=0.9),
            "Adadelta": lambda: optim.Adadelta(params),
            "Adam": lambda: optim.Adam(params, lr=0.001),
            "AdamW": lambda: optim.AdamW(params, lr=0.001)}[name]()


def make_torch_optimizer(name, params):
    import torch
    return {"SGD": lambda: torch.optim.SGD(params, lr=0.05),
            "Momentum": lambda: torch.optim.SGD(params, lr=0.05, momentum=0.9),
            "Nesterov": lambda: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True),
            "Adagrad": lambda: torch.optim.Adagrad(params, lr=0.05, eps=1e-6),
            "RMSprop": lambda: torch.optim.RMSprop(params, lr=0.001, alpha=0.9, eps=1e-6),
            "Adadelta": lambda: torch.optim.Adadelta(params),
            "Adam": lambda: torch.optim.Adam(params, lr=0.001),
            "AdamW": lambda: torch.optim.AdamW(params, lr=0.001)}[name]()


# --- workloads ----------------------------------------------------------------------------

class LSTMRegressor:
    """LSTM(2, 8) and a Linear(8, 1) read-out of the last hidden state."""

    def __init__(self):
        import nn
        nn.manual_seed(0)
        self.model = nn.Sequential(nn.LSTM(2, 8), nn.Linear(8, 1))

    def loss(self, xb, yb):
        import nn
        lstm, linear = self.model[0], self.model[1]
        output, _ = lstm(nn.to_sequence(xb, batch_first=True))
        return nn.mse_loss(linear(output[-1])[0], yb)


class Workload:
    """Data, our model and loss, and torch's twin, for one row of the table."""

    def __init__(self, name):
        import nn
        self.name = name
        self.batch = {"moons-1000": 1000, "moons-10000": 10000, "digits-mlp": 128,
                      "digits-cnn": 32, "lstm": 16}.get(name, 100)
        self.torch_reshape = None
        if name.startswith("moons") or name == "per-example":
            self.X, self.y = moons(self.batch)
            model = moons_model()
            self.torch_layers = model
            self.torch_loss = "hinge"
            if name in ("moons-micrograd", "per-example"):
                weights = [(np.asarray(layer.weight.data), np.asarray(layer.bias.data))
                           for layer in model if isinstance(layer, nn.Linear)]
                net = MicrogradNet(weights)
                self.loss_fn = micrograd_loss(net, name == "per-example")
                self.compiled_on = self.params = net.parameters()
            else:
                self.loss_fn = hinge_loss(model)
                self.compiled_on, self.params = model, model.parameters()
        elif name in ("digits-mlp", "digits-cnn"):
            self.X, self.y = digits()
            nn.manual_seed(0)
            if name == "digits-mlp":
                model = nn.MLP([64, 64, 10], activation="relu")
            else:
                self.X = self.X.reshape(-1, 1, 8, 8)
                model = nn.Sequential(nn.Conv2d(1, 6, 3, padding="same"), nn.ReLU(),
                                      nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 4 * 4, 10))
            images = name == "digits-cnn"

            def loss_fn(xb, yb):
                inputs = nn.to_image_values(xb) if images else nn.to_values(xb)
                return nn.cross_entropy(model(inputs), yb)
            self.loss_fn, self.torch_layers, self.torch_loss = loss_fn, model, "cross_entropy"
            self.compiled_on, self.params = model, model.parameters()
        elif name == "lstm":
            X, y = nn.make_adding_problem(512, length=12, generator=0)
            self.X, self.y = np.ascontiguousarray(X.transpose(1, 0, 2)), y   # (N, T, 2)
            regressor = LSTMRegressor()
            self.loss_fn, self.torch_layers, self.torch_loss = regressor.loss, \
                regressor.model, "mse"
            self.compiled_on, self.params = regressor.model, regressor.model.parameters()
        else:
            raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")

    def batches(self, seed=0):
        return batch_stream(self.X, self.y, self.batch, seed)


def torch_step(workload, optimizer_name):
    """One PyTorch training step on a fresh batch, as a function."""
    import torch
    torch.set_num_threads(1)
    twin = torch_twin(workload.torch_layers)
    params = list(twin.parameters())
    optimizer = make_torch_optimizer(optimizer_name, params)
    next_batch = workload.batches(seed=1)
    lstm = isinstance(twin[0], torch.nn.LSTM)

    def forward(x):
        if lstm:
            output, _ = twin[0](x)
            return twin[1](output[:, -1])
        return twin(x)

    def step():
        xb, yb = next_batch()
        out = forward(torch.from_numpy(xb))
        loss = torch_loss(workload.torch_loss, out, torch.from_numpy(yb), params)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


# --- our steps -----------------------------------------------------------------------------

def compiled_loop(workload, optimizer_name):
    """(the README's training step as a function, the compiled step)."""
    import autodiff as ad
    step = ad.compile(workload.loss_fn, workload.compiled_on)
    optimizer = make_optimizer(optimizer_name, workload.params)
    next_batch = workload.batches()

    def train_step():
        optimizer.zero_grad()
        step(*next_batch())
        optimizer.step()
    return train_step, step


def vector_loop(workload):
    """The same compiled step with SGD by hand on its flat vectors."""
    import autodiff as ad
    step = ad.compile(workload.loss_fn, workload.compiled_on)
    next_batch = workload.batches()

    def train_step():
        step.zero_grad()
        step(*next_batch())
        vector = step.parameter_vector
        vector -= 0.05 * step.gradient_vector
    return train_step, step


def eager_ms(workload, optimizer_name, repeats):
    """Median ms of an eager training step (zero_grad, backward, optimizer step)."""
    optimizer = make_optimizer(optimizer_name, workload.params)
    next_batch = workload.batches()

    def train_step():
        optimizer.zero_grad()
        workload.loss_fn(*next_batch()).backward()
        optimizer.step()
    train_step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        train_step()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def first_call_ms(workload, rounds=3):
    """The fastest of ``rounds`` first calls of fresh compiles (after a warm-up one)."""
    import autodiff as ad
    next_batch = workload.batches()
    firsts = []
    for _ in range(rounds + 1):
        step = ad.compile(workload.loss_fn, workload.compiled_on)
        start = time.perf_counter()
        step(*next_batch())
        firsts.append((time.perf_counter() - start) * 1e3)
        step.release()
    return min(firsts[1:])


def eager_repeats(name, repeats):
    if name in ("per-example", "digits-cnn"):
        return 3
    if name in ("digits-mlp", "lstm", "moons-10000"):
        return 5
    return max(3, repeats // 20)


def row(workload, optimizer_name, repeats, torch_present, eager=True):
    """{"eager", "compiled", "vector" (SGD), "torch"}: ms per step."""
    result = {}
    loop, step = compiled_loop(workload, optimizer_name)
    functions, names, releases = [loop], ["compiled"], [step]
    if optimizer_name == "SGD":
        vector, vector_step = vector_loop(workload)
        functions.append(vector)
        names.append("vector")
        releases.append(vector_step)
    if torch_present:
        functions.append(torch_step(workload, optimizer_name))
        names.append("torch")
    # the two compiled steps share the parameters: each takes them over again when
    # its block starts (the first call of a block pays that, the median does not)
    for name, ms in zip(names, interleaved_ms(functions, repeats)):
        result[name] = ms
    for owner in releases:
        owner.release()
    if eager:
        result["eager"] = eager_ms(workload, optimizer_name,
                                   eager_repeats(workload.name, repeats))
    return result


# --- fit, the optimizer's share, the first call ----------------------------------------------

def fit_against_loop(rounds=7, epochs=30):
    """(ms per step of nn.fit(compile=True), of the hand loop) on the digits MLP with
    Adam, batch 128. Each run starts from a fresh compile, so the first call (the trace)
    is taken out: per step = (run of 1 + epochs epochs - run of 1 epoch) / the steps of
    ``epochs`` epochs, each run the fastest of ``rounds``."""
    import autodiff as ad
    import nn
    import optim
    X, y = digits()
    nn.manual_seed(0)
    model = nn.MLP([64, 64, 10], activation="relu")
    batch = 128
    steps = epochs * -(-len(X) // batch)

    def fit(count):
        optimizer = optim.Adam(model.parameters(), lr=0.001)
        nn.fit(model, nn.cross_entropy, optimizer, X, y, epochs=count, batch_size=batch,
               generator=0, progress=False, compile=True)

    def loop(count):
        optimizer = optim.Adam(model.parameters(), lr=0.001)
        step = ad.compile(lambda xb, yb: nn.cross_entropy(model(nn.to_values(xb)), yb), model)
        generator = np.random.default_rng(0)
        for _ in range(count):
            order = generator.permutation(len(X))
            for start in range(0, len(X), batch):
                rows = order[start:start + batch]
                optimizer.zero_grad()
                step(X[rows], y[rows])
                optimizer.step()
        step.release()
    runs = {(function, count): [] for function in (fit, loop) for count in (1, 1 + epochs)}
    for _ in range(rounds):
        for function, count in runs:
            start = time.perf_counter()
            function(count)
            runs[function, count].append((time.perf_counter() - start) * 1e3)
    return tuple((min(runs[function, 1 + epochs]) - min(runs[function, 1])) / steps
                 for function in (fit, loop))


def optimizer_share(optimizer_name, repeats=30):
    """(parameters, ms of an eager step, ms of its optimizer.step(), ms of the bare
    passes) on the digits MLP 64-64-10, batch 128: the fastest of ``repeats`` each (load
    only ever adds time, and on a shared machine it adds it unevenly to the two).

    The bare passes (``bare_passes``) are timed on the same Values just after their
    backward, as the optimizer is: on every other step, before that step's optimizer
    (whose time is then not counted)."""
    workload = Workload("digits-mlp")
    optimizer = make_optimizer(optimizer_name, workload.params)
    values = [value for group in optimizer.param_groups for value in group["params"]]
    next_batch = workload.batches()
    totals, steps, bares = [], [], []
    for repeat in range(2 * repeats + 2):
        start = time.perf_counter()
        optimizer.zero_grad()
        workload.loss_fn(*next_batch()).backward()
        if repeat % 2:
            bares.append(bare_passes(values))
            optimizer.step()
            continue
        middle = time.perf_counter()
        optimizer.step()
        end = time.perf_counter()
        totals.append(end - start)
        steps.append(end - middle)
    return (len(workload.params), min(totals[1:]) * 1e3, min(steps[1:]) * 1e3,
            min(bares[1:]) * 1e3)


def bare_passes(values):
    """Seconds to do what any optimizer of Values that hold floats must, and nothing
    else: read every data and every grad into a float64 vector, and give every Value its
    data back as a new float (the values unchanged). No checks, no update rule."""
    start = time.perf_counter()
    count = len(values)
    data, grads = np.empty(count), np.empty(count)
    struct.pack_into(f"{count}d", data.data, 0, *[value.data for value in values])
    struct.pack_into(f"{count}d", grads.data, 0, *[value.grad for value in values])
    for value, number in zip(values, memoryview(data)):
        value.data = number
    return time.perf_counter() - start


# --- printing ------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--only", default=",".join(WORKLOADS),
                        help="comma-separated workloads (default: all)")
    parser.add_argument("--optimizers", default="SGD,Adam",
                        help="optimizers timed on every workload (default: SGD,Adam)")
    parser.add_argument("--all-optimizers", default="moons,digits-mlp",
                        help="workloads timed with every optimizer of optim as well")
    parser.add_argument("--no-eager", action="store_true", help="leave the eager column out")
    parser.add_argument("--skip-checks", action="store_true",
                        help="leave out fit, the optimizer share and the first call")
    args = parser.parse_args()
    torch_present = has_torch()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not torch_present:
        print("torch is not installed: the torch columns are left out")
    header = f"| {'workload':15} | {'optimizer':9} | eager ms | compiled ms | vector ms |"
    if torch_present:
        header += " torch ms | compiled / torch | goal |"
    print(header)
    print("| --- | --- |" + " ---: |" * (header.count("|") - 3))
    everywhere = args.optimizers.split(",")
    extra = [name for name in args.all_optimizers.split(",") if name]
    firsts = {}
    for name in args.only.split(","):
        workload = Workload(name)
        names = list(everywhere) + [o for o in OPTIMIZERS
                                    if name in extra and o not in everywhere]
        for optimizer_name in names:
            times = row(workload, optimizer_name, args.repeats, torch_present,
                        eager=not args.no_eager)
            eager = f"{times['eager']:.3f}" if "eager" in times else "-"
            vector = f"{times['vector']:.3f}" if "vector" in times else "-"
            line = (f"| {name:15} | {optimizer_name:9} | {eager:>8} | "
                    f"{times['compiled']:>11.3f} | {vector:>9} |")
            if torch_present:
                ratio = times["compiled"] / times["torch"]
                mark = "ok" if ratio <= GOALS[name] else "MISSED"
                line += (f" {times['torch']:>8.3f} | {ratio:>16.2f} | "
                         f"<= {GOALS[name]} {mark} |")
            print(line, flush=True)
            if optimizer_name == "SGD" and "eager" in times:
                firsts[name] = times["eager"]
        if name in firsts and not args.skip_checks:
            firsts[name] = (first_call_ms(workload), firsts[name])
    if args.skip_checks:
        return
    fit_ms, loop_ms = fit_against_loop()
    print(f"\nfit(compile=True) against the hand loop (digits MLP 64-64-10, Adam, batch 128): "
          f"{fit_ms:.3f} ms/step against {loop_ms:.3f}: {fit_ms / loop_ms:.2f}x (goal <= 1.2)")
    for optimizer_name in ("SGD", "Adam"):
        count, total, stepping, bare = optimizer_share(optimizer_name)
        print(f"eager digits MLP ({count} parameters), {optimizer_name}: step {total:.2f} ms, "
              f"optimizer.step() {stepping:.3f} ms = {100 * stepping / total:.1f}% (goal < 5%); "
              f"bare passes {bare:.3f} ms = {100 * bare / total:.1f}%")
    print("\nfirst call (trace, tape and that step), in eager steps (SGD):")
    for name, pair in firsts.items():
        if isinstance(pair, tuple):
            first, eager = pair
            print(f"  {name:15} {first:9.1f} ms = {first / eager:.1f} eager steps")


if __name__ == "__main__":
    main()

"""Compiled tapes against the eager engine and PyTorch, in one process.

    python benchmarks/compiled.py [--repeats 200] [--only moons,digits,...]

Every row times one training step on a fresh batch each time (forward + backward +
SGD, x <- x - lr g, the data copied into the step included), median over the repeats;
compiled and torch steps are timed in alternating blocks of 25, so that load on a
shared machine hits both alike:
  eager     chainrule's eager engine (loss.backward(), p.data -= lr * p.grad)
  compiled  the same loss function through autodiff.compile (SGD on the step's flat
            parameter vector)
  torch     PyTorch on the CPU, float64, one thread (torch.set_num_threads(1))
numpy's BLAS is held to one thread as well (OPENBLAS_NUM_THREADS=1 unless set). Prints
compiled / torch against the issue's target, and the compile cost: the first call
(trace + tape + that step; the fastest of five fresh compiles after one warm-up
compile, which pays the process's one-time costs: a one-off cost of a few ms, which
the preemptions of a loaded machine would otherwise dominate) in ms, and the steps it
takes to repay it, (first - compiled) / (eager - compiled). Without torch, the torch
columns are left out.

Workloads:
  moons           MLP 2-16-16-1 (ReLU), batch 100, hinge + L2 (the micrograd demo)
  moons-micrograd the same network written micrograd's way, sum(w * x) + b per neuron
  per-example     the same, one scalar graph per example (100 graphs, as micrograd)
  digits-mlp      MLP 64-32-10 (ReLU), batch 64, cross-entropy
  digits-cnn      benchmarks/cnn_digits.py's CNN (12 channels), batch 64, cross-entropy
  moons-1000, moons-10000   the moons MLP on batches of 1,000 and 10,000 points
"""
import argparse
import gc
import os
import time

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")      # numpy on one core too, as torch (before import)

import numpy as np  # noqa: E402

ALPHA = 1e-4
LR = 0.05
TARGETS = {"moons": 0.35, "moons-micrograd": 0.35, "per-example": 0.4, "digits-mlp": 0.8,
           "digits-cnn": 1.0, "moons-1000": 1.0, "moons-10000": 1.0}


def median_ms(step, repeats):
    """Median wall time of ``step()`` in ms (the first call excluded)."""
    step()
    times = []
    gc.collect()
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def batch_stream(X, y, size, seed=0):
    """An endless supply of fresh random batches (index arrays drawn in advance)."""
    generator = np.random.default_rng(seed)
    orders = [generator.choice(len(X), size, replace=len(X) < size) for _ in range(64)]
    state = {"k": 0}

    def next_batch():
        rows = orders[state["k"] % len(orders)]
        state["k"] += 1
        return X[rows], y[rows]
    return next_batch


def moons(size):
    import nn
    points = max(size, 100)
    X, y = nn.make_moons(points, noise=0.1, generator=0)
    return X, np.where(y > 0, 1.0, -1.0)


def digits():
    import nn
    X, y = nn.load_digits()
    return X, y


# --- chainrule: models and loss functions ----------------------------------------------

def moons_model():
    import nn
    nn.manual_seed(0)
    return nn.MLP([2, 16, 16, 1], activation="relu")


def hinge_loss(model):
    import autodiff as ad
    import nn

    def loss_fn(xb, yb):
        score = model(nn.to_values(xb))[0]
        return ad.batch_mean(ad.relu(1.0 - yb * score)) + nn.l2_penalty(model, 2 * ALPHA)
    return loss_fn


class MicrogradNet:
    """micrograd's MLP as micrograd writes it: each neuron sum(w * x) + b on Values."""

    def __init__(self, weights):
        import autodiff as ad
        self.layers = [[([ad.Value(float(w)) for w in row], ad.Value(float(b)))
                        for row, b in zip(W, B)] for W, B in weights]

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in w + [b]]

    def __call__(self, x):
        for index, layer in enumerate(self.layers):
            x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            if index < len(self.layers) - 1:
                x = [v.relu() for v in x]
        return x[0]


def micrograd_loss(net, per_example):
    import autodiff as ad
    import nn
    params = net.parameters()

    def loss_fn(xb, yb):
        penalty = ALPHA * sum((p * p for p in params), ad.Value(0.0))
        if per_example:
            losses = [(1.0 - yi * net([ad.Value(a), ad.Value(b)])).relu()
                      for (a, b), yi in zip(xb, yb)]
            return ad.sum(losses) * (1.0 / len(losses)) + penalty
        return ad.batch_mean((1.0 - yb * net(nn.to_values(xb))).relu()) + penalty
    return loss_fn


def cross_entropy_loss(model, images=False):
    import nn

    def loss_fn(xb, yb):
        inputs = nn.to_image_values(xb) if images else nn.to_values(xb)
        return nn.cross_entropy(model(inputs), yb)
    return loss_fn


def digits_mlp():
    import nn
    nn.manual_seed(0)
    return nn.MLP([64, 32, 10], activation="relu")


def digits_cnn():
    import nn
    nn.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 12, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(12 * 4 * 4, 10))


# --- timing each engine -----------------------------------------------------------------

def eager_step(loss_fn, params, next_batch):
    def step():
        for p in params:
            p.grad = 0.0
        loss_fn(*next_batch()).backward()
        for p in params:
            p.data -= LR * p.grad
    return step


def compiled_step(loss_fn, params, next_batch):
    """(the replayed training step, ms of the first call: trace, tape and that step)."""
    import autodiff as ad
    firsts = []
    for _ in range(6):                 # the fastest of five fresh compiles after a warm-up
        step = ad.compile(loss_fn, params)
        start = time.perf_counter()
        step(*next_batch())
        firsts.append((time.perf_counter() - start) * 1e3)
        step.release()
    firsts = firsts[1:]
    step = ad.compile(loss_fn, params)

    def replay():
        step.zero_grad()
        step(*next_batch())
        vector = step.parameter_vector
        vector -= LR * step.gradient_vector
    return replay, float(np.min(firsts)), step


def interleaved_ms(steps, repeats, block=25):
    """Median ms of each step function, run in alternating blocks of ``block`` calls
    (warm within a block, as in a training loop), so that a burst of load on the shared
    machine hits every function alike."""
    for step in steps:
        step()
    gc.collect()
    times = [[] for _ in steps]
    for _ in range(max(1, repeats // block)):
        for step, record in zip(steps, times):
            for _ in range(block):
                start = time.perf_counter()
                step()
                record.append(time.perf_counter() - start)
    return [float(np.median(record)) * 1e3 for record in times]


def torch_twin(model):
    """torch.nn twin of one of our Sequential models (same weights via the state dict)."""
    import torch
    import nn
    layers = []
    for module in model:
        if isinstance(module, nn.Linear):
            layers.append(torch.nn.Linear(module.in_features, module.out_features))
        elif isinstance(module, nn.Conv2d):
            layers.append(torch.nn.Conv2d(module.in_channels, module.out_channels,
                                          module.kernel_size, padding=module.padding))
        elif isinstance(module, nn.ReLU):
            layers.append(torch.nn.ReLU())
        elif isinstance(module, nn.MaxPool2d):
            layers.append(torch.nn.MaxPool2d(module.kernel_size))
        elif isinstance(module, nn.Flatten):
            layers.append(torch.nn.Flatten())
        elif isinstance(module, nn.LSTM):
            layers.append(torch.nn.LSTM(module.input_size, module.hidden_size,
                                        batch_first=True))
        else:
            raise TypeError(f"no torch twin for {module!r}")
    twin = torch.nn.Sequential(*layers).double()
    twin.load_state_dict({name: torch.tensor(np.asarray(array))
                          for name, array in model.state_dict().items()})
    return twin


def torch_loss(loss_name, out, target, params):
    """The torch loss of a batch: "hinge" mean(relu(1 - y * score)) + ALPHA * sum(p^2),
    "mse" mean((score - y)^2), otherwise the cross-entropy of the logits."""
    import torch
    if loss_name == "hinge":
        return torch.relu(1 - target * out[:, 0]).mean() + \
            ALPHA * sum((p * p).sum() for p in params)
    if loss_name == "mse":
        return torch.nn.functional.mse_loss(out[:, 0], target)
    return torch.nn.functional.cross_entropy(out, target)


def torch_step(model, loss_name, next_batch, reshape=None):
    import torch
    torch.set_num_threads(1)
    twin = torch_twin(model)
    params = list(twin.parameters())

    def step():
        xb, yb = next_batch()
        x = torch.from_numpy(xb if reshape is None else xb.reshape(reshape))
        out = twin(x)
        loss = torch_loss(loss_name, out, torch.from_numpy(yb), params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
    return step


def has_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def run(name, repeats):
    """{"eager": ms, "compiled": ms, "first": ms, "torch": ms} for one workload."""
    import nn
    row = {}
    eager_repeats = max(3, repeats // 20)
    if name in ("moons", "moons-1000", "moons-10000"):
        size = {"moons": 100, "moons-1000": 1000, "moons-10000": 10000}[name]
        X, y = moons(size)
        model = moons_model()
        loss_fn, params = hinge_loss(model), model.parameters()
        torch_args = (model, "hinge", None)
        eager_repeats = max(3, repeats // (20 * max(1, size // 100)))
    elif name in ("moons-micrograd", "per-example"):
        size = 100
        X, y = moons(size)
        model = moons_model()
        weights = [(np.asarray(layer.weight.data), np.asarray(layer.bias.data))
                   for layer in model if isinstance(layer, nn.Linear)]
        net = MicrogradNet(weights)
        loss_fn, params = micrograd_loss(net, name == "per-example"), net.parameters()
        torch_args = (model, "hinge", None)
        if name == "per-example":
            eager_repeats = 3
    elif name == "digits-mlp":
        size = 64
        X, y = digits()
        model = digits_mlp()
        loss_fn, params = cross_entropy_loss(model), model.parameters()
        torch_args = (model, "cross_entropy", None)
    elif name == "digits-cnn":
        size = 64
        X, y = digits()
        X = X.reshape(-1, 1, 8, 8)
        model = digits_cnn()
        loss_fn, params = cross_entropy_loss(model, images=True), model.parameters()
        torch_args = (model, "cross_entropy", None)
        eager_repeats = 3
    else:
        raise ValueError(f"unknown workload {name!r}")
    compiled, row["first"], step = compiled_step(loss_fn, params, batch_stream(X, y, size))
    steps = [compiled]
    if has_torch():
        steps.append(torch_step(*torch_args[:2], batch_stream(X, y, size, seed=1),
                                torch_args[2]))
    timings = interleaved_ms(steps, repeats)
    row["compiled"] = timings[0]
    if has_torch():
        row["torch"] = timings[1]
    step.release()
    row["eager"] = median_ms(eager_step(loss_fn, params, batch_stream(X, y, size)),
                             eager_repeats)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--only", default=",".join(TARGETS),
                        help="comma-separated workloads (default: all)")
    args = parser.parse_args()
    torch_present = has_torch()
    if not torch_present:
        print("torch is not installed: the torch columns are left out")
    header = f"{'workload':17}{'eager ms':>10}{'compiled':>10}{'first':>9}{'repaid':>8}"
    if torch_present:
        header += f"{'torch':>9}{'comp/torch':>12}{'target':>8}"
    print(header)
    for name in args.only.split(","):
        row = run(name, args.repeats)
        repaid = (row["first"] - row["compiled"]) / max(row["eager"] - row["compiled"], 1e-9)
        line = (f"{name:17}{row['eager']:>10.3f}{row['compiled']:>10.3f}{row['first']:>9.1f}"
                f"{repaid:>8.1f}")
        if torch_present:
            ratio = row["compiled"] / row["torch"]
            mark = "ok" if ratio <= TARGETS[name] else "MISSED"
            line += f"{row['torch']:>9.3f}{ratio:>12.2f}{'<= ' + str(TARGETS[name]):>8} {mark}"
        print(line, flush=True)


if __name__ == "__main__":
    main()

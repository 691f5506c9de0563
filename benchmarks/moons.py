"""The micrograd demo workload, timed in five ways in one run.

    python benchmarks/moons.py [--steps 30] [--torch-steps 200]

MLP 2-16-16-1 (ReLU), 100 moons points, max-margin (hinge) loss + L2 (alpha 1e-4), SGD
with the demo's decaying learning rate 1 - 0.9 k / 100. Every engine starts from the
same weights (micrograd's initialisation, copied). Rows:
  (a) micrograd from PyPI as published (CPython's default garbage-collector settings)
  (b) micrograd with the garbage collector off
  (c) chainrule, one example at a time (a scalar graph per example, as micrograd)
  (d) chainrule with batched Values (one graph, one array per scalar)
  (e) PyTorch on the CPU, one thread, float64
Prints the median ms per training step (forward + backward + update, freeing the graph
included), the final accuracy, and the ratios the targets speak of: (c) vs (a) and (b),
(d) vs (e).
"""
import argparse
import gc
import random
import time

import numpy as np

ALPHA = 1e-4
CPYTHON_GC_DEFAULT = (700, 10, 10)


def moons_data(seed=0):
    import nn
    X, y = nn.make_moons(100, noise=0.1, generator=seed)
    return X, np.where(y > 0, 1.0, -1.0)


def micrograd_weights(seed=1337):
    """micrograd's own MLP(2, [16, 16, 1]) initialisation, as arrays (out x in)."""
    from micrograd.nn import MLP
    random.seed(seed)
    model = MLP(2, [16, 16, 1])
    return model, [(np.array([[w.data for w in n.w] for n in layer.neurons]),
                    np.array([n.b.data for n in layer.neurons])) for layer in model.layers]


def learning_rate(k):
    return 1.0 - 0.9 * k / 100


def run_micrograd(model, X, y, steps, gc_off):
    from micrograd.engine import Value
    params = model.parameters()

    def step(k):
        scores = [model([Value(a), Value(b)]) for a, b in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in params)
        model.zero_grad()
        loss.backward()
        for p in params:
            p.data -= learning_rate(k) * p.grad
        return np.mean([(yi > 0) == (si.data > 0) for yi, si in zip(y, scores)])
    return timed(step, steps, gc_off, CPYTHON_GC_DEFAULT)


def chainrule_model(weights):
    import nn
    model = nn.MLP([2, 16, 16, 1], activation="relu")
    model.load_state_dict({f"{2 * i}.{name}": array for i, (w, b) in enumerate(weights)
                           for name, array in (("weight", w), ("bias", b))})
    return model


def run_chainrule(weights, X, y, steps, batched):
    import autodiff as ad
    import nn
    model = chainrule_model(weights)
    params = model.parameters()

    def regularisation():            # ALPHA * sum(p * p), as the demo
        return nn.l2_penalty(model, weight_decay=2 * ALPHA)

    def step(k):
        if batched:
            score = model(nn.to_values(X))[0]
            loss = ad.batch_mean(ad.relu(1.0 - y * score)) + regularisation()
            correct = (score.data > 0) == (y > 0)
        else:
            scores = [model([ad.Value(a), ad.Value(b)])[0] for a, b in X]
            losses = [ad.relu(1.0 - yi * si) for yi, si in zip(y, scores)]
            loss = ad.sum(losses) / len(losses) + regularisation()
            correct = [(s.data > 0) == (yi > 0) for s, yi in zip(scores, y)]
        model.zero_grad()
        loss.backward()
        rate = learning_rate(k)
        for p in params:
            p.data -= rate * p.grad
        return np.mean(correct)
    return timed(step, steps)


def run_torch(weights, X, y, steps):
    import torch
    torch.set_num_threads(1)
    layers = []
    for i, (w, b) in enumerate(weights):
        linear = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(w))
            linear.bias.copy_(torch.tensor(b))
        layers += [linear] + ([torch.nn.ReLU()] if i < len(weights) - 1 else [])
    model = torch.nn.Sequential(*layers)
    params = list(model.parameters())
    tx, ty = torch.tensor(X), torch.tensor(y)

    def step(k):
        score = model(tx)[:, 0]
        loss = torch.relu(1 - ty * score).mean() + ALPHA * sum((p * p).sum() for p in params)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= learning_rate(k) * p.grad
        return float(((score > 0) == (ty > 0)).double().mean())
    return timed(step, steps)


def timed(step, steps, gc_off=False, thresholds=None):
    """Run ``steps`` training steps; (median ms per step, final accuracy). The median
    keeps a step slowed by another process on this shared machine from counting."""
    saved = gc.get_threshold()
    gc.collect()
    if thresholds:
        gc.set_threshold(*thresholds)
    if gc_off:
        gc.disable()
    times = []
    try:
        for k in range(steps):
            start = time.perf_counter()
            accuracy = step(k)
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
        gc.set_threshold(*saved)
    return float(np.median(times)) * 1e3, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30,
                        help="training steps for micrograd and per-example chainrule")
    parser.add_argument("--torch-steps", type=int, default=100,
                        help="training steps for batched chainrule and torch")
    args = parser.parse_args()
    X, y = moons_data()
    rows = {}
    try:
        model_a, weights = micrograd_weights()
        rows["(a) micrograd"] = run_micrograd(model_a, X, y, args.steps, gc_off=False)
        model_b, _ = micrograd_weights()
        rows["(b) micrograd, gc off"] = run_micrograd(model_b, X, y, args.steps, gc_off=True)
    except ImportError:
        print("micrograd is not installed (pip install -e '.[bench]'): rows (a), (b) skipped")
        rng = np.random.default_rng(1337)
        weights = [(rng.uniform(-1, 1, (o, i)), np.zeros(o)) for i, o in ((2, 16), (16, 16), (16, 1))]
    rows["(c) chainrule, per example"] = run_chainrule(weights, X, y, args.steps, batched=False)
    rows["(d) chainrule, batched"] = run_chainrule(weights, X, y, args.torch_steps, batched=True)
    try:
        rows["(e) torch, 1 thread"] = run_torch(weights, X, y, args.torch_steps)
    except ImportError:
        print("torch is not installed: row (e) skipped")

    print(f"moons MLP 2-16-16-1, 100 points, hinge + L2, SGD; (a)-(c): {args.steps} steps, "
          f"(d)-(e): {args.torch_steps} steps")
    print(f"{'':30}{'ms/step':>10}{'accuracy':>10}")
    for name, (ms, accuracy) in rows.items():
        print(f"{name:30}{ms:>10.2f}{accuracy:>10.2f}")
    ms = {name[:3]: value[0] for name, value in rows.items()}
    if "(a)" in ms:
        print(f"(c) is {ms['(a)'] / ms['(c)']:.1f}x faster than (a)   [target >= 20x]")
        print(f"(c) is {ms['(b)'] / ms['(c)']:.1f}x faster than (b)   [target >= 2.5x]")
    if "(e)" in ms:
        print(f"(d) takes {ms['(d)'] / ms['(e)']:.1f}x the time of (e)   [target <= 3x]")


if __name__ == "__main__":
    main()

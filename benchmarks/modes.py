"""Forward vs reverse mode: the time of a full Jacobian, and where each one wins.

    python benchmarks/modes.py [--sizes 1 10 100 1000] [--repeat 3]

Two functions with a chain of shared work, so that every pass costs the whole graph:
  R^n -> R:  s_0 = 0, s_i = tanh(s_{i-1} + x_i) * 0.9, f = s_n      (one output)
  R -> R^n:  h_0 = x, h_i = tanh(0.9 h_{i-1} + 0.1), f = (h_1, ..., h_n)  (n outputs)
Reverse mode makes one backward pass per output, forward mode one tangent pass per
input (autodiff.jacobian(f, xs, mode=...)): for R^n -> R reverse needs 1 pass and
forward n; for R -> R^n the other way round. Prints the best time of each and the
ratio forward / reverse.
"""
import argparse
import time

import autodiff as ad


def many_to_one(v):
    s = ad.Value(0.0)
    for x in v:
        s = ad.tanh(s + x) * 0.9
    return s


def one_to_many(n):
    def f(v):
        h, outputs = v[0], []
        for _ in range(n):
            h = ad.tanh(0.9 * h + 0.1)
            outputs.append(h)
        return outputs
    return f


def best_time(function, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'':>6} | {'R^n -> R (ms)':^30} | {'R -> R^n (ms)':^30}")
    print(f"{'n':>6} | {'forward':>9} {'reverse':>9} {'fwd/rev':>9} | "
          f"{'forward':>9} {'reverse':>9} {'fwd/rev':>9}")
    crossover = {}
    for n in args.sizes:
        xs = [0.01 * (i % 7) for i in range(n)]
        row = []
        for function, point in ((many_to_one, xs), (one_to_many(n), [0.3])):
            times = [best_time(lambda: ad.jacobian(function, point, mode=mode), args.repeat)
                     for mode in ("forward", "reverse")]
            row.append((times[0], times[1], times[0] / times[1]))
        print(f"{n:>6} | " + " | ".join(f"{f:9.2f} {r:9.2f} {ratio:9.2f}" for f, r, ratio in row))
        for name, (_, _, ratio) in zip(("R^n -> R", "R -> R^n"), row):
            crossover.setdefault(name, []).append((n, ratio))
    for name, ratios in crossover.items():
        winner = ["forward" if ratio < 1 else "reverse" for _, ratio in ratios]
        print(f"{name}: faster mode by n: " + ", ".join(f"n={n}: {w}" for (n, _), w in
                                                           zip(ratios, winner)))


if __name__ == "__main__":
    main()

"""The HTML player's cost against the graph's size: it should grow linearly.

    python benchmarks/player.py [--sizes 150 300 600 1200 2000] [--repeat 1]
                                [--renderer dot|graphviz-pure]

A chain of neurons h_i = tanh(w_i h_(i-1) + b_i) * 0.5 (seven nodes a link: the leaves
w_i and b_i, the constant 0.5, four operations) grown to about each size; for each,
``viz.animate(h, max_frames=None, max_nodes=None, mode=...).html()`` timed for backward
(mode="reverse") and forward mode, from a fresh stepper each time (the steps, every
frame's changes, the layout and the rendering by Graphviz). Prints seconds and
microseconds per node, then the same without the rendering (``.html()`` with Graphviz
replaced by a stub: the player's own Python), and the ratio of the largest to the
smallest time per node of each (1 for a linear cost; a quadratic one doubles it with
each doubling of the graph). The fastest of ``--repeat`` runs is kept.
"""
import argparse
import time

import autodiff as ad
import viz
import viz.step_through.player

NODES_PER_LINK = 7


def chain(nodes):
    """A chain of about ``nodes`` nodes (see the module docstring) and its node count."""
    h = ad.Value(0.3, label="x")
    for i in range((nodes - 1) // NODES_PER_LINK):
        w, b = ad.Value(0.9, label=f"w{i}"), ad.Value(0.1, label=f"b{i}")
        h = ad.tanh(w * h + b) * 0.5
    return h, len(ad.topological_order(h))


def _no_rendering(stepper, source):
    return "<svg></svg>"


def seconds(output, mode, renderer, repeat, render=True):
    """The fastest of ``repeat`` builds of the player's HTML (a fresh stepper each
    time); ``render=False``: with the Graphviz call replaced by a stub."""
    best = float("inf")
    rendering = viz.step_through.player.stepper_svg
    if not render:
        viz.step_through.player.stepper_svg = _no_rendering
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            viz.animate(output, max_frames=None, max_nodes=None, mode=mode,
                        renderer=renderer).html()
            best = min(best, time.perf_counter() - start)
    finally:
        viz.step_through.player.stepper_svg = rendering
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 300, 600, 1200, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--renderer", default=None, help="dot or graphviz-pure (default: "
                        "the first installed)")
    args = parser.parse_args()
    header = f"{'s':>6} {'µs/node':>8} {'no-render s':>11} {'µs/node':>8}"
    print(f"{'':>6} | {'backward (mode=reverse)':^36} | {'forward (mode=forward)':^36}")
    print(f"{'nodes':>6} | {header} | {header}")
    per_node = {mode: {"all": [], "python": []} for mode in ("reverse", "forward")}
    for size in args.sizes:
        output, count = chain(size)
        row = []
        for mode in ("reverse", "forward"):
            taken = seconds(output, mode, args.renderer, args.repeat)
            python = seconds(output, mode, args.renderer, args.repeat, render=False)
            per_node[mode]["all"].append(taken / count * 1e6)
            per_node[mode]["python"].append(python / count * 1e6)
            row.append(f"{taken:>6.2f} {taken / count * 1e6:>8.0f} {python:>11.2f} "
                       f"{python / count * 1e6:>8.0f}")
        print(f"{count:>6} | {row[0]} | {row[1]}", flush=True)
    for mode, times in per_node.items():
        ratios = {part: max(values) / min(values) for part, values in times.items()}
        print(f"{'backward' if mode == 'reverse' else 'forward'}: largest / smallest time per "
              f"node = {ratios['all']:.2f} in all, {ratios['python']:.2f} without the "
              "rendering (1 = linear)")


if __name__ == "__main__":
    main()

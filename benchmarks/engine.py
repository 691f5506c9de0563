"""Engine speed and memory: forward + backward of a random graph, in ns and bytes per node.

    python benchmarks/engine.py [--nodes 200000] [--repeat 3]

Builds the same random graph (add, mul, sub, relu over recent nodes; the ops micrograd has) with chainrule and,
if installed, with micrograd (as published, and with Python's garbage collector off),
and prints ns/node for forward + backward, bytes/node retained (tracemalloc) and ratios.
"""
import argparse
import gc
import math
import random
import sys
import threading
import time
import tracemalloc

OPS = ("add", "mul", "sub", "relu")


def random_program(nodes, leaves=100, window=50, seed=0):
    """A list of (op, i, j) over earlier node indices whose values stay in [-10, 10]."""
    rng = random.Random(seed)
    values = [rng.uniform(-1, 1) for _ in range(leaves)]
    program = []
    while len(values) < leaves + nodes:
        op = rng.choice(OPS)
        low = max(0, len(values) - window)
        i, j = rng.randrange(low, len(values)), rng.randrange(low, len(values))
        a, b = values[i], values[j]
        result = {"add": a + b, "mul": a * b, "sub": a - b, "relu": max(a, 0.0)}[op]
        if abs(result) > 10:
            op, result = "half", a * 0.5
        program.append((op, i, j))
        values.append(result)
    return values[:leaves], program


def build(value_class, leaf_data, program):
    nodes = [value_class(x) for x in leaf_data]
    append = nodes.append
    for op, i, j in program:
        a = nodes[i]
        if op == "add":
            append(a + nodes[j])
        elif op == "mul":
            append(a * nodes[j])
        elif op == "sub":
            append(a - nodes[j])
        elif op == "half":
            append(a * 0.5)
        else:
            append(a.relu())
    return nodes


def run_once(value_class, leaf_data, program):
    start = time.perf_counter()
    nodes = build(value_class, leaf_data, program)
    nodes[-1].backward()
    elapsed = time.perf_counter() - start
    del nodes
    return elapsed


def time_engine(value_class, leaf_data, program, repeat, gc_off=False, thresholds=None):
    """Best time of ``repeat`` runs, in ns per node; ``thresholds`` sets the collector's
    thresholds for the run (micrograd runs with CPython's defaults, as published)."""
    best = math.inf
    saved = gc.get_threshold()
    for _ in range(repeat):
        gc.collect()
        if thresholds:
            gc.set_threshold(*thresholds)
        if gc_off:
            gc.disable()
        try:
            best = min(best, run_once(value_class, leaf_data, program))
        finally:
            gc.enable()
            gc.set_threshold(*saved)
    return best * 1e9 / (len(leaf_data) + len(program))


def bytes_per_node(value_class, leaf_data, program):
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    nodes = build(value_class, leaf_data, program)
    nodes[-1].backward()
    list_bytes = sys.getsizeof(nodes)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del nodes
    return (after - before - list_bytes) / (len(leaf_data) + len(program))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.setrecursionlimit(10_000_000)      # micrograd's topological sort is recursive
    threading.stack_size(1 << 29)
    leaf_data, program = random_program(args.nodes)

    from autodiff import Value
    rows = [("chainrule", Value, False), ("chainrule, gc off", Value, True)]
    cpython_default = (700, 10, 10)
    try:
        from micrograd.engine import Value as MicrogradValue
        rows += [("micrograd", MicrogradValue, False), ("micrograd, gc off", MicrogradValue, True)]
    except ImportError:
        print("micrograd not installed (pip install micrograd): chainrule only")

    results = {}

    def measure():
        for name, cls, gc_off in rows:
            thresholds = cpython_default if name.startswith("micrograd") else None
            ns = time_engine(cls, leaf_data, program, args.repeat, gc_off, thresholds)
            memory = bytes_per_node(cls, leaf_data, program) if not gc_off else None
            results[name] = (ns, memory)

    worker = threading.Thread(target=measure)
    worker.start()
    worker.join()

    ours = results["chainrule"][0]
    print(f"random graph: {args.nodes} nodes + 100 leaves, forward + backward, best of {args.repeat}")
    print(f"{'engine':<20}{'ns/node':>10}{'bytes/node':>12}{'x chainrule time':>18}")
    for name, (ns, memory) in results.items():
        mem = f"{memory:.0f}" if memory is not None else "-"
        print(f"{name:<20}{ns:>10.0f}{mem:>12}{ns / ours:>18.2f}")
    print("targets: chainrule < 1000 ns/node and < 250 bytes/node; micrograd runs with "
          "CPython's default collector thresholds (chainrule raises the first one on import, "
          "see autodiff/_collector.py)")


if __name__ == "__main__":
    main()

"""What importing autodiff does to Python's garbage collector, and why.

Graphs built by the engine hold no reference cycles (no closure captures its output
node), so reference counting frees a graph the moment its last output is dropped.
CPython's cyclic collector cannot know that: at its default threshold (a young-generation
pass every 700 container allocations) it keeps re-scanning a graph while it is being
built, and promoting its nodes into older generations that are then scanned again.
On a 200,000-node graph that was ~40% of forward + backward time (benchmarks/engine.py).

So on import, if the first threshold is still CPython's default (700), autodiff raises
it to ``YOUNG_THRESHOLD`` (the other two thresholds are left alone). Cycles elsewhere in
the program are still collected, in larger batches. A program that set its own
threshold is left as it is; ``restore_gc_threshold()`` puts back what was there before.
"""
import gc

DEFAULT_YOUNG_THRESHOLD = 700
YOUNG_THRESHOLD = 500_000
_before = None


def raise_gc_threshold() -> bool:
    """Raise the young-generation threshold to YOUNG_THRESHOLD if it is at the default.
    Returns True when it changed something."""
    global _before
    thresholds = gc.get_threshold()
    if thresholds[0] != DEFAULT_YOUNG_THRESHOLD:
        return False
    _before = thresholds
    gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])
    return True


def restore_gc_threshold() -> None:
    """Put back the collector thresholds that were in force before autodiff changed them."""
    global _before
    if _before is not None:
        gc.set_threshold(*_before)
        _before = None

"""Sequence tasks for recurrent networks (re-exported by ``nn.data``): the adding problem
and the copy task (long-range memory), sine prediction, and a^n b^n next-symbol
prediction (counting, for the stack RNN).

Inputs are numpy arrays in torch's time-major layout (T, N, features): pass them to a
recurrent layer directly or through ``nn.to_sequence``. ``seed``: an int, a numpy
Generator, or None (the default generator, ``nn.manual_seed``).
"""
import math
import numbers
from collections import namedtuple

import numpy as np

from .rng import as_generator

ANBN_SYMBOLS = ("a", "b", "$")
AnBn = namedtuple("AnBn", ["X", "y", "mask", "deterministic", "n"])
AnBn.__doc__ = """a^n b^n strings for next-symbol prediction (``make_anbn``): X (T, N, 3)
one-hot inputs, y (T, N) the next symbol's index, mask (T, N) True where the string has
a next symbol to predict (2n positions), deterministic (T, N) True where that symbol is
determined by the prefix (the n positions from the first b on), n (N,) the n of each
string."""


def _positive_int(value, name, owner, minimum=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        shown = repr(value) if isinstance(value, bool) or not isinstance(
            value, numbers.Integral) else int(value)
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {shown}")
    return int(value)


def make_adding_problem(n_samples=100, length=20, seed=None):
    """The adding problem (Hochreiter & Schmidhuber 1997): X (length, N, 2), channel 0
    values from U(0, 1), channel 1 a marker that is 1 at exactly two steps (one in each
    half of the sequence) and 0 elsewhere; y (N,) the sum of the two marked values.
    Predicting the mean, 1, scores MSE = Var = 2/12 = 1/6: anything lower has learnt to
    find and add the marked values across the gap between them."""
    n_samples = _positive_int(n_samples, "n_samples", "make_adding_problem")
    length = _positive_int(length, "length", "make_adding_problem", minimum=2)
    generator = as_generator(seed, "make_adding_problem")
    values = generator.uniform(0.0, 1.0, size=(length, n_samples))
    half = length // 2
    first = generator.integers(0, half, size=n_samples)
    second = generator.integers(half, length, size=n_samples)
    markers = np.zeros((length, n_samples))
    examples = np.arange(n_samples)
    markers[first, examples] = markers[second, examples] = 1.0
    y = values[first, examples] + values[second, examples]
    return np.stack([values, markers], axis=2), y


def make_copy_task(n_samples=100, length=5, delay=10, n_symbols=8, seed=None):
    """The copy task: remember ``length`` random symbols over ``delay`` blank steps, then
    reproduce them. Classes: 0 blank, 1..n_symbols the symbols, n_symbols + 1 the
    delimiter. Inputs (T = 2 length + delay steps): the symbols, delay - 1 blanks, the
    delimiter ("now copy"), length blanks. Targets: blank for the first length + delay
    steps, then the symbols in order. X (T, N, n_symbols + 2) one-hot, y (T, N) int.
    Without memory the best guess at a copy step scores cross-entropy log(n_symbols)."""
    n_samples = _positive_int(n_samples, "n_samples", "make_copy_task")
    length = _positive_int(length, "length", "make_copy_task")
    delay = _positive_int(delay, "delay", "make_copy_task")
    n_symbols = _positive_int(n_symbols, "n_symbols", "make_copy_task")
    generator = as_generator(seed, "make_copy_task")
    symbols = generator.integers(1, n_symbols + 1, size=(length, n_samples))
    steps = 2 * length + delay
    inputs = np.zeros((steps, n_samples), dtype=np.int64)
    inputs[:length] = symbols
    inputs[length + delay - 1] = n_symbols + 1
    y = np.zeros((steps, n_samples), dtype=np.int64)
    y[length + delay:] = symbols
    return np.eye(n_symbols + 2)[inputs], y


def make_sine_sequences(n_samples=100, length=20, frequencies=(0.2, 0.6), noise=0.0,
                        seed=None):
    """Next-value prediction on sine waves: sequence k is sin(w_k t + phi_k), t = 0..length,
    with w_k from U(frequencies) (radians per step) and phi_k from U(0, 2 pi), plus
    N(0, noise^2). X (length, N, 1) the values at t = 0..length-1, y (length, N, 1) the
    next values (t = 1..length). The frequency must be inferred from the past; the
    "repeat the last value" baseline scores 2 E[1 - cos w] / 2 ~ w^2 / 2."""
    n_samples = _positive_int(n_samples, "n_samples", "make_sine_sequences")
    length = _positive_int(length, "length", "make_sine_sequences")
    low, high = frequencies
    if not 0 < low <= high:
        raise ValueError(f"make_sine_sequences: frequencies must be (low, high) with "
                         f"0 < low <= high, got {frequencies!r}")
    if not isinstance(noise, numbers.Real) or noise < 0:
        raise ValueError(f"make_sine_sequences: noise must be >= 0, got {noise!r}")
    generator = as_generator(seed, "make_sine_sequences")
    omega = generator.uniform(low, high, size=n_samples)
    phase = generator.uniform(0.0, 2 * math.pi, size=n_samples)
    waves = np.sin(np.arange(length + 1)[:, None] * omega + phase)
    if noise:
        waves = waves + generator.normal(0.0, noise, size=waves.shape)
    return waves[:-1, :, None], waves[1:, :, None]


def make_anbn(n_values, length=None):
    """One string a^n b^n per n in ``n_values``, for next-symbol prediction (Joulin &
    Mikolov's counting task). Symbols: 0 'a', 1 'b', 2 '$' (end, and padding after it).
    Step t reads symbol t and predicts symbol t + 1: after an 'a' either symbol may
    come, but from the first 'b' on the continuation is determined: n - 1 more 'b's,
    then '$'. All strings are padded with '$' to ``length`` steps (default 2 max(n)).
    Returns ``AnBn(X, y, mask, deterministic, n)`` (see AnBn)."""
    ns = np.array([_positive_int(n, "n", "make_anbn") for n in np.ravel(n_values)],
                  dtype=np.int64)
    if ns.size == 0:
        raise ValueError("make_anbn: n_values is empty")
    steps = 2 * int(ns.max()) if length is None else int(length)
    if steps < 2 * ns.max():
        raise ValueError(f"make_anbn: length {length} is shorter than the longest string "
                         f"(2 * {ns.max()} symbols)")
    t = np.arange(steps + 1)[:, None]
    symbols = np.where(t < ns, 0, np.where(t < 2 * ns, 1, 2))
    positions = np.arange(steps)[:, None]
    mask = positions < 2 * ns
    deterministic = mask & (positions >= ns)
    return AnBn(np.eye(3)[symbols[:-1]], symbols[1:], mask, deterministic, ns)


def anbn_accuracy(logits, task):
    """How well next-symbol scores ``logits`` (T, N, 3) predict ``task`` (an AnBn):
    (the fraction of strings whose every deterministic symbol is the argmax, the
    fraction of deterministic symbols that are). Strings count as right only if the
    network both counts the b's and ends on '$' at the right step."""
    predicted = np.asarray(logits).argmax(axis=2)
    right = (predicted == task.y) | ~task.deterministic
    symbols = (predicted == task.y)[task.deterministic]
    return float(np.mean(right.all(axis=0))), float(np.mean(symbols))

"""Data sets and batching: small synthetic 2-D problems, the 8x8 digits, splits, an
iterator of batches as batched Values, and sequence tasks for recurrent networks.

Every 2-D data set returns ``(X, y)``: X float64 of shape (n_samples, features), y
int64 class labels. Sequence tasks return numpy arrays in torch's time-major layout
(T, N, features): pass them to a recurrent layer directly or through
``nn.to_sequence``. Randomness comes from ``generator`` (an int seed, a numpy
Generator, or None for the default generator, ``nn.manual_seed``); ``seed`` is its
deprecated name.
"""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Iterator, Sequence

import numpy as np

from autodiff.checks import check_number

from ._types import Array, ArrayLike, Generator, Vector
from .init import as_generator, renamed_seed
from .values import to_values


def _check_samples(n_samples, name, minimum=2):
    return check_number(name, "n_samples", n_samples, integer=True, minimum=minimum)


def _check_noise(noise, name):
    return check_number(name, "noise", noise, minimum=0.0)


def _finish(X, y, noise, generator, shuffle):
    """Add N(0, noise^2) to every coordinate and shuffle the examples."""
    if noise > 0:
        X = X + generator.normal(0.0, noise, size=X.shape)
    if shuffle:
        order = generator.permutation(len(y))
        X, y = X[order], y[order]
    return X.astype(np.float64), y.astype(np.int64)


def _split_counts(n_samples, parts):
    """n_samples divided into ``parts`` counts that differ by at most one."""
    return [n_samples // parts + (1 if k < n_samples % parts else 0) for k in range(parts)]


def make_moons(n_samples: int = 100, noise: float = 0.0, shuffle: bool = True,
               generator: Generator = None, *, seed: Generator = None) -> tuple[Array, Array]:
    """Two interleaving half circles: class 0 on (cos t, sin t), class 1 on
    (1 - cos t, 1/2 - sin t), t in [0, pi]; plus N(0, noise^2) on each coordinate."""
    n_samples = _check_samples(n_samples, "make_moons")
    noise = _check_noise(noise, "make_moons")
    generator = as_generator(renamed_seed("make_moons", generator, seed), "make_moons")
    outer, inner = _split_counts(n_samples, 2)
    t_outer, t_inner = np.linspace(0, math.pi, outer), np.linspace(0, math.pi, inner)
    X = np.concatenate([np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
                        np.column_stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)])])
    y = np.concatenate([np.zeros(outer), np.ones(inner)])
    return _finish(X, y, noise, generator, shuffle)


def make_circles(n_samples: int = 100, noise: float = 0.0, factor: float = 0.8,
                 shuffle: bool = True, generator: Generator = None, *,
                 seed: Generator = None) -> tuple[Array, Array]:
    """Two concentric circles: class 0 on the unit circle, class 1 on radius ``factor``
    (0 < factor < 1); plus N(0, noise^2) on each coordinate."""
    n_samples = _check_samples(n_samples, "make_circles")
    noise = _check_noise(noise, "make_circles")
    generator = as_generator(renamed_seed("make_circles", generator, seed), "make_circles")
    factor = check_number("make_circles", "factor", factor, minimum=0.0, maximum=1.0,
                          minimum_open=True, maximum_open=True)
    outer, inner = _split_counts(n_samples, 2)
    angles_outer = np.linspace(0, 2 * math.pi, outer, endpoint=False)
    angles_inner = np.linspace(0, 2 * math.pi, inner, endpoint=False)
    X = np.concatenate([np.column_stack([np.cos(angles_outer), np.sin(angles_outer)]),
                        factor * np.column_stack([np.cos(angles_inner), np.sin(angles_inner)])])
    y = np.concatenate([np.zeros(outer), np.ones(inner)])
    return _finish(X, y, noise, generator, shuffle)


def make_spirals(n_samples: int = 100, classes: int = 2, turns: float = 1.0,
                 noise: float = 0.0, shuffle: bool = True, generator: Generator = None, *,
                 seed: Generator = None) -> tuple[Array, Array]:
    """``classes`` interleaved spiral arms: arm k at radius r in [0, 1] and angle
    2 pi (turns r + k / classes), i.e. (r cos a, r sin a); plus N(0, noise^2)."""
    n_samples = _check_samples(n_samples, "make_spirals")
    noise = _check_noise(noise, "make_spirals")
    generator = as_generator(renamed_seed("make_spirals", generator, seed), "make_spirals")
    classes = int(check_number("make_spirals", "classes", classes, integer=True, minimum=2))
    turns = check_number("make_spirals", "turns", turns, minimum=0.0, minimum_open=True)
    points, labels = [], []
    for k, count in enumerate(_split_counts(n_samples, int(classes))):
        radius = np.linspace(0.0, 1.0, count)
        angle = 2 * math.pi * (turns * radius + k / classes)
        points.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
        labels.append(np.full(count, k))
    return _finish(np.concatenate(points), np.concatenate(labels), noise, generator, shuffle)


def make_xor(n_samples: int = 100, noise: float = 0.0, shuffle: bool = True,
             generator: Generator = None, *, seed: Generator = None) -> tuple[Array, Array]:
    """Points uniform in [-1, 1]^2, labelled 1 where exactly one coordinate is positive
    (x1 > 0 xor x2 > 0), 0 otherwise: no line separates the classes. N(0, noise^2) is
    added after labelling, so noise blurs the quadrant borders."""
    n_samples = _check_samples(n_samples, "make_xor")
    noise = _check_noise(noise, "make_xor")
    generator = as_generator(renamed_seed("make_xor", generator, seed), "make_xor")
    X = generator.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = np.logical_xor(X[:, 0] > 0, X[:, 1] > 0)
    return _finish(X, y, noise, generator, shuffle)


def load_digits(scale: bool = True) -> tuple[Array, Array]:
    """The 8x8 handwritten digits (1797 images, 10 classes) shipped with scikit-learn
    (no download): X (1797, 64) pixel intensities, divided by 16 into [0, 1] when
    ``scale``; y the digit 0-9. Needs scikit-learn."""
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError("load_digits needs scikit-learn, which ships the 8x8 digits: "
                          "pip install scikit-learn (or pip install -e \".[dev]\")") from error
    digits = sklearn_load_digits()
    X = digits.data.astype(np.float64)
    return (X / 16.0 if scale else X), digits.target.astype(np.int64)


def train_test_split(X: ArrayLike, y: ArrayLike, test_size: float = 0.25, shuffle: bool = True,
                     generator: Generator = None, *,
                     seed: Generator = None) -> tuple[Array, Array, Array, Array]:
    """(X_train, X_test, y_train, y_test), as scikit-learn's: ``test_size`` a fraction in
    (0, 1) (rounded up) or a number of examples; shuffled first unless ``shuffle=False``."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} examples but y has {len(y)}")
    n = len(y)
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    else:
        n_test = math.ceil(n * check_number(
            "train_test_split", "test_size (a fraction, or a number of examples)", test_size,
            minimum=0.0, maximum=1.0, minimum_open=True, maximum_open=True))
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size {test_size!r} leaves {n_test} of "
                         f"{n} examples for testing; both parts must be non-empty")
    generator = as_generator(renamed_seed("train_test_split", generator, seed),
                             "train_test_split")
    order = generator.permutation(n) if shuffle else np.arange(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def batches(X: ArrayLike, y: ArrayLike, batch_size: int = 32, shuffle: bool = True,
            generator: Generator = None, drop_last: bool = False, *,
            seed: Generator = None) -> Iterator[tuple[Vector, Array | list[Array]]]:
    """Iterate over (inputs, targets) per batch: inputs the vector of batched Values
    ``[Value(X[rows, j]) for j]``, targets ``y[rows]`` (an array; for 2-D y, a list of
    its columns). Shuffled (``generator``) unless ``shuffle=False``; ``drop_last`` skips a
    last batch smaller than ``batch_size``. Arguments are checked when called."""
    X, y, order, batch_size = _batch_order("batches", X, y, batch_size, shuffle,
                                           renamed_seed("batches", generator, seed), drop_last)
    return _batches(X, y, order, batch_size)


def array_batches(X: ArrayLike, y: ArrayLike, batch_size: int = 32, shuffle: bool = True,
                  generator: Generator = None,
                  drop_last: bool = False) -> Iterator[tuple[Array, Array]]:
    """The batches of ``batches`` (the same rows in the same order for the same
    ``generator``) as numpy arrays ``(X[rows], y[rows])``: what a compiled step
    (``autodiff.compile``) takes, with no Value made."""
    X, y, order, batch_size = _batch_order("array_batches", X, y, batch_size, shuffle,
                                           generator, drop_last)
    return ((X[order[start:start + batch_size]], y[order[start:start + batch_size]])
            for start in range(0, len(order), batch_size))


def _batch_order(owner: str, X: ArrayLike, y: ArrayLike, batch_size: int, shuffle: bool,
                 generator: Generator, drop_last: bool) -> tuple[Array, Array, Array, int]:
    """(X, y as arrays, the order of the rows to take, batch_size), checked."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"{owner}: X must be examples x features (2-D), got shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"{owner}: X has {len(X)} examples but y has {len(y)}")
    batch_size = int(check_number(owner, "batch_size", batch_size, integer=True, minimum=1))
    generator = as_generator(generator, owner)
    order = generator.permutation(len(y)) if shuffle else np.arange(len(y))
    stop = len(y) - len(y) % batch_size if drop_last else len(y)
    return X, y, order[:stop], batch_size


def _batches(X, y, order, batch_size):
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        targets = y[rows]
        yield to_values(X[rows]), (list(targets.T) if targets.ndim == 2 else targets)


# --- sequence tasks for recurrent networks (notes 1.2) ---------------------------------

ANBN_SYMBOLS = ("a", "b", "$")
AnBn = namedtuple("AnBn", ["X", "y", "mask", "deterministic", "n"])
AnBn.__doc__ = """a^n b^n strings for next-symbol prediction (``make_anbn``): X (T, N, 3)
one-hot inputs, y (T, N) the next symbol's index, mask (T, N) True where the string has
a next symbol to predict (2n positions), deterministic (T, N) True where that symbol is
determined by the prefix (the n positions from the first b on), n (N,) the n of each
string."""


def _positive_int(value, name, owner, minimum=1):
    return check_number(owner, name, value, integer=True, minimum=minimum)


def make_adding_problem(n_samples: int = 100, length: int = 20, generator: Generator = None, *,
                        seed: Generator = None) -> tuple[Array, Array]:
    """The adding problem (Hochreiter & Schmidhuber 1997): X (length, N, 2), channel 0
    values from U(0, 1), channel 1 a marker that is 1 at exactly two steps (one in each
    half of the sequence) and 0 elsewhere; y (N,) the sum of the two marked values.
    Predicting the mean, 1, scores MSE = Var = 2/12 = 1/6: anything lower has learnt to
    find and add the marked values across the gap between them."""
    n_samples = _positive_int(n_samples, "n_samples", "make_adding_problem")
    length = _positive_int(length, "length", "make_adding_problem", minimum=2)
    generator = as_generator(renamed_seed("make_adding_problem", generator, seed),
                             "make_adding_problem")
    values = generator.uniform(0.0, 1.0, size=(length, n_samples))
    half = length // 2
    first = generator.integers(0, half, size=n_samples)
    second = generator.integers(half, length, size=n_samples)
    markers = np.zeros((length, n_samples))
    examples = np.arange(n_samples)
    markers[first, examples] = markers[second, examples] = 1.0
    y = values[first, examples] + values[second, examples]
    return np.stack([values, markers], axis=2), y


def make_copy_task(n_samples: int = 100, length: int = 5, delay: int = 10, n_symbols: int = 8,
                   generator: Generator = None, *,
                   seed: Generator = None) -> tuple[Array, Array]:
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
    generator = as_generator(renamed_seed("make_copy_task", generator, seed),
                             "make_copy_task")
    symbols = generator.integers(1, n_symbols + 1, size=(length, n_samples))
    steps = 2 * length + delay
    inputs = np.zeros((steps, n_samples), dtype=np.int64)
    inputs[:length] = symbols
    inputs[length + delay - 1] = n_symbols + 1
    y = np.zeros((steps, n_samples), dtype=np.int64)
    y[length + delay:] = symbols
    return np.eye(n_symbols + 2)[inputs], y


def make_sine_sequences(n_samples: int = 100, length: int = 20,
                        frequencies: Sequence[float] = (0.2, 0.6), noise: float = 0.0,
                        generator: Generator = None, *,
                        seed: Generator = None) -> tuple[Array, Array]:
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
    noise = check_number("make_sine_sequences", "noise", noise, minimum=0.0)
    generator = as_generator(renamed_seed("make_sine_sequences", generator, seed),
                             "make_sine_sequences")
    omega = generator.uniform(low, high, size=n_samples)
    phase = generator.uniform(0.0, 2 * math.pi, size=n_samples)
    waves = np.sin(np.arange(length + 1)[:, None] * omega + phase)
    if noise:
        waves = waves + generator.normal(0.0, noise, size=waves.shape)
    return waves[:-1, :, None], waves[1:, :, None]


def make_anbn(n_values: ArrayLike, length: int | None = None) -> AnBn:
    """One string a^n b^n per n in ``n_values``, for next-symbol prediction (Joulin &
    Mikolov's counting task). Symbols: 0 'a', 1 'b', 2 '$' (end, and padding after it).
    Step t reads symbol t and predicts symbol t + 1: after an 'a' either symbol may
    come, but from the first 'b' on the continuation is determined: n - 1 more 'b's,
    then '$'. All strings are padded with '$' to ``length`` steps (default 2 max(n)).
    Returns ``AnBn(X, y, mask, deterministic, n)`` (see AnBn)."""
    ns = np.array([_positive_int(n, "n", "make_anbn") for n in np.ravel(n_values).tolist()],
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


def anbn_accuracy(logits: ArrayLike, task: AnBn) -> tuple[float, float]:
    """How well next-symbol scores ``logits`` (T, N, 3) predict ``task`` (an AnBn):
    (the fraction of strings whose every deterministic symbol is the argmax, the
    fraction of deterministic symbols that are). Strings count as right only if the
    network both counts the b's and ends on '$' at the right step."""
    predicted = np.asarray(logits).argmax(axis=2)
    right = (predicted == task.y) | ~task.deterministic
    symbols = (predicted == task.y)[task.deterministic]
    return float(np.mean(right.all(axis=0))), float(np.mean(symbols))

"""Data sets and batching: small synthetic 2-D problems, the 8x8 digits, splits, and an
iterator of batches as batched Values.

Every generator returns ``(X, y)``: X float64 of shape (n_samples, features), y int64
class labels. Randomness comes from ``seed`` (an int, a numpy Generator, or None for
the default generator, ``nn.manual_seed``).
"""
import math
import numbers

import numpy as np

from .rng import as_generator
from .values import to_values


def _check_samples(n_samples, name, minimum=2):
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) \
            or n_samples < minimum:
        raise ValueError(f"{name}: n_samples must be an integer >= {minimum}, got {n_samples!r}")
    return int(n_samples)


def _check_noise(noise, name):
    if not isinstance(noise, numbers.Real) or noise < 0:
        raise ValueError(f"{name}: noise must be a non-negative number, got {noise!r}")
    return float(noise)


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


def make_moons(n_samples=100, noise=0.0, shuffle=True, seed=None):
    """Two interleaving half circles: class 0 on (cos t, sin t), class 1 on
    (1 - cos t, 1/2 - sin t), t in [0, pi]; plus N(0, noise^2) on each coordinate."""
    n_samples = _check_samples(n_samples, "make_moons")
    noise, generator = _check_noise(noise, "make_moons"), as_generator(seed, "make_moons")
    outer, inner = _split_counts(n_samples, 2)
    t_outer, t_inner = np.linspace(0, math.pi, outer), np.linspace(0, math.pi, inner)
    X = np.concatenate([np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
                        np.column_stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)])])
    y = np.concatenate([np.zeros(outer), np.ones(inner)])
    return _finish(X, y, noise, generator, shuffle)


def make_circles(n_samples=100, noise=0.0, factor=0.8, shuffle=True, seed=None):
    """Two concentric circles: class 0 on the unit circle, class 1 on radius ``factor``
    (0 < factor < 1); plus N(0, noise^2) on each coordinate."""
    n_samples = _check_samples(n_samples, "make_circles")
    noise, generator = _check_noise(noise, "make_circles"), as_generator(seed, "make_circles")
    if not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor!r}")
    outer, inner = _split_counts(n_samples, 2)
    angles_outer = np.linspace(0, 2 * math.pi, outer, endpoint=False)
    angles_inner = np.linspace(0, 2 * math.pi, inner, endpoint=False)
    X = np.concatenate([np.column_stack([np.cos(angles_outer), np.sin(angles_outer)]),
                        factor * np.column_stack([np.cos(angles_inner), np.sin(angles_inner)])])
    y = np.concatenate([np.zeros(outer), np.ones(inner)])
    return _finish(X, y, noise, generator, shuffle)


def make_spirals(n_samples=100, classes=2, turns=1.0, noise=0.0, shuffle=True, seed=None):
    """``classes`` interleaved spiral arms: arm k at radius r in [0, 1] and angle
    2 pi (turns r + k / classes), i.e. (r cos a, r sin a); plus N(0, noise^2)."""
    n_samples = _check_samples(n_samples, "make_spirals")
    noise, generator = _check_noise(noise, "make_spirals"), as_generator(seed, "make_spirals")
    if not isinstance(classes, numbers.Integral) or classes < 2:
        raise ValueError(f"make_spirals: classes must be an integer >= 2, got {classes!r}")
    if not isinstance(turns, numbers.Real) or turns <= 0:
        raise ValueError(f"make_spirals: turns must be positive, got {turns!r}")
    points, labels = [], []
    for k, count in enumerate(_split_counts(n_samples, int(classes))):
        radius = np.linspace(0.0, 1.0, count)
        angle = 2 * math.pi * (turns * radius + k / classes)
        points.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
        labels.append(np.full(count, k))
    return _finish(np.concatenate(points), np.concatenate(labels), noise, generator, shuffle)


def make_xor(n_samples=100, noise=0.0, shuffle=True, seed=None):
    """Points uniform in [-1, 1]^2, labelled 1 where exactly one coordinate is positive
    (x1 > 0 xor x2 > 0), 0 otherwise: no line separates the classes. N(0, noise^2) is
    added after labelling, so noise blurs the quadrant borders."""
    n_samples = _check_samples(n_samples, "make_xor")
    noise, generator = _check_noise(noise, "make_xor"), as_generator(seed, "make_xor")
    X = generator.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = np.logical_xor(X[:, 0] > 0, X[:, 1] > 0)
    return _finish(X, y, noise, generator, shuffle)


def load_digits(scale=True):
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


def train_test_split(X, y, test_size=0.25, shuffle=True, seed=None):
    """(X_train, X_test, y_train, y_test), as scikit-learn's: ``test_size`` a fraction in
    (0, 1) (rounded up) or a number of examples; shuffled first unless ``shuffle=False``."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} examples but y has {len(y)}")
    n = len(y)
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, numbers.Real) and 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a "
                         f"number of examples, got {test_size!r}")
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size {test_size!r} leaves {n_test} of "
                         f"{n} examples for testing; both parts must be non-empty")
    order = as_generator(seed, "train_test_split").permutation(n) if shuffle else np.arange(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def batches(X, y, batch_size=32, shuffle=True, seed=None, drop_last=False):
    """Iterate over (inputs, targets) per batch: inputs the vector of batched Values
    ``[Value(X[rows, j]) for j]``, targets ``y[rows]`` (an array; for 2-D y, a list of
    its columns). Shuffled (``seed``) unless ``shuffle=False``; ``drop_last`` skips a
    last batch smaller than ``batch_size``. Arguments are checked when called."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"batches: X must be examples x features (2-D), got shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"batches: X has {len(X)} examples but y has {len(y)}")
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batches: batch_size must be a positive integer, got {batch_size!r}")
    order = as_generator(seed, "batches").permutation(len(y)) if shuffle else np.arange(len(y))
    stop = len(y) - len(y) % batch_size if drop_last else len(y)
    return _batches(X, y, order[:stop], int(batch_size))


def _batches(X, y, order, batch_size):
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        targets = y[rows]
        yield to_values(X[rows]), (list(targets.T) if targets.ndim == 2 else targets)


# sequence tasks for recurrent networks (notes 1.2), kept in their own file
from .sequence_tasks import (ANBN_SYMBOLS, AnBn, anbn_accuracy, make_adding_problem,  # noqa: E402
                             make_anbn, make_copy_task, make_sine_sequences)

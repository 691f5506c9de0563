"""Plots for the course: activations and their derivatives, Jacobians, loss curves,
optimizer paths, gradient flow. matplotlib is imported inside each function, so
``import viz`` does not need it; every function returns the matplotlib Figure."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

import autodiff as ad
from autodiff import Value

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from nn import Module

Activation: TypeAlias = str | Callable[[Value], Value]
"""A function of one Value, or the name of one in autodiff or ``nn.ACTIVATIONS``."""
Point: TypeAlias = Sequence[float | Value]
"""An (x, y) point of an optimizer's path."""


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError("viz plots need matplotlib: pip install matplotlib "
                          "(or pip install -e \".[dev]\")") from error
    return plt


def _float(x):
    """A plain float from a number, a 0-d array or a Value."""
    return float(x.data if isinstance(x, Value) else x)


def _named(items, function, what):
    """``items`` as a list of (name, item): a dict keeps its keys (several curves to
    compare); anything else is one item, named ""."""
    if isinstance(items, dict):
        if not items:
            raise ValueError(f"{function}: got an empty dict of {what}")
        return list(items.items())
    return [("", items)]


# --- activations -----------------------------------------------------------------------------

def activation_curve(fn, xs):
    """``(f(x), f'(x))`` on the points ``xs``, both from the engine: one batched forward
    and one backward seeded with ones (each example's d f(x_k)/d x_k), or, when ``fn``
    does not take a batch, one backward per point."""
    xs = np.asarray(xs, dtype=np.float64)
    try:
        x = Value(xs)
        y = fn(x)
        if isinstance(y, Value) and y.batch_size == len(xs):
            y.backward(np.ones_like(xs))
            return np.array(y.data, dtype=np.float64), np.array(x.grad, dtype=np.float64)
    except (TypeError, ValueError):  # fn does not take a batch: one point at a time below
        pass
    values, slopes = [], []
    for point in xs:
        x = Value(float(point))
        y = fn(x)
        if not isinstance(y, Value):
            raise TypeError(f"plot_activation: {getattr(fn, '__name__', fn)!r} must return a "
                            f"Value, got {type(y).__name__} {y!r:.60}")
        y.backward()
        values.append(_float(y))
        slopes.append(_float(x.grad))
    return np.array(values), np.array(slopes)


def _activation(fn):
    """(name, function of one Value) for a function, or a name: an autodiff function
    ("tanh", "softplus", ...) or else an activation of ``nn.ACTIVATIONS`` ("gelu",
    "hardswish", ...: a new module with torch's defaults)."""
    if isinstance(fn, str):
        found = getattr(ad, fn, None)
        if callable(found):
            return fn, found
        import nn          # only for names autodiff does not have (nn imports no viz)
        if fn in nn.ACTIVATIONS:
            return fn, nn.make_activation(fn)
        raise ValueError(f"plot_activation: fn must be a function of one Value or the name "
                         f"of one in autodiff or nn.ACTIVATIONS ({', '.join(nn.ACTIVATIONS)}), "
                         f"got {fn!r}")
    if not callable(fn):
        raise TypeError(f"plot_activation: expected a function of one Value or its name, "
                        f"got {type(fn).__name__} {fn!r:.60}")
    return getattr(fn, "__name__", type(fn).__name__), fn


def plot_activation(fn: Activation | Sequence[Activation] | dict[str, Activation],
                    x_range: tuple[float, float] = (-4.0, 4.0), points: int = 201,
                    title: str | None = None) -> Figure:
    """The activation f and its derivative f' side by side, both computed by the engine
    (f' by backward: d f(x)/dx at every point). ``fn``: a function of one Value (an
    activation module such as ``nn.GELU(approximate="tanh")`` too), the name of one in
    autodiff ("tanh", "sigmoid", ...) or in ``nn.ACTIVATIONS`` ("gelu", "silu", "elu",
    "hardswish", "mish", ...), or a list / dict of them (one row each).
    """
    if isinstance(fn, dict):
        items = [(name, _activation(f)[1]) for name, f in fn.items()]
    else:
        items = [_activation(f) for f in (fn if isinstance(fn, (list, tuple)) else [fn])]
    if not items:
        raise ValueError("plot_activation: no function given")
    low, high = (float(bound) for bound in x_range)
    if not low < high:
        raise ValueError(f"plot_activation: x_range must be (low, high) with low < high, "
                         f"got {x_range!r}")
    plt = _pyplot()
    xs = np.linspace(low, high, points)
    figure, axes = plt.subplots(len(items), 2, figsize=(9, 3 * len(items)), squeeze=False)
    for row, (name, function) in zip(axes, items):
        values, slopes = activation_curve(function, xs)
        for ax, ys, label, color in ((row[0], values, f"{name}(x)", "#1f5fae"),
                                     (row[1], slopes, f"d {name}(x) / dx", "#b3261e")):
            ax.plot(xs, ys, color=color, linewidth=2)
            ax.axhline(0, color="#999999", linewidth=0.8)
            ax.axvline(0, color="#999999", linewidth=0.8)
            ax.set_title(label)
            ax.set_xlabel("x")
            ax.grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


# --- Jacobians ---------------------------------------------------------------------------------

def _matrix(J, function):
    try:
        matrix = np.asarray(J, dtype=np.float64)
    except (TypeError, ValueError):
        matrix = None
    if matrix is None or matrix.ndim != 2:
        raise ValueError(f"{function}: expected a 2-D array (outputs x inputs), got "
                         f"{J!r:.80}")
    return matrix


def plot_jacobian(J: ArrayLike | dict[str, ArrayLike], title: str | None = None,
                  annotate: bool | None = None, cmap: str = "RdBu_r") -> Figure:
    """Heatmap of a Jacobian J[i][j] = d f_i / d x_j (rows: outputs, columns: inputs),
    coloured symmetrically around 0. ``J``: a 2-D array (e.g. ``autodiff.jacobian``), or
    a dict title -> J to compare side by side (softmax: full; sigmoid: diagonal).
    ``annotate``: write the numbers in the cells (default: for at most 64 cells)."""
    items = [(name, _matrix(matrix, "plot_jacobian"))
             for name, matrix in _named(J, "plot_jacobian", "Jacobians")]
    plt = _pyplot()
    figure, axes = plt.subplots(1, len(items), figsize=(4.2 * len(items), 3.8), squeeze=False)
    for ax, (name, matrix) in zip(axes[0], items):
        limit = float(np.max(np.abs(matrix))) or 1.0
        image = ax.imshow(matrix, cmap=cmap, vmin=-limit, vmax=limit)
        rows, columns = matrix.shape
        ax.set_xticks(range(columns), [f"x{j}" for j in range(columns)])
        ax.set_yticks(range(rows), [f"f{i}" for i in range(rows)])
        ax.set_xlabel("input j")
        ax.set_ylabel("output i")
        ax.set_title(name or title or "Jacobian d f_i / d x_j")
        if annotate if annotate is not None else matrix.size <= 64:
            for (i, j), value in np.ndenumerate(matrix):
                ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=9,
                        color="white" if abs(value) > 0.6 * limit else "black")
        figure.colorbar(image, ax=ax, shrink=0.8)
    if title and len(items) > 1:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


# --- training curves ---------------------------------------------------------------------------

def _series(values, function):
    try:
        series = np.array([_float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{function}: expected a sequence of numbers, got "
                        f"{values!r:.80}") from error
    if series.ndim != 1 or series.size == 0:
        raise ValueError(f"{function}: expected a non-empty sequence of numbers, got "
                         f"{values!r:.80}")
    return series


def moving_average(values, window):
    """Mean of each run of ``window`` consecutive values: m_t = (v_{t-w+1} + … + v_t) / w."""
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or window > values.size:
        return values
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    return (cumulative[window:] - cumulative[:-window]) / window


def plot_loss_curves(losses: Iterable[float | Value] | dict[str, Iterable[float | Value]],
                     log_scale: bool = False, smooth: int | None = None, xlabel: str = "step",
                     title: str = "loss") -> Figure:
    """Loss against step: ``losses`` is a list of numbers, or a dict name -> list (several
    runs or optimizers, or "train" / "validation"). ``smooth``: also draw the moving
    average over that many steps. ``log_scale``: logarithmic loss axis."""
    runs = [(name, _series(values, "plot_loss_curves"))
            for name, values in _named(losses, "plot_loss_curves", "loss curves")]
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(7, 4))
    for name, series in runs:
        steps = np.arange(series.size)
        line, = ax.plot(steps, series, linewidth=1.5, alpha=0.35 if smooth else 1.0,
                        label=None if smooth else (name or None))
        if smooth:
            averaged = moving_average(series, smooth)
            ax.plot(steps[series.size - averaged.size:], averaged, color=line.get_color(),
                    linewidth=2, label=f"{name} (mean of {smooth})".strip())
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if any(name for name, _ in runs) or smooth:
        ax.legend()
    figure.tight_layout()
    return figure


def _points(path, function):
    try:
        points = np.array([[_float(x), _float(y)] for x, y in path], dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{function}: a path must be a list of (x, y) points, got "
                        f"{path!r:.80}") from error
    if points.size == 0:
        raise ValueError(f"{function}: got an empty path")
    return points


def contour_grid(f, xs, ys):
    """f(x, y) on the grid xs x ys: Z[i, j] = f(xs[j], ys[i]); tries numpy arrays
    first, else calls f on each pair of floats (f may use autodiff Values)."""
    X, Y = np.meshgrid(xs, ys)
    try:
        Z = np.asarray(f(X, Y), dtype=np.float64)
        if Z.shape == X.shape:
            return X, Y, Z
    except Exception:  # noqa: BLE001 -- any failure means: evaluate point by point
        pass
    Z = np.array([[_float(f(float(x), float(y))) for x in xs] for y in ys])
    return X, Y, Z


def plot_trajectories(paths: Iterable[Point] | dict[str, Iterable[Point]],
                      f: Callable[[Any, Any], Any], xlim: tuple[float, float] | None = None,
                      ylim: tuple[float, float] | None = None, levels: int = 30,
                      title: str | None = None, resolution: int = 120) -> Figure:
    """Optimizer paths over the contour lines of f(x, y): ``paths`` is a list of (x, y)
    points, or a dict name -> list (one path per optimizer); ``f`` takes two floats.
    Each path is marked at its start (o) and end (*)."""
    runs = [(name, _points(path, "plot_trajectories"))
            for name, path in _named(paths, "plot_trajectories", "paths")]
    if not callable(f):
        raise TypeError(f"plot_trajectories: f must be a function f(x, y), got {f!r:.60}")
    every = np.vstack([points for _, points in runs])
    margin = 0.15 * max(np.ptp(every[:, 0]), np.ptp(every[:, 1]), 1.0)
    xlim = xlim or (every[:, 0].min() - margin, every[:, 0].max() + margin)
    ylim = ylim or (every[:, 1].min() - margin, every[:, 1].max() + margin)
    X, Y, Z = contour_grid(f, np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(6.5, 5.5))
    contours = ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.8)
    figure.colorbar(contours, ax=ax, shrink=0.8, label="f(x, y)")
    for name, points in runs:
        line, = ax.plot(points[:, 0], points[:, 1], marker=".", markersize=4, linewidth=1.5,
                        label=name or None)
        ax.plot(*points[0], "o", color=line.get_color(), markersize=8)
        ax.plot(*points[-1], "*", color=line.get_color(), markersize=14,
                markeredgecolor="black")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title or "optimizer paths (o start, * end)")
    if any(name for name, _ in runs):
        ax.legend()
    figure.tight_layout()
    return figure


# --- gradient flow -----------------------------------------------------------------------------

def _gradients(parameter, name):
    """The gradient entries of one parameter as a flat float array: a Value's grad, an
    object's ``.grad`` (array-like; None counts as zero), or an iterable of those."""
    if isinstance(parameter, Value):
        return np.ravel(np.asarray(parameter.grad, dtype=np.float64))
    if hasattr(parameter, "grad"):
        grad = parameter.grad
        if grad is None:
            return np.zeros(1)
        if hasattr(grad, "detach"):
            grad = grad.detach().cpu().numpy()
        return np.ravel(np.asarray(grad, dtype=np.float64))
    if isinstance(parameter, (list, tuple)) or hasattr(parameter, "__iter__"):
        parts = [_gradients(item, name) for item in parameter]
        return np.concatenate(parts) if parts else np.zeros(0)
    raise TypeError(f"plot_grad_flow: parameter {name!r} has no .grad and is not a list "
                    f"of Values, got {type(parameter).__name__}")


def grad_magnitudes(model):
    """name -> (mean |grad|, max |grad|) for each of ``model.named_parameters()``."""
    if not hasattr(model, "named_parameters"):
        raise TypeError(f"plot_grad_flow: expected a model with named_parameters(), got "
                        f"{type(model).__name__} {model!r:.60}")
    magnitudes = {}
    for name, parameter in model.named_parameters():
        entries = np.abs(_gradients(parameter, name))
        magnitudes[name] = (float(entries.mean()) if entries.size else 0.0,
                            float(entries.max()) if entries.size else 0.0)
    if not magnitudes:
        raise ValueError("plot_grad_flow: the model has no parameters")
    return magnitudes


def plot_grad_flow(model: Module, log_scale: bool = True,
                   title: str = "gradient flow") -> Figure:
    """Gradient magnitude per parameter, in the order of ``model.named_parameters()``
    (input layer first): bars of mean |dL/dp|, dots at max |dL/dp|. Vanishing
    gradients show as bars shrinking towards the input. Call after ``backward``."""
    magnitudes = grad_magnitudes(model)
    plt = _pyplot()
    names = list(magnitudes)
    means = np.array([magnitudes[name][0] for name in names])
    maxima = np.array([magnitudes[name][1] for name in names])
    figure, ax = plt.subplots(figsize=(max(5.0, 0.6 * len(names) + 2), 4))
    positions = np.arange(len(names))
    ax.bar(positions, means, color="#1f5fae", alpha=0.8, label="mean |grad|")
    ax.plot(positions, maxima, "o", color="#b3261e", label="max |grad|")
    ax.set_xticks(positions, names, rotation=45 if len(names) > 4 else 0, ha="right"
                  if len(names) > 4 else "center")
    if log_scale and np.any(maxima > 0):
        ax.set_yscale("log")        # a parameter without gradient has no bar
    ax.set_ylabel("|dL/dp|")
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="y")
    ax.legend()
    figure.tight_layout()
    return figure

"""``draw(output, paths=wrt)``: every path from wrt to the output in its own colour, and
a caption that multiplies along each path and adds over them:

    path 1: b -> v1 -> e:  1 × 2 = 2
    path 2: b -> v2 -> e:  1 × 3 = 3
    sum over paths: 2 + 3 = 5 = de/db

The paths and their products come from ``autodiff.paths``; the picture only shows them,
one example of a batch as every picture does, each equation true at the precision shown.
"""
import math

import numpy as np

from autodiff import TooManyPathsError, Value, gradients
from autodiff import paths as find_paths

from ..picture.equations import number_text, plain, sum_text
from ..picture.number_format import format_number

PATH_COLORS = ("#d62828", "#1f6fd1", "#2e9a3c", "#8e44ad", "#e67e00", "#0f9aa8", "#c2185b",
               "#6d4c41")
OFF_PATH = {"color": "#c4c4c4", "fontcolor": "#9a9a9a"}


def path_color(number):
    """The colour of path ``number`` (1 first); after eight, the colours repeat."""
    return PATH_COLORS[(number - 1) % len(PATH_COLORS)]


def _batched(value):
    return type(value.data) is not float


def _batch_runs(path):
    """How many stretches of batched Values the path goes through (a batch reduced to a
    number and broadcast again makes two)."""
    runs, inside = 0, False
    for value in path.values:
        batched = _batched(value)
        runs += batched and not inside
        inside = batched
    return runs


def path_equation(scene, path, precision):
    """``1 × 2 = 2``: the local derivatives along ``path`` for the example shown and
    their product; where wrt holds one number for a batch, that example's product then
    the sum over the batch that the path adds (``…;  sum over 4 examples = 1.5``)."""
    if not path.edges:
        return f"the output itself = {number_text(scene, path.product, precision)}"
    factors = [scene.at(plain(local)) for local in path.locals]
    text = " × ".join(format_number(factor, precision) for factor in factors)
    runs = _batch_runs(path)
    if not scene.batched or runs == 0:
        return f"{text} = {number_text(scene, path.product, precision)}"
    if runs > 1:     # a product of sums over the batch: no single example's product
        return f"through {runs} batch reductions, in all {number_text(scene, path.product, precision)}"
    if _batched(path.wrt):
        return f"{text} = {number_text(scene, path.product, precision)}"
    return (f"{text} = {format_number(math.prod(factors), precision)};  sum over "
            f"{scene.batch_size} examples = {number_text(scene, path.product, precision)}")


def _gradient(output, wrt):
    """d output / d wrt by the engine's backward (every grad left as it was); a batched
    output is summed over the batch, as ``autodiff.paths`` takes it."""
    seed = None if type(output.data) is float else np.ones_like(output.data)
    return gradients(output, [wrt], grad=seed)[0]


def mark_paths(scene, arrows, wrt, precision, max_paths=64):
    """Colour ``arrows`` (drawn for ``scene``) by the paths from ``wrt`` to the output:
    each path's edges in its colour (an edge on several paths in all of theirs, side by
    side), every other edge grey. Returns the caption lines: one per path (its colour,
    its Values, its equation), then the sum over the paths = the gradient."""
    if len(scene.outputs) != 1:
        raise ValueError(f"draw: paths= needs one output, got {len(scene.outputs)}")
    if not isinstance(wrt, Value):
        raise TypeError(f"draw: paths= takes the Value the paths start from, got "
                        f"{type(wrt).__name__} {wrt!r:.80}")
    if wrt not in scene.ids:
        raise ValueError(f"draw: paths={wrt!r:.80} is not in the drawn graph")
    output = scene.outputs[0]
    try:
        found = find_paths(output, wrt, max_paths=max_paths)
    except TooManyPathsError as error:
        raise ValueError(f"draw: there are {error.count} paths from {scene.names[wrt]} to "
                         f"{scene.names[output]}, more than the {max_paths} a picture can tell "
                         "apart; list them with autodiff.paths(output, wrt, max_paths=None), or "
                         "draw the paths to an intermediate Value") from None
    on_paths = {}
    for number, path in enumerate(found, 1):
        for edge in path.edges:
            on_paths.setdefault(scene.edge_ids[edge.child, edge.index], []).append(number)
    for arrow in arrows:
        numbers = on_paths.get(arrow.attrs.get("id"))
        if numbers is None:
            arrow.attrs.update(OFF_PATH)
            continue
        numbers = list(dict.fromkeys(numbers))
        arrow.attrs["color"] = ":".join(path_color(n) for n in numbers)
        arrow.attrs["fontcolor"] = path_color(numbers[0])
        arrow.attrs["penwidth"] = "2.5"
        arrow.attrs["tooltip"] = (f"on path{'s' if len(numbers) > 1 else ''} "
                                  f"{', '.join(map(str, numbers))}; " + arrow.attrs["tooltip"])
    names = scene.names
    lines = []
    for number, path in enumerate(found, 1):
        route = " -> ".join(names[value] for value in path.values)
        lines.append([(f"path {number}", path_color(number)),
                      f": {route}:  {path_equation(scene, path, precision)}"])
    gradient = _gradient(output, wrt)
    derivative = f"d{names[output]}/d{names[wrt]}"
    if not found:
        lines.append(f"no path from {names[wrt]} to {names[output]}: {derivative} = "
                     f"{number_text(scene, gradient, precision)}")
    else:
        total = sum_text(scene, [path.product for path in found], gradient, precision)
        lines.append(f"sum over paths: {total} = {derivative}" if len(found) > 1 else
                     f"one path: {number_text(scene, gradient, precision)} = {derivative}")
    return lines

"""``viz.steps`` and ``viz.animate``: the chain rule one node at a time, in either
direction on the same graph. ``mode="reverse"`` (the default) steps through backward,
children first, parent.grad += local × child.grad along each edge
(``backward.BackpropStepper``); ``mode="forward"`` steps through forward mode, parents
first, tangent(child) = sum over its edges of local × tangent(parent)
(``forward.ForwardStepper``). Both draw the same boxes and edges with the
same local derivatives, and leave the graph as it was."""
from __future__ import annotations

from typing import Any, Literal, overload

from ..picture.argument_types import Mode, Subject
from .backward import BackpropStepper
from .forward import ForwardStepper
from .player import Player

MODES = ("reverse", "forward")
_REVERSE_ONLY = ("grad", "fresh")


@overload
def steps(subject: Subject, mode: Literal["reverse"] = "reverse",
          **options: Any) -> BackpropStepper: ...


@overload
def steps(subject: Subject, mode: Literal["forward"], **options: Any) -> ForwardStepper: ...


@overload
def steps(subject: Subject, mode: Mode, **options: Any) -> BackpropStepper | ForwardStepper: ...


def steps(subject: Subject, mode: Mode = "reverse",
          **options: Any) -> BackpropStepper | ForwardStepper:
    """The chain rule on the graph of ``subject`` one node at a time: print it for the
    text, index it for pictures, ``.animate()`` for a player.

    ``mode="reverse"``: ``BackpropStepper(subject, **options)``, backward from the
    output, parent.grad += local × upstream along each edge. ``mode="forward"``:
    ``ForwardStepper(subject, **options)``, from the inputs, tangent(node) = Σ over its
    edges of local × tangent(parent), with ``wrt`` an input (d/d input) or a dict
    {input: tangent} (a direction); default d/d(first input). The graph's grads and
    data are left as they were."""
    if mode not in MODES:
        raise ValueError(f"steps: mode must be one of {MODES}, got {mode!r}")
    if mode == "forward":
        misplaced = [name for name in _REVERSE_ONLY if name in options]
        if misplaced:
            raise ValueError(f"steps: {misplaced[0]} is an option of backward "
                             f"(mode='reverse'), got {misplaced[0]}="
                             f"{options[misplaced[0]]!r} with mode='forward' (use wrt= to "
                             "choose the tangents)")
        return ForwardStepper(subject, **options)
    if "wrt" in options:
        raise ValueError(f"steps: wrt chooses the tangents of mode='forward', got "
                         f"wrt={options['wrt']!r} with mode='reverse' (backward gives the "
                         "gradient of every input at once)")
    return BackpropStepper(subject, **options)


def animate(subject: Subject, interval: float = 1.0, title: str | None = None,
            max_frames: int | None = 400, mode: Mode = "reverse", **options: Any) -> Player:
    """An HTML ``Player`` over the steps of ``subject`` (see ``viz.steps``, which takes
    the same ``mode`` and ``options``): step 0 the forward values, then one frame per
    node with parents, the chain-rule products on the edges of that node (backward:
    local × upstream; forward: local × tangent of the parent); ``interval`` seconds per
    frame when playing. The graph's grads are left as they were."""
    return steps(subject, mode, title=title, **options).animate(interval,
                                                               max_frames=max_frames)

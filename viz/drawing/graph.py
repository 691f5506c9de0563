"""``draw``: the graph with the forward value and the gradient on every node and the
derivative on every edge (one edge per use of a Value)."""
from __future__ import annotations

import numbers
from collections import Counter
from typing import Iterable

import numpy as np

from autodiff import Value, no_grad

from ..picture.argument_types import EdgeWords, Params, Renderer, Show, Subject
from ..picture.equations import plain, edge_contribution, number_text, sum_text
from ..picture.scene import Scene
from .boxes import check_options, edge_arrow, edge_label, has_grad, legend_text, node_box
from .dot import (EDGE_STYLES, NODE_STYLES, DotEdge, DotNode, build_digraph, caption_label,
                  node_label)
from .drawing import Drawing
from .paths import mark_paths


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``; the message says how to collapse it."""


def final_grad_text(scene, node, precision):
    """``node.grad`` (for the example shown); for a node used several times, as the sum
    of what each use contributed, in the order backward added them (``2 + 3 = 5``), when
    those contributions add up to it."""
    uses = scene.uses[node]
    if len(uses) > 1:
        terms = [edge_contribution(edge) for edge in scene.backward_order(uses)]
        total = sum(plain(term) for term in terms)
        if np.allclose(total, plain(node.grad)):
            return sum_text(scene, terms, node.grad, precision)
    return number_text(scene, node.grad, precision)


def needs_grad_line(node):
    """False for a leaf made with ``requires_grad=False`` (a constant, data): backward
    gives it no gradient, so its box shows none."""
    return bool(node.parents) or node.requires_grad


def collapse_groups(scene, depth):
    """node -> the scope prefix of ``depth`` parts it is folded into (nodes in shallower
    scopes, or none, are left out)."""
    if depth is None or depth is False:
        return {}
    if depth is True:
        depth = 1
    if not isinstance(depth, numbers.Integral) or depth < 1:
        raise ValueError(f"draw: collapse must be a scope depth >= 1 (1: one box per "
                         f"top-level module), got {depth!r}")
    groups = {}
    for node in scene.nodes:
        scope = scene.scope_of[node]
        parts = scope.split(".") if scope else []
        if len(parts) >= depth:
            groups[node] = ".".join(parts[:depth])
    return groups


def too_large_message(scene, count, max_nodes):
    """How to draw a graph of ``count`` boxes that is over ``max_nodes``."""
    tops = sorted({scope.split(".")[0] for scope in scene.scopes()})
    if tops:
        shown = ", ".join(tops[:5]) + (", …" if len(tops) > 5 else "")
        collapse = (f"fold each module into one box with draw(..., collapse=1) ({len(tops)} "
                    f"top-level scopes: {shown}), or collapse=2 for one box per sub-module; ")
    else:
        collapse = ("this graph has no scopes to fold: build it inside `with "
                    "autodiff.scope('layer1'):` (nn modules do) and use draw(..., collapse=1); ")
    return (f"draw: the graph has {count} nodes, more than max_nodes={max_nodes}: the picture "
            f"would be unreadable. To draw it, {collapse}or draw a smaller piece "
            "(draw(an intermediate Value)), or pass max_nodes=None to draw it anyway.")


def boxes_and_arrows(scene, groups, show, grads, precision, edges="numbers"):
    """The boxes and arrows of a picture of the final state, with the nodes in ``groups``
    folded into one box per scope (edges inside a box are left out, edges into a box
    merged, edges out of a box keep their derivatives)."""
    members = {}
    for node, group in groups.items():
        members.setdefault(group, []).append(node)
    group_ids = {group: f"g{index}" for index, group in enumerate(sorted(members))}
    boxes = [DotNode(group_ids[group], node_label(group, "", [f"{len(nodes)} nodes folded"]),
                     group.rpartition(".")[0] or None, dict(NODE_STYLES["collapsed"]))
             for group, nodes in sorted(members.items())]
    boxes += [node_box(scene, node, show, precision,
                       final_grad_text(scene, node, precision)
                       if grads and needs_grad_line(node) else None)
              for node in scene.nodes if node not in groups]
    arrows, into_groups = [], Counter()
    for edge in scene.edges:
        tail, head = groups.get(edge.parent), groups.get(edge.child)
        if tail is not None and tail == head:
            continue
        tail_id = group_ids[tail] if tail else scene.ids[edge.parent]
        if head:
            into_groups[tail_id, group_ids[head]] += 1
            continue
        arrow = edge_arrow(scene, edge, edge_label(scene, edge, show, grads, precision, edges),
                           "constant" if scene.is_constant(edge.parent) else "normal")
        arrow.tail = tail_id
        arrows.append(arrow)
    for (tail_id, head_id), count in into_groups.items():
        arrows.append(DotEdge(tail_id, head_id, f"{count} edges" if count > 1 else "",
                              dict(EDGE_STYLES["normal"])))
    return boxes, arrows


def draw(subject: Subject, *, params: Params = None, show: Show = "both",
         grads: bool | None = None, precision: int = 4, clusters: bool = True,
         collapse: int | None = None, max_nodes: int | None = 300, title: str | None = None,
         legend: bool = True, rankdir: str = "LR", renderer: Renderer | None = None,
         example: int = 0, stop_at: Iterable[Value] = (), edges: EdgeWords = "numbers",
         paths: Value | None = None) -> Drawing:
    """Picture of the graph that produced ``subject`` (a Value, a list of Values, or an
    ``autodiff.Graph``): returns a ``Drawing`` (``.source`` DOT, ``.render(path)``,
    inline SVG in Jupyter).

    Every box shows a name and op, ``data`` (the forward value) and, after backward,
    ``grad`` = d(output)/d(box); a box used several times shows its grad as the sum of
    its edges' contributions. Every edge (one per use: ``a * a`` has two) shows the local
    derivative d(child)/d(parent), and after backward the chain-rule product
    ``local × upstream = contribution`` where upstream = child.grad.

    ``params``: Values (or a model with ``parameters()``) drawn as parameters.
    ``show``: "both", "values" (no derivatives) or "derivatives" (no data).
    ``grads``: draw gradients (default: when an output has a non-zero grad).
    ``precision``: significant digits. ``clusters``: one box around each scope (module).
    ``collapse``: fold every scope of that depth into one box (1: top-level modules).
    ``max_nodes``: refuse (with advice) to draw more boxes than this; None: no limit.
    ``renderer``: "dot", "graphviz-pure" or None (the first installed).
    ``example``: for a batched graph, the example whose numbers are shown (0: the first;
    the title says "example 1 of 64"); an edge into a scalar (a weight) shows the sum
    over the batch that backward adds. A batch of one is drawn as plain numbers.
    ``edges``: "numbers" (default), "symbols" (the local derivative as a formula in the
    operands' names, from the primitive's rule, and its value: ``de/dc = d = 3``) or
    "both" (``de/dc = d = 3;  3 × 1 = 3``).
    ``stop_at``: Values drawn as inputs, what they were computed from left out (one
    module's own graph: its outputs, stopping at what it takes in).
    ``paths``: a Value wrt: every path from it to the output in its own colour, and a
    caption with each path's product of local derivatives and their sum, d output/d wrt
    (``autodiff.paths``; see ``viz.drawing.paths``).
    """
    scene = Scene(subject, params, "draw", example, stop_at)
    check_options("draw", show, precision, edges)
    if grads is None:
        grads = any(has_grad(output) for output in scene.outputs)
    groups = collapse_groups(scene, collapse)
    count = len(scene.nodes) - len(groups) + len(set(groups.values()))
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLargeError(too_large_message(scene, count, max_nodes))
    with no_grad():     # a grad from create_graph is a Value: contributions stay off the graph
        boxes, arrows = boxes_and_arrows(scene, groups, show, grads, precision, edges)
    path_lines = []
    if paths is not None:
        if groups:
            raise ValueError("draw: paths= draws every edge of a path; it cannot be combined "
                             "with collapse=")
        path_lines = mark_paths(scene, arrows, paths, precision)
    kinds = {scene.kinds[node] for node in scene.nodes if node not in groups}
    kinds |= {"collapsed"} if groups else set()
    caption = caption_label(title or "", [scene.example_text()] if scene.batched else [],
                            (legend_text(scene, show, grads, kinds, edges=edges) if legend
                             else []) + path_lines)
    summary = f"{count} nodes, {len(arrows)} edges"
    return Drawing(build_digraph(boxes, arrows, caption, rankdir, clusters,
                                 scene.cluster_titles), renderer, summary)

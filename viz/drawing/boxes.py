"""The pieces every picture is made of: a node's box (name, op, data, grad, coloured by
kind), an edge's arrow with its numbers, and the legend that explains them."""
import numbers

import numpy as np

from ..picture.equations import EDGE_MODES, edge_contribution, edge_text, number_text, product_text
from ..picture.scene import KINDS
from .dot import (EDGE_STYLES, GRAD_COLOR, HIGHLIGHTS, KIND_COLORS, NODE_STYLES, DotEdge,
                  DotNode, node_label)

SHOW = ("both", "values", "derivatives")
FOLDED = "folded scope"


def check_options(function, show, precision, edges="numbers"):
    """Raise ValueError naming ``function`` for an unknown ``show`` or ``edges``, or a
    bad precision."""
    if show not in SHOW:
        raise ValueError(f"{function}: show must be one of {SHOW}, got {show!r}")
    if edges not in EDGE_MODES:
        raise ValueError(f"{function}: edges must be one of {EDGE_MODES}, got {edges!r}")
    if not isinstance(precision, numbers.Integral) or not 1 <= precision <= 17:
        raise ValueError(f"{function}: precision must be an integer from 1 to 17 "
                         f"(significant digits), got {precision!r}")


def has_grad(value):
    """True when ``value.grad`` is set (non-zero, or a Value from create_graph)."""
    grad = value.grad
    if isinstance(grad, np.ndarray):
        return bool(grad.any())
    return not isinstance(grad, numbers.Real) or grad != 0.0


def node_box(scene, node, show, precision, grad_text=None, highlight=None, word="grad",
             color=GRAD_COLOR):
    """The box of ``node``: its name and op, ``data`` unless show="derivatives", and the
    line ``word grad_text`` (if given and show != "values") in ``color``; the box
    coloured by kind (forward mode writes ``tangent`` in its own colour)."""
    kind = scene.kinds[node]
    title = scene.names[node]
    if kind == "constant":
        title = number_text(scene, node.data, precision)
    rows = []
    if show != "derivatives" and kind != "constant":
        rows.append(f"data {number_text(scene, node.data, precision)}")
    if grad_text is not None and show != "values":
        rows.append((f"{word} {grad_text}", color))
    attrs = dict(NODE_STYLES[kind])
    attrs.update(HIGHLIGHTS.get(highlight, {}))
    if kind == "constant":
        attrs["fontsize"] = "10"
    attrs["id"] = scene.ids[node]
    attrs["tooltip"] = f"{scene.names[node]} ({kind}{', ' + node.op if node.op else ''})"
    scope = scene.scope_of[node]
    if scope:
        attrs["tooltip"] += f" in {scope}"
    op = node.op if node.op and node.op != title else ""
    return DotNode(scene.ids[node], node_label(title, op, rows), scope, attrs)


def edge_tooltip(scene, edge):
    """Words for an edge: which derivative it carries and where its contribution goes
    (from a constant: none, and why)."""
    child, parent = scene.names[edge.child], scene.names[edge.parent]
    if scene.is_constant(edge.parent):
        return constant_tooltip(scene, edge)
    return (f"d{child}/d{parent} (operand {edge.index} of {edge.child.op}); backward adds "
            f"d{child}/d{parent} × {child}.grad to {parent}.grad")


def constant_tooltip(scene, edge):
    """Words for an edge from a constant: it carries no derivative."""
    return (f"{scene.names[edge.parent]} is a constant (operand {edge.index} of "
            f"{edge.child.op}): it needs no gradient, so no derivative is taken along this "
            "edge")


def edge_arrow(scene, edge, label, style="normal", tooltip=None):
    """The arrow parent -> child of ``edge`` with ``label``, styled ``style``
    (normal, active, pending, done or constant; see dot.EDGE_STYLES); ``tooltip``: its words
    (default: what backward does along it, ``edge_tooltip``)."""
    attrs = dict(EDGE_STYLES[style])
    attrs["id"] = scene.edge_ids[edge.child, edge.index]
    attrs["tooltip"] = edge_tooltip(scene, edge) if tooltip is None else tooltip
    return DotEdge(scene.ids[edge.parent], scene.ids[edge.child], label, attrs)


def kind_colours(scene, kinds=None):
    """The legend line naming the colour of each kind of box drawn (``kinds``; default:
    those of every node), as (text, colour) pieces."""
    kinds = set(scene.kinds.values()) if kinds is None else set(kinds)
    colours = []
    for kind in KINDS + ("collapsed",):
        if kind in kinds:
            colours += [(FOLDED if kind == "collapsed" else kind, KIND_COLORS[kind]), "   "]
    return colours[:-1]


def legend_text(scene, show, grads, kinds=None, seed=None, edges="numbers"):
    """Lines explaining the colours and the numbers of a picture of ``scene``; ``kinds``:
    the kinds of box drawn (default: those of every node); ``seed``: the grad backward
    started from (default: the output's grad now)."""
    lines = [kind_colours(scene, kinds)]
    root = scene.outputs[0]
    seed = root.grad if seed is None else seed
    output = (f"d{scene.names[root]}" if len(scene.outputs) == 1 and not isinstance(
        seed, np.ndarray) and seed == 1.0 else "d(backward's root)")
    box = ["box: name  op"]
    if show != "derivatives":
        box.append("data (forward value)")
    if grads and show != "values":
        box.append(f"grad = {output}/d(box)")
    lines.append("   ·   ".join(box))
    if show != "values":
        lines.append("edge: local d(child)/d(parent) × upstream child.grad = contribution "
                     "to parent.grad" if grads else "edge: local derivative d(child)/d(parent)")
        if edges != "numbers":
            lines[-1] = ("edge: d(child)/d(parent) = its rule in the operands' names = local"
                         + (";  local × upstream child.grad = contribution to parent.grad"
                            if grads and edges == "both" else ""))
    return lines


def edge_label(scene, edge, show, grads, precision, edges="numbers"):
    """The number(s) on an edge: the local derivative, or after backward the product
    ``local × upstream = contribution`` (nothing when show="values"), for the example
    shown; with ``edges`` "symbols" or "both", the local derivative as a formula too
    (see ``equations.edge_text``). An edge into a leaf made with ``requires_grad=False``
    carries no contribution (backward skips it): it shows its local derivative only;
    an edge from a constant (the 1 of ``b + 1``) carries nothing."""
    if show == "values" or scene.is_constant(edge.parent):
        return ""
    if grads and edge.parent.requires_grad:
        product = product_text(scene, edge.local_grad, edge.child.grad,
                               edge_contribution(edge), edge.parent, precision)
    else:
        product = number_text(scene, edge.local_grad, precision)
    return edge_text(scene, edge.child, edge.parent, edge.index, edge.local_grad, product,
                     precision, edges)

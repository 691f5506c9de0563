"""DOT text for a picture: node boxes with HTML-like labels, styles per kind of node,
edge styles, and one nested cluster per scope (module path) of the nodes."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import graphviz

from ..picture.literal import dot_text

FONT = "Helvetica"

# Fill, border and extra attributes of each kind of node (see scene.KINDS).
NODE_STYLES = {
    "input": {"fillcolor": "#dbe8fb", "color": "#3567b5"},
    "parameter": {"fillcolor": "#fde6c6", "color": "#c27100", "peripheries": "2"},
    "constant": {"fillcolor": "#f1f1f1", "color": "#a0a0a0", "fontcolor": "#555555"},
    "operation": {"fillcolor": "#ffffff", "color": "#606060"},
    "output": {"fillcolor": "#d9f0d3", "color": "#2e7d32", "penwidth": "2.5"},
    "collapsed": {"fillcolor": "#ece7f6", "color": "#6a4c9c", "style": "rounded,filled,dashed"},
}
# Extra attributes for the step-through: the node pushing its gradient, and the parents
# whose gradients it changes.
HIGHLIGHTS = {
    "current": {"fillcolor": "#fff2a8", "color": "#d62828", "penwidth": "3"},
    "receiving": {"color": "#d62828", "penwidth": "2.5"},
}
EDGE_STYLES = {
    "normal": {"color": "#555555", "fontcolor": "#222222"},
    "active": {"color": "#d62828", "fontcolor": "#d62828", "penwidth": "2.5"},
    "pending": {"color": "#b5b5b5", "fontcolor": "#9a9a9a"},
    "done": {"color": "#555555", "fontcolor": "#222222"},
    "constant": {"color": "#a0a0a0"},       # from a constant: no derivative, no numbers
}
KIND_COLORS = {kind: style["color"] for kind, style in NODE_STYLES.items()}
GRAD_COLOR = "#b3261e"
TANGENT_COLOR = "#6a1b9a"       # forward mode's tangent line, apart from backward's grad
CLUSTER_FILLS = ("#f6f7fb", "#eceff7", "#e2e7f3")


@dataclass
class DotNode:
    """One box: its DOT id, HTML-like label (built by ``node_label``), scope (module
    path) and attributes (a ``tooltip`` is plain text)."""
    id: str
    label: str
    scope: str | None = None
    attrs: dict = field(default_factory=dict)


@dataclass
class DotEdge:
    """One arrow from ``tail`` (the parent) to ``head`` (the child); ``label`` and a
    ``tooltip`` in ``attrs`` are plain text (escaped when the DOT is written)."""
    tail: str
    head: str
    label: str = ""
    attrs: dict = field(default_factory=dict)


def node_label(title, op="", rows=()):
    """An HTML-like label: the bold ``title`` and the ``op`` beside it, then one line per
    row; a row is text or ``(text, color)``."""
    header = f"<B>{dot_text(title)}</B>"
    if op:
        header += f'  <FONT POINT-SIZE="10" COLOR="#666666">{dot_text(op)}</FONT>'
    lines = [f"<TR><TD>{header}</TD></TR>"]
    for row in rows:
        text, color = (row, None) if isinstance(row, str) else row
        cell = dot_text(text)
        if color:
            cell = f'<FONT COLOR="{color}">{cell}</FONT>'
        lines.append(f"<TR><TD>{cell}</TD></TR>")
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f'{"".join(lines)}</TABLE>>')


def caption_label(title="", lines=(), legend=()):
    """The graph's own label (shown above the picture): a bold title, caption lines,
    then small grey legend lines; a legend line may hold (text, color) pieces."""
    rows = []
    if title:
        rows.append(f'<TR><TD><FONT POINT-SIZE="16"><B>{dot_text(title)}</B></FONT></TD></TR>')
    for line in lines:
        rows.append(f"<TR><TD>{dot_text(line)}</TD></TR>")
    for line in legend:
        pieces = [line] if isinstance(line, str) else line
        text = "".join(dot_text(piece) if isinstance(piece, str)
                       else f'<FONT COLOR="{piece[1]}"><B>{dot_text(piece[0])}</B></FONT>'
                       for piece in pieces)
        rows.append(f'<TR><TD><FONT POINT-SIZE="10" COLOR="#555555">{text}</FONT></TD></TR>')
    if not rows:
        return ""
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{"".join(rows)}</TABLE>>'


def dot_attributes(attrs):
    """DOT attributes of a node or an edge, with the ``tooltip`` (plain text, may hold
    user names) escaped to be shown literally; the other attributes are our styles."""
    if "tooltip" not in attrs:
        return attrs
    return {**attrs, "tooltip": dot_text(attrs["tooltip"], tooltip=True)}


def _scope_key(scope):
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in scope.split(".")]


class _ScopeTree:
    """The scopes of the nodes and every prefix of them: ``mlp.layers.0`` lies in
    ``mlp.layers`` in ``mlp``. A prefix gets a cluster when it holds nodes itself or
    two or more sub-scopes (a chain of single sub-scopes makes one cluster)."""

    def __init__(self, nodes, titles=None):
        self.titles = titles or {}
        self.members = defaultdict(list)
        self.children = defaultdict(set)
        for node in nodes:
            self.members[node.scope].append(node)
            scope = node.scope
            while scope:
                parent = scope.rpartition(".")[0] or None
                self.children[parent].add(scope)
                scope = parent

    def title(self, scope, enclosing):
        """The words on the cluster of ``scope`` drawn inside ``enclosing``: the title of
        each scope between them (``"Sequential / 0: Linear(1 -> 1)"``)."""
        parts = scope[len(enclosing) + 1:].split(".") if enclosing else scope.split(".")
        prefix, titles = enclosing, []
        for part in parts:
            prefix = f"{prefix}.{part}" if prefix else part
            titles.append(self.titles.get(prefix, part))
        return " / ".join(titles)

    def has_cluster(self, scope):
        return bool(self.members.get(scope)) or len(self.children[scope]) >= 2

    def emit(self, graph, scope=None, enclosing="", depth=0, counter=None):
        counter = counter if counter is not None else [0]
        for node in self.members.get(scope, ()):
            graph.node(node.id, label=node.label, **dot_attributes(node.attrs))
        for child in sorted(self.children[scope], key=_scope_key):
            if not self.has_cluster(child):
                self.emit(graph, child, enclosing, depth, counter)
                continue
            counter[0] += 1
            with graph.subgraph(name=f"cluster_{counter[0]}") as cluster:
                name = self.title(child, enclosing)
                cluster.attr(label=f"<{dot_text(name)}>", tooltip=dot_text(child, tooltip=True),
                             style="rounded,filled", color="#9aa5c4",
                             fillcolor=CLUSTER_FILLS[depth % len(CLUSTER_FILLS)],
                             fontname=FONT, fontsize="11", fontcolor="#44507a",
                             labeljust="l")
                self.emit(cluster, child, child, depth + 1, counter)


def build_digraph(nodes, edges, caption="", rankdir="LR", clusters=True, titles=None):
    """A ``graphviz.Digraph`` of ``DotNode``s and ``DotEdge``s, left to right; with
    ``clusters`` every scope becomes a (nested) cluster labelled with its path, or with
    ``titles[scope]`` (``"0: Linear(2 -> 3)"``) where given."""
    graph = graphviz.Digraph(
        graph_attr={"rankdir": rankdir, "fontname": FONT, "labelloc": "t", "nodesep": "0.3",
                    "ranksep": "0.55", "bgcolor": "white", "label": caption,
                    "pad": "0.2"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": FONT,
                   "fontsize": "12", "margin": "0.12,0.06"},
        edge_attr={"fontname": FONT, "fontsize": "11", "arrowsize": "0.7"})
    if clusters:
        _ScopeTree(nodes, titles).emit(graph)
    else:
        for node in nodes:
            graph.node(node.id, label=node.label, **dot_attributes(node.attrs))
    for edge in edges:
        graph.edge(edge.tail, edge.head, label=dot_text(edge.label), **dot_attributes(edge.attrs))
    return graph


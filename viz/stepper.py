"""Backprop one step at a time: one frame per node with parents, in the engine's order,
drawn from the gradients recorded at that step (not from the final ones)."""
import bisect

from autodiff import backward_steps, topological_order, zero_grad

from .dot import build_digraph, caption_label
from .draw import GraphTooLargeError
from .pieces import check_options, edge_arrow, legend_text, node_box
from .drawing import Drawing
from .format import format_data, format_product, format_sum
from .scene import Scene


class Frame(Drawing):
    """The picture of one backward step (a ``Drawing``): ``number`` (1-based) of
    ``total``, the ``node`` whose gradient is pushed, and the step as ``text``."""

    def __init__(self, digraph, renderer, number, total, node, text, caption):
        super().__init__(digraph, renderer, f"step {number} of {total}")
        self.number = number
        self.total = total
        self.node = node
        self.text = text
        self.caption = caption

    def __str__(self):
        return self.text


class BackpropStepper:
    """Runs backward from ``subject`` (a Value or a one-output ``autodiff.Graph``) one
    node at a time, exactly as ``backward`` does, and keeps what every step did.

    Step k takes the k-th node with parents in the engine's order and, for each of its
    edges, adds local × upstream to the parent: parent.grad = before + local × node.grad.
    ``stepper[k]`` is the picture of a step (a ``Frame``), ``len(stepper)`` the number of
    steps, ``print(stepper)`` the steps as text, ``stepper.animate()`` an HTML player.
    Like ``backward``, it leaves every grad filled in. ``fresh=True`` (the default) first
    zeroes the leaves' grads, so the steps show this backward alone, as on a first call;
    ``fresh=False`` shows them accumulating onto earlier grads, as ``backward`` does.
    """

    def __init__(self, subject, *, grad=None, params=None, precision=4, clusters=True,
                 max_nodes=300, title=None, rankdir="LR", renderer=None, fresh=True):
        self.scene = Scene(subject, params, "steps")
        check_options("steps", "both", precision)
        if len(self.scene.outputs) != 1:
            raise ValueError(f"steps: backward runs from one output, got "
                             f"{len(self.scene.outputs)}; pass one of them")
        self.root = self.scene.outputs[0]
        if fresh:
            zero_grad([node for node in topological_order(self.root) if not node.parents])
        self.records = list(backward_steps(self.root, grad))
        self.precision, self.clusters, self.max_nodes = precision, clusters, max_nodes
        self.title, self.rankdir, self.renderer = title, rankdir, renderer
        self.step_of = {record.node: record.number for record in self.records}
        self._initial, self._history = {self.root: self._seed()}, {}
        for record in self.records:
            for edge in record.edges:
                self._initial.setdefault(edge.parent, edge.parent_grad_before)
                self._history.setdefault(edge.parent, []).append(
                    (record.number, edge.parent_grad_after))
        self._frames = {}

    def _seed(self):
        if self.records:
            return self.records[0].upstream
        return self.root.grad

    def __len__(self):
        return len(self.records)

    def __iter__(self):
        return (self[index] for index in range(len(self)))

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"steps: there are {len(self)} steps, no step index {index}")
        index %= len(self)
        if index not in self._frames:
            self._frames[index] = self._frame(self.records[index])
        return self._frames[index]

    def grad_at(self, node, number):
        """``node.grad`` as it was after step ``number`` (0: before the first step)."""
        if node in self.step_of and self.step_of[node] <= number:
            return self.records[self.step_of[node] - 1].upstream
        history = self._history.get(node, [])
        position = bisect.bisect_right([step for step, _ in history], number)
        return history[position - 1][1] if position else self._initial.get(node, node.grad)

    def _name(self, node):
        return self.scene.names[node]

    def _text_name(self, node):
        name = self._name(node)
        return f"constant {name}" if self.scene.kinds[node] == "constant" else name

    def step_text(self, record):
        """One step in words: the node and its grad, then for each edge
        ``local × upstream = contribution`` and the parent's grad before + contribution."""
        node, precision = record.node, self.precision
        operands = ", ".join(self._name(parent) for parent in node.parents)
        lines = [f"step {record.number} of {len(self)}: {self._name(node)} = {node.op}"
                 f"({operands}), grad {format_data(record.upstream, precision)}"]
        for edge in record.edges:
            parent = self._text_name(edge.parent)
            grad = "grad" if parent.startswith("constant ") else f"{parent}.grad"
            local, upstream, contribution = (format_data(number, precision, 0) for number in (
                edge.local_grad, edge.upstream, edge.contribution))
            total = format_sum([edge.parent_grad_before, edge.contribution],
                               edge.parent_grad_after, precision)
            lines.append(f"  {self._name(node)} -> {parent}: local {local} × upstream "
                         f"{upstream} = {contribution};  {grad} {total}")
        return "\n".join(lines)

    def _received(self, record):
        """parent -> grad text ``before + c1 (+ c2 …) = after`` for the parents of a step
        (a parent used twice by the node receives twice)."""
        terms, after = {}, {}
        for edge in record.edges:
            terms.setdefault(edge.parent, [edge.parent_grad_before]).append(edge.contribution)
            after[edge.parent] = edge.parent_grad_after
        return {parent: format_sum(terms[parent], after[parent], self.precision)
                for parent in terms}

    def _frame(self, record):
        scene, number = self.scene, record.number
        if self.max_nodes is not None and len(scene) > self.max_nodes:
            raise GraphTooLargeError(
                f"steps: the graph has {len(scene)} nodes, more than max_nodes="
                f"{self.max_nodes}: its frames would be unreadable. Step through a smaller "
                "piece (steps(an intermediate Value)), print(steps) for the text, or pass "
                "max_nodes=None to draw them anyway.")
        received = self._received(record)
        boxes = []
        for node in scene.nodes:
            highlight = "current" if node is record.node else (
                "receiving" if node in received else None)
            text = received.get(node) or format_data(self.grad_at(node, number), self.precision)
            boxes.append(node_box(scene, node, "both", self.precision, text, highlight))
        arrows = [self._arrow(edge, number) for edge in scene.edges]
        parents = ", ".join(dict.fromkeys(self._name(edge.parent) for edge in record.edges))
        caption = (f"step {number} of {len(self)}: {self._name(record.node)} pushes its grad "
                   f"{format_data(record.upstream, self.precision)} to {parents}")
        label = caption_label(self.title or "", [caption], legend_text(scene, "both", True))
        digraph = build_digraph(boxes, arrows, label, self.rankdir, self.clusters)
        return Frame(digraph, self.renderer, number, len(self), record.node,
                     self.step_text(record), caption)

    def _arrow(self, edge, number):
        """An edge in frame ``number``: pushed already (done), now (active), or later
        (pending, showing only its local derivative)."""
        pushed_at = self.step_of.get(edge.child)
        if pushed_at is None or pushed_at > number:
            return edge_arrow(self.scene, edge, format_data(edge.local_grad, self.precision, 0),
                              "pending")
        recorded = self.records[pushed_at - 1].edges[edge.index]
        label = format_product(recorded.local_grad, recorded.upstream, recorded.contribution,
                               self.precision)
        return edge_arrow(self.scene, edge, label, "active" if pushed_at == number else "done")

    def leaf_grads(self):
        """name -> grad of every input and parameter after the whole pass."""
        return {self._name(node): node.grad for node in self.scene.leaves()}

    def __str__(self):
        lines = [f"backward from {self._name(self.root)}: {len(self.scene)} nodes, "
                 f"{len(self)} steps"]
        lines += [self.step_text(record) for record in self.records]
        grads = ", ".join(f"{name}.grad = {format_data(grad, self.precision)}"
                          for name, grad in self.leaf_grads().items())
        if grads:
            lines.append(f"result: {grads}")
        return "\n".join(lines)

    def __repr__(self):
        return f"<BackpropStepper: {len(self)} steps from {self._name(self.root)}; print() it>"

    def animate(self, interval=1.0, title=None, max_frames=100):
        """An HTML player over the frames (see ``viz.animate``)."""
        from .player import Player
        return Player(iter(self), title or self.title, interval, max_frames)

    def _repr_html_(self):
        return self.animate()._repr_html_()


def steps(subject, **options):
    """``BackpropStepper(subject, **options)``: backward from ``subject`` one node at a
    time, parent.grad += local × upstream along each edge; print it for the text, index
    it for pictures, ``.animate()`` for a player."""
    return BackpropStepper(subject, **options)

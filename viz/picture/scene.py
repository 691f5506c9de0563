"""What a picture holds: the Values reachable from the outputs, one edge per use, a
name and a kind for every node. ``draw`` and the step-through both start here, so a
node has the same name in every picture and in the text of the steps."""
import numpy as np

from autodiff import Graph, Value, backward_steps, computation_order

from .literal import visible

KINDS = ("input", "parameter", "constant", "operation", "output")


def as_outputs(subject, function):
    """The output Values of a Value, a sequence of Values or an ``autodiff.Graph``;
    a TypeError naming ``function`` and the offending object otherwise."""
    if isinstance(subject, Value):
        return (subject,)
    if isinstance(subject, Graph):
        return subject.outputs
    if isinstance(subject, (list, tuple)) and subject and all(
            isinstance(item, Value) for item in subject):
        return tuple(subject)
    raise TypeError(f"{function}: expected a Value, a list of Values or an autodiff.Graph "
                    f"(from autodiff.trace), got {type(subject).__name__} {subject!r:.80}")


def _flatten_values(items, function):
    """The Values in ``items``: Values, nested lists of them, or containers with a
    ``values()`` method (such as ``nn.Parameter``)."""
    for item in items:
        if isinstance(item, Value):
            yield item
        elif isinstance(item, (list, tuple)):
            yield from _flatten_values(item, function)
        elif callable(getattr(item, "values", None)):
            yield from _flatten_values(list(item.values()), function)
        else:
            raise TypeError(f"{function}: params must hold Values, got "
                            f"{type(item).__name__} {item!r:.80}")


def _index_text(index, count, shape):
    """``[1, 0]`` for entry ``index`` of a tensor of ``shape`` (row-major, ``[0]`` for
    a tensor of one entry), ``[i]`` without a shape, "" for a single Value."""
    if shape is not None and len(shape) >= 1 and int(np.prod(shape)) == count:
        return "[" + ", ".join(str(int(i)) for i in np.unravel_index(index, shape)) + "]"
    return "" if count == 1 else f"[{index}]"


def collect_parameters(params, function):
    """``params`` as {Value: name}: an iterable of Values (nested lists allowed), or a
    model with ``parameters()``; a model's ``named_parameters()`` names each entry by its
    module path and index, as torch's state dict does: ``"0.weight[1, 0]"``."""
    if params is None:
        return {}
    names = {}
    if hasattr(params, "named_parameters"):
        for name, item in params.named_parameters():
            values = list(_flatten_values([item], function))
            shape = getattr(item, "shape", None)
            for index, value in enumerate(values):
                names[value] = f"{name}{_index_text(index, len(values), shape)}"
    if hasattr(params, "parameters"):
        params = params.parameters()
    elif names:
        return names
    if isinstance(params, Value):
        params = [params]
    try:
        items = list(params)
    except TypeError:
        raise TypeError(f"{function}: params must be Values or a model with parameters(), "
                        f"got {type(params).__name__} {params!r:.80}") from None
    return {value: names.get(value, "") for value in _flatten_values(items, function)}


_SIZE_ATTRIBUTES = (("in_features", "out_features"), ("in_channels", "out_channels"),
                    ("input_size", "hidden_size"), ("num_features", None))


def module_title(module):
    """A module in a few words: its type and the sizes it maps, ``Linear(2 -> 3)``,
    ``Conv2d(1 -> 4)``, ``BatchNorm1d(8)``; the type alone for other modules."""
    name = type(module).__name__
    for first, second in _SIZE_ATTRIBUTES:
        if isinstance(getattr(module, first, None), int):
            if second is None:
                return f"{name}({getattr(module, first)})"
            if isinstance(getattr(module, second, None), int):
                return f"{name}({getattr(module, first)} -> {getattr(module, second)})"
    return name


def module_scopes(model):
    """scope path -> (module path, module) for every module of ``model`` (something with
    ``named_modules()``, like ``nn.Module``): calling a module stamps its path on the
    Values it makes, the root named by its class (``"MLP"``), a child by its attribute
    name (``"MLP.0"``); {} for anything else."""
    if not callable(getattr(model, "named_modules", None)):
        return {}
    root = type(model).__name__
    return {(f"{root}.{path}" if path else root): (path, module)
            for path, module in model.named_modules()}


def label_text(label):
    """A label as the text a picture shows: a string as it is, any other object (a number
    given as ``label=5``) as ``str`` writes it; ``None`` or "" as ""."""
    return "" if label is None else label if isinstance(label, str) else str(label)


def scope_text(scope):
    """A Value's scope as text (``None`` outside any scope, and for an empty name)."""
    return visible(label_text(scope)) or None


def _kind(node, outputs, parameters):
    if node in outputs:
        return "output"
    if node in parameters:
        return "parameter"
    if node.parents:
        return "operation"
    return "input" if node.label or node.requires_grad else "constant"


def batch_size_of(nodes, function):
    """The number of examples of the batched Values among ``nodes`` (None when none is
    batched); a ValueError naming ``function`` when two batches differ in length."""
    sizes = {len(node.data) for node in nodes if type(node.data) is not float}
    if len(sizes) > 1:
        raise ValueError(f"{function}: the graph mixes batches of {sorted(sizes)} examples")
    return sizes.pop() if sizes else None


def check_example(example, batch_size, function):
    """``example`` as an index into the batch: 0 <= example < batch_size (0 for an
    unbatched graph); a ValueError naming ``function`` otherwise."""
    count = batch_size or 1
    if isinstance(example, bool) or not isinstance(example, (int, np.integer)) or not (
            -count <= example < count):
        raise ValueError(f"{function}: example must be an integer from 0 to {count - 1} "
                         f"(the graph has {count} example{'s' if count > 1 else ''}), "
                         f"got {example!r}")
    return int(example) % count


class Scene:
    """The graph behind ``outputs``: ``nodes`` in the order they were computed,
    ``edges`` (``autodiff.Edge``, one per use: ``a * a`` has two), and per node a
    ``name``, a ``kind`` and a ``scope``; for a batch, the ``example`` shown.

    Names: a parameter's name from the model's ``named_parameters()``
    (``"0.weight[1, 0]"``); else the label; else a generated one (``v1, v2, …`` for
    operations in the order they were computed, ``p1, …`` for parameters); a constant
    shows its value. Kinds: output, parameter, input (a labelled leaf, or one that
    needs a gradient), constant (an unlabelled leaf made with ``requires_grad=False``:
    a number operand such as the 1 of ``b + 1``, data, a result of ``no_grad``: no
    grad, no derivative on its edges, no step), operation. ``cluster_titles``: scope -> the words its cluster
    shows (``"0: Linear(2 -> 3)"`` for a module of the model passed as ``params``).
    """

    def __init__(self, subject, params=None, function="draw", example=0, stop_at=()):
        self.outputs = as_outputs(subject, function)
        self.inputs = tuple(subject.inputs.values()) if isinstance(subject, Graph) else ()
        stop = set(stop_at)
        self.nodes = computation_order(self.outputs, stop)
        self.edges = [edge for node in self.nodes if node not in stop for edge in node.edges()]
        self.batch_size = batch_size_of(self.nodes, function)
        self.example = check_example(example, self.batch_size, function)
        parameters = collect_parameters(params, function)
        outputs = set(self.outputs)
        self._push_order = None
        self.ids, self.names, self.kinds = {}, {}, {}
        counters = {"v": 0, "p": 0}
        for position, node in enumerate(self.nodes):
            self.ids[node] = f"n{position}"
            self.kinds[node] = "input" if node in stop and node not in outputs else _kind(
                node, outputs, parameters)
            name = parameters.get(node, "") or label_text(node.label)
            if not name and (node.parents or node in parameters):
                prefix = "v" if node.parents else "p"
                counters[prefix] += 1
                name = f"{prefix}{counters[prefix]}"
            self.names[node] = visible(name or label_text(node.name))
        self.scope_of = {node: scope_text(node.scope) for node in self.nodes}
        self.modules = module_scopes(params)
        self.cluster_titles = {scope: self._cluster_title(scope) for scope in self.scopes()}
        self.edge_ids = {(edge.child, edge.index): f"e{position}"
                         for position, edge in enumerate(self.edges)}
        self.uses = {node: [] for node in self.nodes}
        for edge in self.edges:
            self.uses[edge.parent].append(edge)

    def is_constant(self, node):
        """True for a box of kind "constant": a leaf that needs no gradient (the 1 of
        ``b + 1``). Backward sends nothing to it and forward mode gets no tangent from
        it, so its box has no grad line and its edges carry no derivative."""
        return self.kinds[node] == "constant"

    def _cluster_title(self, scope):
        """``"0: Linear(2 -> 3)"`` for a module's scope, the scope's last part otherwise."""
        last = scope.rpartition(".")[2]
        if scope not in self.modules:
            return last
        path, module = self.modules[scope]
        return f"{last}: {module_title(module)}" if path else module_title(module)

    @property
    def batched(self):
        """True when the pictures show one example of a batch of two or more."""
        return self.batch_size is not None and self.batch_size > 1

    def at(self, data):
        """The number a picture shows for ``data`` (a float, a batch, or a Value from
        create_graph): a batch's entry for the example shown, a float as it is."""
        if isinstance(data, Value):
            data = data.data
        if isinstance(data, np.ndarray):
            return float(data[self.example]) if data.ndim == 1 and len(data) > 1 else float(
                data.reshape(-1)[0])
        return float(data)

    def example_text(self):
        """``"example 1 of 64"`` for a batched graph, "" otherwise."""
        return f"example {self.example + 1} of {self.batch_size}" if self.batched else ""

    def __len__(self):
        return len(self.nodes)

    def push_order(self):
        """node -> when backward pushes its gradient (1 first), read from the engine's
        own pass (``autodiff.backward_steps``, every grad put back afterwards); for
        several outputs or a batched one, the reverse of the order of computation."""
        if self._push_order is None:
            nodes = [node for node in reversed(self.nodes) if node.parents]
            root = self.outputs[0]
            if len(self.outputs) == 1 and type(root.data) is float:
                saved = [(node, node.grad) for node in self.nodes]
                try:
                    nodes = [step.node for step in backward_steps(root)]
                finally:
                    for node, grad in saved:
                        node.grad = grad
            self._push_order = {node: number for number, node in enumerate(nodes, 1)}
        return self._push_order

    def backward_order(self, edges):
        """``edges`` in the order backward pushes along them: children in the engine's
        order, each child's operands in order."""
        order = self.push_order()
        return sorted(edges, key=lambda edge: (order.get(edge.child, 0), edge.index))

    def leaves(self):
        """The inputs and parameters: a traced Graph's inputs in argument order first,
        then the others in graph order."""
        ordered = list(self.inputs) + self.nodes
        return [node for node in dict.fromkeys(ordered)
                if self.kinds.get(node) in ("input", "parameter")]

    def scopes(self):
        """The distinct scopes of the nodes (module paths such as ``"mlp.layers.0"``) and
        every prefix of them."""
        scopes = set()
        for scope in self.scope_of.values():
            while scope:
                scopes.add(scope)
                scope = scope.rpartition(".")[0]
        return sorted(scopes)

"""What a picture holds: the Values reachable from the outputs, one edge per use, a
name and a kind for every node. ``draw`` and the step-through both start here, so a
node has the same name in every picture and in the text of the steps."""
from autodiff import Graph, Value, topological_order

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


def collect_parameters(params, function):
    """``params`` as {Value: name}: an iterable of Values (nested lists allowed), or a
    model with ``parameters()``; a model's ``named_parameters()`` names the Values that
    have no label (``"layer.weight[1]"``)."""
    if params is None:
        return {}
    names = {}
    if hasattr(params, "named_parameters"):
        for name, item in params.named_parameters():
            values = list(_flatten_values([item], function))
            for index, value in enumerate(values):
                names[value] = name if len(values) == 1 else f"{name}[{index}]"
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


def label_text(label):
    """A label as the text a picture shows: a string as it is, any other object (a number
    given as ``label=5``) as ``str`` writes it; ``None`` or "" as ""."""
    return "" if label is None else label if isinstance(label, str) else str(label)


def scope_text(scope):
    """A Value's scope as text (``None`` outside any scope, and for an empty name)."""
    return label_text(scope) or None


def _kind(node, outputs, parameters):
    if node in outputs:
        return "output"
    if node in parameters:
        return "parameter"
    if node.parents:
        return "operation"
    return "input" if node.label else "constant"


class Scene:
    """The graph behind ``outputs``: ``nodes`` parents first, ``edges`` (``autodiff.Edge``,
    one per use: ``a * a`` has two), and per node a ``name`` and a ``kind``.

    Names: the label; else the parameter's name from ``named_parameters()``; else a
    generated one (``v1, v2, …`` for operations, ``p1, …`` for parameters); a constant
    shows its value. Kinds: output, parameter, input (a labelled leaf), constant (an
    unlabelled leaf), operation.
    """

    def __init__(self, subject, params=None, function="draw"):
        self.outputs = as_outputs(subject, function)
        self.inputs = tuple(subject.inputs.values()) if isinstance(subject, Graph) else ()
        self.nodes = topological_order(*self.outputs)
        self.edges = [edge for node in self.nodes for edge in node.edges()]
        parameters = collect_parameters(params, function)
        outputs = set(self.outputs)
        self.position = {node: index for index, node in enumerate(self.nodes)}
        self.ids, self.names, self.kinds = {}, {}, {}
        counters = {"v": 0, "p": 0}
        for position, node in enumerate(self.nodes):
            self.ids[node] = f"n{position}"
            self.kinds[node] = _kind(node, outputs, parameters)
            name = label_text(node.label) or parameters.get(node, "")
            if not name and (node.parents or node in parameters):
                prefix = "v" if node.parents else "p"
                counters[prefix] += 1
                name = f"{prefix}{counters[prefix]}"
            self.names[node] = name or label_text(node.name)
        self.scope_of = {node: scope_text(node.scope) for node in self.nodes}
        self.uses = {node: [] for node in self.nodes}
        for edge in self.edges:
            self.uses[edge.parent].append(edge)

    def __len__(self):
        return len(self.nodes)

    def backward_order(self, edges):
        """``edges`` in the order backward pushes along them: children last to first
        (reverse topological order), each child's operands in order."""
        return sorted(edges, key=lambda edge: (-self.position[edge.child], edge.index))

    def leaves(self):
        """The inputs and parameters: a traced Graph's inputs in argument order first,
        then the others in graph order."""
        ordered = list(self.inputs) + self.nodes
        return [node for node in dict.fromkeys(ordered)
                if self.kinds.get(node) in ("input", "parameter")]

    def scopes(self):
        """The distinct scopes of the nodes (module paths such as ``"mlp.layers.0"``)."""
        return sorted({scope for scope in self.scope_of.values() if scope})

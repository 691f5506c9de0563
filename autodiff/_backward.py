"""Reverse mode: the order of the nodes, and the chain rule.

The whole chain rule is ``push``: once a node's gradient is complete, add
``local_grad * node.grad`` to the gradient of each of its parents. ``backward`` pushes
every node, children before parents; the step-through (``backward_steps``), ``gradients``
and ``create_graph`` run this same function.
"""
import numpy as np

from ._data import as_data, describe
from ._mode import enable_grad
from ._table import STOP_GRADIENT
from ._value import CONSTANT, Value


def topological_order(*roots):
    """Every Value the roots depend on, each after all of its parents, in the order
    backward pushes them (reversed). ``computation_order`` lists them as a program
    computed them, operands left to right.

    Iterative depth-first search (no recursion limit): a node is appended once all the
    nodes it was computed from have been.
    """
    order = []
    visited = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node is None:            # marker: the node below it has all parents done
            order.append(stack.pop())
        elif node not in visited:
            visited.add(node)
            if node.parents:
                stack += (node, None)
                stack.extend(node.parents)
            else:
                order.append(node)
    return order


def computation_order(outputs, stop_at=()):
    """Every Value the outputs depend on, in the order a program computing them left to
    right would have made them: depth first, operands in order, each node after its
    operands (``c = a + b`` before ``d = b + 1`` in ``e = c * d``). Nodes in
    ``stop_at`` count as leaves: what they were computed from is left out."""
    order, done, stop = [], set(), set(stop_at)
    stack = [(output, False) for output in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        if node in done:
            continue
        if expanded or not node.parents or node in stop:
            done.add(node)
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((parent, False) for parent in reversed(node.parents) if parent not in done)
    return order


def order_for_backward(root):
    """The nodes whose gradients ``root`` pushes, parents first, each grad set to zero on
    the way. Leaves are left out (their grads accumulate across calls), and so is what
    lies behind a ``stop_gradient`` (its grad is reset, and it pushes nothing).

    Speed: a node counts as visited once its grad *is* this pass's own zero (a fresh
    float object), which spares a set of visited nodes (~10% of backward).
    """
    zero = float(0)
    order = []
    stack = [root]
    push_, pop, finish = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        if node is None:            # marker: the node below it has all parents done
            finish(pop())
        elif node.parents and node.grad is not zero:
            node.grad = zero
            if node.primitive is not STOP_GRADIENT:
                push_(node)
                push_(None)
                stack.extend(node.parents)
    return order


def batched_contributions(node, upstream):
    """``local * upstream`` for each edge of a node whose gradient is a batch (one number
    per example). A parent holding one scalar for the whole batch (a weight) gets the
    sum over the examples, sum_k local_k upstream_k: for all such edges at once, one
    matrix-vector product. ``None`` for an edge into a constant."""
    contributions, summed, summed_locals = [], [], []
    for index, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
        if parent.primitive is CONSTANT:
            contributions.append(None)
        elif type(parent.data) is not float:
            contributions.append(local * upstream)
        elif type(local) is float:
            contributions.append(local * float(upstream.sum()))
        else:
            contributions.append(None)
            summed.append(index)
            summed_locals.append(local)
    if summed:
        for index, total in zip(summed, (np.array(summed_locals) @ upstream).tolist()):
            contributions[index] = total
    return contributions


def graph_contributions(node, upstream):
    """``local * upstream`` as Values (``create_graph``): the local derivatives are
    evaluated again from the primitive's rule on the Values themselves, so each
    contribution is a graph that can be differentiated again. (None into a constant or
    a stop_gradient: no graph is needed for what goes no further.)"""
    from ._operations import batch_sum
    contributions = []
    for parent, local in zip(node.parents, node.primitive.local_grads_of(*node.parents, node)):
        if parent.primitive is CONSTANT or parent.primitive is STOP_GRADIENT:
            contributions.append(None)
            continue
        contribution = upstream if (type(local) is float and local == 1.0) else local * upstream
        if type(parent.data) is float and type(contribution.data) is not float:
            contribution = batch_sum(contribution)       # a scalar: sum over the batch
        contributions.append(contribution)
    return contributions


def push(node, create_graph=False, report=False):
    """One step of the chain rule, for a node whose gradient is complete:
    parent.grad += local_grad * node.grad along each of its edges.

    With ``report``, returns what each edge added (``None`` for an edge into a
    constant, which needs no gradient). A ``stop_gradient`` node receives what arrives
    at it, and is never pushed: backward goes no further."""
    upstream = node.grad
    if not (report or create_graph) and type(upstream) is float:
        # speed: the same rule without listing what each edge adds (a third of backward
        # on one-example graphs, benchmarks/moons.py (c))
        for parent, local in zip(node.parents, node.local_grads):
            if parent.primitive is not CONSTANT:
                parent.grad = parent.grad + local * upstream
        return None
    if create_graph:
        if not isinstance(upstream, Value):
            upstream = node.grad = Value(upstream, requires_grad=False)
        with enable_grad():
            contributions = graph_contributions(node, upstream)
    elif type(upstream) is float:
        contributions = [None if parent.primitive is CONSTANT else local * upstream
                         for parent, local in zip(node.parents, node.local_grads)]
    else:
        contributions = batched_contributions(node, upstream)
    for parent, contribution in zip(node.parents, contributions):
        if contribution is not None:
            previous = parent.grad
            # a first contribution is taken as it is: a new object that no other node holds
            parent.grad = contribution if (type(previous) is float and previous == 0.0) \
                else previous + contribution
    return contributions


def start_backward(root, grad=None, create_graph=False):
    """Backward's first step: the nodes in order, their grads zeroed, and the root
    seeded with ``grad`` (1 by default; added to a leaf root's grad)."""
    seed = _seed(root, grad, create_graph)
    order = order_for_backward(root)
    root.grad = seed if (root.parents or _is_zero(root.grad)) else root.grad + seed
    return order


def backward(root, grad=None, create_graph=False):
    """Fill ``.grad`` of every Value ``root`` depends on with d(root)/d(value): push
    every node, children before parents.

    Non-leaf grads are reset first; leaf grads accumulate across calls (as in PyTorch)
    until ``zero_grad``. ``grad`` seeds the root (required for a batched root). With
    ``create_graph`` the leaf grads are Values (graphs) that can be differentiated
    again; the other nodes keep numbers, so no node holds a graph of itself.
    """
    order = start_backward(root, grad, create_graph)
    for node in reversed(order):
        push(node, create_graph)
    if create_graph:
        for node in order:
            if isinstance(node.grad, Value):
                node.grad = node.grad.data


def zero_grad(values):
    """Set ``grad`` of every Value in ``values`` to zero (of the same kind as its data)."""
    for value in values:
        value.grad = _zero_like(value.data)


def gradients(output, inputs, grad=None, create_graph=False):
    """d(output)/d(input) for each input, leaving every ``.grad`` in the graph as it was
    (like ``torch.autograd.grad``). An input the output does not depend on gets zero."""
    for index, value in enumerate(inputs):
        if not value.requires_grad:
            raise ValueError(f"gradients: input {index} ({value!r}) was made with "
                             "requires_grad=False")
    order = topological_order(output)
    saved = [node.grad for node in order]
    seed = _seed(output, grad, create_graph)
    try:
        for node in order:
            node.grad = 0.0
        output.grad = seed
        for node in reversed(order):
            if node.parents and node.primitive.passes_gradient:
                push(node, create_graph)
        reached = set(order)
        return [value.grad if value in reached else _unreached(value, create_graph)
                for value in inputs]
    finally:
        for node, previous in zip(order, saved):
            node.grad = previous


def _seed(root, grad, create_graph):
    if grad is None:
        if type(root.data) is not float:
            raise ValueError(
                f"backward: the output is batched ({len(root.data)} examples); reduce it "
                "first (batch_sum / batch_mean) or pass grad= with one seed per example")
        seed = 1.0
    else:
        seed = grad.data if isinstance(grad, Value) else as_data(grad, "backward")
        if type(seed) is not type(root.data) or (type(seed) is not float
                                                  and len(seed) != len(root.data)):
            raise ValueError(f"backward: grad {describe(seed)} does not match the output "
                             f"{describe(root.data)}")
    if create_graph:
        return grad if isinstance(grad, Value) else Value(seed, requires_grad=False)
    return seed


def _unreached(value, create_graph):
    """The gradient of an input the output does not depend on: 0 (a constant Value with
    ``create_graph``, so that it can be differentiated again)."""
    zero = _zero_like(value.data)
    return Value(zero, requires_grad=False) if create_graph else zero


def _zero_like(data):
    return 0.0 if type(data) is float else np.zeros_like(data)


def _is_zero(grad):
    return type(grad) is float and grad == 0.0 or (
        isinstance(grad, np.ndarray) and not grad.any())


Value.backward = backward

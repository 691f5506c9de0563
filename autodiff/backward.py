"""Reverse mode: topological order, the chain-rule pass, and gradients without side effects.

The whole chain rule is ``parent.grad += local_grad * child.grad`` for every edge, with
children processed before their parents.
"""
import numpy as np

from .errors import as_data, describe
from .mode import enable_grad
from .value import CONSTANT, Value


def topological_order(*roots):
    """Every Value the roots depend on, each after all of its parents.

    Iterative depth-first search (no recursion limit): a node is appended once all the
    nodes it was computed from have been.
    """
    order = []
    visited = set()
    stack = list(roots)
    push, pop, finish, mark = stack.append, stack.pop, order.append, visited.add
    while stack:
        node = pop()
        if node is None:            # marker: the node below it has all parents done
            finish(pop())
        elif node not in visited:
            mark(node)
            if node.parents:
                push(node)
                push(None)
                stack.extend(node.parents)
            else:
                finish(node)
    return order


def order_for_backward(root):
    """The non-leaf Values ``root`` depends on, parents first, each grad set to zero on
    the way (backward's first step, in the same pass). Leaves are left out: they push
    nothing, and their grads accumulate across calls.

    A node counts as visited once its grad *is* this pass's own zero (a fresh float
    object, distinct from every other grad), which spares a set of visited nodes.
    """
    zero = float(0)
    order = []
    stack = [root]
    push, pop, finish = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        if node is None:            # marker: the node below it has all parents done
            finish(pop())
        elif node.parents and node.grad is not zero:
            node.grad = zero
            push(node)
            push(None)
            stack.extend(node.parents)
    return order


def zero_like(data):
    """0.0 for a scalar, an array of zeros for a batch."""
    return 0.0 if type(data) is float else np.zeros_like(data)


def zero_grad(values):
    """Set ``grad`` of every Value in ``values`` to zero (of the same kind as its data)."""
    for value in values:
        value.grad = zero_like(value.data)


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
        return grad if isinstance(grad, Value) else Value(seed)
    return seed


def batched_contributions(node, upstream):
    """What each edge of a batched node adds to its parent's grad: ``local * upstream``,
    one number per example. A parent holding one scalar for the whole batch (a weight)
    gets the sum over the examples, sum_k local_k upstream_k: for all such edges of the
    node at once, one matrix-vector product. ``None`` for an edge into a constant."""
    contributions, summed, summed_locals = [], [], []
    for index, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
        if parent.primitive is CONSTANT:          # data: no gradient needed
            contributions.append(None)
        elif type(parent.data) is not float:
            contributions.append(upstream if (type(local) is float and local == 1.0)
                                 else local * upstream)
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


def accumulate(order):
    """The chain rule over ``order`` (parents first), with stored local derivatives:
    for each node, last to first, parent.grad += local * node.grad along every edge."""
    for node in reversed(order):
        upstream = node.grad
        if type(upstream) is float:
            for parent, local in zip(node.parents, node.local_grads):
                if parent.primitive is not CONSTANT:
                    parent.grad = parent.grad + local * upstream
            continue
        for parent, contribution in zip(node.parents, batched_contributions(node, upstream)):
            if contribution is not None:
                previous = parent.grad
                # the first contribution is taken as it is (no copy: arrays are never
                # modified in place), later ones are added
                parent.grad = contribution if (type(previous) is float and previous == 0.0) \
                    else previous + contribution


def accumulate_graph(order):
    """The chain rule with derivatives as Values (``create_graph=True``): local
    derivatives are re-evaluated from the primitives' rules on the Values themselves,
    so the gradients are graphs that can be differentiated again."""
    from .primitives import batch_sum
    with enable_grad():
        for node in reversed(order):
            upstream = node.grad
            if not node.parents or (type(upstream) is float and upstream == 0.0):
                continue
            if not isinstance(upstream, Value):
                upstream = node.grad = Value(upstream)
            locals_ = node.primitive.local_grads_of(*node.parents, node)
            for parent, local in zip(node.parents, locals_):
                if parent.primitive is CONSTANT:
                    continue
                contribution = upstream if (type(local) is float and local == 1.0) \
                    else local * upstream
                if type(parent.data) is float and type(contribution.data) is not float:
                    contribution = batch_sum(contribution)   # a scalar: sum over the batch
                previous = parent.grad
                if type(previous) is float and previous == 0.0:
                    parent.grad = contribution
                else:
                    parent.grad = previous + contribution


def start_backward(root, grad=None, create_graph=False):
    """Backward's first step: the nodes in topological order, non-leaf grads zeroed,
    and the root seeded with ``grad`` (1 by default; added to a leaf root's grad)."""
    seed = _seed(root, grad, create_graph)
    order = order_for_backward(root)
    root.grad = seed if (root.parents or _is_zero(root.grad)) else root.grad + seed
    return order


def backward(root, grad=None, create_graph=False):
    """Fill ``.grad`` of every Value ``root`` depends on with d(root)/d(value).

    Non-leaf grads are reset first; leaf grads accumulate across calls (as in PyTorch)
    until ``zero_grad``. ``grad`` seeds the root (required for a batched root).
    """
    order = start_backward(root, grad, create_graph)
    (accumulate_graph if create_graph else accumulate)(order)


def _is_zero(grad):
    return type(grad) is float and grad == 0.0 or (
        isinstance(grad, np.ndarray) and not grad.any())


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
    for node in order:
        node.grad = 0.0
    output.grad = seed
    try:
        (accumulate_graph if create_graph else accumulate)(order)
        reached = set(order)
        return [value.grad if value in reached else zero_like(value.data) for value in inputs]
    finally:
        for node, previous in zip(order, saved):
            node.grad = previous

"""Pictures never change the graph they show: the grads are kept before a pass that
writes them (a step-through's backward, ``draw_model``'s) and put back after it."""
import numpy as np


def copy_of_grad(grad):
    """``grad`` as it is now: an array is copied (so nothing done to it later can leak),
    a number or None is kept."""
    return grad.copy() if isinstance(grad, np.ndarray) else grad


class GradSnapshot:
    """Every grad of ``nodes`` as it is now; ``restore()`` puts them all back (copies of
    arrays are kept, so nothing backward does to them can leak)."""

    def __init__(self, nodes):
        self.grads = [(node, copy_of_grad(node.grad)) for node in nodes]

    def restore(self):
        for node, grad in self.grads:
            node.grad = copy_of_grad(grad)

"""Adagrad: a learning rate per element, shrinking with the gradients seen so far."""
import numpy as np

from .hyperparameters import NON_NEGATIVE
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (notes 8.4); s starts at 0, operations are elementwise::

        s_t = s_{t-1} + g_t * g_t
        x_t = x_{t-1} - lr / sqrt(s_t + eps) * g_t

    Differs from ``torch.optim.Adagrad``, which puts eps outside the square root:
    x_t = x_{t-1} - lr * g_t / (sqrt(s_t) + eps). The two agree when eps = 0.
    ``weight_decay`` adds L2 first: g <- g + weight_decay * x.
    """

    rules = {**Optimizer.rules, "eps": NON_NEGATIVE}
    state_names = ("s",)

    def __init__(self, params, lr, eps=1e-6, weight_decay=0.0):
        super().__init__(params, lr=lr, eps=eps, weight_decay=weight_decay)

    def update(self, x, g, state, group):
        s = state["s"] = state["s"] + g * g
        return x - group["lr"] / np.sqrt(s + group["eps"]) * g

"""RMSprop: Adagrad with a decaying average of squared gradients."""
import numpy as np

from .hyperparameters import FRACTION, NON_NEGATIVE
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (notes 8.5); s starts at 0, operations are elementwise::

        s_t = gamma * s_{t-1} + (1 - gamma) * g_t * g_t
        x_t = x_{t-1} - lr / sqrt(s_t + eps) * g_t

    Differs from ``torch.optim.RMSprop`` (whose gamma is called alpha, default 0.99),
    which puts eps outside the square root: x_t = x_{t-1} - lr * g_t / (sqrt(s_t) + eps).
    The two agree when eps = 0. ``weight_decay`` adds L2 first: g <- g + weight_decay * x.
    """

    rules = {**Optimizer.rules, "gamma": FRACTION, "eps": NON_NEGATIVE}
    state_names = ("s",)

    def __init__(self, params, lr, gamma=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params, lr=lr, gamma=gamma, eps=eps, weight_decay=weight_decay)

    def update(self, x, g, state, group):
        gamma = group["gamma"]
        s = state["s"] = gamma * state["s"] + (1 - gamma) * g * g
        return x - group["lr"] / np.sqrt(s + group["eps"]) * g

"""Adadelta: RMSprop whose step size comes from the past steps, not from an lr."""
import numpy as np

from .hyperparameters import FRACTION, POSITIVE
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (notes 8.6); s and dx start at 0, operations are elementwise::

        s_t   = rho * s_{t-1} + (1 - rho) * g_t * g_t
        g'_t  = sqrt((dx_{t-1} + eps) / (s_t + eps)) * g_t
        dx_t  = rho * dx_{t-1} + (1 - rho) * g'_t * g'_t
        x_t   = x_{t-1} - lr * g'_t

    The notes have no lr: lr = 1 (the default) is their formula. This is also
    ``torch.optim.Adadelta``'s formula (same defaults: lr=1, rho=0.9, eps=1e-6), which
    writes sqrt(dx + eps) / sqrt(s + eps). ``weight_decay`` adds L2 first:
    g <- g + weight_decay * x. eps must be > 0: with eps = 0 the first step is 0/0.
    """

    rules = {**Optimizer.rules, "rho": FRACTION, "eps": POSITIVE}
    state_names = ("s", "dx")

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)

    def update(self, x, g, state, group):
        rho, eps = group["rho"], group["eps"]
        s = state["s"] = rho * state["s"] + (1 - rho) * g * g
        g_scaled = np.sqrt((state["dx"] + eps) / (s + eps)) * g
        state["dx"] = rho * state["dx"] + (1 - rho) * g_scaled * g_scaled
        return x - group["lr"] * g_scaled

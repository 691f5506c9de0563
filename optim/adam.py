"""Adam: momentum on the gradient and RMSprop on its square, both bias-corrected."""
import numpy as np

from .hyperparameters import FRACTION, NON_NEGATIVE
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (notes 8.7); v and s start at 0, t counts steps from 1, elementwise::

        v_t  = beta1 * v_{t-1} + (1 - beta1) * g_t
        s_t  = beta2 * s_{t-1} + (1 - beta2) * g_t * g_t
        v^_t = v_t / (1 - beta1^t)         s^_t = s_t / (1 - beta2^t)
        x_t  = x_{t-1} - lr * v^_t / (sqrt(s^_t) + eps)

    This is ``torch.optim.Adam``'s formula too (eps outside the square root in both),
    with PyTorch's defaults; PyTorch spells (beta1, beta2) as ``betas``.
    ``weight_decay`` adds L2 first: g <- g + weight_decay * x (as torch's Adam); for
    decoupled weight decay use ``AdamW``.
    """

    rules = {**Optimizer.rules, "beta1": FRACTION, "beta2": FRACTION, "eps": NON_NEGATIVE}
    state_names = ("v", "s")

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                         weight_decay=weight_decay)

    def update(self, x, g, state, group):
        beta1, beta2, t = group["beta1"], group["beta2"], state["step"]
        v = state["v"] = beta1 * state["v"] + (1 - beta1) * g
        s = state["s"] = beta2 * state["s"] + (1 - beta2) * g * g
        v_hat = v / (1 - beta1 ** t)
        s_hat = s / (1 - beta2 ** t)
        return x - group["lr"] * v_hat / (np.sqrt(s_hat) + group["eps"])

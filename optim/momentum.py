"""Momentum: the notes' velocity form of the heavy-ball method."""
from .hyperparameters import FRACTION
from .optimizer import Optimizer


class Momentum(Optimizer):
    """Momentum (notes 8.2); the velocity dx starts at 0::

        dx_t = rho * dx_{t-1} - lr * g_t
        x_t  = x_{t-1} + dx_t

    rho in [0, 1) says how much of the previous direction to keep. The notes' recipe,
    0.5 at the start (large gradients) and 0.9 later, is one line::

        optim.ParamSchedule(optimizer, "rho", lambda step: 0.5 if step < 100 else 0.9)

    (call its ``step()`` after each ``optimizer.step()``). With a constant lr the
    iterates are ``torch.optim.SGD(momentum=rho)``'s; under an lr schedule they differ,
    because PyTorch multiplies its whole buffer of past gradients by the current lr
    (see ``SGD``). ``weight_decay`` adds L2 first: g <- g + weight_decay * x.
    """

    rules = {**Optimizer.rules, "rho": FRACTION}
    state_names = ("dx",)

    def __init__(self, params, lr, rho=0.9, weight_decay=0.0):
        super().__init__(params, lr=lr, rho=rho, weight_decay=weight_decay)

    def update(self, x, g, state, group):
        dx = state["dx"] = group["rho"] * state["dx"] - group["lr"] * g
        return x + dx

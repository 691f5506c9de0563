"""SGD: the plain gradient step, with PyTorch's momentum and Nesterov options."""
from .hyperparameters import FLAG, FRACTION
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent (notes 8.1), and ``torch.optim.SGD``'s options.

    momentum = 0 (the notes' SGD):   x <- x - lr * g

    momentum = rho > 0, PyTorch's formula (buffer b starts at 0, so b_1 = g)::

        b <- rho * b + g
        x <- x - lr * b                   (nesterov=False)
        x <- x - lr * (g + rho * b)       (nesterov=True)

    With a constant lr these are the same iterates as the notes' ``Momentum`` and
    ``Nesterov`` (there the velocity is dx = -lr * b). They differ once lr changes
    (a schedule): here the buffer holds plain gradients, so a new lr rescales all the
    past ones too, as in PyTorch; the notes' velocity keeps the lr it was made with.
    ``weight_decay`` adds L2 first: g <- g + weight_decay * x. PyTorch's
    ``dampening`` is not provided.
    """

    rules = {**Optimizer.rules, "momentum": FRACTION, "nesterov": FLAG}
    state_names = ("momentum_buffer",)

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        if nesterov is True and momentum == 0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0, got momentum=0")
        super().__init__(params, lr=lr, momentum=momentum, nesterov=nesterov,
                         weight_decay=weight_decay)

    def update(self, x, g, state, group):
        rho = group["momentum"]
        if rho:
            buffer = state["momentum_buffer"] = rho * state["momentum_buffer"] + g
            g = g + rho * buffer if group["nesterov"] else buffer
        return x - group["lr"] * g

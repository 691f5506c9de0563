"""Nesterov momentum, in the form that needs only the gradient at the current point."""
from .hyperparameters import FRACTION
from .optimizer import Optimizer


class Nesterov(Optimizer):
    """Nesterov momentum (notes 8.3). The notes' look-ahead form::

        dx_t    = rho * dx_{t-1} - lr * grad f(x_t + rho * dx_{t-1})
        x_{t+1} = x_t + dx_t

    needs the gradient at the look-ahead point y_t = x_t + rho * dx_{t-1}, not at x_t.
    This optimizer keeps y_t in the parameters instead, so that the gradient of the
    loss at the parameters is exactly that look-ahead gradient g_t. Substituting
    x_{t+1} = y_{t+1} - rho * dx_t gives the practical form, the same iterates::

        dx_t    = rho * dx_{t-1} - lr * g_t
        y_{t+1} = y_t + rho * dx_t - lr * g_t

    (dx starts at 0, so y_0 = x_0.) The notes' x_t is ``p.data - rho * dx_{t-1}``,
    with dx from ``state_of(p)["dx"]``. With a constant lr these are
    ``torch.optim.SGD(momentum=rho, nesterov=True)``'s iterates.
    ``weight_decay`` adds L2 first: g <- g + weight_decay * y.
    """

    rules = {**Optimizer.rules, "rho": FRACTION}
    state_names = ("dx",)

    def __init__(self, params, lr, rho=0.9, weight_decay=0.0):
        super().__init__(params, lr=lr, rho=rho, weight_decay=weight_decay)

    def update(self, x, g, state, group):
        rho, lr = group["rho"], group["lr"]
        dx = state["dx"] = rho * state["dx"] - lr * g
        return x + rho * dx - lr * g

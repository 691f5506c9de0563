"""AdamW: Adam with weight decay applied to the parameters, not to the gradient."""
from .adam import Adam


class AdamW(Adam):
    """AdamW (Loshchilov and Hutter; ``torch.optim.AdamW``): decoupled weight decay,
    then the Adam step of notes 8.7 on the unchanged gradient::

        x <- x * (1 - lr * weight_decay)
        x <- Adam step of x with g          (v, s, bias correction as in Adam)

    Unlike L2 (``Adam(weight_decay=...)``, which adds weight_decay * x to g), the
    decay here is not divided by sqrt(s^). Defaults as in PyTorch (weight_decay=0.01).
    """

    l2_weight_decay = False

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=0.01):
        super().__init__(params, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                         weight_decay=weight_decay)

    def update(self, x, g, state, group):
        return super().update(x * (1 - group["lr"] * group["weight_decay"]), g, state, group)

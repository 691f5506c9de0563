"""The update rules of the course notes, section 8 (优化方法), in the notes' order:
8.1 SGD, 8.2 Momentum, 8.3 Nesterov momentum, 8.4 Adagrad, 8.5 RMSprop, 8.6 Adadelta,
8.7 Adam; then AdamW, Adam with decoupled weight decay.

Each optimizer is its formula and nothing else: ``update(x, g, state, group)`` gets

    x      the parameters, one flat float64 vector (floats and batch entries alike)
    g      their gradients, the same shape (with L2 already added: g <- g + weight_decay * x)
    state  the vectors the rule keeps between steps (s, v, dx, ...), zeros before the
           first step, and state["step"] = t, the number of this step (1 for the first)
    group  the hyper-parameters: group["lr"] is the notes' learning rate eta, ...

and returns the new x. Every operation is elementwise (sqrt, *, / entry by entry), so
each entry has its own effective learning rate. Updating the state means assigning
``state[name] = ...``: the machinery (``optimizer.Optimizer``) writes the new x and
state back only when every entry is finite.

Where PyTorch's optimizer computes something else, the docstring says how; the
iterates are otherwise ``torch.optim``'s (tests/optim/test_update_rules.py checks both).
"""
from __future__ import annotations

import numpy as np

from ._types import FlatVector, GroupState, ParamGroup, Params

from .hyperparameters import FLAG, FRACTION, NON_NEGATIVE, POSITIVE
from .optimizer import Optimizer


class SGD(Optimizer):
    """8.1 SGD: the plain gradient step, on the gradient of one batch::

        x_t = x_{t-1} - lr * g_t

    PyTorch's ``momentum`` and ``nesterov`` options are here too (``torch.optim.SGD``);
    its buffer b starts at 0, so b_1 = g_1::

        b_t = momentum * b_{t-1} + g_t
        x_t = x_{t-1} - lr * b_t                          (nesterov=False)
        x_t = x_{t-1} - lr * (g_t + momentum * b_t)       (nesterov=True)

    With a constant lr these are the iterates of the notes' ``Momentum`` and
    ``Nesterov`` (whose velocity is dx = -lr * b). They differ once lr changes (a
    schedule): b holds plain gradients, so a new lr rescales all the past ones too, as
    in PyTorch; the notes' velocity keeps the lr it was made with. PyTorch's
    ``dampening`` is not provided.
    """

    rules = {**Optimizer.rules, "momentum": FRACTION, "nesterov": FLAG}
    state_names = ("momentum_buffer",)

    def __init__(self, params: Params, lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        if nesterov is True and momentum == 0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0, got momentum=0")
        super().__init__(params, lr=lr, momentum=momentum, nesterov=nesterov,
                         weight_decay=weight_decay)

    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        momentum = group["momentum"]
        if momentum:
            buffer = state["momentum_buffer"] = momentum * state["momentum_buffer"] + g
            g = g + momentum * buffer if group["nesterov"] else buffer
        return x - group["lr"] * g


class Momentum(Optimizer):
    """8.2 Momentum; the velocity dx starts at 0::

        dx_t = rho * dx_{t-1} - lr * g_t
        x_t  = x_{t-1} + dx_t

    rho in [0, 1) says how much of the previous direction to keep; rho and lr need not
    add up to 1. The notes' recipe, 0.5 at the start (large gradients) and 0.9 later, is
    one line (call its ``step()`` after each ``optimizer.step()``)::

        optim.ParamSchedule(optimizer, "rho", lambda step: 0.5 if step < 100 else 0.9)

    With a constant lr the iterates are ``torch.optim.SGD(momentum=rho)``'s; under an lr
    schedule they differ: dx keeps the lr each past step was taken with, while PyTorch
    multiplies its whole buffer of past gradients by the current lr (see ``SGD``).
    """

    rules = {**Optimizer.rules, "rho": FRACTION}
    state_names = ("dx",)

    def __init__(self, params: Params, lr: float, rho: float = 0.9,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, rho=rho, weight_decay=weight_decay)

    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        dx = state["dx"] = group["rho"] * state["dx"] - group["lr"] * g
        return x + dx


class Nesterov(Optimizer):
    """8.3 Nesterov momentum. The notes' form takes the gradient at a look-ahead point::

        dx_t    = rho * dx_{t-1} - lr * grad f(x_t + rho * dx_{t-1})
        x_{t+1} = x_t + dx_t

    To need only the gradient at the parameters, this optimizer keeps the look-ahead
    point y_t = x_t + rho * dx_{t-1} in them, so g_t, the gradient of the loss at the
    parameters, is the look-ahead gradient. Substituting x_{t+1} = y_{t+1} - rho * dx_t
    gives the same iterates (dx starts at 0, so y_0 = x_0)::

        dx_t    = rho * dx_{t-1} - lr * g_t
        y_{t+1} = y_t + rho * dx_t - lr * g_t

    The notes' x_t is ``p.data - rho * dx_{t-1}``, with dx from ``state_of(p)["dx"]``.
    With a constant lr these are ``torch.optim.SGD(momentum=rho, nesterov=True)``'s
    iterates; weight decay acts at y: g <- g + weight_decay * y.
    """

    rules = {**Optimizer.rules, "rho": FRACTION}
    state_names = ("dx",)

    def __init__(self, params: Params, lr: float, rho: float = 0.9,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, rho=rho, weight_decay=weight_decay)

    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        rho, lr = group["rho"], group["lr"]
        dx = state["dx"] = rho * state["dx"] - lr * g
        return x + rho * dx - lr * g


class Adagrad(Optimizer):
    """8.4 Adagrad: every entry its own learning rate, shrinking as its squared
    gradients add up; s starts at 0::

        s_t = s_{t-1} + g_t * g_t
        x_t = x_{t-1} - lr / sqrt(s_t + eps) * g_t

    s only grows, so the step of every entry keeps shrinking (or stays): if it shrinks
    early, while the solution is still poor, Adagrad stalls late.

    ``torch.optim.Adagrad`` differs: it puts eps outside the square root,
    x_t = x_{t-1} - lr * g_t / (sqrt(s_t) + eps), with eps = 1e-10 by default (here
    1e-6, the notes' value). The two agree when eps = 0.
    """

    rules = {**Optimizer.rules, "eps": NON_NEGATIVE}
    state_names = ("s",)

    def __init__(self, params: Params, lr: float, eps: float = 1e-6,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, eps=eps, weight_decay=weight_decay)

    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        s = state["s"] = state["s"] + g * g
        return x - group["lr"] / np.sqrt(s + group["eps"]) * g


class RMSprop(Optimizer):
    """8.5 RMSprop: Adagrad with a decaying average of squared gradients, so the step
    does not die out; s starts at 0::

        s_t = gamma * s_{t-1} + (1 - gamma) * g_t * g_t
        x_t = x_{t-1} - lr / sqrt(s_t + eps) * g_t

    ``torch.optim.RMSprop`` differs: it calls gamma ``alpha`` (default 0.99, here 0.9),
    puts eps outside the square root, x_t = x_{t-1} - lr * g_t / (sqrt(s_t) + eps), and
    defaults eps to 1e-8 (here 1e-6). The two agree when eps = 0 and alpha = gamma.
    """

    rules = {**Optimizer.rules, "gamma": FRACTION, "eps": NON_NEGATIVE}
    state_names = ("s",)

    def __init__(self, params: Params, lr: float, gamma: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, gamma=gamma, eps=eps, weight_decay=weight_decay)

    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        gamma = group["gamma"]
        s = state["s"] = gamma * state["s"] + (1 - gamma) * g * g
        return x - group["lr"] / np.sqrt(s + group["eps"]) * g


class Adadelta(Optimizer):
    """8.6 Adadelta: RMSprop whose step size comes from the past steps themselves;
    s and dx start at 0::

        s_t   = rho * s_{t-1} + (1 - rho) * g_t * g_t
        g'_t  = sqrt((dx_{t-1} + eps) / (s_t + eps)) * g_t
        dx_t  = rho * dx_{t-1} + (1 - rho) * g'_t * g'_t
        x_t   = x_{t-1} - lr * g'_t

    The notes have no lr: lr = 1 (the default) is their formula, and any other lr
    multiplies every step. This is ``torch.optim.Adadelta``'s formula too, with the
    same defaults (lr=1, rho=0.9, eps=1e-6). eps must be > 0: with eps = 0 the first
    step is 0/0.
    """

    rules = {**Optimizer.rules, "rho": FRACTION, "eps": POSITIVE}
    state_names = ("s", "dx")

    def __init__(self, params: Params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)

    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        rho, eps = group["rho"], group["eps"]
        s = state["s"] = rho * state["s"] + (1 - rho) * g * g
        g_scaled = np.sqrt((state["dx"] + eps) / (s + eps)) * g
        state["dx"] = rho * state["dx"] + (1 - rho) * g_scaled * g_scaled
        return x - group["lr"] * g_scaled


class Adam(Optimizer):
    """8.7 Adam: momentum on the gradient (v) and RMSprop on its square (s), both
    corrected for starting at 0; t counts steps from 1::

        v_t  = beta1 * v_{t-1} + (1 - beta1) * g_t
        s_t  = beta2 * s_{t-1} + (1 - beta2) * g_t * g_t
        v^_t = v_t / (1 - beta1^t)         s^_t = s_t / (1 - beta2^t)
        g'_t = lr * v^_t / (sqrt(s^_t) + eps)
        x_t  = x_{t-1} - g'_t

    0 <= beta1, beta2 < 1; the authors suggest 0.9 and 0.999 (the defaults). This is
    ``torch.optim.Adam``'s formula and defaults too (eps outside the square root in
    both); PyTorch spells (beta1, beta2) as ``betas``. ``weight_decay`` is L2, added to
    g as in torch's Adam; for decoupled weight decay use ``AdamW``.
    """

    rules = {**Optimizer.rules, "beta1": FRACTION, "beta2": FRACTION, "eps": NON_NEGATIVE}
    state_names = ("v", "s")

    def __init__(self, params: Params, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                         weight_decay=weight_decay)

    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        beta1, beta2, t = group["beta1"], group["beta2"], state["step"]
        v = state["v"] = beta1 * state["v"] + (1 - beta1) * g
        s = state["s"] = beta2 * state["s"] + (1 - beta2) * (g * g)
        # lr * v^ = (lr / (1 - beta1^t)) * v: the correction is a number, applied to it
        s_hat = s / (1 - beta2 ** t)
        return x - (group["lr"] / (1 - beta1 ** t)) * v / (np.sqrt(s_hat) + group["eps"])


class AdamW(Adam):
    """AdamW (Loshchilov and Hutter; ``torch.optim.AdamW``): decoupled weight decay,
    then the Adam step of 8.7 on the unchanged gradient::

        x <- x * (1 - lr * weight_decay)
        x <- Adam step of x with g          (v, s, bias correction as in Adam)

    Unlike L2 (``Adam(weight_decay=...)``, which adds weight_decay * x to g), the decay
    is not divided by sqrt(s^). Defaults as in PyTorch (weight_decay=0.01).
    """

    l2_weight_decay = False

    def __init__(self, params: Params, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                         weight_decay=weight_decay)

    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        return super().update(x * (1 - group["lr"] * group["weight_decay"]), g, state, group)

"""optim: the course notes' optimizers (section 8), schedules, gradient clipping and early
stopping. Optimizers read ``p.grad`` and write ``p.data``; nothing else.

    optimizer = optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(100):
        optimizer.zero_grad()
        loss = ...
        loss.backward()
        optim.clip_grad_norm(model.parameters(), max_norm=5.0)   # optional
        optimizer.step()
"""
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .clipping import clip_grad_norm, clip_grad_value
from .early_stopping import EarlyStopping
from .momentum import Momentum
from .nesterov import Nesterov
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedules import (CosineAnnealingLR, CosineLR, ExponentialLR, LambdaLR, ParamSchedule,
                        Schedule, StepLR)
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adadelta", "Adam",
    "AdamW", "Schedule", "StepLR", "ExponentialLR", "CosineLR", "CosineAnnealingLR",
    "LambdaLR", "ParamSchedule", "clip_grad_norm", "clip_grad_value", "EarlyStopping",
]

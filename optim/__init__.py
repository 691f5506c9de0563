"""optim: the course notes' optimizers (section 8), schedules, gradient clipping and early
stopping. Optimizers read ``p.grad`` and write ``p.data``; nothing else. When a compiled
step (``autodiff.compile``) owns the parameters, those are entries of its flat vectors,
and a param group is read and written there in one piece (``flat_groups``).

Reading order: ``update_rules`` (the notes' formulas, one class each, in the notes'
order), then ``optimizer`` (what every rule shares: param groups, the flat vectors of
``parameters``, the checks of ``hyperparameters``, ``state_dicts``), then
``schedules``, ``clipping`` and ``early_stopping``.

    optimizer = optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(100):
        optimizer.zero_grad()
        loss = ...
        loss.backward()
        optim.clip_grad_norm(model.parameters(), max_norm=5.0)   # optional
        optimizer.step()
"""
from .clipping import clip_grad_norm, clip_grad_value
from .early_stopping import EarlyStopping
from .optimizer import Optimizer
from .schedules import (CosineAnnealingLR, CosineLR, ExponentialLR, LambdaLR, ParamSchedule,
                        Schedule, StepLR)
from .update_rules import SGD, Adadelta, Adagrad, Adam, AdamW, Momentum, Nesterov, RMSprop

__all__ = [
    "Optimizer", "SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adadelta", "Adam",
    "AdamW", "Schedule", "StepLR", "ExponentialLR", "CosineLR", "CosineAnnealingLR",
    "LambdaLR", "ParamSchedule", "clip_grad_norm", "clip_grad_value", "EarlyStopping",
]

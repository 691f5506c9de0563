"""The types of optim's signatures, named once. They are annotations only: nothing checks
them at run time (the optimizers check their arguments themselves)."""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Protocol, Union

import numpy as np
from numpy.typing import NDArray

from autodiff import Value

__all__ = ["FlatVector", "ParamGroup", "Params", "Hyperparameter", "GroupState",
           "StateDict", "OptimizerSettings"]

FlatVector = NDArray[np.float64]
"""A param group's data, grads or state as one flat float64 vector: one entry per float
parameter, one per example of a batched one."""

ParamGroup = dict[str, Any]
"""``{"params": [leaf Values], "lr": ..., <hyper-parameter>: value, ...}``."""

Params = Union[Iterable[Value], Iterable[Mapping[str, Any]]]
"""What an optimizer takes: an iterable of leaf Values (``model.parameters()``), or of
param-group dicts ``{"params": [...], "lr": ...}``."""

Hyperparameter = Union[float, bool]
"""A hyper-parameter's value: a number (lr, rho, eps, ...) or a switch (nesterov)."""

GroupState = dict[str, Any]
"""What an update rule keeps for a group: ``{"step": t, <name>: FlatVector, ...}``."""

StateDict = dict[str, Any]
"""Plain data (dicts, lists, str, int, float, bool) that ``json.dumps`` takes as it is."""


class OptimizerSettings(Protocol):
    """What loading a saved state checks against (``state_dicts.checked_state``): an
    ``Optimizer``'s name, groups, hyper-parameter rules and state names."""

    param_groups: list[ParamGroup]
    state_names: tuple[str, ...]

    @property
    def name(self) -> str:
        """The optimizer's class name."""

    @property
    def rules(self) -> Mapping[str, Any]:
        """Each hyper-parameter's allowed values."""

    def check_hyperparameter(self, name: str, value: object, where: str = "") -> Hyperparameter:
        """``value`` if it is allowed for ``name``, else an error."""

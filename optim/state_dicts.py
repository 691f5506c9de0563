"""Checking an optimizer's saved state before loading it: every mismatch is an error
that says what differs, and nothing is loaded until everything has been checked."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from autodiff.checks import check_number

from ._types import GroupState, Hyperparameter, OptimizerSettings, StateDict
from .parameters import offsets_of


def checked_state(optimizer: OptimizerSettings, sizes: Sequence[Sequence[int]],
                  state_dict: StateDict
                  ) -> tuple[list[dict[str, Hyperparameter]], list[GroupState]]:
    """``(hyper-parameters per group, state per group)`` from ``state_dict`` (the output
    of ``optimizer.state_dict()``, possibly through JSON), checked against
    ``optimizer`` and ``sizes`` (each group's parameter sizes, as ``sizes_of`` gives
    them): same class, same number of groups, same parameter sizes, same
    hyper-parameter names with allowed values, state vectors of the right length whose
    entries are finite numbers (a string, a bool, NaN or inf is refused by position)."""
    owner = f"{optimizer.name}.load_state_dict"
    _expect_keys(owner, "the state_dict", state_dict, {"optimizer", "param_groups", "state"})
    if state_dict["optimizer"] != optimizer.name:
        raise ValueError(f"{owner}: the state_dict is from {state_dict['optimizer']!r}, "
                         f"not {optimizer.name!r}")
    groups, states = state_dict["param_groups"], state_dict["state"]
    expected = len(optimizer.param_groups)
    for what, items in (("param groups", groups), ("group states", states)):
        if not isinstance(items, list) or len(items) != expected:
            count = len(items) if isinstance(items, list) else type(items).__name__
            raise ValueError(f"{owner}: the state_dict has {count} {what}, this optimizer "
                             f"has {expected}")
    hyperparameters, loaded = [], []
    for index, (group, state) in enumerate(zip(groups, states)):
        where = f"param group {index}"
        _expect_keys(owner, where, group, {"hyperparameters", "sizes"})
        group_sizes = _checked_sizes(owner, where, group["sizes"], sizes[index])
        _expect_keys(owner, f"{where} hyper-parameters", group["hyperparameters"],
                     set(optimizer.rules))
        hyperparameters.append({
            name: optimizer.check_hyperparameter(name, value, f"{where}: ")
            for name, value in group["hyperparameters"].items()})
        loaded.append(_checked_vectors(owner, where, state, optimizer.state_names,
                                       offsets_of(group_sizes)[1]))
    return hyperparameters, loaded


def _expect_keys(owner, where, mapping, expected):
    if not isinstance(mapping, dict):
        raise TypeError(f"{owner}: {where} must be a dict, got {type(mapping).__name__}")
    missing, unexpected = expected - set(mapping), set(mapping) - expected
    if missing or unexpected:
        parts = [f"missing {sorted(missing)}"] if missing else []
        parts += [f"unexpected {sorted(unexpected)}"] if unexpected else []
        raise ValueError(f"{owner}: {where} has the wrong entries ({', '.join(parts)})")


def _checked_sizes(owner, where, saved, sizes):
    if not isinstance(saved, list):
        raise ValueError(f"{owner}: {where} sizes must be a list, got {saved!r}")
    if len(saved) != len(sizes):
        raise ValueError(f"{owner}: {where} of the state_dict has {len(saved)} parameters, "
                         f"this optimizer's has {len(sizes)}")
    for position, (then, now) in enumerate(zip(saved, sizes)):
        if then != now:
            raise ValueError(f"{owner}: {where}, parameter {position}: the state_dict "
                             f"has size {then}, this optimizer's parameter has size {now} "
                             "(0 means a float)")
    return sizes


def _checked_vectors(owner, where, state, names, length):
    _expect_keys(owner, f"{where} state", state, {"step", *names})
    vectors = {"step": check_number(owner, f"{where} state: step", state["step"], minimum=0,
                                    integer=True)}
    for name in names:
        entries = state[name]
        if not isinstance(entries, list) or len(entries) != length:
            count = f"{len(entries)} entries" if isinstance(entries, list) else repr(entries)
            raise ValueError(f"{owner}: {where} state {name!r} must be a list of {length} "
                             f"numbers (one per float parameter and per batch element), "
                             f"got {count}")
        vectors[name] = np.array([check_number(owner, f"{where} state {name!r}[{entry}]", number)
                                  for entry, number in enumerate(entries)], dtype=np.float64)
    return vectors

"""Optimizer: what every update rule shares. A subclass is its formula and nothing else
(the notes' rules are in ``update_rules``).

``step()`` flattens each param group's data and grads into two float64 vectors x and g,
adds the L2 term (g <- g + weight_decay * x), applies the subclass's formula once to
the whole vector (elementwise, so floats and batched parameters are handled alike) and
writes the new data back with ``p.data = ...``. Nothing else in the Values is touched.
When a compiled step owns a group's parameters (``autodiff.compile``), x and g are read
from its flat vectors and x written back there (``flat_groups``): no Value is visited.
"""
from __future__ import annotations

import abc
from typing import Any, Callable

import numpy as np

from autodiff import Value, enable_grad, zero_grad

from ._types import FlatVector, GroupState, Hyperparameter, ParamGroup, Params, StateDict
from .flat_groups import GroupSlots
from .hyperparameters import NON_NEGATIVE, Rule
from .parameters import (check_layout, describe, flat_data, flat_grads, float_data, float_grads,
                         offsets_of, owner_of_entry, parameter_groups, parameter_list,
                         sizes_of, write_flat, write_float_data, zero_float_grads)
from .state_dicts import checked_state


class Optimizer(abc.ABC):
    """Base class: param groups, ``step()``, ``zero_grad()``, ``state_dict()``.

    ``params``: an iterable of leaf Values (e.g. ``model.parameters()``), or a list of
    param-group dicts ``{"params": [...], "lr": ...}`` whose missing hyper-parameters
    take the constructor's values.

    A subclass declares ``rules`` (each hyper-parameter and its allowed range),
    ``state_names`` (the vectors it keeps between steps, zeros before the first) and
    ``update(x, g, state, group)``: the formula, on the flat vectors, returning the new
    x; ``state["step"]`` is t, the number of this step (1 for the first).

    Every parameter is stepped, including one whose grad is zero because it did not
    take part in the loss (grads here are never None, so zero is all there is): a
    momentum optimizer keeps moving it with its velocity, weight decay still shrinks
    it, Adam's moments still decay. A gradient that is inf or NaN, or a step that would
    make a parameter or a state entry inf or NaN, raises FloatingPointError naming the
    parameter, and changes nothing (no parameter, no state).
    """

    rules: dict[str, Rule] = {"lr": NON_NEGATIVE, "weight_decay": NON_NEGATIVE}
    state_names: tuple[str, ...] = ()
    l2_weight_decay = True   # False where the subclass applies weight decay itself

    def __init__(self, params: Params, **defaults: Hyperparameter) -> None:
        self.defaults = {name: self.check_hyperparameter(name, value)
                         for name, value in defaults.items()}
        self.param_groups: list[ParamGroup] = []
        self._sizes: list[list[int]] = []
        self._states: list[GroupState] = []
        self._slots: list[GroupSlots] = []  # per group: where a compiled step keeps its parameters
        self._checked: list[list[Any] | None] = []  # per group: the values last checked
        self._floats: list[bool] = []  # per group: every parameter a float when it was added
        for group in parameter_groups(params, self.name):
            self.add_param_group(group)

    @property
    def name(self) -> str:
        """The optimizer's class name, as error messages say it."""
        return type(self).__name__

    @abc.abstractmethod
    def update(self, x: FlatVector, g: FlatVector, state: GroupState,
               group: ParamGroup) -> FlatVector:
        """The update formula: new x from x, g, the state vectors and the group's
        hyper-parameters (overridden by each optimizer)."""

    def check_hyperparameter(self, name: str, value: object, where: str = "") -> Hyperparameter:
        """``value`` if it is allowed for hyper-parameter ``name`` (as a float or bool),
        else an error such as ``"Momentum: rho must be in [0, 1), got 1.5"``."""
        if name not in self.rules:
            raise ValueError(f"{self.name}: {where}unknown hyper-parameter {name!r}; "
                             f"{self.name} has {', '.join(self.rules)}")
        return self.rules[name].check(self.name, where + name, value)

    def add_param_group(self, group: ParamGroup) -> None:
        """Add ``{"params": [...], <hyper-parameter>: value, ...}``; hyper-parameters
        not given take the constructor's values."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{self.name}: a param group must be a dict with a 'params' "
                            f"entry, got {group!r}")
        index = len(self.param_groups)
        where = f"param group {index}: " if index or len(group) > 1 else ""
        values = parameter_list(group["params"], self.name, where)
        if not values:
            raise ValueError(f"{self.name}: {where}empty parameter list")
        self._check_no_repeats(values, where)
        hyperparameters = {**self.defaults,
                           **{name: value for name, value in group.items() if name != "params"}}
        checked = {name: self.check_hyperparameter(name, value, where)
                   for name, value in hyperparameters.items()}
        sizes = sizes_of(values)
        self.param_groups.append({"params": values, **checked})
        self._sizes.append(sizes)
        self._states.append(self._initial_state(offsets_of(sizes)[1]))
        self._slots.append(GroupSlots())
        self._checked.append(None)
        self._floats.append(not any(sizes))

    def _check_no_repeats(self, values, where):
        seen = {id(value) for group in self.param_groups for value in group["params"]}
        for index, value in enumerate(values):
            if id(value) in seen:
                raise ValueError(f"{self.name}: {where}parameter {index} {describe(value)} "
                                 "appears more than once; each Value may be given once")
            seen.add(id(value))

    def _initial_state(self, length):
        return {"step": 0, **{name: np.zeros(length) for name in self.state_names}}

    def zero_grad(self) -> None:
        """Set every parameter's grad to zero (0.0, or zeros for a batched one)."""
        plain = []
        for index, group in enumerate(self.param_groups):
            slots = self._slots[index].find(group["params"], self._sizes[index])
            if slots is not None:
                slots.zero_grad()
            elif self._floats[index]:
                zero_float_grads(group["params"])
            else:
                plain.extend(group["params"])
        if plain:
            zero_grad(plain)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter; returns ``closure()`` (which should zero the
        grads, compute the loss and call backward) when one is given, else None."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        results = [self._stepped_group(index) for index in range(len(self.param_groups))]
        for index, (new_data, new_state, slots) in enumerate(results):
            if slots is not None:
                slots.set_data(new_data)
            elif self._floats[index]:     # every size 0 (else reading x raised)
                write_float_data(self.param_groups[index]["params"], new_data)
            else:
                write_flat(self.param_groups[index]["params"], self._sizes[index], new_data)
            self._states[index] = new_state
        return loss

    def _stepped_group(self, index):
        group, sizes = self.param_groups[index], self._sizes[index]
        where = f"param group {index}: " if len(self.param_groups) > 1 else ""
        self._check_group_hyperparameters(index, where)
        values = group["params"]
        slots = self._slots[index].find(values, sizes)
        if slots is not None:
            x, g = slots.data(), slots.grad()
        else:
            x = g = None
            if self._floats[index]:
                x, g = float_data(values, len(sizes)), float_grads(values)
            if x is None:
                check_layout(values, sizes, self.name, index)
                x = flat_data(values, sizes)
            if g is None:           # a grad that is not a number: flat_grads names it
                owner = f"{self.name} (param group {index})" if where else self.name
                g = flat_grads(values, sizes, owner)
        state = dict(self._states[index])
        state["step"] += 1
        self._refuse_non_finite(index, state["step"], g, g)
        if self.l2_weight_decay and group["weight_decay"]:
            g = g + group["weight_decay"] * x
        with np.errstate(invalid="ignore", over="ignore"):    # reported just below
            new_x = self.update(x, g, state, group)
        self._refuse_non_finite(index, state["step"], new_x, g, "the parameter")
        for name in self.state_names:
            self._refuse_non_finite(index, state["step"], state[name], g,
                                    f"its state {name!r}")
        return new_x, state, slots

    def _check_group_hyperparameters(self, index, where):
        """Check group ``index``'s hyper-parameters (a schedule or the user may have
        changed them since the last step); skipped while they are the very objects
        checked last time."""
        group, checked = self.param_groups[index], self._checked[index]
        if checked is not None and all(group.get(name) is value
                                       for name, value in zip(self.rules, checked)):
            return
        for name in self.rules:
            group[name] = self.check_hyperparameter(name, group.get(name), where)
        self._checked[index] = [group[name] for name in self.rules]

    def _refuse_non_finite(self, index, t, vector, g, what=None):
        """FloatingPointError if ``vector`` holds a NaN or an infinity: the grads
        (``what`` None) or, after the update, the new data or a new state vector of
        group ``index`` (``what`` says which). Nothing has been written yet, so nothing
        changes."""
        finite = np.isfinite(vector)
        if finite.all():
            return
        entry = int(np.flatnonzero(~finite)[0])
        position = owner_of_entry(self._sizes[index], entry)
        value = self.param_groups[index]["params"][position]
        if what is None:
            problem = f"its gradient is {float(g[entry])!r}"
            advice = "Check the loss (an overflow, a log of 0, a division by 0)"
        else:
            problem = (f"the step would make {what} {float(vector[entry])!r} (its gradient "
                       f"is {float(g[entry])!r})")
            advice = ("The iterates diverged or the gradient is too large: lower lr, clip "
                      "the gradients (optim.clip_grad_norm) or check the loss")
        raise FloatingPointError(
            f"{self.name}: step {t}, parameter {position} {describe(value)} of param group "
            f"{index}: {problem}; nothing was changed. {advice}")

    def state_of(self, value: Value) -> dict[str, Any]:
        """The optimizer's state for one parameter: ``{"step": t, <name>: float or
        array, ...}`` (copies), e.g. Momentum's velocity ``dx`` or Adam's ``v``, ``s``."""
        for index, group in enumerate(self.param_groups):
            for position, candidate in enumerate(group["params"]):
                if candidate is value:
                    return self._entries(index, position)
        raise ValueError(f"{self.name}.state_of: {value!r} is not one of this optimizer's "
                         "parameters")

    def _entries(self, index, position):
        size = self._sizes[index][position]
        start = offsets_of(self._sizes[index])[0][position]
        state = self._states[index]
        entries = {"step": state["step"]}
        for name in self.state_names:
            entries[name] = (float(state[name][start]) if size == 0
                             else state[name][start:start + size].copy())
        return entries

    def state_dict(self) -> StateDict:
        """Everything needed to resume, as plain data (dicts, lists, str, int, float,
        bool: ``json.dumps`` takes it as it is; floats round-trip exactly)::

            {"optimizer": "Adam",
             "param_groups": [{"hyperparameters": {"lr": 0.001, ...}, "sizes": [0, 0, ...]}],
             "state": [{"step": 12, "v": [...], "s": [...]}]}

        ``sizes`` has 0 for a float parameter and the batch length for a batched one;
        each state vector has one entry per float and per batch element, in order."""
        return {
            "optimizer": self.name,
            "param_groups": [{"hyperparameters": {name: group[name] for name in self.rules},
                              "sizes": list(sizes)}
                             for group, sizes in zip(self.param_groups, self._sizes)],
            "state": [{"step": state["step"],
                       **{name: state[name].tolist() for name in self.state_names}}
                      for state in self._states],
        }

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Resume from ``state_dict()`` output: checks that it comes from the same kind
        of optimizer, with as many groups, parameters and entries, and the same
        hyper-parameter names (each error says what differs); then takes its
        hyper-parameter values (a schedule may have changed them) and its state.
        Nothing is changed when a check fails."""
        hyperparameters, states = checked_state(self, self._sizes, state_dict)
        for group, values in zip(self.param_groups, hyperparameters):
            group.update(values)
        self._states = states

    def __repr__(self) -> str:
        groups = []
        for group in self.param_groups:
            settings = ", ".join(f"{name}={group[name]!r}" for name in self.rules)
            groups.append(f"{len(group['params'])} parameters: {settings}")
        return f"{self.name}({'; '.join(groups)})"

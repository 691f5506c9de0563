"""What one row of the rules table holds (``Primitive``), and a row with a constant
parameter (``PrimitiveFamily``: ``x ** 3``, ``leaky_relu`` with slope 0.1).

The rows themselves are in ``_table.py``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

# d(out)/d(operand) for each operand: a rule (operands..., out) -> derivatives, or a
# tuple of numbers when the derivatives are constants (add: (1.0, 1.0))
LocalGrads = Callable[..., Sequence[Any]] | tuple[float, ...]
DerivativeText = Sequence[str] | Callable[[list[str]], Sequence[str]]


class Primitive:
    """One operation: ``name``, ``float_forward``, ``array_forward``, ``local_grads``
    (a rule (operands..., out) -> one derivative per operand, or a tuple when the
    derivatives are constants), ``check`` (the domain, run before the forward),
    ``formula``, and ``derivative_text``: the derivatives as text, one per operand, in
    terms of ``{0}``, ``{1}``, ... (the operands) and ``{out}`` (for pictures)."""

    __slots__ = ("name", "float_forward", "array_forward", "local_grads", "check", "formula",
                 "derivative_text", "passes_gradient", "parameter")

    def __init__(self, name: str, float_forward: Callable[..., Any],
                 array_forward: Callable[..., Any], local_grads: LocalGrads,
                 check: Callable[..., None] | None = None, formula: str = "",
                 derivative_text: DerivativeText = (), passes_gradient: bool = True,
                 parameter: Any = None) -> None:
        self.name = name
        self.float_forward = float_forward
        self.array_forward = array_forward
        # a rule or a tuple (LocalGrads); Any, so the hot paths call it without narrowing
        self.local_grads: Any = local_grads
        self.check = check
        self.formula = formula
        self.derivative_text = derivative_text
        self.passes_gradient = passes_gradient
        self.parameter = parameter

    def local_grads_of(self, *operands_and_out: Any) -> Sequence[Any]:
        """The local derivatives for these operands (data or Values) and output."""
        rule = self.local_grads
        return rule(*operands_and_out) if callable(rule) else rule

    def local_grad_text(self, operand_names: Sequence[str],
                        out_name: str = "out") -> tuple[str, ...]:
        """d(out)/d(operand) as text for each operand, e.g. ``mul`` of a, b: ("b", "a")."""
        text = self.derivative_text
        if callable(text):
            return tuple(text(list(operand_names)))
        if len(text) == 1 and len(operand_names) > 1:        # n-ary with one rule
            text = tuple(text) * len(operand_names)
        return tuple(t.format(*operand_names, out=out_name) for t in text)

    def __repr__(self) -> str:
        return f"Primitive({self.name!r}: {self.formula})"


class PrimitiveFamily:
    """Primitives with a constant parameter (``x ** 3``, ``leaky_relu`` with slope 0.1):
    ``family(parameter)`` gives the Primitive for that parameter (one per value)."""

    def __init__(self, name: str, make: Callable[[Any], Primitive], formula: str) -> None:
        self.name = name
        self.formula = formula
        self._make = functools.lru_cache(maxsize=1024)(make)

    def __call__(self, parameter: Any) -> Primitive:
        return self._make(parameter)

    def __repr__(self) -> str:
        return f"PrimitiveFamily({self.name!r}: {self.formula})"

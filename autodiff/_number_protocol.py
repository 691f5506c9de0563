"""How a Value answers where Python expects a number: ``==``, ``<``, ``bool()``,
``float()``, ``round()``, ``format()``. Value inherits these from ``NumberProtocol``;
none of them records anything (they compare or convert the data), and each is refused
while ``compile`` traces a step, where a Python decision on a value would be frozen
into the tape.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._mode import check_not_tracing


def _data(x: Any) -> Any:
    """The data of a Value (any NumberProtocol), anything else as it is."""
    return x.data if isinstance(x, NumberProtocol) else x


class NumberProtocol:
    """Comparisons and conversions on the data (``self.data``: a float or a batch)."""

    __slots__ = ()
    data: float | np.ndarray

    def item(self) -> float:
        """The data as a Python float (only for unbatched Values)."""
        check_not_tracing("item()/float()")
        if type(self.data) is not float:
            raise ValueError(f"item: Value is batched ({len(self.data)} examples)")
        return self.data

    __float__ = item

    def __format__(self, spec: str) -> str:
        """``f"{v:.3f}"`` formats the data as a float would; ``f"{v}"`` is the repr."""
        if not spec:
            return repr(self)
        if type(self.data) is not float:
            raise ValueError(f"format: Value is batched ({len(self.data)} examples); "
                             "format its .data")
        return format(self.data, spec)

    def __round__(self, ndigits: int | None = None) -> float:
        """round(v, n) rounds the data as for a float (a number, not a Value)."""
        return round(self.item(), ndigits)

    def __bool__(self) -> bool:
        check_not_tracing("bool()")
        return True

    def __lt__(self, other: Any) -> Any:
        check_not_tracing("'<'")
        return self.data < _data(other)

    def __le__(self, other: Any) -> Any:
        check_not_tracing("'<='")
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> Any:
        check_not_tracing("'>'")
        return self.data > _data(other)

    def __ge__(self, other: Any) -> Any:
        check_not_tracing("'>='")
        return self.data >= _data(other)

    def __eq__(self, other: object) -> Any:
        """``v == w`` compares the data, as torch and numpy do (``Value(2.0) == 2.0`` is
        True; a batch gives one bool per example). Values still hash by identity, so
        sets and dicts of Values (what graph algorithms use) tell two equal Values apart."""
        check_not_tracing("'=='")
        return self.data == _data(other)

    def __ne__(self, other: object) -> Any:
        """``v != w``: the data differ (one bool per example for a batch)."""
        check_not_tracing("'!='")
        return self.data != _data(other)

    __hash__ = object.__hash__     # by identity, as torch tensors: see __eq__

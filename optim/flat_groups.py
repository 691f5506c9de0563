"""A param group whose parameters a compiled step owns: its x and g are entries of the
step's flat vectors (``autodiff.parameter_slots``), read and written with one numpy
operation each, instead of visiting every Value.

Finding the slots means one pass over the group's Values; ``GroupSlots`` remembers them
for as long as they hold: the same list object, as long as when found, every entry a
float (``sizes`` all 0) and the step still owning them (not released, not taken over
by another step). Otherwise the optimizer reads and writes the Values themselves.
"""
from __future__ import annotations

from typing import Any, Sequence

from autodiff import Value, parameter_slots


class GroupSlots:
    """The remembered ``ParameterSlots`` of one param group (None: plain Values)."""

    __slots__ = ("values", "length", "slots")
    values: list[Value] | None
    length: int
    slots: Any                  # autodiff's ParameterSlots, or None

    def __init__(self) -> None:
        self.values, self.length, self.slots = None, 0, None

    def find(self, values: list[Value], sizes: Sequence[int]) -> Any:
        """The group's slots, when a live compiled step owns all of ``values`` (a list
        of float parameters, ``sizes`` all 0), else None."""
        slots = self.slots
        if (slots is not None and self.values is values and self.length == len(values)
                and slots.valid):
            return slots
        slots = parameter_slots(values)         # None at once for plain Values
        if slots is not None and any(sizes):
            slots = None                        # sizes changed: check_layout says how
        self.values, self.length, self.slots = values, len(values), slots
        return slots

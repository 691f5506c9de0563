"""The compiler above the eager engine: ``compile`` traces one training step and
replays it as a few numpy operations per group of like nodes, reading the same rules
table as the eager engine (``autodiff/_table.py``).

- ``step.py``: ``compile`` and ``CompiledStep``, what a user calls; ``constant``,
  ``observe``.
- ``slots.py``: ``parameter_slots``, where the parameters a step owns live in its flat
  vectors (what optimizers read and write).
- ``trace.py``: tracing a step once and noting where every leaf came from.
- ``data.py``: the step's copies of its data arguments while traced: every way of
  reading numbers out of them is recorded or refused.
- ``key.py``: what a call checks besides its data: module settings, the parameters'
  identity and ``requires_grad``.
- ``tape.py``: one tape (one structure, one batch size): buffers, groups by level,
  replay forward and backward.
- ``groups.py`` and ``affine.py``: the replay kernels, one numpy call per group.
"""
from .slots import ParameterSlots, parameter_slots
from .step import CompiledStep, compile, constant, observe

__all__ = ["CompiledStep", "compile", "constant", "observe", "parameter_slots",
           "ParameterSlots"]

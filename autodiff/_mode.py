"""Per-thread recording state: whether operations record the graph, and the scope
(a module path such as ``"mlp.layers.0"``) stamped on every Value created.

Both live in one thread-local tuple ``state.context = (recording, scope)`` so that an
operation reads them with a single lookup. ``state.differentiating`` counts the
transforms (``grad``, ``jvp``, ``vjp``, ``jacobian``, ``hessian``, ``gradcheck``) running
their function, so that a transform inside another one returns a result the outer one
can differentiate (``_nesting.py``); ``state.births`` collects the leaves that require
grad made while a top-level transform runs its function (None otherwise).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable, Literal, TypeVar

_Result = TypeVar("_Result")


class _RecordingState(threading.local):
    def __init__(self) -> None:
        self.context: tuple[bool, str | None] = (True, None)
        self.differentiating = 0
        self.births = None       # a list while a top-level transform watches (_nesting.py)
        self.tracing = False     # True while ``compile`` traces a step (see check_not_tracing)


state = _RecordingState()


class no_grad:
    """Context manager and decorator: operations inside record no graph.

    Values computed under ``no_grad`` are constants (no parents, ``requires_grad``
    False), exactly like results under ``torch.no_grad()``. The switch is per thread.
    """

    recording = False

    def __enter__(self) -> no_grad:
        self._previous = state.context
        state.context = (self.recording, self._previous[1])
        return self

    def __exit__(self, *exc_info: object) -> Literal[False]:
        state.context = (self._previous[0], state.context[1])
        return False

    def __call__(self, function: Callable[..., _Result]) -> Callable[..., _Result]:
        def without_graph(*args: Any, **kwargs: Any) -> _Result:
            with type(self)():
                return function(*args, **kwargs)
        without_graph.__name__ = getattr(function, "__name__", "without_graph")
        without_graph.__doc__ = getattr(function, "__doc__", None)
        return without_graph


class enable_grad(no_grad):
    """Context manager and decorator: record the graph again inside ``no_grad``."""

    recording = True


def is_grad_enabled() -> bool:
    """True when operations in this thread record the graph."""
    return state.context[0]


@contextmanager
def scope(name: object) -> Iterator[str]:
    """Stamp ``name`` (joined to the enclosing scope with ``.``) on every Value
    created inside the block; ``viz`` draws each scope as a cluster. The name is kept
    as given (any text; pictures show it literally)."""
    recording, previous = state.context
    scoped = str(name) if previous is None else f"{previous}.{name}"
    state.context = (recording, scoped)
    try:
        yield scoped
    finally:
        state.context = (state.context[0], previous)


class TracingError(RuntimeError):
    """Raised when a step being compiled reads a Value's data in Python (a comparison,
    ``bool``, ``item``, ``float``): the tape would freeze the branch taken."""


def check_not_tracing(operation: str) -> None:
    """Raise TracingError naming ``operation`` and the user's line (the first frame
    outside autodiff/) while ``compile`` traces a step; do nothing otherwise."""
    if not state.tracing:
        return
    import os
    import traceback
    package = os.path.dirname(os.path.abspath(__file__))
    where = "an unknown line"
    for frame in reversed(traceback.extract_stack()):
        if os.path.dirname(os.path.abspath(frame.filename)) != package:
            where = f"{frame.filename}:{frame.lineno}: {(frame.line or '').strip()}"
            break
    raise TracingError(
        f"compile: {operation} on a Value while tracing, at {where}; a compiled tape would "
        "freeze the branch this run takes and replay it for every batch. Write the step "
        "without Python decisions on values (use maximum/minimum/relu/abs, or "
        "autodiff.constant for masks computed from data), or run it eagerly")

"""Per-thread recording state: whether operations record the graph, and the scope
(a module path such as ``"mlp.layers.0"``) stamped on every Value created.

Both live in one thread-local tuple ``state.context = (recording, scope)`` so that an
operation reads them with a single lookup.
"""
import threading
from contextlib import contextmanager


class _RecordingState(threading.local):
    def __init__(self):
        self.context = (True, None)


state = _RecordingState()


class no_grad:
    """Context manager and decorator: operations inside record no graph.

    Values computed under ``no_grad`` are leaves (no parents), exactly like results
    under ``torch.no_grad()``. The switch is per thread.
    """

    recording = False

    def __enter__(self):
        self._previous = state.context
        state.context = (self.recording, self._previous[1])
        return self

    def __exit__(self, *exc_info):
        state.context = (self._previous[0], state.context[1])
        return False

    def __call__(self, function):
        def without_graph(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)
        without_graph.__name__ = getattr(function, "__name__", "without_graph")
        without_graph.__doc__ = getattr(function, "__doc__", None)
        return without_graph


class enable_grad(no_grad):
    """Context manager and decorator: record the graph again inside ``no_grad``."""

    recording = True


def is_grad_enabled():
    """True when operations in this thread record the graph."""
    return state.context[0]


def current_scope():
    """The scope stamped on Values created now in this thread (``None`` outside any)."""
    return state.context[1]


@contextmanager
def scope(name):
    """Stamp ``name`` (joined to the enclosing scope with ``.``) on every Value
    created inside the block; ``viz`` draws each scope as a cluster."""
    recording, previous = state.context
    state.context = (recording, name if previous is None else f"{previous}.{name}")
    try:
        yield state.context[1]
    finally:
        state.context = (state.context[0], previous)

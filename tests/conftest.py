"""Fixtures shared by every test package (helpers live in tests/helpers.py)."""
import pytest


@pytest.fixture
def torch():
    """The torch module in float64, or skip when torch is not installed."""
    module = pytest.importorskip("torch", exc_type=ImportError)   # a broken install skips too
    module.set_default_dtype(module.float64)
    return module

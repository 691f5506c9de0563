"""Fixtures shared by every test package (helpers live in tests/helpers.py)."""
import pytest


@pytest.fixture
def torch():
    """The torch module in float64, or skip when torch is not installed."""
    module = pytest.importorskip("torch", exc_type=ImportError)   # a broken install skips too
    module.set_default_dtype(module.float64)
    return module


@pytest.fixture(autouse=True)
def primitives_table_restored():
    """A primitive a test defines (autodiff.primitive, the README's softsign) leaves the
    table with the test, so that tests over every row of the table see the built-ins."""
    import autodiff
    before = dict(autodiff.PRIMITIVES)
    yield
    if autodiff.PRIMITIVES != before:
        autodiff.PRIMITIVES.clear()
        autodiff.PRIMITIVES.update(before)

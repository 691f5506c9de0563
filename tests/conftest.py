"""Fixtures shared by every test package (helpers live in tests/helpers.py), and the line
at the end of a run that says which tests skipped for want of what, and what to install."""
import re
from collections import Counter

import pytest

# What a skipped test was missing, recognised by a word of its skip reason (first match
# wins), and how to install it.
MISSING = (
    ("torch", "torch", "pip install torch==2.13.0"),
    ("playwright", "playwright", "pip install playwright"),
    ("chromium", "chromium", "apt-get install chromium"),
    ("dot", "the system dot", "apt-get install graphviz"),
    ("sklearn", "scikit-learn", "pip install scikit-learn"),
    ("nbformat", "Jupyter", "pip install -e '.[dev]'"),
    ("nbclient", "Jupyter", "pip install -e '.[dev]'"),
    ("ipython", "IPython", "pip install ipykernel"),
)


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


def _skip_reason(report):
    """The reason text of a skipped test's report (pytest keeps (path, line, reason))."""
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)


def skip_summary(reasons):
    """One line for the skip reasons of a run: how many tests skipped, grouped by what
    they were missing (matched by the words in ``MISSING``) with the command that
    installs it, then the count of other skips; empty when nothing skipped."""
    if not reasons:
        return ""
    groups, other = Counter(), 0
    for reason in reasons:
        text = reason.lower()
        match = next(((name, install) for word, name, install in MISSING
                      if re.search(rf"\b{word}\b", text)), None)
        if match is None:
            other += 1
        else:
            groups[match] += 1
    parts = [f"{count} need {name} ({install})" for (name, install), count in groups.most_common()]
    if other:
        parts.append(f"{other} for other reasons (pytest -rs lists them)")
    return f"{len(reasons)} skipped: " + "; ".join(parts)


def pytest_terminal_summary(terminalreporter):
    """At the end of the run: which tests skipped for want of what (see ``skip_summary``)."""
    line = skip_summary([_skip_reason(report)
                         for report in terminalreporter.stats.get("skipped", [])])
    if line:
        terminalreporter.write_line(line, yellow=True)

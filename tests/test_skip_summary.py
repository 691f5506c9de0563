"""The line at the end of a run that says which tests skipped for want of what and what
to install (tests/conftest.py's ``pytest_terminal_summary``), run on a tiny test folder
that holds a copy of that conftest."""
import shutil
import subprocess
import sys
from pathlib import Path

import conftest

TINY_TESTS = '''
import pytest


def test_torch():      # importorskip's message when torch is not installed
    pytest.skip("could not import 'torch': No module named 'torch'")


def test_torch_too():
    pytest.skip("could not import 'torch': No module named 'torch'")

def test_dot():
    pytest.skip("system graphviz (dot) is not installed")

def test_chromium():
    pytest.skip("no system chromium on PATH (apt-get install chromium): no browser test")

def test_playwright():
    pytest.skip("playwright is not installed (pip install playwright): no browser test")

def test_something_else():
    pytest.skip("batch statistics need a batch")

def test_passes():
    assert True
'''


def _run(folder, text):
    (folder / "test_tiny.py").write_text(text, encoding="utf-8")
    shutil.copy(Path(conftest.__file__), folder / "conftest.py")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           "-p", "no:cacheprovider", str(folder)], cwd=folder,
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_run_with_skips_ends_with_one_line_naming_what_to_install(tmp_path):
    result = _run(tmp_path, TINY_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "skipped:" in line]
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith("6 skipped: 2 need torch (pip install torch==2.13.0); ")
    assert "1 need the system dot (apt-get install graphviz)" in lines[0]
    assert "1 need chromium (apt-get install chromium)" in lines[0]
    assert "1 need playwright (pip install playwright)" in lines[0]
    assert "for other reasons (pytest -rs lists them)" in lines[0]


def test_skip_summary_groups_reasons_by_what_is_missing():
    reasons = ["could not import 'torch': No module named 'torch'"] * 3 + [
        "system graphviz (dot) is not installed",
        "could not import 'IPython.core.formatters': No module named 'IPython'",
        "could not import 'sklearn': No module named 'sklearn'",
        "batch statistics need a batch"]
    assert conftest.skip_summary(reasons) == (
        "7 skipped: 3 need torch (pip install torch==2.13.0); "
        "1 need the system dot (apt-get install graphviz); 1 need IPython (pip install ipykernel); "
        "1 need scikit-learn (pip install scikit-learn); "
        "1 for other reasons (pytest -rs lists them)")
    assert conftest.skip_summary([]) == ""

"""The notebooks (notebooks/NN_name.ipynb), one per chapter of the course notes: each one
runs top to bottom in a fresh kernel without an error (their asserts check the claims
their text makes), opens with what it teaches, ends with an exercise, is committed
executed (outputs included, so that it reads on a website), and writes no files.

Every notebooks/*.ipynb is picked up, so a new chapter is tested as soon as it is added.
To refresh the committed outputs after a change of the library, run
``python tests/test_notebooks.py [NAME ...]``: it executes the notebooks and writes them
back with their new outputs.
"""
import os
import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 300          # seconds for one cell
NOTEBOOK_BUDGET = 60        # seconds for one notebook: the whole set must stay under 5 minutes
MAX_BYTES = 2_000_000       # a committed notebook, outputs included
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def execute(notebook, working_dir):
    """Run every cell of ``notebook`` (in place) in a fresh python3 kernel whose working
    folder is ``working_dir``."""
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT,
                                     record_timing=False,
                                     resources={"metadata": {"path": str(working_dir)}})
    client.execute()
    return notebook


def first_error(notebook):
    """(cell index, source, "Error: message") of the first cell whose output is an error."""
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, cell.source, f"{output.ename}: {ANSI_COLOUR.sub('', output.evalue)}"
    return None


def test_there_are_notebooks():
    names = [path.name for path in NOTEBOOKS]
    assert len(names) >= 9, names
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name) for name in names), names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom_without_error(path, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")          # the kernel draws without a display
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    try:
        execute(notebook, tmp_path)
    except nbclient.exceptions.CellExecutionError as error:
        found = first_error(notebook)
        if found is None:
            raise
        index, source, message = found
        pytest.fail(f"{path.name}, cell {index} failed:\n{source}\n\n{message}\n\n"
                    f"{ANSI_COLOUR.sub('', str(error))[-3000:]}", pytrace=False)
    seconds = time.perf_counter() - start
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert not written, (f"{path.name} wrote files into its working folder (in the repository "
                         f"when run from notebooks/): {written}; write into a tempfile folder")
    assert seconds < NOTEBOOK_BUDGET, f"{path.name} took {seconds:.0f} s; keep each notebook fast"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_opens_with_what_it_teaches_and_ends_with_an_exercise(path):
    cells = nbformat.read(path, as_version=4).cells
    first, last = cells[0], cells[-1]
    assert first.cell_type == "markdown" and first.source.startswith("# "), \
        f"{path.name} must open with a markdown cell with its title"
    assert "What this notebook teaches" in first.source, \
        f"{path.name}: the first cell must say what the notebook teaches"
    assert last.cell_type == "markdown" and "Exercise" in last.source.splitlines()[0], \
        f"{path.name} must end with an 'Exercise' markdown cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_committed_executed_with_its_outputs(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is over {MAX_BYTES} bytes"
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name} is not committed as one clean run from the top (execution counts "
        f"{counts}); run python tests/test_notebooks.py {path.stem}")
    assert first_error(notebook) is None, f"{path.name} is committed with an error output"


def refresh(names=()):
    """Execute the notebooks (all, or those named) and write them back with outputs, as
    a reader will see them: inline figures, working folder notebooks/ (they write
    nothing there)."""
    os.environ.pop("MPLBACKEND", None)              # the kernel's inline backend: PNG outputs
    chosen = [p for p in NOTEBOOKS if not names or p.stem in names or p.name in names]
    for path in chosen:
        start = time.perf_counter()
        notebook = nbformat.read(path, as_version=4)
        execute(notebook, NOTEBOOK_DIR)
        nbformat.write(notebook, path)
        print(f"{path.name}: {time.perf_counter() - start:.1f} s, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    refresh(sys.argv[1:])

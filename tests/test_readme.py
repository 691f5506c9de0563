"""The README tells the truth: its first two commands, and its Python code runs."""
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_opens_with_the_install_demo_and_test_commands():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert first_block == ['pip install -e . && chainrule demo',
                           'pip install -e ".[dev]" && python -m pytest -q']
    assert first_block[1] in (ROOT / ".ci" / "run").read_text()


def test_readme_python_examples_run_and_say_what_they_compute(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {}
    for block in re.findall(r"```python\n(.*?)```", README, re.S):
        exec(compile(block, "README.md", "exec"), namespace)
    assert (namespace["a"].grad, namespace["b"].grad) == (2.0, 5.0)
    assert namespace["nn"].evaluate(namespace["model"], namespace["X"], namespace["y"])["accuracy"] == 1.0
    assert np.asarray(namespace["nn"].sequence_to_numpy(namespace["output"])).shape == (20, 32, 32)


def test_readme_pictures_exist():
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / path).is_file(), path

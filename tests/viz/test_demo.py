"""`chainrule demo` / `python -m viz`: prints the notes' steps, writes SVG, PNG and the
step-through HTML, and says where; `chainrule images` writes the README pictures."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from viz import __main__ as cli
from viz import demo
from viz.drawing import render


def test_demo_prints_the_steps_and_writes_pictures_and_players(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path), "--renderer", "graphviz-pure"]) == 0
    printed = capsys.readouterr().out
    assert "d -> b: local 1 × upstream 3 = 3;  b.grad 2 + 3 = 5" in printed
    assert "result: x.grad = 1.926" in printed
    assert f"wrote 6 files to {tmp_path.resolve()}" in printed
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["chain_rule_e.png", "chain_rule_e.svg", "chain_rule_e_steps.html",
                     "chain_rule_y.png", "chain_rule_y.svg", "chain_rule_y_steps.html"]
    assert (tmp_path / "chain_rule_y.png").read_bytes()[:4] == b"\x89PNG"
    page = (tmp_path / "chain_rule_e_steps.html").read_text(encoding="utf-8")
    assert page.count('class="crp-text"') == 4 and page.count("<svg") == 1
    assert "grad 2 + 3 = 5" in (tmp_path / "chain_rule_e.svg").read_text(encoding="utf-8")


def test_images_writes_only_the_readme_pictures(tmp_path, capsys):
    assert cli.main(["images", "--out", str(tmp_path), "--renderer", "graphviz-pure"]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "chain_rule_e.png", "chain_rule_e.svg", "chain_rule_y.png", "chain_rule_y.svg",
        "notebook_01.png"]
    svg = (tmp_path / "chain_rule_e.svg").read_text(encoding="utf-8")
    assert "grad 2 + 3 = 5" in svg and "a = 2, b = 1" in svg     # grads from one backward


def test_images_run_outside_the_repository_write_to_chainrule_output_not_docs(tmp_path):
    repository = Path(cli.__file__).resolve().parents[1]
    environment = {**os.environ, "PYTHONPATH": str(repository)}
    result = subprocess.run([sys.executable, "-m", "viz", "images"], cwd=tmp_path,
                            env=environment, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["chainrule-output"]
    assert sorted(path.name for path in (tmp_path / "chainrule-output").iterdir()) == [
        "chain_rule_e.png", "chain_rule_e.svg", "chain_rule_y.png", "chain_rule_y.svg",
        "notebook_01.png"]
    assert f"wrote {Path('chainrule-output') / 'notebook_01.png'}" in result.stdout


def test_the_readme_says_how_to_remake_its_committed_pictures():
    readme = (Path(cli.__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"python -m viz images --out {demo.DOCS_IMAGES}" in readme


def test_demo_without_a_renderer_prints_the_steps_then_says_what_to_install(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda *args, **kwargs: None)
    assert cli.main(["--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "step 1 of 3: e = mul(c, d)" in captured.out
    assert "apt-get install graphviz" in captured.err
    assert "pip install graphviz-pure" in captured.err


def test_python_dash_m_viz_runs_the_demo():
    result = subprocess.run([sys.executable, "-m", "viz", "--no-files"], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("== e = (a + b) * (b + 1)")
    assert "check: de/db = (b+1) + (a+b) = 5" in result.stdout


def test_the_console_script_is_installed():
    if shutil.which("chainrule") is None:
        pytest.skip("the chainrule console script is not installed (pip install -e .)")
    result = subprocess.run(["chainrule", "--help"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0 and "images" in result.stdout

"""steps.to_latex() and steps.to_markdown(): the handouts carry the same numbers as the
text form (parsed out of both and compared, step by step and edge by edge), the result
is the engine's gradient (or tangent) worked out by hand, and a label full of LaTeX or
Markdown specials is escaped so that it cannot break the document. No LaTeX compiler
is needed: the LaTeX is checked for balanced braces and escaped specials."""
import math
import re
import shutil
import subprocess

import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff import Value
from viz.step_through.handout import latex_number, latex_text, markdown_text

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?(?: \\times 10\^\{-?\d+\})?")
TEXT_GROUP = re.compile(r"\\text\{(?:\\[a-zA-Z]+\{\}|\\.|[^{}\\])*\}")
SPECIALS = "x_1 & 50% $#{}~^\\ <|> *y*"


def _float(text):
    if "\\times" in text:
        mantissa, exponent = re.fullmatch(r"(-?[\d.]+) \\times 10\^\{(-?\d+)\}", text).groups()
        return float(mantissa) * 10.0 ** int(exponent)
    return float(text)


def latex_numbers(line):
    """The numbers of a LaTeX line, names (``\\text{…}``) left out."""
    line = TEXT_GROUP.sub(" ", line).replace(" - ", " + -")      # 0 - 3: the term -3
    return [_float(text) for text in NUMBER.findall(line)]


def text_numbers(part):
    return [float(text) for text in NUMBER.findall(part.replace(" - ", " + -"))]


def text_edges(stepper):
    """Per step, per edge: the numbers of the text form's edge line (names left out)."""
    steps = []
    for block in str(stepper).split("\nstep ")[1:]:
        edges = []
        for line in block.split("\n")[1:]:
            if not line.startswith("  "):
                continue
            numbers = line.split(": local ", 1)[1]
            edges.append(numbers)
        steps.append(edges)
    return steps


def align_blocks(latex):
    return re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", latex, re.DOTALL)


def notes_e():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    e = (a + b) * (b + 1)
    e.label = "e"
    return a, b, e


def test_backward_latex_has_the_numbers_of_the_text_form_edge_by_edge():
    for seed in range(4):
        stepper = viz.steps(ad.random_expression(4, generator=seed))
        blocks = align_blocks(stepper.to_latex())
        assert len(blocks) == len(stepper) + 1                 # the steps, then the result
        for record, block, text_lines in zip(stepper.records, blocks, text_edges(stepper)):
            lines = block.split(" \\\\\n")
            assert len(lines) == len(record.edges) == len(text_lines)
            for edge, line, text in zip(record.edges, lines, text_lines):
                product, grad = text.split(";  ")
                parent = stepper.name(edge.parent)
                expected = text_numbers(product) + text_numbers(grad.replace(f"{parent}.grad", ""))
                found = latex_numbers(line)
                assert set(found) | {0.0 if edge.parent_grad_before == 0 else found[0]} == \
                    set(expected), (line, text)
                assert found[-1] == expected[-1]               # the parent's grad after


def test_backward_handouts_end_with_the_gradients_worked_out_by_hand():
    # e = (a + b)(b + 1): de/da = b + 1 = 2, de/db = (b + 1) + (a + b) = 5
    a, b, e = notes_e()
    stepper = viz.steps(e)
    result = align_blocks(stepper.to_latex())[-1].split(" \\\\\n")
    assert result == [r"\text{a.grad} &= 2", r"\text{b.grad} &= 5"]
    assert stepper.to_markdown().rstrip().endswith("**Result:** a.grad = 2, b.grad = 5")
    assert r"\text{b}\text{.grad} &= \underbrace{2}_{\text{before}} + " in stepper.to_latex()
    assert a.grad == 0.0 and b.grad == 0.0                     # the graph is left alone


def test_markdown_tables_have_the_numbers_of_the_text_form():
    stepper = viz.steps(ad.random_expression(4, generator=9), precision=5)
    markdown = stepper.to_markdown()
    tables = [[row for row in block.split("\n") if row.startswith("| ") and "--" not in row][1:]
              for block in markdown.split("**Step ")[1:]]
    assert len(tables) == len(stepper)
    for rows, text_lines in zip(tables, text_edges(stepper)):
        assert len(rows) == len(text_lines)
        for row, text in zip(rows, text_lines):
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
            product, grad = text.split(";  ")
            local, upstream, contribution = re.fullmatch(
                r"(\S+) × upstream (\S+) = (\S+)", product).groups()
            assert cells[1:4] == [local, upstream, contribution]
            assert cells[4].endswith(grad.rsplit(".grad ", 1)[1])


def test_forward_handouts_have_the_tangents_of_the_text_form_and_by_hand():
    # de/db by forward mode: (b + 1) + (a + b) = 5, gathered as 2 × 1 + 3 × 1
    _, b, e = notes_e()
    stepper = viz.steps(e, mode="forward", wrt=b)
    latex, markdown = stepper.to_latex(), stepper.to_markdown()
    blocks = align_blocks(latex)
    for record, block, text_lines in zip(stepper.records, blocks, text_edges(stepper)):
        expected = [text_numbers(line) for line in text_lines]      # local, tangent, product
        found = latex_numbers(block)
        assert found[:2 * len(expected)] == [x for numbers in expected for x in numbers[:2]]
        assert found[-1] == pytest.approx(record.tangent)
    assert blocks[-1] == r"\text{e}\text{.tangent} &= 5 &&\text{de/db}"
    assert "e.tangent = 2 + 3 = 5" in markdown
    assert "| v1 → e | 2 | 1 | 2 |" in markdown
    assert markdown.rstrip().endswith("**Result:** e.tangent = 5 (de/db)")


def test_batched_handouts_show_the_example_and_the_sum_over_the_batch():
    w, x = Value(0.5, label="w"), Value(np.array([1.0, 3.0]), label="x")
    out = ad.batch_mean(ad.tanh(w * x) ** 2)
    out.backward()
    stepper = viz.steps(out, example=1)
    latex, markdown = stepper.to_latex(), stepper.to_markdown()
    assert r"\textstyle\sum_{\text{2 examples}}" in latex and "(numbers of example 2 of 2)" in latex
    assert f"w.grad = {viz.format_number(w.grad)}" in markdown
    assert rf"\text{{w.grad}} &= {viz.format_number(w.grad)}" in latex
    row = next(line for line in markdown.split("\n") if line.startswith("| v1 → w"))
    assert "; sum over 2 examples = " + viz.format_number(w.grad) in row


def _unescaped(text, character):
    return [match.start() for match in re.finditer(re.escape(character), text)
            if match.start() == 0 or text[match.start() - 1] != "\\"]


def test_latex_escapes_every_special_in_a_label_and_keeps_braces_balanced():
    x = Value(1.5, label=SPECIALS)
    out = ad.tanh(x * x)
    for stepper in (viz.steps(out), viz.steps(out, mode="forward", wrt=x)):
        latex = stepper.to_latex()
        assert SPECIALS not in latex and latex_text(SPECIALS) in latex
        depth = 0
        for position, character in enumerate(latex):
            if character in "{}" and latex[position - 1] != "\\":
                depth += 1 if character == "{" else -1
                assert depth >= 0
        assert depth == 0
        for line in latex.split("\n"):
            if line.startswith("%"):
                continue
            assert not _unescaped(line, "%") and not _unescaped(line, "#")
            assert not _unescaped(line, "~") and len(_unescaped(line, "$")) % 2 == 0
            assert all(line[i + 1] == "{" for i in _unescaped(line, "_") + _unescaped(line, "^"))
            assert len(_unescaped(line, "&")) in (0, 1, 3)        # align's columns only
        assert "\\textbackslash{}" in latex and "\\textasciitilde{}" in latex


def test_latex_text_and_number_spell_specials_and_exponents():
    assert latex_text("a_b & 50% $x$ #1 {y} ~^\\") == (
        r"a\_b \& 50\% \$x\$ \#1 \{y\} \textasciitilde{}\textasciicircum{}\textbackslash{}")
    assert latex_number("1.5e-05") == r"1.5 \times 10^{-5}"
    assert latex_number("-2e+20") == r"-2 \times 10^{20}"
    assert latex_number("nan") == r"\text{nan}" and latex_number("-inf") == r"-\text{inf}"


def test_markdown_escapes_markup_in_a_label():
    x = Value(1.5, label=SPECIALS)
    markdown = viz.steps(ad.tanh(x * x)).to_markdown()
    assert SPECIALS not in markdown and markdown_text(SPECIALS) in markdown
    for row in (line for line in markdown.split("\n") if line.startswith("| ")):
        assert len(re.findall(r"(?<!\\)\|", row)) == 6           # five cells, no more
    assert "<" not in markdown.replace("\\<", "")
    assert markdown_text("*y* [l](u) `c`") == r"\*y\* \[l\](u) \`c\`"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed: "
                    "the handout is checked for syntax only")
def test_latex_handout_compiles_with_pdflatex(tmp_path):
    x = Value(1.5, label=SPECIALS)
    body = viz.steps(ad.tanh(x * x)).to_latex()
    source = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
              + body + "\\end{document}\n")
    (tmp_path / "handout.tex").write_text(source, encoding="utf-8")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                             "handout.tex"], cwd=tmp_path, capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]
    assert math.isfinite(x.data)

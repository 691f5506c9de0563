"""The reading path: the files a learner reads to reach the chain rule and the course
notes' primitives (named at the top of autodiff/__init__.py) stay about 500 lines, and
the rules table starts with the course notes' primitives, which read alone."""
import ast
import re
from pathlib import Path

import autodiff as ad
from autodiff import _table, _table_extended
from autodiff._primitive import Primitive, PrimitiveFamily

PACKAGE = Path(ad.__file__).resolve().parent
COURSE_NOTES_PRIMITIVES = {
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "tanh", "sigmoid",
    "relu", "leaky_relu", "abs", "maximum", "minimum", "sum", "batch_sum", "batch_mean",
    "stop_gradient"}


def reading_path():
    """The files the package docstring names in its reading path, in order."""
    paragraph = ad.__doc__.split("Reading path", 1)[1].split("Then,", 1)[0]
    return re.findall(r"``(_\w+\.py)``", paragraph)


def core_statements():
    """_table.py's top-level statements before it imports the extended set."""
    module = ast.parse((PACKAGE / "_table.py").read_text(encoding="utf-8"))
    core = []
    for statement in module.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "_table_extended":
            return core
        core.append(statement)
    raise AssertionError("_table.py does not import _table_extended")


def rows_of(module):
    """The Primitives and PrimitiveFamilies a module defines at its top level."""
    return {name: row for name, row in vars(module).items()
            if isinstance(row, (Primitive, PrimitiveFamily))}


def test_the_reading_path_reaches_the_chain_rule_within_about_500_lines():
    files = reading_path()
    assert files == ["_value.py", "_primitive.py", "_table.py", "_backward.py"]
    lines = sum(len((PACKAGE / name).read_text(encoding="utf-8").splitlines())
                for name in files)
    assert lines <= 520, f"the reading path is {lines} lines"
    assert "def push(" in (PACKAGE / files[-1]).read_text(encoding="utf-8")


def test_the_table_starts_with_the_course_notes_primitives():
    statements = [s for s in core_statements() if not isinstance(s, (ast.Import, ast.ImportFrom))
                  and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    first = statements[0]
    assert isinstance(first, ast.Assign) and first.targets[0].id == "ADD"
    core_names = {target.id for s in statements if isinstance(s, (ast.Assign, ast.AnnAssign))
                  for target in (s.targets if isinstance(s, ast.Assign) else [s.target])}
    core_rows = {getattr(_table, name).name for name in core_names
                 if isinstance(getattr(_table, name), (Primitive, PrimitiveFamily))}
    assert core_rows == COURSE_NOTES_PRIMITIVES


def test_the_core_rows_use_nothing_from_the_extended_set():
    extended = {name for name in vars(_table_extended)
                if not name.startswith("__") and name not in vars(_table)} | set(
                    rows_of(_table_extended))
    used = {node.id for statement in core_statements() for node in ast.walk(statement)
            if isinstance(node, ast.Name)}
    assert not used & extended


def test_every_row_of_both_files_is_in_the_table_once():
    rows = list(rows_of(_table).values()) + list(rows_of(_table_extended).values())
    table = list(ad.PRIMITIVES.values())
    assert {id(row) for row in rows} == {id(row) for row in table}
    assert len({id(row) for row in table}) == len(table)


def test_the_table_keeps_its_order():
    assert list(ad.PRIMITIVES) == [
        "add", "sub", "mul", "div", "neg", "pow", "pow_constant", "exp", "log", "sqrt", "tanh",
        "sigmoid", "softplus", "relu", "leaky_relu", "abs", "maximum", "minimum", "sum", "max",
        "min", "affine", "batch_sum", "batch_mean", "pow_constants", "stop_gradient", "clamp",
        "index", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh",
        "arccosh", "arctanh", "log2", "log10", "log1p", "expm1", "erf", "sign", "arctan2",
        "hypot", "remainder"]

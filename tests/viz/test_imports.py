"""viz's modules import one another one way: no cycle, not even through an import inside
a function (the player once imported the stepper and the stepper the player). Read
from the source with ast, so a lazy import counts like one at the top."""
import ast
from pathlib import Path

import viz

PACKAGE = Path(viz.__file__).resolve().parent


def viz_imports(path):
    """The viz modules that ``path`` imports, wherever in the file the import is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.level == 0 and (node.module or "").startswith("viz."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names
                         if alias.name.startswith("viz."))
    return found


def import_graph():
    """module -> the viz modules it imports (the package's __init__ and __main__ left
    out: they sit on top)."""
    modules = {path.stem: path for path in PACKAGE.glob("*.py")
               if path.stem not in ("__init__", "__main__")}
    return {name: viz_imports(path) & set(modules) for name, path in modules.items()}


def find_cycle(graph):
    """A list of modules that import each other in a circle, or None."""
    state, path = {}, []

    def visit(module):
        state[module] = "open"
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return path[path.index(imported):] + [imported]
            if imported not in state:
                cycle = visit(imported)
                if cycle:
                    return cycle
        state[module] = "done"
        path.pop()
        return None
    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_the_finder_sees_a_cycle_through_a_lazy_import(tmp_path):
    (tmp_path / "first.py").write_text("from .second import thing\n")
    (tmp_path / "second.py").write_text("def later():\n    from . import first\n")
    graph = {path.stem: viz_imports(path) for path in tmp_path.glob("*.py")}
    assert find_cycle(graph) in (["first", "second", "first"], ["second", "first", "second"])


def test_viz_modules_import_one_way():
    graph = import_graph()
    assert {"player", "stepper", "stepping", "forward_stepper", "step_through"} <= set(graph)
    assert find_cycle(graph) is None


def test_the_player_knows_no_stepper():
    graph = import_graph()
    assert not graph["player"] & {"stepper", "stepping", "forward_stepper", "step_through"}
    assert "player" in graph["stepping"] and "stepping" in graph["stepper"]

"""Imports flow one way: inside each package no module imports another that imports it
back (not even through an import inside a function: viz's player and stepper once did),
and between packages autodiff imports none of the others. Read from the source with
ast, so a lazy import counts like one at the top."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autodiff", "nn", "optim", "viz")


def imports_of(path, package):
    """(modules of ``package`` that ``path`` imports, other packages it imports),
    wherever in the file the import is."""
    found, packages = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.level == 0 and (node.module or "").startswith(f"{package}."):
                found.add(node.module.split(".")[1])
            elif node.level == 0 and node.module:
                packages.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(f"{package}."):
                    found.add(alias.name.split(".")[1])
                packages.add(alias.name.split(".")[0])
    return found, packages & set(PACKAGES) - {package}


def import_graph(package="viz"):
    """module -> the modules of ``package`` it imports (the package's __init__ and
    __main__ left out: they sit on top)."""
    modules = {path.stem: path for path in (ROOT / package).glob("*.py")
               if path.stem not in ("__init__", "__main__")}
    return {name: imports_of(path, package)[0] & set(modules) for name, path in modules.items()}


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


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_one_that_imports_it_back(package):
    assert find_cycle(import_graph(package)) is None


def test_autodiff_imports_none_of_the_packages_built_on_it():
    for path in (ROOT / "autodiff").glob("*.py"):
        assert not imports_of(path, "autodiff")[1], path.name


def test_the_finder_sees_a_cycle_through_a_lazy_import(tmp_path):
    (tmp_path / "first.py").write_text("from .second import thing\n")
    (tmp_path / "second.py").write_text("def later():\n    from . import first\n")
    graph = {path.stem: imports_of(path, "viz")[0] for path in tmp_path.glob("*.py")}
    assert find_cycle(graph) in (["first", "second", "first"], ["second", "first", "second"])


def test_viz_modules_import_one_way():
    graph = import_graph()
    assert {"player", "stepper", "stepping", "forward_stepper", "step_through"} <= set(graph)
    assert find_cycle(graph) is None


def test_the_player_knows_no_stepper():
    graph = import_graph()
    assert not graph["player"] & {"stepper", "stepping", "forward_stepper", "step_through"}
    assert "player" in graph["stepping"] and "stepping" in graph["stepper"]


def test_nn_and_optim_build_on_autodiff_alone_and_viz_on_all():
    for package, allowed in (("nn", {"autodiff", "optim"}), ("optim", {"autodiff"}),
                             ("viz", {"autodiff", "nn", "optim"})):
        for path in (ROOT / package).glob("*.py"):
            assert imports_of(path, package)[1] <= allowed, (package, path.name)

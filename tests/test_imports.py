"""Imports flow one way: inside each package no module imports another that imports it
back (not even through an import inside a function: viz's player and stepper once did),
and between packages autodiff imports none of the others. Read from the source with
ast, so a lazy import counts like one at the top."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autodiff", "nn", "optim", "viz")


def module_name(path, root):
    """``path``'s dotted name inside the package at ``root``: "player", "_compile.step";
    a sub-package's __init__ is the sub-package itself ("_compile")."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path, package, root=None):
    """(modules of ``package`` that ``path`` imports, as dotted names inside the package,
    other packages it imports), wherever in the file the import is. Relative imports are
    resolved from the sub-package the file is in (``from .. import _value`` in
    ``autodiff/_compile/step.py`` is ``_value``)."""
    root = root or ROOT / package
    here = list(path.relative_to(root).parent.parts)
    found, packages = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)]
                module = base + (node.module.split(".") if node.module else [])
                if module:
                    found.add(".".join(module))
                found.update(".".join(module + [alias.name]) for alias in node.names)
            elif (node.module or "").startswith(f"{package}."):
                module = node.module.split(".")[1:]
                found.add(".".join(module))
                found.update(".".join(module + [alias.name]) for alias in node.names)
            elif node.module:
                packages.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(f"{package}."):
                    found.add(alias.name.split(".", 1)[1])
                packages.add(alias.name.split(".")[0])
    return found, packages & set(PACKAGES) - {package}


def resolve(names, modules):
    """The modules among ``modules`` that the dotted ``names`` refer to: each name, else
    its longest prefix that is a module (``_compile.step.Tape`` is ``_compile.step``)."""
    resolved = set()
    for name in names:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in modules:
                resolved.add(".".join(parts[:end]))
                break
    return resolved


def package_files(package, root=None):
    """Every module file of ``package``, its sub-packages' included (``__main__`` left out)."""
    root = root or ROOT / package
    return [path for path in sorted(root.rglob("*.py")) if path.stem != "__main__"]


def import_graph(package="viz", root=None):
    """module -> the modules of ``package`` it imports, sub-packages' modules included
    as dotted names (``_compile.step``); the package's own __init__ and __main__ left
    out: they sit on top."""
    root = root or ROOT / package
    modules = {module_name(path, root): path for path in package_files(package, root)
               if path != root / "__init__.py"}
    return {name: resolve(imports_of(path, package, root)[0], modules) - {name}
            for name, path in modules.items()}


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
    for path in package_files("autodiff"):
        assert not imports_of(path, "autodiff")[1], path.name


def test_the_graph_holds_the_modules_of_sub_packages_and_their_imports():
    graph = import_graph("autodiff")
    assert {"_compile", "_compile.step", "_compile.tape", "_value"} <= set(graph)
    assert {"_compile.tape", "_value"} <= graph["_compile.step"]
    assert "_compile.step" in graph["_compile"]


def test_the_finder_sees_a_cycle_through_a_sub_package(tmp_path):
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "core.py").write_text("from .sub.deep import thing\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "__init__.py").write_text("")
    (tmp_path / "sub" / "deep.py").write_text("def later():\n    from .. import core\n")
    graph = import_graph("viz", root=tmp_path)
    assert graph["core"] == {"sub.deep"} and graph["sub.deep"] == {"core"}
    assert find_cycle(graph) in (["core", "sub.deep", "core"], ["sub.deep", "core", "sub.deep"])


def test_the_finder_sees_a_cycle_through_a_lazy_import(tmp_path):
    (tmp_path / "first.py").write_text("from .second import thing\n")
    (tmp_path / "second.py").write_text("def later():\n    from . import first\n")
    graph = {path.stem: imports_of(path, "viz", root=tmp_path)[0]
             for path in tmp_path.glob("*.py")}
    assert find_cycle(graph) in (["first", "second", "first"], ["second", "first", "second"])


VIZ_LAYERS = ("picture", "drawing", "step_through", "quizzes")   # each builds on those before


def test_viz_modules_import_one_way():
    graph = import_graph()
    assert {"step_through.player", "step_through.frames", "step_through.backward",
            "step_through.forward", "step_through.steps"} <= set(graph)
    assert find_cycle(graph) is None


def test_each_viz_sub_package_imports_only_itself_and_those_below_it():
    for module, imported in import_graph().items():
        if "." not in module:
            continue                    # plots: a module of its own, on autodiff alone
        allowed = VIZ_LAYERS[:VIZ_LAYERS.index(module.split(".")[0]) + 1]
        assert all(name.split(".")[0] in allowed for name in imported), (module, imported)


def test_the_player_knows_no_stepper():
    graph = import_graph()
    steppers = {"step_through.frames", "step_through.backward", "step_through.forward",
                "step_through.steps"}
    assert not graph["step_through.player"] & steppers
    assert "step_through.player" in graph["step_through.frames"]
    assert "step_through.frames" in graph["step_through.backward"]


def test_nn_and_optim_build_on_autodiff_alone_and_viz_on_all():
    for package, allowed in (("nn", {"autodiff", "optim"}), ("optim", {"autodiff"}),
                             ("viz", {"autodiff", "nn", "optim"})):
        for path in package_files(package):
            assert imports_of(path, package)[1] <= allowed, (package, path.name)

"""Imports flow one way: inside each package (its sub-packages included) no module imports
another that imports it back (not even through an import inside a function: viz's player
and stepper once did), viz's sub-packages build each on those before it, and between
packages autodiff imports none of the others. Read from the source with ast, so a lazy
import counts like one at the top."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autodiff", "nn", "optim", "viz")


def module_name(path, package):
    """``path``'s module name relative to ``package``: ``scene`` or, in a sub-package,
    ``picture.scene``."""
    return ".".join(path.relative_to(ROOT / package).with_suffix("").parts)


def imports_of(path, package, modules=()):
    """(modules of ``package`` that ``path`` imports, other packages it imports),
    wherever in the file the import is. A module is named relative to ``package``
    (``picture.scene``); an import from a sub-package's ``__init__`` counts as the
    sub-package, unless the name imported is one of ``modules``."""
    here = module_name(path, package).split(".")[:-1] if path.is_relative_to(
        ROOT / package) else []
    found, packages = set(), set()

    def add(base, names=()):
        named = [".".join(base + [name]) for name in names]
        hits = [name for name in named if name in modules or not base]
        found.update(hits)
        if base and len(hits) < max(len(named), 1):
            found.add(".".join(base))          # a name defined in base's own module
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            if node.level:
                base = here[:len(here) + 1 - node.level]
                add(base + (node.module.split(".") if node.module else []), names)
            elif (node.module or "").startswith(f"{package}."):
                add(node.module.split(".")[1:], names)
            elif node.module:
                packages.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(f"{package}."):
                    add(alias.name.split(".")[1:])
                packages.add(alias.name.split(".")[0])
    return found, packages & set(PACKAGES) - {package}


def import_graph(package="viz"):
    """module -> the modules of ``package`` it imports, sub-packages included and named
    relative to ``package`` (``step_through.backward``); the ``__init__`` and
    ``__main__`` files left out: they sit on top."""
    modules = {module_name(path, package): path for path in (ROOT / package).rglob("*.py")
               if path.stem not in ("__init__", "__main__")}
    return {name: imports_of(path, package, modules)[0] & set(modules)
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
    for path in (ROOT / "autodiff").rglob("*.py"):
        assert not imports_of(path, "autodiff")[1], path.name


def test_the_finder_sees_a_cycle_through_a_lazy_import(tmp_path):
    (tmp_path / "first.py").write_text("from .second import thing\n")
    (tmp_path / "second.py").write_text("def later():\n    from . import first\n")
    graph = {path.stem: imports_of(path, "viz")[0] for path in tmp_path.glob("*.py")}
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
        for path in (ROOT / package).rglob("*.py"):
            assert imports_of(path, package)[1] <= allowed, (package, path.name)

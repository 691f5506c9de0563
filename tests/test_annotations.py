"""Every public name of a typed package is annotated, so that an editor shows what it
takes and returns (and mypy, run by .ci/run, checks the calls against it).

What is checked, for each name in the package's ``__all__``:
- a function: every parameter (``*args`` and ``**kwargs`` too) and the return;
- a class: the same for ``__init__``, ``__call__``, ``__enter__``, ``__exit__`` and every
  public method and property (the getter's return) defined in the class itself;
- a module (``autodiff.checks``): the same for each public function and class it defines.
The annotations must also resolve (``typing.get_type_hints``): a misspelt name fails.

To add a package once its public API is annotated: add it to ``TYPED_PACKAGES`` with the
names still waiting for their annotations (an empty set when none), and list it in the
``disallow_incomplete_defs`` modules of ``[tool.mypy]`` in pyproject.toml. A name in the
waiting set is an expected failure: remove it from the set once its module is annotated.
"""
import ast
import importlib
import inspect
import typing

import pytest

TYPED_PACKAGES: dict[str, set[str]] = {
    "autodiff": set(),
    "viz": set(),
    "nn": set(),
    "optim": set(),
}

def type_checking_names(function):
    """The names a function's module imports under ``if TYPE_CHECKING:`` (for the type
    checker only: matplotlib's Figure, nn's Module in viz, which viz does not import to
    stay light), imported here so that its annotations resolve as the checker sees them."""
    module = inspect.getmodule(function)
    if module is None or "TYPE_CHECKING" not in vars(module):
        return {}
    namespace = {}
    tree = ast.parse(inspect.getsource(module))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING",
                                                                     "typing.TYPE_CHECKING"):
            block = ast.Module(body=[n for n in node.body
                                     if isinstance(n, (ast.Import, ast.ImportFrom))],
                               type_ignores=[])
            exec(compile(block, module.__file__, "exec"), {"__name__": module.__name__,
                                                            "__package__": module.__package__},
                 namespace)
    return namespace


CALLED_DUNDERS = ("__init__", "__call__", "__enter__", "__exit__")


def _functions_of_class(cls):
    """(qualified name, function, is a method) for what users call on ``cls``."""
    for name, attribute in vars(cls).items():
        if name.startswith("_") and name not in CALLED_DUNDERS:
            continue
        if isinstance(attribute, property):
            yield f"{cls.__name__}.{name}", attribute.fget, True
        elif isinstance(attribute, staticmethod):
            yield f"{cls.__name__}.{name}", attribute.__func__, False
        elif isinstance(attribute, classmethod):
            yield f"{cls.__name__}.{name}", attribute.__func__, True
        elif inspect.isfunction(attribute):
            yield f"{cls.__name__}.{name}", attribute, True


def public_functions(name, obj):
    """(qualified name, function, is a method) for everything a user calls through the
    public name ``name`` bound to ``obj``."""
    if inspect.ismodule(obj):
        for member_name, member in vars(obj).items():
            if not member_name.startswith("_") and getattr(member, "__module__", None) \
                    == obj.__name__ and (inspect.isfunction(member) or inspect.isclass(member)):
                yield from public_functions(f"{name}.{member_name}", member)
    elif inspect.isclass(obj):
        yield from _functions_of_class(obj)
    elif inspect.isfunction(obj):
        yield name, obj, False


def missing_annotations(function, is_method, namespace=None):
    """The parameters of ``function`` without an annotation (``self``/``cls`` of a method
    aside), and ``"return"`` when the return is not annotated. Raises if an annotation
    does not resolve (in the function's module, then ``namespace``)."""
    function = inspect.unwrap(function)           # a decorated one (contextmanager)
    hints = typing.get_type_hints(function, globalns={**(namespace or {}),
                                                     **type_checking_names(function),
                                                     **function.__globals__})
    parameters = list(inspect.signature(function).parameters)
    if is_method and parameters:
        parameters = parameters[1:]
    missing = [p for p in parameters if p not in hints]
    if "return" not in hints:
        missing.append("return")
    return missing


def _cases():
    for package_name, waiting in TYPED_PACKAGES.items():
        package = importlib.import_module(package_name)
        for name in package.__all__:
            obj = getattr(package, name)
            if not (callable(obj) or inspect.ismodule(obj)):
                continue                                 # constants: nothing to call
            marks = [pytest.mark.xfail(reason=f"{package_name}.{name} is not annotated yet")
                     ] if name in waiting else []
            yield pytest.param(package_name, name, marks=marks, id=f"{package_name}.{name}")


@pytest.mark.parametrize(("package_name", "name"), list(_cases()))
def test_public_name_is_annotated(package_name, name):
    package = importlib.import_module(package_name)
    obj = getattr(package, name)
    found = list(public_functions(name, obj))
    assert found or inspect.isclass(obj), (      # a class may inherit everything it has
        f"{package_name}.{name}: nothing to check (not a function, class or module)")
    unannotated = {qualified: missing for qualified, function, is_method in found
                   if (missing := missing_annotations(function, is_method, vars(package)))}
    assert not unannotated, f"{package_name}: annotations missing: {unannotated}"


def test_an_unannotated_function_is_reported():
    def half_typed(x: float, y, *rest) -> float:
        return x

    def untyped(x):
        return x

    class Holder:
        def __init__(self, x: float) -> None:
            self.x = x

        @property
        def doubled(self):
            return 2 * self.x

    assert missing_annotations(half_typed, False) == ["y", "rest"]
    assert missing_annotations(untyped, False) == ["x", "return"]
    reported = {qualified: missing_annotations(function, is_method)
                for qualified, function, is_method in public_functions("Holder", Holder)}
    assert reported == {"Holder.__init__": [], "Holder.doubled": ["return"]}


def test_a_misspelt_annotation_is_an_error():
    def misspelt(x: "Vaule") -> float:  # noqa: F821 (the misspelling under test)
        return 1.0

    with pytest.raises(NameError):
        missing_annotations(misspelt, False)

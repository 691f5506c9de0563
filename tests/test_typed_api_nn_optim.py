"""nn's and optim's public API is annotated: every public function, and every public
method of a public class (constructors, ``forward``, ``step``, ``state_dict``, ...), names
the type of each parameter and of its result, and the names resolve to real types
(``typing.get_type_hints`` evaluates them), so an editor can show what each one takes
and returns."""
import inspect
import typing

import pytest

import nn
import nn.init
import optim

PACKAGES = ("nn", "optim")


def _ours(obj):
    """True for a function or class defined in nn or optim (not one they re-export)."""
    return getattr(obj, "__module__", "").split(".")[0] in PACKAGES


def _public_callables():
    """(dotted name, function) for every public function of nn, nn.init and optim, and
    every public method, property and constructor of their public classes."""
    found = {}
    modules = [(nn, nn.__all__), (optim, optim.__all__),
               (nn.init, [name for name in vars(nn.init) if not name.startswith("_")])]
    for module, names in modules:
        for name in names:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and _ours(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
            elif inspect.isclass(obj) and _ours(obj):
                for klass in obj.__mro__:
                    if not _ours(klass):
                        continue
                    for attribute, member in vars(klass).items():
                        if attribute.startswith("_") and attribute not in ("__init__",
                                                                           "__call__"):
                            continue
                        if isinstance(member, property):
                            member = member.fget
                        member = getattr(member, "__wrapped__", member)   # contextmanager
                        if inspect.isfunction(member) and _ours(member):
                            found[f"{member.__module__}.{member.__qualname__}"] = member
    return found


CALLABLES = _public_callables()


def test_the_walk_reaches_the_api_users_call():
    names = set(CALLABLES)
    for expected in ("nn.module.Module.__call__", "nn.module.Module.parameters",
                     "nn.module.Module.named_parameters", "nn.module.Module.state_dict",
                     "nn.module.Module.load_state_dict", "nn.module.Module.train",
                     "nn.module.Module.eval", "nn.module.Module.zero_grad",
                     "nn.module.Module.save", "nn.module.Module.load",
                     "nn.module.Module.training_mode", "nn.linear.Linear.__init__",
                     "nn.linear.Linear.forward", "nn.recurrent._Layer.forward",
                     "nn.losses.cross_entropy", "nn.init.kaiming_uniform",
                     "nn.training.fit", "nn.training.evaluate", "nn.data.make_moons",
                     "optim.optimizer.Optimizer.step", "optim.optimizer.Optimizer.zero_grad",
                     "optim.optimizer.Optimizer.state_dict",
                     "optim.optimizer.Optimizer.load_state_dict",
                     "optim.update_rules.Adam.__init__", "optim.update_rules.Adam.update",
                     "optim.schedules.Schedule.step", "optim.clipping.clip_grad_norm",
                     "optim.early_stopping.EarlyStopping.step"):
        assert expected in names
    assert len(names) > 250


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_every_parameter_and_the_result_are_annotated(name):
    function = CALLABLES[name]
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    if parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    unannotated = [p.name for p in parameters if p.annotation is inspect.Parameter.empty]
    assert not unannotated, f"{name}: parameters without a type: {unannotated}"
    assert signature.return_annotation is not inspect.Signature.empty, \
        f"{name}: the result has no type"


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_every_annotation_names_a_real_type(name):
    hints = typing.get_type_hints(CALLABLES[name])
    assert "return" in hints

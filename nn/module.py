"""Module: the base of every layer (PyTorch's conventions), and the containers
ModuleList and Sequential."""
from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar, cast, overload

import numpy as np

from autodiff import Value, scope, zero_grad

from ._types import Array, PathLike, StateDict
from .parameter import Parameter
from .state import IncompatibleKeys, check_state, load_state, save_state

SelfModule = TypeVar("SelfModule", bound="Module")
SelfSequence = TypeVar("SelfSequence", bound="_ModuleSequence")


class Module:
    """A piece of a network: holds Parameters, buffers and child Modules, and computes
    ``forward``. Calling the module runs ``forward`` inside ``autodiff.scope(name)``, so
    every Value it creates carries the module's path in ``Value.scope`` (a root module
    is named by its class, a child by its attribute name: ``"MLP.0"``).

    Assigning a ``Parameter`` or a ``Module`` to an attribute registers it; numpy
    buffers (running statistics) are registered with ``register_buffer``. Parameter
    leaves carry the full path of their module (``"MLP.0"``) as their scope, updated
    when the module is attached to a parent (a module in two parents takes the path of
    the last one).

    Differences from ``torch.nn.Module``: ``parameters()`` returns the flat list of
    leaf Values (what an optimizer updates, one scalar each), not tensors; use
    ``named_parameters()`` for the Parameter objects. ``state_dict()`` holds numpy
    arrays (copies) with torch's names and shapes.
    """

    _attribute_changes = 0
    """Counts attribute assignments on every Module (class-wide): a compiled step
    compares the modules' settings and parameters only when it moved."""

    training: bool
    _parameters: OrderedDict[str, Any]          # name -> Parameter, or None if absent
    _buffers: OrderedDict[str, Any]             # name -> numpy array, or None
    _non_persistent: set[str]
    _modules: OrderedDict[str, Module | None]
    _scope_name: str
    _scope_path: str

    def __init__(self) -> None:
        d = self.__dict__                       # the registries __setattr__ needs
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent"] = set()
        d["_modules"] = OrderedDict()
        d["_scope_name"] = d["_scope_path"] = type(self).__name__
        self.training = True

    # --- computing ------------------------------------------------------------------
    def forward(self, *inputs: Any, **options: Any) -> Any:
        """The module's computation; every subclass defines it."""
        raise TypeError(f"{type(self).__name__} does not define forward(): a Module "
                        "subclass computes its output there (ModuleList only holds modules)")

    def __call__(self, *inputs: Any, **options: Any) -> Any:
        with scope(self._scope_name):
            return self.forward(*inputs, **options)

    # --- registration ---------------------------------------------------------------
    def _registries(self):
        try:
            d = self.__dict__
            return d["_parameters"], d["_buffers"], d["_modules"]
        except KeyError:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                 "assigning attributes") from None

    def _check_name(self, name, kind):
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{type(self).__name__}: {kind} name must be a non-empty string "
                           f"without '.', got {name!r}")

    def _forget(self, name, keep=None):
        """Unregister ``name`` everywhere but the registry ``keep`` (where a re-assigned
        name keeps its position, so the state dict order does not change)."""
        for registry in self._registries():
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent.discard(name)

    def _register(self, registry, name, value, kind, expected):
        """Put ``value`` (an ``expected`` instance or None) in ``registry`` as ``name``."""
        self._check_name(name, kind)
        if value is not None and not isinstance(value, expected):
            raise TypeError(f"{type(self).__name__}: {kind} {name!r} must be a "
                            f"{expected.__name__} or None, got {type(value).__name__}")
        self._forget(name, keep=registry)
        registry[name] = value
        self.__dict__[name] = value
        Module._attribute_changes += 1

    def register_parameter(self, name: str, parameter: Parameter | None) -> None:
        """Register ``parameter`` (a Parameter, or None for an absent one such as
        ``bias=False``) under ``name``; its leaves get labels ``name[i,j]``."""
        self._register(self._parameters, name, parameter, "parameter", Parameter)
        if parameter is not None:
            parameter.rename(name, scope=self._scope_path)

    def register_buffer(self, name: str, array: Array | None, persistent: bool = True) -> None:
        """Register a numpy array (or None) that is state but not learnt, such as
        ``running_mean``; persistent buffers appear in ``state_dict``."""
        self._register(self._buffers, name, array, "buffer", np.ndarray)
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` (or None) as a child called ``name``."""
        self._register(self._modules, name, module, "child module", Module)
        if module is not None:
            module.__dict__["_scope_name"] = name
            module._set_scope_path(f"{self._scope_path}.{name}")

    def _set_scope_path(self, path):
        self.__dict__["_scope_path"] = path
        for name, parameter in self._parameters.items():
            if parameter is not None:
                parameter.rename(name, scope=path)
        for name, child in self._modules.items():
            if child is not None:
                child._set_scope_path(f"{path}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        parameters, buffers, modules = self._registries()
        if isinstance(value, Parameter):
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            self.add_module(name, value)
        elif name in parameters or name in modules:
            kind = "parameter" if name in parameters else "child module"
            if value is not None:
                raise TypeError(f"{type(self).__name__}: cannot assign "
                                f"{type(value).__name__} to {kind} {name!r} (expected a "
                                f"{'Parameter' if name in parameters else 'Module'} or None)")
            (parameters if name in parameters else modules)[name] = None
            self.__dict__[name] = None
        elif name in buffers:
            self.register_buffer(name, value, persistent=name not in self._non_persistent)
        else:
            object.__setattr__(self, name, value)
        Module._attribute_changes += 1

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)
        Module._attribute_changes += 1

    # --- walking the tree -----------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each direct child."""
        return ((name, m) for name, m in self._modules.items() if m is not None)

    def children(self) -> Iterator[Module]:
        """Each direct child module."""
        return (m for _, m in self.named_children())

    def named_modules(self, prefix: str = "",
                      _seen: set[int] | None = None) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ('' or ``prefix``) and every descendant,
        each module once."""
        seen = set() if _seen is None else _seen
        if id(self) in seen:
            return
        seen.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name, seen)

    def modules(self) -> Iterator[Module]:
        """This module and every descendant, each once."""
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix: str = "",
                         recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) pairs, like torch: ``"weight"``, ``"0.bias"``,
        ``"layers.1.weight"``; a Parameter shared by two modules is listed once."""
        owners = self.named_modules(prefix) if recurse else [(prefix, self)]
        seen = set()
        for module_prefix, module in owners:
            for name, parameter in module._parameters.items():
                if parameter is not None and id(parameter) not in seen:
                    seen.add(id(parameter))
                    yield (f"{module_prefix}.{name}" if module_prefix else name), parameter

    def parameters(self, recurse: bool = True) -> list[Value]:
        """The flat list of leaf Values of every Parameter (what optimizers update).
        Unlike torch (an iterator of tensors), each item is one scalar Value."""
        return [leaf for _, parameter in self.named_parameters(recurse=recurse)
                for leaf in parameter._leaves]

    def named_buffers(self, prefix: str = "",
                      recurse: bool = True) -> Iterator[tuple[str, Array]]:
        """(dotted name, array) for every registered buffer that is not None."""
        owners = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_prefix, module in owners:
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield (f"{module_prefix}.{name}" if module_prefix else name), buffer

    def buffers(self, recurse: bool = True) -> list[Array]:
        """Every registered buffer array."""
        return [buffer for _, buffer in self.named_buffers(recurse=recurse)]

    def apply(self: SelfModule, function: Callable[[Module], object]) -> SelfModule:
        """Call ``function(module)`` on every descendant, then on this module (as torch);
        returns self. E.g. ``model.apply(lambda m: ...)`` to re-initialise layers."""
        for child in self.children():
            child.apply(function)
        function(self)
        return self

    # --- modes and gradients --------------------------------------------------------
    def train(self: SelfModule, mode: bool = True) -> SelfModule:
        """Set training mode (``training = mode``) here and in every descendant; returns
        self. Dropout and BatchNorm behave differently in the two modes."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self: SelfModule) -> SelfModule:
        """Evaluation mode, ``train(False)``; returns self."""
        return self.train(False)

    @contextmanager
    def training_mode(self: SelfModule, mode: bool) -> Iterator[SelfModule]:
        """``with model.training_mode(False): ...`` runs the block with this module and
        every descendant in that mode, then gives each module back its own previous
        mode (``train``/``eval`` set them all alike)."""
        previous = [(module, module.training) for module in self.modules()]
        self.train(mode)
        try:
            yield self
        finally:
            for module, training in previous:
                module.training = training

    def zero_grad(self) -> None:
        """Set the grad of every parameter leaf to zero (``autodiff.zero_grad``, as an
        optimizer's ``zero_grad``; leaf grads accumulate across backward passes until
        then, as in PyTorch)."""
        zero_grad(self.parameters())

    # --- state ----------------------------------------------------------------------
    def _state_slots(self, prefix=""):
        """name -> (module, attribute, kind) for every entry of the state dict, in
        torch's order: own parameters, own persistent buffers, then each child."""
        slots = OrderedDict()
        for name, parameter in self._parameters.items():
            if parameter is not None:
                slots[prefix + name] = (self, name, "parameter")
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent:
                slots[prefix + name] = (self, name, "buffer")
        for name, child in self.named_children():
            slots.update(child._state_slots(f"{prefix}{name}."))
        return slots

    def state_dict(self) -> OrderedDict[str, Array]:
        """Ordered name -> numpy array (a copy) of every parameter and persistent buffer,
        with torch's names and shapes (``weight`` out x in, ``running_mean``, ...)."""
        return OrderedDict((name, np.array(getattr(module, attribute)))
                           for name, (module, attribute, _) in self._state_slots().items())

    def load_state_dict(self, state_dict: StateDict, strict: bool = True) -> IncompatibleKeys:
        """Copy arrays from ``state_dict`` (name -> array-like: numpy arrays, lists,
        CPU torch tensors) into the parameters and buffers.

        Checks everything before changing anything: with ``strict`` unknown and missing
        names are errors; wrong shapes always are (StateDictError lists them all).
        Returns ``(missing_keys, unexpected_keys)`` like torch.
        """
        slots = self._state_slots()
        shapes = {name: np.shape(getattr(module, attribute))
                  for name, (module, attribute, _) in slots.items()}
        arrays, missing, unexpected = check_state(shapes, state_dict, strict,
                                                  type(self).__name__)
        for name, array in arrays.items():
            module, attribute, kind = slots[name]
            if kind == "parameter":
                getattr(module, attribute).copy_(array)
            else:
                np.copyto(getattr(module, attribute), array, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: PathLike) -> None:
        """Write ``state_dict()`` to ``path`` (``.json`` or ``.npz``, never pickle)."""
        save_state(self.state_dict(), path)

    def load(self: SelfModule, path: PathLike, strict: bool = True) -> SelfModule:
        """Load a state saved by ``save`` (or ``np.savez``) from ``path`` into this
        module; returns self. The file is untrusted: names, dtypes and shapes are
        checked against this module before any data is read (see ``load_state``), then
        the values as in ``load_state_dict``; on any error nothing is changed."""
        slots = self._state_slots()
        expected = {name: np.shape(getattr(module, attribute))
                    for name, (module, attribute, _) in slots.items()}
        self.load_state_dict(load_state(path, expected, strict), strict=strict)
        return self

    # --- display --------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        children = [f"({name}): " + repr(child).replace("\n", "\n  ")
                    for name, child in self.named_children()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = ([self.extra_repr()] if self.extra_repr() else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class _ModuleSequence(Module):
    """Children named "0", "1", ... in order, reachable by index (ModuleList, Sequential).
    A subclass defines ``_of(modules)``: the container of its kind that a slice returns."""

    _of: Callable[[list[Module]], _ModuleSequence]

    def append(self: SelfSequence, module: Module) -> SelfSequence:
        """Add ``module`` at the end, named by its position; returns self."""
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self: SelfSequence, modules: Iterable[Module]) -> SelfSequence:
        """Append each of ``modules``; returns self."""
        for module in modules:
            self.append(module)
        return self

    def _position(self, index):
        size = len(self._modules)
        if not -size <= index < size:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for "
                             f"{size} modules")
        return index % size

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> _ModuleSequence: ...

    def __getitem__(self, index: int | slice) -> Module | _ModuleSequence:
        modules = cast("list[Module]", list(self._modules.values()))
        if isinstance(index, slice):
            return self._of(modules[index])
        return modules[self._position(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(list(self._modules)[self._position(index)], module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return cast("Iterator[Module]", iter(self._modules.values()))


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (names "0", "1", ...); it has
    no forward of its own: the owner decides how to call them."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        self.extend(modules)

    def _of(self, modules):
        return ModuleList(modules)


class Sequential(_ModuleSequence):
    """Modules applied in order: forward(x) = m_n(...m_2(m_1(x))). Children are named
    "0", "1", ... as in torch (state dict keys ``"0.weight"``), or by the keys of a
    single dict argument."""

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            self.extend(cast("tuple[Module, ...]", modules))

    def _of(self, modules):
        return Sequential(*modules)

    def forward(self, x: Any) -> Any:
        """x passed through every child in order."""
        for module in self._modules.values():
            if module is not None:
                x = module(x)
        return x

"""What a compiled step checks on every call besides its data: the model it trains.

- The module settings: every attribute of every module (of the Module given to
  ``compile``) that holds a number, a flag, a string or None (``training``, Dropout's
  ``p``, BatchNorm's ``eps`` and ``momentum``, an activation's slope, ...) is part of a
  tape's key: a tape is only replayed for the settings it was traced with.
- The parameters' identity: a parameter or module replaced (``model[0].weight =
  nn.Parameter(...)``) makes the step read the model's parameters again (and trace
  anew if they changed).
- ``requires_grad``: a frozen parameter (``p.requires_grad = False``) is still read on
  every call but its grad is left alone, as ``backward`` leaves it.

Cheaply: nn.Module counts attribute assignments (``Module._attribute_changes``) and
``Value`` counts ``requires_grad`` assignments (``Value._requires_grad_changes``); a
call compares the two counters with the last call's. Only when one moved are the
modules' attributes compared by identity with the last call's (and, if one changed,
the settings and the parameter list read again). A tree of modules without such a
counter is compared on every call.
"""
import itertools
import operator

import numpy as np

SETTING_TYPES = (bool, int, float, str, type(None), tuple)


class ModuleWatch:
    """The modules of one Module tree, as a compiled step sees them on every call."""

    def __init__(self, root):
        self.root = root
        self.read()

    def read(self):
        """Read the tree again: its modules, their attributes and settings."""
        self.counter = getattr(self.root, "_attribute_changes", None)
        self.modules = list(self.root.modules())
        self.dicts = [module.__dict__ for module in self.modules]
        self.snapshot = self._attributes()
        settings = []
        for index, attributes in enumerate(self.dicts):
            for name, value in attributes.items():
                if type(value) in SETTING_TYPES and _hashable(value):
                    settings.append((index, name, value))
        self.settings = tuple(settings)

    def _attributes(self):
        return list(itertools.chain.from_iterable(map(dict.values, self.dicts)))

    def changed(self):
        """True (once) when an attribute of a module changed since the last call, after
        reading the tree again. A Module class that counts attribute assignments
        (nn.Module's ``_attribute_changes``) makes the usual call one comparison."""
        counter = getattr(self.root, "_attribute_changes", None)
        if counter is not None and counter == self.counter:
            return False
        self.counter = counter
        now = self._attributes()
        if len(now) == len(self.snapshot) and all(map(operator.is_, now, self.snapshot)):
            return False
        self.read()
        return True


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True


def frozen_positions(params):
    """Positions of the parameters that do not require grad (an int array)."""
    return np.flatnonzero([not p.requires_grad for p in params])

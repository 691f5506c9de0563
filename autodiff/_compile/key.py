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

Cheaply: a call compares, by identity, the values of every module's attributes with
those of the last call (one pass in C over a few dozen objects); only when one changed
are the settings and the parameter list read again. Changes of ``requires_grad`` are
counted by ``Value`` (``Value._requires_grad_changes``).
"""
import itertools
import operator

import numpy as np

SETTING_TYPES = (bool, int, float, str, type(None))


class ModuleWatch:
    """The modules of one Module tree, as a compiled step sees them on every call."""

    def __init__(self, root):
        self.root = root
        self.read()

    def read(self):
        """Read the tree again: its modules, their attributes and settings."""
        self.modules = list(self.root.modules())
        self.dicts = [module.__dict__ for module in self.modules]
        self.snapshot = self._attributes()
        self.settings = tuple(
            (index, name, value) for index, attributes in enumerate(self.dicts)
            for name, value in attributes.items() if type(value) in SETTING_TYPES)

    def _attributes(self):
        return list(itertools.chain.from_iterable(map(dict.values, self.dicts)))

    def changed(self):
        """True (once) when an attribute of a module changed since the last call, after
        reading the tree again."""
        now = self._attributes()
        if len(now) == len(self.snapshot) and all(map(operator.is_, now, self.snapshot)):
            return False
        self.read()
        return True


def parameter_list(root):
    """The parameters of a Module (``parameters()``), or None for a list of Values."""
    return list(root.parameters()) if root is not None else None


def frozen_positions(params):
    """Positions of the parameters that do not require grad (an int array)."""
    return np.flatnonzero([not p.requires_grad for p in params])

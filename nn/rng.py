"""Random numbers for nn: one default numpy Generator, reseedable like torch.manual_seed.

Everything random in nn (initialisers, Dropout masks, synthetic data, shuffling) takes a
``generator`` argument that may be a ``numpy.random.Generator``, an int seed, or
``None`` (draw from the default generator, so that ``nn.manual_seed(0)`` before building
a model and its data makes the whole run reproducible).
"""
import numbers

import numpy as np

_default = np.random.default_rng()


def manual_seed(seed):
    """Reseed the default generator used wherever no ``generator`` is given
    (like ``torch.manual_seed``). Returns the new generator."""
    global _default
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _default = np.random.default_rng(int(seed))
    return _default


def default_generator():
    """The generator used when ``generator=None``."""
    return _default


def as_generator(generator, owner="nn"):
    """A ``numpy.random.Generator`` from ``generator``: returned as is if it is one, a new
    one seeded with it if it is a non-negative int, the default generator if ``None``."""
    if generator is None:
        return _default
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool) \
            and generator >= 0:
        return np.random.default_rng(int(generator))
    raise TypeError(f"{owner}: generator must be a numpy Generator, a non-negative int "
                    f"seed or None, got {generator!r}")


def child_generator(generator, owner="nn"):
    """A generator of one's own: seeded from ``generator`` (an int seed gives the same
    stream every time; ``None`` draws a seed from the default generator, so that
    ``manual_seed`` reproduces it)."""
    if isinstance(generator, np.random.Generator):
        return generator
    if generator is None:
        return np.random.default_rng(int(_default.integers(2 ** 63)))
    return as_generator(generator, owner)

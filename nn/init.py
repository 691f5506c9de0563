"""Random numbers and initialisers (``torch.manual_seed`` and ``torch.nn.init``).

Everything random in nn (initialisers, Dropout masks, synthetic data, shuffling) takes a
``generator`` argument: a ``numpy.random.Generator``, an int seed, or ``None`` (draw
from the default generator, so that ``nn.manual_seed(0)`` before building a model and
its data makes the whole run reproducible).

Each initialiser takes a ``Parameter`` (filled in place and returned) or a shape (a new array is
returned), and a ``generator``: a numpy Generator, an int seed, or None for the default
generator (``nn.manual_seed``). For a weight of shape (out, in, k1, k2, ...):
fan_in = in * k1 * k2 * ..., fan_out = out * k1 * k2 * ...
The torch names with a trailing underscore (``xavier_uniform_``) are aliases.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Sequence, Union

import numpy as np

from autodiff.checks import check_number

from ._types import Array, Generator
from .parameter import Parameter

TensorOrShape = Union[Parameter, int, Sequence[int]]
"""What an initialiser fills: a Parameter (in place), or a shape (a new array)."""
Initialised = Union[Parameter, Array]
"""What an initialiser returns: the Parameter it filled, or the new array."""

# --- the random source ----------------------------------------------------------------

_default = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator used wherever no ``generator`` is given
    (like ``torch.manual_seed``). Returns the new generator."""
    global _default
    _default = np.random.default_rng(int(check_number("manual_seed", "seed", seed, integer=True,
                                                      minimum=0)))
    return _default


def as_generator(generator: Generator, owner: str = "nn") -> np.random.Generator:
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


def child_generator(generator: Generator, owner: str = "nn") -> np.random.Generator:
    """A generator of one's own: seeded from ``generator`` (an int seed gives the same
    stream every time; ``None`` draws a seed from the default generator, so that
    ``manual_seed`` reproduces it)."""
    if isinstance(generator, np.random.Generator):
        return generator
    if generator is None:
        return np.random.default_rng(int(_default.integers(2 ** 63)))
    return as_generator(generator, owner)


def renamed_seed(owner: str, generator: Generator, seed: Generator) -> Generator:
    """The random source of a function whose ``seed`` argument is now ``generator``:
    ``seed`` still works (same meaning) with a DeprecationWarning."""
    if seed is None:
        return generator
    warnings.warn(f"{owner}: seed= is deprecated, pass generator= (an int seed, a numpy "
                  "Generator or None)", DeprecationWarning, stacklevel=3)
    if generator is not None:
        raise TypeError(f"{owner}: pass generator= only (seed= is its deprecated name), "
                        f"got both generator={generator!r} and seed={seed!r}")
    return seed


# --- initialisers ---------------------------------------------------------------------


def _shape(tensor, owner):
    if isinstance(tensor, Parameter):
        return tensor.shape
    if isinstance(tensor, numbers.Integral):
        return (int(tensor),)
    if isinstance(tensor, (tuple, list)) and all(isinstance(n, numbers.Integral) for n in tensor):
        return tuple(int(n) for n in tensor)
    raise TypeError(f"{owner}: expected a Parameter or a shape, got {tensor!r}")


def _result(tensor, array):
    if isinstance(tensor, Parameter):
        tensor.copy_(array)
        return tensor
    return array


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that keeps activations' variance steady through ``nonlinearity`` (torch's
    values): linear/identity/sigmoid 1, tanh 5/3, relu sqrt(2),
    leaky_relu sqrt(2 / (1 + a^2)) for slope a (default 0.01), selu 3/4."""
    fixed = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0,
             "relu": math.sqrt(2.0), "selu": 0.75}
    if nonlinearity in fixed:
        return fixed[nonlinearity]
    if nonlinearity == "leaky_relu":
        slope = check_number("calculate_gain", "negative slope",
                             0.01 if param is None else param)
        return math.sqrt(2.0 / (1.0 + slope ** 2))
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; one of "
                     f"{sorted(fixed) + ['leaky_relu']}")


def fans(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape (out, in, *kernel): in * prod(kernel) and
    out * prod(kernel). Needs at least 2 dimensions."""
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(f"fans: fan in and fan out need a weight of at least 2 "
                         f"dimensions, got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def uniform(tensor: TensorOrShape, a: float = 0.0, b: float = 1.0,
            generator: Generator = None) -> Initialised:
    """Entries drawn from U(a, b)."""
    shape = _shape(tensor, "uniform")
    return _result(tensor, as_generator(generator, "uniform").uniform(a, b, size=shape))


def normal(tensor: TensorOrShape, mean: float = 0.0, std: float = 1.0,
           generator: Generator = None) -> Initialised:
    """Entries drawn from N(mean, std^2)."""
    shape = _shape(tensor, "normal")
    return _result(tensor, as_generator(generator, "normal").normal(mean, std, size=shape))


def constant(tensor: TensorOrShape, value: float) -> Initialised:
    """Every entry set to ``value``."""
    return _result(tensor, np.full(_shape(tensor, "constant"), float(value)))


def zeros(tensor: TensorOrShape) -> Initialised:
    """Every entry 0."""
    return constant(tensor, 0.0)


def ones(tensor: TensorOrShape) -> Initialised:
    """Every entry 1."""
    return constant(tensor, 1.0)


def xavier_uniform(tensor: TensorOrShape, gain: float = 1.0,
                   generator: Generator = None) -> Initialised:
    """Glorot: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)), so that
    Var = gain^2 * 2 / (fan_in + fan_out)."""
    fan_in, fan_out = fans(_shape(tensor, "xavier_uniform"))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(tensor, -bound, bound, generator)


def xavier_normal(tensor: TensorOrShape, gain: float = 1.0,
                  generator: Generator = None) -> Initialised:
    """Glorot: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(_shape(tensor, "xavier_normal"))
    return normal(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity, owner):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{owner}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fans(_shape(tensor, owner))
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform(tensor: TensorOrShape, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Generator = None) -> Initialised:
    """He: U(-bound, bound), bound = gain * sqrt(3 / fan), gain = calculate_gain(
    nonlinearity, a), fan = fan_in or fan_out (``mode``). With a = sqrt(5) this is
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), torch's default for Linear weights."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform")
    bound = math.sqrt(3.0) * std
    return uniform(tensor, -bound, bound, generator)


def kaiming_normal(tensor: TensorOrShape, a: float = 0.0, mode: str = "fan_in",
                   nonlinearity: str = "leaky_relu",
                   generator: Generator = None) -> Initialised:
    """He: N(0, std^2), std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a)
    (sqrt(2) for relu: Var = 2 / fan_in keeps ReLU activations' variance steady)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal")
    return normal(tensor, 0.0, std, generator)


def lecun_normal(tensor: TensorOrShape, generator: Generator = None) -> Initialised:
    """LeCun: N(0, std^2), std = 1 / sqrt(fan_in) (Var = 1 / fan_in, for tanh/SELU)."""
    fan_in, _ = fans(_shape(tensor, "lecun_normal"))
    return normal(tensor, 0.0, 1.0 / math.sqrt(fan_in), generator)


def fan_in_uniform(tensor: TensorOrShape, fan_in: float,
                   generator: Generator = None) -> Initialised:
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)): torch's default for the bias of Linear (and
    every weight of its recurrent layers, with fan_in = hidden_size)."""
    fan_in = check_number("fan_in_uniform", "fan_in", fan_in, minimum=0, minimum_open=True)
    bound = 1.0 / math.sqrt(fan_in)
    return uniform(tensor, -bound, bound, generator)


def orthogonal(tensor: TensorOrShape, gain: float = 1.0,
               generator: Generator = None) -> Initialised:
    """A (semi-)orthogonal matrix times ``gain``: the weight viewed as rows = shape[0] by
    cols = the rest has orthonormal rows (or columns, whichever are fewer). Q from the QR
    decomposition of a standard normal matrix, with signs fixed by diag(R) so that it is
    uniformly distributed (Saxe et al.)."""
    shape = _shape(tensor, "orthogonal")
    if len(shape) < 2:
        raise ValueError(f"orthogonal: needs at least 2 dimensions, got shape {shape}")
    rows, cols = shape[0], math.prod(shape[1:])
    flat = as_generator(generator, "orthogonal").normal(size=(rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _result(tensor, gain * q.reshape(shape))


uniform_, normal_, constant_, zeros_, ones_ = uniform, normal, constant, zeros, ones
xavier_uniform_, xavier_normal_ = xavier_uniform, xavier_normal
kaiming_uniform_, kaiming_normal_, orthogonal_ = kaiming_uniform, kaiming_normal, orthogonal

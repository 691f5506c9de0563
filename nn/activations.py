"""Activations (course notes section 3), as functions of one Value and as modules that
apply elementwise to a vector (or any nested list of Values: an image, a sequence).

sigmoid(x) = 1 / (1 + e^-x), d/dx = s(1 - s)            (saturates: vanishing gradients)
tanh(x),                      d/dx = 1 - tanh^2(x)       (zero-centred, still saturates)
relu(x) = max(x, 0),          d/dx = [x > 0]             (no saturation for x > 0; can die)
leaky_relu(x) = x if x > 0 else a x, a a fixed hyper-parameter
prelu(x, a)   = x if x > 0 else a x, a learnt (one per channel, or shared)
maxout: y_i = max_k (W_k x + b_k)_i, the max of k learnt linear pieces

and the ones later papers reach for, with torch's names, signatures and defaults, each
composed from engine primitives (so it can be drawn, stepped through and differentiated
to any order): gelu, silu, elu, celu, selu, softsign, hardtanh, relu6, hardsigmoid,
hardswish, mish, logsigmoid, softplus(beta, threshold). Values and gradients are
torch's to 1e-12, at the kinks too (torch's choice there is said on each function); the
one difference is hardsigmoid's slope, 1/6 here and float32(1/6) in torch's float64 kernel.
"""
from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any, Callable, Union

import numpy as np

import autodiff
from autodiff import (Value, affine, clamp, erf, expm1, leaky_relu, maximum, relu, sigmoid, sign,
                      tanh)
from autodiff.checks import check_number

from . import init
from ._types import Generator, Nested, NestedInput, Operand, Vector, VectorInput
from .module import Module
from .parameter import Parameter
from .values import as_nested, as_vector, check_sizes, map_values

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "gelu", "silu", "elu", "celu",
           "selu", "softsign", "hardtanh", "relu6", "hardsigmoid", "hardswish", "mish",
           "logsigmoid", "softplus", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "GELU",
           "SiLU", "ELU", "CELU", "SELU", "Softsign", "Hardtanh", "ReLU6", "Hardsigmoid",
           "Hardswish", "Mish", "LogSigmoid", "Softplus", "Maxout", "ACTIVATIONS",
           "make_activation"]

SQRT1_2 = 1.0 / math.sqrt(2.0)                 # 1/sqrt(2), torch's M_SQRT1_2
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)      # the tanh approximation's sqrt(2/pi)
GELU_CUBIC = 0.044715                          # ... and its cubic coefficient
SELU_ALPHA = 1.6732632423543772848170429916717  # Klambauer et al.'s constants (torch's)
SELU_SCALE = 1.0507009873554804934193349852946
GELU_APPROXIMATIONS = ("none", "tanh")
FLOAT_MAX = np.finfo(np.float64).max           # softplus's floor for x (keeps 0 x -inf away)


def prelu(x: Value, weight: Operand) -> Value:
    """x if x > 0 else a x with a learnt slope a = ``weight``, built as
    relu(x) + a (x - relu(x)): d/dx = 1 if x > 0 else a, d/da = min(x, 0)
    (at x = 0: d/dx = a, d/da = 0, as torch)."""
    positive = relu(x)
    return positive + weight * (x - positive)


def _checked_approximate(owner, approximate):
    if approximate not in GELU_APPROXIMATIONS:
        raise ValueError(f"{owner}: approximate must be 'none' or 'tanh', got {approximate!r}")
    return approximate


def _checked_celu_alpha(owner, alpha):
    alpha = check_number(owner, "alpha", alpha)
    if alpha == 0.0:
        raise ValueError(f"{owner}: alpha must be a number other than 0, got {alpha!r}")
    return alpha


def _checked_bounds(owner, min_val, max_val):
    min_val = check_number(owner, "min_val", min_val)
    max_val = check_number(owner, "max_val", max_val)
    if not min_val < max_val:
        raise ValueError(f"{owner}: max_val must be a number > min_val = {min_val}, "
                         f"got {max_val!r}")
    return min_val, max_val


def _checked_softplus(owner, beta, threshold):
    return (check_number(owner, "beta", beta, minimum=0.0, minimum_open=True),
            check_number(owner, "threshold", threshold))


def gelu(x: Value, approximate: str = "none") -> Value:
    """Gaussian error linear unit, x times the standard normal CDF of x:
    gelu(x) = x Phi(x) = x/2 (1 + erf(x / sqrt 2)),
    d/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi).
    ``approximate="tanh"``: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as torch.
    Smooth everywhere; gelu(-1000) = -0 with slope 0, gelu(1000) = 1000 with slope 1."""
    if _checked_approximate("gelu", approximate) == "tanh":
        return 0.5 * x * (1.0 + tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * (x * x * x))))
    return x * 0.5 * (1.0 + erf(x * SQRT1_2))


def silu(x: Value) -> Value:
    """Sigmoid linear unit (swish with beta = 1): silu(x) = x sigmoid(x),
    d/dx = s + x s (1 - s), s = sigmoid(x). Smooth everywhere."""
    return x * sigmoid(x)


def _negative_part_expm1(x, alpha, input_scale=1.0):
    """relu(x) + alpha (e^(min(x, 0) input_scale) - 1): x for x > 0, alpha (e^(x
    input_scale) - 1) for x <= 0. min(x, 0) is clamp(x, max=0), whose slope is 1 at 0,
    so that the slope at 0 is the left one, alpha input_scale, as torch's elu_backward;
    the exponent never sees a positive x (no overflow at x = 1000)."""
    below = clamp(x, max=0.0)
    return relu(x) + alpha * expm1(below if input_scale == 1.0 else below * input_scale)


def elu(x: Value, alpha: float = 1.0) -> Value:
    """Exponential linear unit: elu(x) = x if x > 0 else alpha (e^x - 1);
    d/dx = 1 if x > 0 else alpha e^x. At the kink x = 0 the slope is alpha (the left
    one: torch's choice). Smooth away from 0 (and once differentiable at 0 for
    alpha = 1)."""
    return _negative_part_expm1(x, check_number("elu", "alpha", alpha))


def celu(x: Value, alpha: float = 1.0) -> Value:
    """Continuously differentiable ELU: celu(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1)),
    i.e. x if x > 0 else alpha (e^(x/alpha) - 1); d/dx = 1 if x > 0 else e^(x/alpha)
    (1 at 0 from both sides, as torch; alpha must not be 0)."""
    alpha = _checked_celu_alpha("celu", alpha)
    return _negative_part_expm1(x, alpha, 1.0 / alpha)


def selu(x: Value) -> Value:
    """Scaled ELU (self-normalising networks): selu(x) = scale (x if x > 0 else
    alpha (e^x - 1)), alpha = 1.6732632..., scale = 1.0507009...;
    d/dx = scale if x > 0 else scale alpha e^x (scale alpha = 1.7580993... at 0, as torch)."""
    return SELU_SCALE * _negative_part_expm1(x, SELU_ALPHA)


def softsign(x: Value) -> Value:
    """softsign(x) = x / (1 + |x|), d/dx = 1 / (1 + |x|)^2 (1 at 0, as torch: |x|'s
    slope at 0 is 0). Values in (-1, 1), approached like 1/x rather than e^-x."""
    return x / (1.0 + autodiff.abs(x))


def hardtanh(x: Operand, min_val: float = -1.0, max_val: float = 1.0) -> Value:
    """hardtanh(x) = min_val if x < min_val, max_val if x > max_val, else x;
    d/dx = 1 for min_val < x < max_val, else 0: one ``clamp`` node whose slope at both
    bounds is 0, torch's choice for hardtanh (``closed=False``; torch.clamp gives 1)."""
    min_val, max_val = _checked_bounds("hardtanh", min_val, max_val)
    return autodiff.clamp(x, min_val, max_val, closed=False)


def relu6(x: Operand) -> Value:
    """relu6(x) = min(max(x, 0), 6) = hardtanh(x, 0, 6); d/dx = 1 for 0 < x < 6, else
    0 (0 at both kinks, as torch)."""
    return hardtanh(x, 0.0, 6.0)


def hardsigmoid(x: Value) -> Value:
    """A piecewise-linear sigmoid: hardsigmoid(x) = relu6(x + 3) / 6, i.e. 0 for
    x <= -3, 1 for x >= 3, x/6 + 1/2 in between; d/dx = 1/6 for -3 < x < 3, else 0
    (0 at the kinks, as torch). Where torch differs: its float64 backward multiplies by
    float32(1/6) = 0.16666667163..., 5e-9 more than the 1/6 here."""
    return relu6(x + 3.0) / 6.0


def hardswish(x: Value) -> Value:
    """hardswish(x) = x relu6(x + 3) / 6 = x hardsigmoid(x): 0 for x <= -3, x for
    x >= 3, x (x + 3) / 6 in between; d/dx = (2x + 3) / 6 for -3 < x < 3, 0 below, 1
    above. At the kinks: 0 at -3 and 1 at 3, torch's choice (the outer slopes)."""
    return x * relu6(x + 3.0) / 6.0


def mish(x: Value) -> Value:
    """mish(x) = x tanh(softplus(x)), softplus(x) = ln(1 + e^x);
    d/dx = t + x sigmoid(x) (1 - t^2), t = tanh(softplus(x)). Smooth everywhere."""
    return x * tanh(autodiff.softplus(x))


def logsigmoid(x: Value) -> Value:
    """logsigmoid(x) = ln sigmoid(x) = -ln(1 + e^-x) = -softplus(-x);
    d/dx = 1 - sigmoid(x) = sigmoid(-x). Finite everywhere: logsigmoid(-1000) = -1000
    (slope 1), where ln(sigmoid(-1000)) would be ln 0."""
    return -autodiff.softplus(-x)


def softplus(x: Value, beta: float = 1.0, threshold: float = 20.0) -> Value:
    """torch's softplus: (1/beta) ln(1 + e^(beta x)), d/dx = sigmoid(beta x); but x
    itself (slope 1) where beta x > threshold, as torch (there the two differ by less
    than e^-threshold / beta). The switch is in the graph, not in Python:
    linear = stop_gradient(relu(sign(beta x - threshold))) is 1 above the threshold and 0
    elsewhere, and the result is linear x' + (1 - linear) softplus(min(beta x, threshold))
    / beta, so a compiled step recomputes it for every batch. x' = max(x, -FLOAT_MAX) and
    the min keep both factors that a 0 multiplies finite, so softplus(inf) = inf and
    softplus(-inf) = 0 with slopes 1 and 0, as torch (never 0 x inf = nan). beta > 0."""
    beta, threshold = _checked_softplus("softplus", beta, threshold)
    scaled = x if beta == 1.0 else beta * x
    smooth = autodiff.softplus(clamp(scaled, max=threshold))
    smooth = smooth if beta == 1.0 else smooth / beta
    linear = autodiff.stop_gradient(relu(sign(scaled - threshold)))
    return linear * clamp(x, min=-FLOAT_MAX) + (1.0 - linear) * smooth


class _Elementwise(Module):
    """A parameter-free activation applied to every Value of its input."""

    function: Any = None
    """The activation of one Value (a staticmethod or a partial set by each subclass)."""

    def forward(self, x: NestedInput) -> Nested:
        """f applied to each Value of x (structure kept)."""
        return map_values(self.function, as_nested(x, self))

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward


class Sigmoid(_Elementwise):
    """Elementwise sigmoid(x) = 1 / (1 + e^-x); d/dx = s(1 - s)."""

    function = staticmethod(sigmoid)


class Tanh(_Elementwise):
    """Elementwise tanh(x); d/dx = 1 - tanh^2(x)."""

    function = staticmethod(tanh)


class ReLU(_Elementwise):
    """Elementwise relu(x) = max(x, 0); d/dx = 1 if x > 0 else 0."""

    function = staticmethod(relu)


class LeakyReLU(_Elementwise):
    """Elementwise x if x > 0 else a x, with a fixed slope a = ``negative_slope`` (a
    hyper-parameter in [0, 1), 0.01 by default, as torch); d/dx = 1 or a."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        negative_slope = check_number("LeakyReLU", "negative_slope", negative_slope,
                                      minimum=0.0, maximum=1.0, maximum_open=True)
        super().__init__()
        self.negative_slope = negative_slope
        self.function = functools.partial(leaky_relu, negative_slope=self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class GELU(_Elementwise):
    """Elementwise gelu(x) = x Phi(x) = x/2 (1 + erf(x / sqrt 2)) (``approximate="none"``,
    torch's default), or x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (``"tanh"``)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = _checked_approximate("GELU", approximate)
        self.function = functools.partial(gelu, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Elementwise):
    """Elementwise silu(x) = x sigmoid(x); d/dx = s + x s (1 - s)."""

    function = staticmethod(silu)


class ELU(_Elementwise):
    """Elementwise elu(x) = x if x > 0 else alpha (e^x - 1), alpha = 1.0 by default;
    d/dx = 1 or alpha e^x (alpha at 0, as torch)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = check_number("ELU", "alpha", alpha)
        self.function = functools.partial(elu, alpha=self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class CELU(_Elementwise):
    """Elementwise celu(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1)), alpha = 1.0 by
    default (not 0); d/dx = 1 or e^(x/alpha)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = _checked_celu_alpha("CELU", alpha)
        self.function = functools.partial(celu, alpha=self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SELU(_Elementwise):
    """Elementwise selu(x) = scale (x if x > 0 else alpha (e^x - 1)), alpha = 1.6732632...,
    scale = 1.0507009... (fixed, as torch)."""

    function = staticmethod(selu)


class Softsign(_Elementwise):
    """Elementwise softsign(x) = x / (1 + |x|); d/dx = 1 / (1 + |x|)^2."""

    function = staticmethod(softsign)


class Hardtanh(_Elementwise):
    """Elementwise hardtanh: x clipped to [min_val, max_val] (-1 and 1 by default);
    d/dx = 1 strictly between the bounds, 0 elsewhere (0 at the bounds, as torch)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        self.min_val, self.max_val = _checked_bounds("Hardtanh", min_val, max_val)
        self.function = functools.partial(hardtanh, min_val=self.min_val, max_val=self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(_Elementwise):
    """Elementwise relu6(x) = min(max(x, 0), 6); d/dx = 1 for 0 < x < 6, else 0."""

    function = staticmethod(relu6)


class Hardsigmoid(_Elementwise):
    """Elementwise hardsigmoid(x) = relu6(x + 3) / 6; d/dx = 1/6 for -3 < x < 3, else 0."""

    function = staticmethod(hardsigmoid)


class Hardswish(_Elementwise):
    """Elementwise hardswish(x) = x relu6(x + 3) / 6; d/dx = (2x + 3)/6 for -3 < x < 3,
    0 below, 1 above."""

    function = staticmethod(hardswish)


class Mish(_Elementwise):
    """Elementwise mish(x) = x tanh(softplus(x)); d/dx = t + x sigmoid(x) (1 - t^2)."""

    function = staticmethod(mish)


class LogSigmoid(_Elementwise):
    """Elementwise logsigmoid(x) = ln sigmoid(x) = -softplus(-x); d/dx = sigmoid(-x)."""

    function = staticmethod(logsigmoid)


class Softplus(_Elementwise):
    """Elementwise softplus(x) = (1/beta) ln(1 + e^(beta x)), and x where beta x >
    threshold (beta = 1.0, threshold = 20.0 by default, as torch); d/dx = sigmoid(beta x)
    or 1."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = _checked_softplus("Softplus", beta, threshold)
        self.function = functools.partial(softplus, beta=self.beta, threshold=self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """Parametric ReLU, as ``torch.nn.PReLU``: x if x > 0 else a_c x, with the slope
    learnt. ``num_parameters=1`` shares one slope across the whole input; otherwise one
    slope per channel: the input must have that many entries and entry c (a Value, or
    the nested list of a channel) uses a_c. ``weight``: (num_parameters,), filled
    with ``init`` (0.25). d/dx = 1 or a_c; d/da_c = sum of min(x, 0) over channel c."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        check_sizes("PReLU", num_parameters=num_parameters)
        super().__init__()
        self.num_parameters = int(num_parameters)
        self.weight = Parameter(np.full(self.num_parameters, check_number("PReLU", "init", init)))

    def forward(self, x: NestedInput) -> Nested:
        """prelu(x_c, a_c) for every channel c."""
        if self.num_parameters == 1:
            slope = self.weight[0]
            return map_values(lambda v: prelu(v, slope), as_nested(x, self))
        channels = as_vector(x, self, self.num_parameters, channels=True)
        return [map_values(functools.partial(prelu, weight=slope), channel)
                for channel, slope in zip(channels, self.weight)]

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Maxout(Module):
    """Maxout (Goodfellow et al.): y_i = max_k z_ik, z_ik = sum_j W_ikj x_j + b_ik, the
    maximum of ``pieces`` linear functions per output; d y_i / d z_ik = 1 for the
    largest piece, 0 for the others (1/2 each at a tie).

    ``weight``: out_features x pieces x in_features, ``bias``: out_features x pieces,
    initialised as Linear: U(-1/sqrt(in_features), 1/sqrt(in_features)).
    """

    bias: Parameter | None

    def __init__(self, in_features: int, out_features: int, pieces: int = 2, bias: bool = True,
                 generator: Generator = None) -> None:
        check_sizes("Maxout", in_features=in_features, out_features=out_features, pieces=pieces)
        super().__init__()
        self.in_features, self.out_features, self.pieces = (
            int(in_features), int(out_features), int(pieces))
        self.weight = Parameter(np.zeros((self.out_features, self.pieces, self.in_features)))
        self.register_parameter(
            "bias", Parameter(np.zeros((self.out_features, self.pieces))) if bias else None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator: Generator = None) -> None:
        """Every weight and bias from U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        generator = init.as_generator(generator, "Maxout")
        for parameter in (self.weight, self.bias):
            if parameter is not None:
                init.fan_in_uniform(parameter, self.in_features, generator=generator)

    def forward(self, x: VectorInput) -> Vector:
        """y_i = max over k of (W_i x + b_i)_k."""
        x = as_vector(x, self, self.in_features)
        biases = self.bias if self.bias is not None else [[None] * self.pieces] * self.out_features
        return [functools.reduce(maximum, [affine(row, x, b) for row, b in zip(pieces, bias)])
                for pieces, bias in zip(self.weight, biases)]

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}, bias={self.bias is not None}")


ACTIVATIONS: dict[str, type[Module]] = {
    "sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU,
    "prelu": PReLU, "gelu": GELU, "silu": SiLU, "elu": ELU, "celu": CELU,
    "selu": SELU, "softsign": Softsign, "hardtanh": Hardtanh, "relu6": ReLU6,
    "hardsigmoid": Hardsigmoid, "hardswish": Hardswish, "mish": Mish,
    "logsigmoid": LogSigmoid, "softplus": Softplus}


def make_activation(spec: Union[str, Callable[[], Module]]) -> Module:
    """A new activation module from ``spec``: a name in ACTIVATIONS ("relu", "tanh",
    ...), or a Module class / function that returns a new Module when called."""
    if isinstance(spec, str):
        if spec not in ACTIVATIONS:
            raise ValueError(f"make_activation: spec must be one of {sorted(ACTIVATIONS)}, "
                             f"got {spec!r}")
        return ACTIVATIONS[spec]()
    module = spec() if callable(spec) else None
    if not isinstance(module, Module):
        raise TypeError(f"make_activation: spec must be a name, or a Module class or "
                        f"factory, got {spec!r}")
    return module

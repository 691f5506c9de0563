"""Activations (course notes section 3), as functions of one Value and as modules that
apply elementwise to a vector (or any nested list of Values: an image, a sequence).

sigmoid(x) = 1 / (1 + e^-x), d/dx = s(1 - s)            (saturates: vanishing gradients)
tanh(x),                      d/dx = 1 - tanh^2(x)       (zero-centred, still saturates)
relu(x) = max(x, 0),          d/dx = [x > 0]             (no saturation for x > 0; can die)
leaky_relu(x) = x if x > 0 else a x, a a fixed hyper-parameter
prelu(x, a)   = x if x > 0 else a x, a learnt (one per channel, or shared)
maxout: y_i = max_k (W_k x + b_k)_i, the max of k learnt linear pieces
"""
import functools

import numpy as np

from autodiff import affine, leaky_relu, maximum, relu, sigmoid, tanh
from autodiff.checks import check_number

from . import init
from .module import Module
from .parameter import Parameter
from .values import as_nested, as_vector, check_sizes, map_values

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "Sigmoid", "Tanh", "ReLU",
           "LeakyReLU", "PReLU", "Maxout", "ACTIVATIONS", "make_activation"]


def prelu(x, weight):
    """x if x > 0 else a x with a learnt slope a = ``weight``, built as
    relu(x) + a (x - relu(x)): d/dx = 1 if x > 0 else a, d/da = min(x, 0)
    (at x = 0: d/dx = a, d/da = 0, as torch)."""
    positive = relu(x)
    return positive + weight * (x - positive)


class _Elementwise(Module):
    """A parameter-free activation applied to every Value of its input."""

    function = None

    def forward(self, x):
        """f applied to each Value of x (structure kept)."""
        return map_values(self.function, as_nested(x, self))


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

    def __init__(self, negative_slope=0.01):
        negative_slope = check_number("LeakyReLU", "negative_slope", negative_slope,
                                      minimum=0.0, maximum=1.0, maximum_open=True)
        super().__init__()
        self.negative_slope = negative_slope
        self.function = functools.partial(leaky_relu, negative_slope=self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """Parametric ReLU, as ``torch.nn.PReLU``: x if x > 0 else a_c x, with the slope
    learnt. ``num_parameters=1`` shares one slope across the whole input; otherwise one
    slope per channel: the input must have that many entries and entry c (a Value, or
    the nested list of a channel) uses a_c. ``weight``: (num_parameters,), filled
    with ``init`` (0.25). d/dx = 1 or a_c; d/da_c = sum of min(x, 0) over channel c."""

    def __init__(self, num_parameters=1, init=0.25):
        check_sizes("PReLU", num_parameters=num_parameters)
        super().__init__()
        self.num_parameters = int(num_parameters)
        self.weight = Parameter(np.full(self.num_parameters, check_number("PReLU", "init", init)))

    def forward(self, x):
        """prelu(x_c, a_c) for every channel c."""
        if self.num_parameters == 1:
            slope = self.weight[0]
            return map_values(lambda v: prelu(v, slope), as_nested(x, self))
        channels = as_vector(x, self, self.num_parameters, channels=True)
        return [map_values(lambda v, a=slope: prelu(v, a), channel)
                for channel, slope in zip(channels, self.weight)]

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Maxout(Module):
    """Maxout (Goodfellow et al.): y_i = max_k z_ik, z_ik = sum_j W_ikj x_j + b_ik, the
    maximum of ``pieces`` linear functions per output; d y_i / d z_ik = 1 for the
    largest piece, 0 for the others (1/2 each at a tie).

    ``weight``: out_features x pieces x in_features, ``bias``: out_features x pieces,
    initialised as Linear: U(-1/sqrt(in_features), 1/sqrt(in_features)).
    """

    def __init__(self, in_features, out_features, pieces=2, bias=True, generator=None):
        check_sizes("Maxout", in_features=in_features, out_features=out_features, pieces=pieces)
        super().__init__()
        self.in_features, self.out_features, self.pieces = (
            int(in_features), int(out_features), int(pieces))
        self.weight = Parameter(np.zeros((self.out_features, self.pieces, self.in_features)))
        self.register_parameter(
            "bias", Parameter(np.zeros((self.out_features, self.pieces))) if bias else None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None):
        """Every weight and bias from U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        generator = init.as_generator(generator, "Maxout")
        for parameter in (self.weight, self.bias):
            if parameter is not None:
                init.fan_in_uniform(parameter, self.in_features, generator=generator)

    def forward(self, x):
        """y_i = max over k of (W_i x + b_i)_k."""
        x = as_vector(x, self, self.in_features)
        biases = self.bias if self.bias is not None else [[None] * self.pieces] * self.out_features
        return [functools.reduce(maximum, [affine(row, x, b) for row, b in zip(pieces, bias)])
                for pieces, bias in zip(self.weight, biases)]

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}, bias={self.bias is not None}")


ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU,
               "prelu": PReLU}


def make_activation(spec):
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

"""Linear (fully connected) layer: y = W x + b, one affine node per output."""
import math

import numpy as np

from autodiff import affine

from . import init
from .module import Module
from .parameter import Parameter
from .rng import as_generator
from .values import as_vector, check_sizes


def linear(x, weight, bias=None):
    """y_i = sum_j W_ij x_j + b_i for a vector ``x`` and a weight given row by row
    (a Parameter out x in, or nested lists of Values). Each y_i is one ``affine`` node
    with in (+1) weight edges and in input edges: d y_i / d W_ij = x_j,
    d y_i / d x_j = W_ij, d y_i / d b_i = 1."""
    if bias is None:
        return [affine(row, x) for row in weight]
    return [affine(row, x, b) for row, b in zip(weight, bias)]


class Linear(Module):
    """Fully connected layer, as ``torch.nn.Linear``: y = W x + b.

    ``weight``: out_features x in_features, ``bias``: out_features (or None with
    ``bias=False``). Default initialisation as torch: W and b from
    U(-1/sqrt(in_features), 1/sqrt(in_features)) (kaiming_uniform with a = sqrt(5)).
    Input: a vector of in_features Values (floats for one example, arrays for a batch)
    or a numpy array (one example, or examples x features).
    """

    def __init__(self, in_features, out_features, bias=True, generator=None):
        check_sizes("Linear", in_features=in_features, out_features=out_features)
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(np.zeros((self.out_features, self.in_features)))
        self.register_parameter("bias", Parameter(np.zeros(self.out_features)) if bias else None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None):
        """Torch's default: weight by kaiming_uniform(a=sqrt(5)), bias from
        U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        generator = as_generator(generator, "Linear")
        init.kaiming_uniform(self.weight, a=math.sqrt(5.0), generator=generator)
        if self.bias is not None:
            init.fan_in_uniform(self.bias, self.in_features, generator=generator)

    def forward(self, x):
        """y_i = sum_j W_ij x_j + b_i."""
        return linear(as_vector(x, self, self.in_features), self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")

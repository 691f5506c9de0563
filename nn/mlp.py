"""MLP: a stack of Linear layers with activations between them."""
import numbers

from .activations import make_activation
from .batchnorm import BatchNorm1d
from .dropout import Dropout
from .linear import Linear
from .module import Sequential
from .rng import as_generator


class MLP(Sequential):
    """Multi-layer perceptron: for sizes [n0, n1, ..., nL], Linear(n0, n1), then per
    hidden layer [BatchNorm1d] -> activation -> [Dropout] -> Linear(n_i, n_i+1); the
    last layer's outputs are left linear (logits, or a regression output).

    It is a Sequential, so state dict keys are ``"0.weight"``, ``"0.bias"``,
    ``"2.weight"``, ... exactly as the equivalent ``torch.nn.Sequential``.
    ``activation``: a name ("relu", "tanh", "sigmoid", "leaky_relu", "prelu") or a Module
    class / factory. ``generator`` seeds the Linear layers (and Dropout masks).
    """

    def __init__(self, sizes, activation="relu", batch_norm=False, dropout=0.0,
                 generator=None):
        sizes = list(sizes)
        if len(sizes) < 2 or not all(isinstance(n, numbers.Integral) and n > 0 for n in sizes):
            raise ValueError(f"MLP: sizes must be at least two positive integers "
                             f"[inputs, ..., outputs], got {sizes!r}")
        super().__init__()
        generator = as_generator(generator, "MLP")
        self.sizes = sizes
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if index > 0:
                if batch_norm:
                    self.append(BatchNorm1d(fan_in))
                self.append(make_activation(activation))
                if dropout:
                    self.append(Dropout(dropout, seed=generator))
            self.append(Linear(fan_in, fan_out, generator=generator))

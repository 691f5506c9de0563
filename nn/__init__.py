"""nn: layers, activations, losses and data built only from autodiff primitives.

PyTorch's names and parameter layouts; a vector is a list of Values, each a float (one
example) or a 1-D array (one float per example of a batch), and every layer runs both.

    import nn
    X, y = nn.make_moons(100, noise=0.1, seed=0)
    model = nn.MLP([2, 16, 16, 1], generator=0)
    loss = nn.binary_cross_entropy(model(X), y)    # X: examples x features
    loss.backward()                                # grads on model.parameters()
"""
from . import init
from .activations import (ACTIVATIONS, LeakyReLU, Maxout, PReLU, ReLU, Sigmoid, Tanh,
                          leaky_relu, make_activation, prelu, relu, sigmoid, tanh)
from .batchnorm import BatchNorm1d, recompute_running_stats
from .data import (batches, load_digits, make_circles, make_moons, make_spirals, make_xor,
                   train_test_split)
from .dropout import Dropout
from .gradcheck import gradcheck_module
from .linear import Linear, linear
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                     hinge_loss, huber_loss, l1_loss, mse_loss, nll_loss)
from .mlp import MLP
from .module import Module, ModuleList, Sequential
from .parameter import Parameter
from .regularization import l1_penalty, l2_penalty
from .rng import manual_seed
from .state import StateDictError, load_state, save_state
from .training import accuracy, evaluate, fit, predict
from .values import to_numpy, to_values

__all__ = [
    "Module", "ModuleList", "Sequential", "Parameter", "Linear", "linear", "MLP",
    "sigmoid", "tanh", "relu", "leaky_relu", "prelu",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "Maxout", "ACTIVATIONS", "make_activation",
    "Dropout", "BatchNorm1d", "recompute_running_stats",
    "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "hinge_loss",
    "l2_penalty", "l1_penalty", "init", "manual_seed",
    "make_moons", "make_circles", "make_spirals", "make_xor", "load_digits",
    "train_test_split", "batches", "fit", "evaluate", "predict", "accuracy",
    "to_values", "to_numpy", "save_state", "load_state", "StateDictError", "gradcheck_module",
]

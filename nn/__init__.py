"""nn: layers, activations, losses and data built only from autodiff primitives.

PyTorch's names and parameter layouts; a vector is a list of Values, each a float (one
example) or a 1-D array (one float per example of a batch), and every layer runs both.

    import nn
    X, y = nn.make_moons(100, noise=0.1, generator=0)
    model = nn.MLP([2, 16, 16, 1], generator=0)
    loss = nn.binary_cross_entropy_with_logits(model(X), y)   # X: examples x features
    loss.backward()                                           # grads on model.parameters()

Files, one concept each: module and parameter (the base), state (saving and loading),
values (inputs, images, reshaping), init (random numbers, initialisers), activations,
linear (Linear, MLP), regularization (Dropout, penalties), batchnorm, conv
(convolution, windows, pooling), recurrent (RNN/LSTM/GRU cells and layers, the
pyramidal LSTM), stack_rnn, sequences (sequence helpers), losses, data, training.
"""
from . import init
from .activations import (ACTIVATIONS, CELU, ELU, GELU, SELU, Hardsigmoid, Hardswish,
                          Hardtanh, LeakyReLU, LogSigmoid, Maxout, Mish, PReLU, ReLU, ReLU6,
                          Sigmoid, SiLU, Softplus, Softsign, Tanh, celu, elu, gelu,
                          hardsigmoid, hardswish, hardtanh, leaky_relu, logsigmoid,
                          make_activation, mish, prelu, relu, relu6, selu, sigmoid, silu,
                          softplus, softsign, tanh)
from .batchnorm import BatchNorm1d, BatchNorm2d, recompute_running_stats
from .conv import AvgPool2d, Conv2d, LPPool2d, MaxPool2d, conv2d, conv_output_size
from .data import (anbn_accuracy, array_batches, batches, load_digits, make_adding_problem,
                   make_anbn, make_circles, make_copy_task, make_moons, make_sine_sequences,
                   make_spirals, make_xor, train_test_split)
from .init import manual_seed
from .linear import MLP, Linear, linear
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                     hinge_loss, huber_loss, l1_loss, mse_loss, nll_loss)
from .module import Module, ModuleList, Sequential
from .parameter import Parameter
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, PyramidalLSTM, RNNCell
from .regularization import Dropout, l1_penalty, l2_penalty
from .sequences import (SequenceModel, gradient_through_time, sequence_cross_entropy,
                        sequence_to_numpy, to_sequence)
from .stack_rnn import StackRNN
from .state import StateDictError, load_state, save_state
from .training import accuracy, evaluate, fit, gradcheck_module, predict
from .values import (Flatten, Unflatten, to_image_numpy, to_image_values, to_numpy,
                     to_values)

__all__ = [
    # the base
    "Module", "ModuleList", "Sequential", "Parameter",
    "save_state", "load_state", "StateDictError", "init", "manual_seed",
    # vectors (notes sections 2-5)
    "Linear", "linear", "MLP",
    "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "gelu", "silu", "elu", "celu", "selu",
    "softsign", "hardtanh", "relu6", "hardsigmoid", "hardswish", "mish", "logsigmoid",
    "softplus",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "GELU", "SiLU", "ELU", "CELU", "SELU",
    "Softsign", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Mish", "LogSigmoid",
    "Softplus", "Maxout", "ACTIVATIONS", "make_activation",
    "Dropout", "BatchNorm1d", "recompute_running_stats", "l2_penalty", "l1_penalty",
    "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "hinge_loss",
    # images (notes section 1.3)
    "Conv2d", "conv2d", "conv_output_size", "MaxPool2d", "AvgPool2d", "LPPool2d",
    "BatchNorm2d", "Flatten", "Unflatten", "to_image_values", "to_image_numpy",
    # sequences (notes section 1.2)
    "RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "PyramidalLSTM",
    "StackRNN", "SequenceModel", "to_sequence", "sequence_to_numpy",
    "sequence_cross_entropy", "gradient_through_time",
    # data and training
    "make_moons", "make_circles", "make_spirals", "make_xor", "load_digits",
    "make_adding_problem", "make_copy_task", "make_sine_sequences", "make_anbn",
    "anbn_accuracy", "train_test_split", "batches", "array_batches", "to_values", "to_numpy",
    "fit", "evaluate", "predict", "accuracy", "gradcheck_module",
]

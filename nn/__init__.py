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

# images (notes section 1.3): convolution, pooling, batch norm per channel, reshaping
from .batchnorm import BatchNorm2d  # noqa: E402
from .conv import Conv2d, conv2d  # noqa: E402
from .flatten import Flatten, Unflatten  # noqa: E402
from .images import to_image_numpy, to_image_values  # noqa: E402
from .pooling import AvgPool2d, LPPool2d, MaxPool2d  # noqa: E402
from .windows import conv_output_size  # noqa: E402

__all__ += ["Conv2d", "conv2d", "conv_output_size", "MaxPool2d", "AvgPool2d", "LPPool2d",
            "BatchNorm2d", "Flatten", "Unflatten", "to_image_values", "to_image_numpy"]

# sequences (notes section 1.2): recurrent cells and layers, stack RNN, sequence tasks
from .data import (anbn_accuracy, make_adding_problem, make_anbn,  # noqa: E402
                   make_copy_task, make_sine_sequences)
from .gradient_decay import gradient_through_time  # noqa: E402
from .pyramidal import PyramidalLSTM  # noqa: E402
from .recurrent import GRU, LSTM, RNN  # noqa: E402
from .recurrent_cells import GRUCell, LSTMCell, RNNCell  # noqa: E402
from .sequence_losses import sequence_cross_entropy  # noqa: E402
from .sequence_model import SequenceModel  # noqa: E402
from .sequences import sequence_to_numpy, to_sequence  # noqa: E402
from .stack_rnn import StackRNN  # noqa: E402

__all__ += ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "PyramidalLSTM",
            "StackRNN", "SequenceModel", "to_sequence", "sequence_to_numpy",
            "sequence_cross_entropy", "gradient_through_time", "make_adding_problem",
            "make_copy_task", "make_sine_sequences", "make_anbn", "anbn_accuracy"]

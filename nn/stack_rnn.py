"""The stack-augmented RNN (notes 1.2, "stack rnn"; Joulin & Mikolov 2015, "Inferring
algorithmic patterns with stack-augmented recurrent nets"): a recurrent controller that
pushes to, pops from or leaves a continuous stack, all by differentiable mixing."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from autodiff import Value, sigmoid, softmax, tanh

from . import init
from ._types import Generator, Operand, SequenceInput, StateInput, Vector, VectorSequence
from .linear import linear
from .module import Module
from .parameter import Parameter
from .recurrent import checked_choice, initial_state
from .sequences import as_sequence
from .values import check_sizes

ACTIONS = ("push", "pop", "no-op")
HIDDEN_ACTIVATIONS: dict[str, Callable[[Value], Value]] = {"tanh": tanh, "sigmoid": sigmoid}


def update_stack(stack: list[Operand], actions: Sequence[Value], pushed: Value) -> Vector:
    """The continuous stack after one step, cell by cell (stack[0] is the top):

        s'[0] = a_push * v      + a_pop * s[1]   + a_noop * s[0]
        s'[i] = a_push * s[i-1] + a_pop * s[i+1] + a_noop * s[i]     (i > 0)

    with (a_push, a_pop, a_noop) = ``actions`` (summing to 1), v = ``pushed``, and the
    cell below the bottom taken as 0 (what falls off the bottom is lost). Each new cell
    is the dot product of its three candidates [s[i-1], s[i+1], s[i]] with the action
    probabilities: ``linear(actions, candidate rows)``, one node per cell. With one-hot
    actions this is exactly push / pop / leave; in between, a weighted average of the
    three stacks, so d s' / d a and d s' / d v exist and the actions are learnt."""
    above = [pushed] + stack[:-1]
    below = stack[1:] + [0.0]
    return linear(actions, [list(candidates) for candidates in zip(above, below, stack)])


class StackRNN(Module):
    """A recurrent network with a continuous stack (Joulin & Mikolov 2015), one step:

        h_t = act(U x_t + R h_{t-1} + P s_{t-1}[0:k] + b)     act = tanh or sigmoid
        a_t = softmax(A h_t + b_A)                            (a_push, a_pop, a_noop)
        v_t = sigmoid(D h_t + b_D)                            the value a push would write
        s_t = update_stack(s_{t-1}, a_t, v_t)                 (see ``update_stack``)

    The top k = ``read_depth`` cells of the stack feed back into the hidden state, so
    the network can count or match brackets with the stack instead of squeezing a count
    into a fixed hidden vector: a^n b^n needs n pushes then n pops, for any n up to the
    fixed ``stack_depth``. The paper's controller uses act = sigmoid; the default here is
    tanh, which trained far more reliably on a^n b^n (benchmarks/anbn_generalisation.py:
    with tanh every seed tried counted correctly past the training lengths within 200
    Adam steps, with sigmoid few did).

    Parameters (U, R, P, b, A, b_A, D, b_D): weight_ih (H x in), weight_hh (H x H),
    weight_sh (H x k), bias_h (H), weight_action (3 x H), bias_action (3), weight_push
    (1 x H), bias_push (1); every one from U(-1/sqrt(H), 1/sqrt(H)) as torch's
    recurrent layers. ``forward(input, hx=None)`` takes a sequence (as ``nn.RNN``) and
    hx = (h_0, s_0) (hidden_size and stack_depth Values; zeros, an empty stack, when
    None) and returns (output, (h_T, s_T)), output the list of h_t. ``actions`` after
    a forward pass holds the a_t of every step (for inspection).
    """

    def __init__(self, input_size: int, hidden_size: int, stack_depth: int = 16,
                 read_depth: int = 2, nonlinearity: str = "tanh",
                 generator: Generator = None) -> None:
        input_size, hidden_size, stack_depth, read_depth = check_sizes(
            "StackRNN", input_size=input_size, hidden_size=hidden_size,
            stack_depth=stack_depth, read_depth=read_depth)
        if read_depth > stack_depth:
            raise ValueError(f"StackRNN: read_depth ({read_depth}) must be at most "
                             f"stack_depth ({stack_depth})")
        checked_choice("StackRNN", "nonlinearity", nonlinearity, HIDDEN_ACTIVATIONS)
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.stack_depth, self.read_depth = stack_depth, read_depth
        self.nonlinearity = nonlinearity
        H = self.hidden_size
        self.weight_ih = Parameter(np.zeros((H, self.input_size)))
        self.weight_hh = Parameter(np.zeros((H, H)))
        self.weight_sh = Parameter(np.zeros((H, self.read_depth)))
        self.bias_h = Parameter(np.zeros(H))
        self.weight_action = Parameter(np.zeros((len(ACTIONS), H)))
        self.bias_action = Parameter(np.zeros(len(ACTIONS)))
        self.weight_push = Parameter(np.zeros((1, H)))
        self.bias_push = Parameter(np.zeros(1))
        self.actions: list[Vector] = []
        self.reset_parameters(generator)

    @property
    def output_size(self) -> int:
        """Values per output step: hidden_size."""
        return self.hidden_size

    def reset_parameters(self, generator: Generator = None) -> None:
        """Every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        generator = init.as_generator(generator, "StackRNN")
        for _, parameter in self.named_parameters():
            init.fan_in_uniform(parameter, self.hidden_size, generator=generator)

    def hidden_rows(self) -> list[list[Value]]:
        """The rows [U_i, R_i, P_i] of the hidden pre-activation, which reads the vector
        [x; h; s[0:k]]: one affine node per hidden unit."""
        return [ix + hx + sx for ix, hx, sx in zip(self.weight_ih, self.weight_hh,
                                                    self.weight_sh)]

    def step(self, x: list[Operand], h: Vector, stack: list[Operand],
             rows: Sequence[Sequence[Value]]) -> tuple[Vector, Vector, Vector]:
        """(h_{t-1}, s_{t-1}) and x_t -> (h_t, s_t, a_t), the equations above (``rows``
        from ``hidden_rows``)."""
        activation = HIDDEN_ACTIVATIONS[self.nonlinearity]
        h = [activation(a) for a in linear(x + h + stack[:self.read_depth], rows, self.bias_h)]
        actions = softmax(linear(h, self.weight_action, self.bias_action))
        (pushed,) = [sigmoid(a) for a in linear(h, self.weight_push, self.bias_push)]
        return h, update_stack(stack, actions, pushed), actions

    def forward(self, input: SequenceInput,
                hx: StateInput = None) -> tuple[VectorSequence, tuple[Vector, Vector]]:
        """(output, (h_T, s_T)) over the sequence; see the class."""
        sequence, batch = as_sequence(input, self, self.input_size)
        h, stack = initial_state(self, hx, ("h", "s"), (self.hidden_size, self.stack_depth),
                                 batch)
        rows = self.hidden_rows()
        outputs, self.actions = [], []
        for x in sequence:
            h, stack, actions = self.step(x, h, stack, rows)
            outputs.append(h)
            self.actions.append(actions)
        return outputs, (h, stack)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, stack_depth={self.stack_depth}, "
                f"read_depth={self.read_depth}, nonlinearity={self.nonlinearity!r}")


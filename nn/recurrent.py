"""Recurrent networks (course notes 1.2), with torch's equations, gate orders, parameter
names and shapes, and return values.

The three step functions below are the whole of the arithmetic: an Elman RNN, an LSTM
and a GRU step, each a plain function of (input x, state, weights). Everything else in
this file is bookkeeping: the cells (``RNNCell``, ``LSTMCell``, ``GRUCell``) run one
step; the layers (``RNN``, ``LSTM``, ``GRU``) run one loop, ``run_layers``, over a
sequence, deep (num_layers) and bidirectional; ``PyramidalLSTM`` stacks LSTMs that
halve the sequence. Every recurrent module reads its initial state with one parser,
``initial_state``.

Weights of a step, for G gates stacked in torch's order (RNN G = 1; LSTM G = 4: i, f,
g, o; GRU G = 3: r, z, n): ``weight_ih`` (G*H x input_size), ``weight_hh`` (G*H x H),
``bias_ih`` and ``bias_hh`` (G*H each). A gate's pre-activation is

    a = W_ih x + b_ih + W_hh h + b_hh

built with ``nn.linear`` (one affine node per gate unit and part, plus their sum).

Sequences: a list of T time steps, each a vector of input_size Values (torch's (T, N,
input_size) tensor X is ``nn.to_sequence(X)``; numpy arrays are converted). Stacked
states (h_0, h_n) are lists of num_layers * num_directions vectors, index
layer * num_directions + direction, as torch's (num_layers * num_directions, N, H).
"""
from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from autodiff import Value, relu, sigmoid, tanh
from autodiff.checks import check_number, check_probability

from . import init
from ._types import (FinalState, Generator, Operand, SequenceInput, State, StateInput, Vector,
                     VectorInput, VectorSequence)
from .linear import linear
from .module import Module, ModuleList
from .parameter import Parameter
from .regularization import Dropout
from .sequences import as_sequence, as_stacked_state, check_state_batch, vectors_batch_size
from .values import as_vector, check_sizes, layer_name

CellWeights = namedtuple("CellWeights", ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
CellWeights.__doc__ = """The weights of one step as lists of rows of Values (biases: lists
of Values, or None without bias)."""

NONLINEARITIES = {"tanh": tanh, "relu": relu}


# --- the step functions -----------------------------------------------------------------

def input_and_hidden_parts(x: Sequence[Operand], h: Sequence[Operand], weights: CellWeights,
                           rows: slice) -> tuple[Vector, Vector]:
    """(W_ih x + b_ih, W_hh h + b_hh) for the gate ``rows`` (a slice), each computed
    with ``linear``: one node per gate unit and part."""
    weight_ih, weight_hh, bias_ih, bias_hh = weights
    with_bias = bias_ih is not None
    return (linear(x, weight_ih[rows], bias_ih[rows] if with_bias else None),
            linear(h, weight_hh[rows], bias_hh[rows] if with_bias else None))


def gate_preactivations(x: Sequence[Operand], h: Sequence[Operand], weights: CellWeights,
                        rows: slice) -> Vector:
    """a_i = (W_ih[i] . x + b_ih[i]) + (W_hh[i] . h + b_hh[i]) for the gate ``rows``;
    d a_i / d W_ih[i][j] = x_j, d a_i / d h_j = W_hh[i][j], d a_i / d b = 1."""
    input_part, hidden_part = input_and_hidden_parts(x, h, weights, rows)
    return [a + b for a, b in zip(input_part, hidden_part)]


def rnn_step(x: Sequence[Operand], state: State, weights: CellWeights,
             nonlinearity: str = "tanh") -> State:
    """The Elman RNN step (torch.nn.RNN), state (h,):

        h' = act(W_ih x + b_ih + W_hh h + b_hh),    act = tanh or relu

    Through time d h_t / d h_{t-1} = diag(act') W_hh: a product of these over many
    steps shrinks (or grows) geometrically, the notes' vanishing gradient."""
    (h,) = state
    activation = NONLINEARITIES[nonlinearity]
    return ([activation(a) for a in gate_preactivations(x, h, weights, slice(None))],)


def lstm_step(x: Sequence[Operand], state: State, weights: CellWeights) -> State:
    """The LSTM step (torch.nn.LSTM), state (h, c), gates stacked i, f, g, o:

        i = sigmoid(a_i)   input gate          f = sigmoid(a_f)   forget gate
        g = tanh(a_g)      candidate           o = sigmoid(a_o)   output gate
        c' = f * c + i * g                     h' = o * tanh(c')

    Along the cell path d c_t / d c_{t-1} = f_t: no weight matrix and no squashing, so
    the gradient survives while the forget gate is open."""
    h, c = state
    size = len(h)
    a = gate_preactivations(x, h, weights, slice(None))
    i = [sigmoid(v) for v in a[:size]]
    f = [sigmoid(v) for v in a[size:2 * size]]
    g = [tanh(v) for v in a[2 * size:3 * size]]
    o = [sigmoid(v) for v in a[3 * size:]]
    c_next = [fk * ck + ik * gk for fk, ck, ik, gk in zip(f, c, i, g)]
    h_next = [ok * tanh(ck) for ok, ck in zip(o, c_next)]
    return h_next, c_next


def gru_step(x: Sequence[Operand], state: State, weights: CellWeights) -> State:
    """The GRU step (torch.nn.GRU), state (h,), gates stacked r, z, n:

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)          reset gate
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)          update gate
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))       candidate
        h' = (1 - z) * n + z * h

    The reset gate multiplies the hidden part of n only (torch's form); where z is near
    1, h' ~ h and d h' / d h ~ 1: the GRU's path for long-range gradients."""
    (h,) = state
    size = len(h)
    gates = [sigmoid(a) for a in gate_preactivations(x, h, weights, slice(2 * size))]
    r, z = gates[:size], gates[size:]
    n_input, n_hidden = input_and_hidden_parts(x, h, weights, slice(2 * size, None))
    n = [tanh(a + rk * b) for a, rk, b in zip(n_input, r, n_hidden)]
    return ([(1.0 - zk) * nk + zk * hk for zk, nk, hk in zip(z, n, h)],)


# --- the loop over a sequence, deep and bidirectional ----------------------------------

def run_layers(step: Callable[[Vector, State, CellWeights], State], sequence: VectorSequence,
               states: Sequence[State], weights_of: Callable[[int, int], CellWeights],
               num_layers: int, num_directions: int,
               between_layers: Callable[[VectorSequence], Any] | None = None
               ) -> tuple[VectorSequence, list[State]]:
    """Run ``step`` over ``sequence`` for every layer and direction (torch's RNNBase).

    Layer 0 reads the input, layer k > 0 the outputs of layer k-1 (through
    ``between_layers``, e.g. dropout, if given). Direction 0 runs t = 0..T-1, direction
    1 runs t = T-1..0, and a layer's output at t is [h_t(forward); h_t(backward)].
    ``states[layer * num_directions + direction]`` is where each run starts, and
    ``weights_of(layer, direction)`` its CellWeights. Returns the last layer's outputs
    (one vector per step) and the final state of every run, in the same order."""
    finals = []
    for layer in range(num_layers):
        if layer > 0 and between_layers is not None:
            sequence = between_layers(sequence)
        directions = []
        for direction in range(num_directions):
            state = states[layer * num_directions + direction]
            weights = weights_of(layer, direction)
            outputs = []
            for x in (reversed(sequence) if direction else sequence):
                state = step(x, state, weights)
                outputs.append(state[0])
            if direction:
                outputs.reverse()
            directions.append(outputs)
            finals.append(state)
        sequence = directions[0] if num_directions == 1 else \
            [forward + backward for forward, backward in zip(*directions)]
    return sequence, finals


# --- initial states ---------------------------------------------------------------------

def initial_state(owner: Module, hx: StateInput, names: Sequence[str], sizes: Sequence[int],
                  batch: int | None, count: int | None = None) -> Any:
    """The state a recurrent module starts from, read from ``hx``, for every module.

    ``names``/``sizes``: the state's parts (("h",), (H,)) for RNN and GRU, (("h", "c"),
    (H, H)) for the LSTM, (("h", "s"), (H, depth)) for StackRNN. ``hx``: None (zeros),
    one part as it is, or a tuple of the parts. With ``count`` (a layer: num_layers *
    num_directions) each part is stacked, ``count`` vectors as torch's (count, N, size)
    tensor, and the result is a list of ``count`` state tuples; without, each part is
    one vector and the result one state tuple. Batched parts must hold as many examples
    as the input (``batch``); float parts fit any input. Errors name ``owner``.
    """
    runs = 1 if count is None else count
    if hx is None:
        zero = Value(0.0)
        states = [tuple([zero] * size for size in sizes) for _ in range(runs)]
        return states if count is not None else states[0]
    if len(names) == 1:
        parts = [hx]
    elif isinstance(hx, tuple) and len(hx) == len(names):
        parts = list(hx)
    else:
        expected = ", ".join(name + "_0" for name in names)
        raise TypeError(f"{layer_name(owner)}: the initial state must be a tuple "
                        f"({expected}), got {type(hx).__name__}")
    if count is not None:
        stacked = [as_stacked_state(part, owner, count, size, batch, name + "_0")
                   for part, name, size in zip(parts, names, sizes)]
        return [tuple(part[k] for part in stacked) for k in range(count)]
    vectors = []
    for part, name, size in zip(parts, names, sizes):
        vector = as_vector(part, owner)
        if len(vector) != size:
            raise ValueError(f"{layer_name(owner)}: {name}_0 must have {size} values, got "
                             f"{len(vector)}")
        check_state_batch(owner, f"{name}_0", vectors_batch_size([vector], owner, name), batch)
        vectors.append(vector)
    return tuple(vectors)


def pack_states(states: Sequence[State]) -> FinalState:
    """Final states as torch returns them: the list of h vectors, or the tuple
    (list of h, list of c) for states (h, c)."""
    parts = tuple([state[k] for state in states] for k in range(len(states[0])))
    return parts[0] if len(parts) == 1 else parts


# --- parameters ----------------------------------------------------------------------

def checked_choice(owner: str, setting: str, value: Any, choices: Any) -> Any:
    """``value`` if it is one of ``choices``, else ValueError naming ``owner``, the
    setting and the allowed values."""
    if value not in choices:
        allowed = " or ".join(repr(choice) for choice in choices)
        raise ValueError(f"{owner}: {setting} must be {allowed}, got {value!r}")
    return value


def checked_forget_bias(owner: str, forget_bias: float | None, bias: bool) -> float:
    """The LSTM's forget-gate bias shift: ``None`` means 1.0 with biases, 0.0 without;
    a non-zero shift without biases is a ValueError naming ``owner``."""
    if forget_bias is None:
        return 1.0 if bias else 0.0
    forget_bias = check_number(owner, "forget_bias", forget_bias)
    if forget_bias and not bias:
        raise ValueError(f"{owner}: forget_bias={forget_bias!r} needs bias=True (there "
                         "is no bias to shift); pass forget_bias=0 or leave it out")
    return forget_bias


class _Recurrent(Module):
    """The parameters every recurrent cell and layer has, named and shaped as torch's:
    for each ``suffix`` ("" for a cell, "_l0", "_l0_reverse", ... for a layer)
    weight_ih{suffix}, weight_hh{suffix}, bias_ih{suffix}, bias_hh{suffix}.

    A subclass sets ``gate_count`` and ``state_names`` and defines ``step(x, state,
    weights)`` with one of the step functions. ``forget_bias`` (the LSTM's) is added
    to the forget slice of every bias_ih after the default initialisation.
    """

    gate_count = 1
    state_names: tuple[str, ...] = ("h",)
    forget_bias = 0.0
    nonlinearity = "tanh"
    step: Callable[[Vector, State, CellWeights], State]

    def __init__(self, input_size: int, hidden_size: int, bias: bool,
                 inputs_by_suffix: Callable[[int, int], list[tuple[str, int]]]) -> None:
        input_size, hidden_size = check_sizes(type(self).__name__, input_size=input_size,
                                              hidden_size=hidden_size)
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bool(bias)
        rows = self.gate_count * hidden_size
        for suffix, size in inputs_by_suffix(input_size, hidden_size):
            self.register_parameter(f"weight_ih{suffix}", Parameter(np.zeros((rows, size))))
            self.register_parameter(f"weight_hh{suffix}",
                                    Parameter(np.zeros((rows, hidden_size))))
            if self.bias:
                self.register_parameter(f"bias_ih{suffix}", Parameter(np.zeros(rows)))
                self.register_parameter(f"bias_hh{suffix}", Parameter(np.zeros(rows)))

    def reset_parameters(self, generator: Generator = None) -> None:
        """Every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) (torch's
        default), in state-dict order; then bias_ih[H:2H] += forget_bias (LSTM)."""
        generator = init.as_generator(generator, type(self).__name__)
        for name, parameter in self._parameters.items():
            init.fan_in_uniform(parameter, self.hidden_size, generator=generator)
            if name.startswith("bias_ih") and self.forget_bias:
                data = parameter.numpy()
                data[self.hidden_size:2 * self.hidden_size] += self.forget_bias
                parameter.copy_(data)

    def weights(self, suffix: str = "") -> CellWeights:
        """The CellWeights of the parameters named with ``suffix``."""
        biases = [self._parameters.get(f"bias_{kind}{suffix}") for kind in ("ih", "hh")]
        return CellWeights(list(self._parameters[f"weight_ih{suffix}"]),
                           list(self._parameters[f"weight_hh{suffix}"]),
                           *[None if b is None else list(b) for b in biases])

    def _state_sizes(self):
        return (self.hidden_size,) * len(self.state_names)

    def _nonlinearity_repr(self):
        return "" if self.nonlinearity == "tanh" else f", nonlinearity={self.nonlinearity!r}"


# --- cells: one step ----------------------------------------------------------------------

class _Cell(_Recurrent):
    """One step on a vector x (input_size Values, or a numpy array (input_size,) or
    (N, input_size)), as torch's ``*Cell`` modules; ``hx`` the state, zeros when None."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool) -> None:
        super().__init__(input_size, hidden_size, bias, lambda size, _: [("", size)])

    def forward(self, x: VectorInput, hx: StateInput = None) -> Vector | State:
        """The next state from x and hx (see the class's step function)."""
        x = as_vector(x, self, self.input_size)
        batch = vectors_batch_size([x], self, "input")
        state = initial_state(self, hx, self.state_names, self._state_sizes(), batch)
        state = self.step(x, state, self.weights())
        return state[0] if len(state) == 1 else state

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        return (text if self.bias else text + ", bias=False") + self._nonlinearity_repr()


class RNNCell(_Cell):
    """Elman RNN cell, as ``torch.nn.RNNCell`` (``rnn_step``): h' = act(W_ih x + b_ih +
    W_hh h + b_hh), act = tanh (default) or relu. weight_ih (H x in), weight_hh (H x H),
    bias_ih, bias_hh (H), from U(-1/sqrt(H), 1/sqrt(H)). Returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", generator: Generator = None) -> None:
        checked_choice("RNNCell", "nonlinearity", nonlinearity, NONLINEARITIES)
        super().__init__(input_size, hidden_size, bias)
        self.nonlinearity = nonlinearity
        self.reset_parameters(generator)

    def step(self, x: Vector, state: State, weights: CellWeights) -> State:
        """``rnn_step`` with this cell's nonlinearity."""
        return rnn_step(x, state, weights, self.nonlinearity)

    if TYPE_CHECKING:           # what calling it returns, for this kind of cell
        def __call__(self, x: VectorInput, hx: StateInput = None) -> Vector: ...


class LSTMCell(_Cell):
    """LSTM cell, as ``torch.nn.LSTMCell`` (``lstm_step``): weight_ih (4H x in),
    weight_hh (4H x H), bias_ih, bias_hh (4H), gates i, f, g, o. ``hx`` = (h, c);
    returns (h', c').

    ``forget_bias`` (default 1.0) is added to bias_ih[H:2H] after torch's U(-1/sqrt(H),
    1/sqrt(H)) draw, so f starts near sigmoid(1) = 0.73 instead of 0.5, which the notes
    say helps (they also rank the gates forget > input > output; on the adding problem
    notebook 11 measures input > forget > output). torch has no such option: ``forget_bias=0`` gives its initial distribution
    exactly (and loading a torch state dict overwrites the biases either way)."""

    gate_count = 4
    state_names = ("h", "c")
    step = staticmethod(lstm_step)

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 forget_bias: float | None = None, generator: Generator = None) -> None:
        forget_bias = checked_forget_bias("LSTMCell", forget_bias, bias)
        super().__init__(input_size, hidden_size, bias)
        self.forget_bias = forget_bias
        self.reset_parameters(generator)

    if TYPE_CHECKING:           # what calling it returns, for this kind of cell
        def __call__(self, x: VectorInput, hx: StateInput = None) -> tuple[Vector, Vector]: ...


class GRUCell(_Cell):
    """GRU cell, as ``torch.nn.GRUCell`` (``gru_step``): weight_ih (3H x in), weight_hh
    (3H x H), bias_ih, bias_hh (3H), gates r, z, n. Returns h'."""

    gate_count = 3
    step = staticmethod(gru_step)

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 generator: Generator = None) -> None:
        super().__init__(input_size, hidden_size, bias)
        self.reset_parameters(generator)

    if TYPE_CHECKING:           # what calling it returns, for this kind of cell
        def __call__(self, x: VectorInput, hx: StateInput = None) -> Vector: ...


# --- layers: a sequence, deep and bidirectional ------------------------------------------

def parameter_suffix(layer: int, direction: int) -> str:
    """torch's suffix of a layer's parameter names: ``_l0``, ``_l0_reverse``, ``_l1``..."""
    return f"_l{layer}" + ("_reverse" if direction else "")


class _Layer(_Recurrent):
    """A stack of recurrent layers over a sequence (torch's ``nn.RNNBase``), run by
    ``run_layers``: layer k > 0 reads layer k-1's outputs; with ``bidirectional`` every
    layer also runs from t = T-1 down to 0 and outputs [h_t(forward); h_t(backward)];
    ``dropout`` p > 0 applies ``nn.Dropout(p)`` to the outputs of every layer but the
    last while training.

    ``forward(input, hx=None)`` returns (output, h_n) as torch: output the list of T
    vectors of the last layer (num_directions * hidden_size values each), h_n the final
    state of every layer and direction. Parameters per layer k and direction:
    weight_ih_l{k}[_reverse] (G*H x in_k; in_0 = input_size, in_k = num_directions *
    H), weight_hh_l{k}[_reverse] (G*H x H), bias_ih_l{k}[_reverse],
    bias_hh_l{k}[_reverse] (G*H). torch's ``batch_first`` and ``proj_size`` are not
    offered (``to_sequence(X, batch_first=True)`` converts (N, T, in) arrays).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int, bias: bool,
                 dropout: float, bidirectional: bool, generator: Generator) -> None:
        owner = type(self).__name__
        num_layers = int(check_number(owner, "num_layers", num_layers, integer=True,
                                      minimum=1))
        dropout = check_probability(owner, "dropout", dropout, include_one=False)
        directions = 2 if bidirectional else 1

        def inputs_by_suffix(input_size: int, hidden_size: int) -> list[tuple[str, int]]:
            return [(parameter_suffix(layer, direction),
                     input_size if layer == 0 else directions * hidden_size)
                    for layer in range(num_layers) for direction in range(directions)]
        super().__init__(input_size, hidden_size, bias, inputs_by_suffix)
        self.num_layers, self.dropout = num_layers, dropout
        self.bidirectional, self.num_directions = bool(bidirectional), directions
        if dropout > 0:
            self.inter_layer_dropout = Dropout(dropout, generator=generator)

    def forward(self, input: SequenceInput,
                hx: StateInput = None) -> tuple[VectorSequence, FinalState]:
        """(output, h_n): every layer and direction run over the sequence (see class)."""
        sequence, batch = as_sequence(input, self, self.input_size)
        count = self.num_layers * self.num_directions
        states = initial_state(self, hx, self.state_names, self._state_sizes(), batch, count)
        output, finals = run_layers(
            self.step, sequence, states,
            lambda layer, direction: self.weights(parameter_suffix(layer, direction)),
            self.num_layers, self.num_directions,
            self.inter_layer_dropout if self.dropout > 0 else None)
        return output, pack_states(finals)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    @property
    def output_size(self) -> int:
        """Values per output step: num_directions * hidden_size."""
        return self.num_directions * self.hidden_size

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("num_layers", 1), ("bias", True), ("dropout", 0.0),
                              ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text + self._nonlinearity_repr()


class RNN(_Layer):
    """Elman RNN over a sequence, as ``torch.nn.RNN`` (``rnn_step`` in every layer):
    h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh (default) or relu.
    Returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, dropout: float = 0.0,
                 bidirectional: bool = False, generator: Generator = None) -> None:
        checked_choice("RNN", "nonlinearity", nonlinearity, NONLINEARITIES)
        super().__init__(input_size, hidden_size, num_layers, bias, dropout, bidirectional,
                         generator)
        self.nonlinearity = nonlinearity
        self.reset_parameters(generator)

    def step(self, x: Vector, state: State, weights: CellWeights) -> State:
        """``rnn_step`` with this layer's nonlinearity."""
        return rnn_step(x, state, weights, self.nonlinearity)

    if TYPE_CHECKING:           # what calling it returns, for this kind of layer
        def __call__(self, input: SequenceInput, hx: StateInput = None
                     ) -> tuple[VectorSequence, list[Vector]]: ...


class LSTM(_Layer):
    """LSTM over a sequence, as ``torch.nn.LSTM`` (``lstm_step``, gates i, f, g, o).
    ``hx`` = (h_0, c_0); returns (output, (h_n, c_n)). ``forget_bias`` (default 1.0; 0
    gives torch's initialisation, see ``LSTMCell``) is added to the forget slice of
    every bias_ih_l{k}[_reverse] after torch's U(-1/sqrt(H), 1/sqrt(H)) draw."""

    gate_count = 4
    state_names = ("h", "c")
    step = staticmethod(lstm_step)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, dropout: float = 0.0, bidirectional: bool = False,
                 forget_bias: float | None = None, generator: Generator = None) -> None:
        forget_bias = checked_forget_bias("LSTM", forget_bias, bias)
        super().__init__(input_size, hidden_size, num_layers, bias, dropout, bidirectional,
                         generator)
        self.forget_bias = forget_bias
        self.reset_parameters(generator)

    if TYPE_CHECKING:           # what calling it returns, for this kind of layer
        def __call__(self, input: SequenceInput, hx: StateInput = None
                     ) -> tuple[VectorSequence, tuple[list[Vector], list[Vector]]]: ...


class GRU(_Layer):
    """GRU over a sequence, as ``torch.nn.GRU`` (``gru_step``, gates r, z, n). Returns
    (output, h_n)."""

    gate_count = 3
    step = staticmethod(gru_step)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, dropout: float = 0.0, bidirectional: bool = False,
                 generator: Generator = None) -> None:
        super().__init__(input_size, hidden_size, num_layers, bias, dropout, bidirectional,
                         generator)
        self.reset_parameters(generator)

    if TYPE_CHECKING:           # what calling it returns, for this kind of layer
        def __call__(self, input: SequenceInput, hx: StateInput = None
                     ) -> tuple[VectorSequence, list[Vector]]: ...


# --- the pyramidal LSTM ------------------------------------------------------------------

def pair_consecutive(sequence: Sequence[Vector]) -> VectorSequence:
    """[x_0; x_1], [x_2; x_3], ...: T vectors of size F become T // 2 vectors of size 2F
    (concatenated in order; an odd last step has no partner and is dropped)."""
    return [sequence[2 * t] + sequence[2 * t + 1] for t in range(len(sequence) // 2)]


class PyramidalLSTM(Module):
    """A stack of (by default bidirectional) LSTM layers, each above the first reading
    pairs of consecutive outputs of the one below (notes 1.2, "Pyramidal rnn"; Chan et
    al., Listen, Attend and Spell):

        h^0_t = LSTM^0(x_t)                              for t < T
        h^k_t = LSTM^k([h^{k-1}_{2t}; h^{k-1}_{2t+1}])   for t < T / 2^k

    so the top layer has T / 2^(num_layers-1) steps (an odd step at any level is
    dropped), each summarising 2^(num_layers-1) input steps: shorter sequences for
    whatever attends over them, and fewer steps for gradients to cross.

    ``layers``: a ModuleList of ``LSTM`` (layer 0: input_size inputs, layer k:
    2 * num_directions * hidden_size inputs), so the state dict keys are
    ``layers.{k}.weight_ih_l0[_reverse]``, ... each layer loading a torch.nn.LSTM's.
    ``forward(input, hx=None)`` returns (output, (h_n, c_n)) as torch.nn.LSTM does;
    hx = (h_0, c_0), each num_layers * num_directions vectors of hidden_size Values.
    ``forget_bias`` as in ``LSTM`` (default 1.0).
    """

    state_names = LSTM.state_names

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 3,
                 bidirectional: bool = True, bias: bool = True, forget_bias: float | None = None,
                 generator: Generator = None) -> None:
        input_size, hidden_size = check_sizes("PyramidalLSTM", input_size=input_size,
                                              hidden_size=hidden_size)
        num_layers = int(check_number("PyramidalLSTM", "num_layers", num_layers, integer=True,
                                      minimum=1))
        forget_bias = checked_forget_bias("PyramidalLSTM", forget_bias, bias)
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bidirectional = num_layers, bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        pair_size = 2 * self.num_directions * hidden_size
        generator = init.as_generator(generator, "PyramidalLSTM")
        self.layers = ModuleList(
            LSTM(input_size if k == 0 else pair_size, hidden_size, bias=bias,
                 bidirectional=bidirectional, forget_bias=forget_bias, generator=generator)
            for k in range(num_layers))

    @property
    def output_size(self) -> int:
        """Values per output step: num_directions * hidden_size."""
        return self.num_directions * self.hidden_size

    def forward(self, input: SequenceInput,
                hx: StateInput = None) -> tuple[VectorSequence, FinalState]:
        """(output, (h_n, c_n)): each layer run on the paired outputs of the one below."""
        sequence, batch = as_sequence(input, self, self.input_size)
        shortest = 2 ** (self.num_layers - 1)
        if len(sequence) < shortest:
            raise ValueError(f"{layer_name(self)}: a sequence of {len(sequence)} steps is too "
                             f"short for num_layers={self.num_layers} (each layer above the "
                             f"first halves it); it needs at least {shortest} steps")
        count = self.num_directions
        states = initial_state(self, hx, self.state_names, (self.hidden_size,) * 2, batch,
                               self.num_layers * count)
        finals: list[tuple[Vector, Vector]] = []
        for k, layer in enumerate(self.layers):
            if k > 0:
                sequence = pair_consecutive(sequence)
            sequence, (h_n, c_n) = layer(sequence, pack_states(states[k * count:(k + 1) * count]))
            finals.extend(zip(h_n, c_n))
        return sequence, pack_states(finals)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bidirectional={self.bidirectional}")

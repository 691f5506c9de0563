"""Recurrent cells: one time step of an Elman RNN, an LSTM and a GRU, built from primitives
(course notes 1.2), with torch's equations, gate orders and parameter layouts.

Every unit keeps ``weight_ih`` (G*H x input_size), ``weight_hh`` (G*H x H), ``bias_ih``
and ``bias_hh`` (G*H each) for G gates stacked in torch's order: the RNN has G = 1, the
LSTM G = 4 (i, f, g, o), the GRU G = 3 (r, z, n). Each gate pre-activation

    a_i = W_ih[i] . x + b_ih[i] + W_hh[i] . h + b_hh[i]

is built with ``nn.linear`` (one node per gate unit and part, plus their sum).
A step-equation mixin (``ElmanStep``, ``LSTMStep``, ``GRUStep``) holds the equations
and is shared by the cell here and the sequence layer in ``nn.recurrent``.
"""
from collections import namedtuple

import numpy as np

from autodiff import Value, relu, sigmoid, tanh

from . import init
from .linear import linear
from .module import Module
from .parameter import Parameter
from .rng import as_generator
from .sequences import as_stacked_state, check_state_batch, vectors_batch_size
from .values import as_vector, check_sizes, layer_name

CellWeights = namedtuple("CellWeights", ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
CellWeights.__doc__ = """The weights of one cell as lists of rows of Values (biases: lists
of Values, or None without bias), read once per forward pass."""

NONLINEARITIES = {"tanh": tanh, "relu": relu}


def checked_choice(owner, setting, value, choices):
    """``value`` if it is one of ``choices``, else ValueError naming ``owner``, the
    setting and the allowed values."""
    if value not in choices:
        allowed = " or ".join(repr(choice) for choice in choices)
        raise ValueError(f"{owner}: {setting} must be {allowed}, got {value!r}")
    return value


def input_and_hidden_parts(x, h, weights, rows):
    """(W_ih x + b_ih, W_hh h + b_hh) restricted to the gate ``rows`` (a slice), each
    computed with ``linear``: one node per gate unit and part."""
    weight_ih, weight_hh, bias_ih, bias_hh = weights
    with_bias = bias_ih is not None
    return (linear(x, weight_ih[rows], bias_ih[rows] if with_bias else None),
            linear(h, weight_hh[rows], bias_hh[rows] if with_bias else None))


def gate_preactivations(x, h, weights, rows):
    """a_i = (W_ih[i] . x + b_ih[i]) + (W_hh[i] . h + b_hh[i]) for the gate ``rows``;
    d a_i / d W_ih[i][j] = x_j, d a_i / d h_j = W_hh[i][j], d a_i / d b = 1."""
    input_part, hidden_part = input_and_hidden_parts(x, h, weights, rows)
    return [a + b for a, b in zip(input_part, hidden_part)]


class ElmanStep:
    """The Elman RNN step (torch.nn.RNN): h' = act(W_ih x + b_ih + W_hh h + b_hh), act
    tanh or relu. Through time d h_t / d h_{t-1} = diag(act') W_hh: a product of these
    over many steps shrinks (or grows) geometrically, the notes' vanishing gradient."""

    gate_count = 1
    state_names = ("h",)

    @staticmethod
    def checked_nonlinearity(owner, nonlinearity):
        """``nonlinearity`` if it is "tanh" or "relu", else ValueError naming ``owner``."""
        return checked_choice(owner, "nonlinearity", nonlinearity, NONLINEARITIES)

    def step(self, x, state, weights):
        """(h,) -> (act(a),) with a the pre-activations of the hidden units."""
        (h,) = state
        activation = NONLINEARITIES[self.nonlinearity]
        return ([activation(a) for a in gate_preactivations(x, h, weights, slice(None))],)

    def initialise_bias(self, bias_ih):
        """Torch's initialisation is kept as it is."""


class LSTMStep:
    """The LSTM step (torch.nn.LSTM), gates stacked i, f, g, o:

        i = sigmoid(a_i)   input gate          f = sigmoid(a_f)   forget gate
        g = tanh(a_g)      candidate           o = sigmoid(a_o)   output gate
        c' = f * c + i * g                     h' = o * tanh(c')

    with a = W_ih x + b_ih + W_hh h + b_hh. Along the cell path d c_t / d c_{t-1} = f_t:
    no weight matrix and no squashing, so the gradient survives while the forget gate is
    open. The notes report the gates' importance as forget > input > output, and that
    a large forget-gate bias helps: ``forget_bias`` (default 1.0) is added to the forget
    slice of ``bias_ih`` (rows H..2H) after torch's initialisation, so f starts near
    sigmoid(1) = 0.73 instead of 0.5. torch has no such option: ``forget_bias=0``
    gives torch's initial distribution exactly (and loading a torch state dict
    overwrites the biases either way).
    """

    gate_count = 4
    state_names = ("h", "c")

    @staticmethod
    def checked_forget_bias(owner, forget_bias, bias):
        """The forget-gate bias shift: ``None`` means 1.0 with biases, 0.0 without;
        a non-zero shift without biases is a ValueError naming ``owner``."""
        if forget_bias is None:
            return 1.0 if bias else 0.0
        if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float)) \
                or not np.isfinite(forget_bias):
            raise ValueError(f"{owner}: forget_bias must be a finite number, got "
                             f"{forget_bias!r}")
        if forget_bias and not bias:
            raise ValueError(f"{owner}: forget_bias={forget_bias!r} needs bias=True (there "
                             "is no bias to shift); pass forget_bias=0 or leave it out")
        return float(forget_bias)

    def step(self, x, state, weights):
        """(h, c) -> (h', c'): the gates, then c' = f c + i g and h' = o tanh(c')."""
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

    def initialise_bias(self, bias_ih):
        """b_ih[H:2H] += forget_bias (the forget gate's slice)."""
        if self.forget_bias:
            data = bias_ih.numpy()
            data[self.hidden_size:2 * self.hidden_size] += self.forget_bias
            bias_ih.copy_(data)


class GRUStep:
    """The GRU step (torch.nn.GRU), gates stacked r, z, n:

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)          reset gate
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)          update gate
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))       candidate
        h' = (1 - z) * n + z * h

    The reset gate multiplies the hidden part of n only (torch's form); where z is near
    1, h' ~ h and d h' / d h ~ 1: the GRU's path for long-range gradients.
    """

    gate_count = 3
    state_names = ("h",)

    def step(self, x, state, weights):
        """(h,) -> (h',)."""
        (h,) = state
        size = len(h)
        gates = [sigmoid(a) for a in gate_preactivations(x, h, weights, slice(2 * size))]
        r, z = gates[:size], gates[size:]
        n_input, n_hidden = input_and_hidden_parts(x, h, weights, slice(2 * size, None))
        n = [tanh(a + rk * b) for a, rk, b in zip(n_input, r, n_hidden)]
        return ([(1.0 - zk) * nk + zk * hk for zk, nk, hk in zip(z, n, h)],)

    def initialise_bias(self, bias_ih):
        """Torch's initialisation is kept as it is."""


class Recurrence(Module):
    """What recurrent cells and sequence layers share: their parameters, named and
    shaped as torch's, the default initialisation, and initial states.

    Every weight and bias starts from U(-1/sqrt(H), 1/sqrt(H)) (torch's default), then
    the step's ``initialise_bias`` may adjust ``bias_ih`` (the LSTM's forget bias).
    """

    def _configure(self, input_size, hidden_size, bias, settings):
        check_sizes(type(self).__name__, input_size=input_size, hidden_size=hidden_size)
        Module.__init__(self)
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), \
            bool(bias)
        for name, value in settings.items():
            setattr(self, name, value)

    def _add_weights(self, suffix, input_size):
        """Register weight_ih{suffix}, weight_hh{suffix} and (with bias) bias_ih{suffix},
        bias_hh{suffix}, torch's names and shapes."""
        rows = self.gate_count * self.hidden_size
        self.register_parameter(f"weight_ih{suffix}", Parameter(np.zeros((rows, input_size))))
        self.register_parameter(f"weight_hh{suffix}",
                                Parameter(np.zeros((rows, self.hidden_size))))
        if self.bias:
            self.register_parameter(f"bias_ih{suffix}", Parameter(np.zeros(rows)))
            self.register_parameter(f"bias_hh{suffix}", Parameter(np.zeros(rows)))

    def reset_parameters(self, generator=None):
        """Every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) (torch's
        default), in state-dict order; then the step's bias adjustment on each bias_ih."""
        generator = as_generator(generator, type(self).__name__)
        for name, parameter in self._parameters.items():
            init.fan_in_uniform(parameter, self.hidden_size, generator=generator)
            if name.startswith("bias_ih"):
                self.initialise_bias(parameter)

    def _weights(self, suffix):
        """The CellWeights of the parameters named with ``suffix``."""
        biases = [self._parameters.get(f"bias_{kind}{suffix}") for kind in ("ih", "hh")]
        return CellWeights(list(self._parameters[f"weight_ih{suffix}"]),
                           list(self._parameters[f"weight_hh{suffix}"]),
                           *[None if b is None else list(b) for b in biases])

    def _initial_states(self, hx, count, batch):
        """``initial_states`` for this module's state names and hidden size."""
        return initial_states(self, hx, self.state_names, count, self.hidden_size, batch)


def initial_states(owner, hx, state_names, count, size, batch):
    """One state tuple per cell (``count`` of them) from ``hx``: None (zeros), the
    stacked h_0 (one state name: RNN, GRU) or a tuple (h_0, c_0) (LSTM), each ``count``
    vectors of ``size`` Values, as torch's (count, N, size) tensors. Errors name
    ``owner`` and the state."""
    if hx is None:
        zero = Value(0.0)
        return [tuple([zero] * size for _ in state_names) for _ in range(count)]
    if len(state_names) == 1:
        parts = [hx]
    elif isinstance(hx, tuple) and len(hx) == len(state_names):
        parts = list(hx)
    else:
        expected = ", ".join(name + "_0" for name in state_names)
        raise TypeError(f"{layer_name(owner)}: the initial state must be a tuple "
                        f"({expected}), got {type(hx).__name__}")
    stacked = [as_stacked_state(part, owner, count, size, batch, name + "_0")
               for part, name in zip(parts, state_names)]
    return [tuple(part[k] for part in stacked) for k in range(count)]


def pack_states(states):
    """Final states as torch returns them: the list of h vectors, or the tuple
    (list of h, list of c) for states (h, c)."""
    parts = tuple([state[k] for state in states] for k in range(len(states[0])))
    return parts[0] if len(parts) == 1 else parts


class RecurrentCell(Recurrence):
    """One step of a recurrent unit on a vector x (a list of input_size Values, or a
    numpy array (input_size,) or (N, input_size)); torch's ``*Cell`` modules.
    ``hx``: the state, zeros when None."""

    def __init__(self, input_size, hidden_size, bias, generator, **settings):
        self._configure(input_size, hidden_size, bias, settings)
        self._add_weights("", self.input_size)
        self.reset_parameters(generator)

    def forward(self, x, hx=None):
        """The next state from x and hx (see the class's step equations)."""
        x = as_vector(x, self, self.input_size)
        batch = vectors_batch_size([x], self, "input")
        names = self.state_names
        if hx is None:
            (state,) = initial_states(self, None, names, 1, self.hidden_size, batch)
        else:
            if len(names) > 1 and not (isinstance(hx, tuple) and len(hx) == len(names)):
                raise TypeError(f"{layer_name(self)}: the state must be a tuple "
                                f"({', '.join(names)}), got {type(hx).__name__}")
            parts = hx if len(names) > 1 else (hx,)
            state = tuple(self._state_vector(part, name, batch)
                          for part, name in zip(parts, names))
        state = self.step(x, state, self._weights(""))
        return state[0] if len(state) == 1 else state

    def _state_vector(self, vector, name, batch):
        vector = as_vector(vector, self)
        if len(vector) != self.hidden_size:
            raise ValueError(f"{layer_name(self)}: {name} must have hidden_size="
                             f"{self.hidden_size} values, got {len(vector)}")
        check_state_batch(self, name, vectors_batch_size([vector], self, name), batch)
        return vector

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        return text if self.bias else text + ", bias=False"


class RNNCell(ElmanStep, RecurrentCell):
    """Elman RNN cell, as ``torch.nn.RNNCell``: h' = act(W_ih x + b_ih + W_hh h + b_hh),
    act = tanh (default) or relu. Parameters weight_ih (H x in), weight_hh (H x H),
    bias_ih, bias_hh (H), from U(-1/sqrt(H), 1/sqrt(H)). Returns h' (hidden_size Values)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh",
                 generator=None):
        super().__init__(input_size, hidden_size, bias, generator,
                         nonlinearity=self.checked_nonlinearity("RNNCell", nonlinearity))

    def extra_repr(self):
        text = super().extra_repr()
        return text if self.nonlinearity == "tanh" else f"{text}, nonlinearity='relu'"


class LSTMCell(LSTMStep, RecurrentCell):
    """LSTM cell, as ``torch.nn.LSTMCell`` (equations in ``LSTMStep``): weight_ih
    (4H x in), weight_hh (4H x H), bias_ih, bias_hh (4H), gates i, f, g, o.
    ``hx`` = (h, c); returns (h', c'). ``forget_bias`` (default 1.0, see LSTMStep) is
    added to bias_ih[H:2H] after torch's U(-1/sqrt(H), 1/sqrt(H)) initialisation."""

    def __init__(self, input_size, hidden_size, bias=True, forget_bias=None, generator=None):
        super().__init__(input_size, hidden_size, bias, generator,
                         forget_bias=self.checked_forget_bias("LSTMCell", forget_bias, bias))


class GRUCell(GRUStep, RecurrentCell):
    """GRU cell, as ``torch.nn.GRUCell`` (equations in ``GRUStep``): weight_ih (3H x in),
    weight_hh (3H x H), bias_ih, bias_hh (3H), gates r, z, n. Returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, generator=None):
        super().__init__(input_size, hidden_size, bias, generator)

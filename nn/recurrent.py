"""Recurrent sequence layers RNN, LSTM and GRU: deep (num_layers) and bidirectional,
as torch.nn's, with the same parameter names, shapes and return values (notes 1.2).

Input: a sequence, i.e. a list of T time steps, each a vector of input_size Values
(torch's (T, N, input_size) tensor X is ``nn.to_sequence(X)``: Value j of step t holds
X[t, :, j]; one unbatched sequence (T, input_size) has float Values). A numpy array is
converted with ``to_sequence``. Initial and final states are lists of
num_layers * num_directions vectors of hidden_size Values, index layer * num_directions
+ direction, as torch's (num_layers * num_directions, N, hidden_size) tensors.
"""
import numbers

from .dropout import Dropout
from .recurrent_cells import ElmanStep, GRUStep, LSTMStep, Recurrence, pack_states
from .sequences import as_sequence


def parameter_suffix(layer, direction):
    """torch's suffix of a layer's parameter names: ``_l0``, ``_l0_reverse``, ``_l1``..."""
    return f"_l{layer}" + ("_reverse" if direction else "")


def run_direction(step, sequence, state, weights, reverse=False):
    """Apply ``step`` along ``sequence`` (backwards when ``reverse``) from ``state``:
    returns the hidden vector h_t for every t (in the sequence's own order) and the
    final state."""
    outputs = []
    for x in (reversed(sequence) if reverse else sequence):
        state = step(x, state, weights)
        outputs.append(state[0])
    if reverse:
        outputs.reverse()
    return outputs, state


class RecurrentLayer(Recurrence):
    """A stack of recurrent layers over a sequence (torch's ``nn.RNNBase``).

    Layer 0 reads the input; layer k > 0 reads layer k-1's outputs (deep RNN). With
    ``bidirectional`` every layer runs a second cell from t = T-1 down to 0 and its
    output at t is [h_t(forward); h_t(backward)] (2 * hidden_size values), so every
    output sees the whole sequence. ``dropout`` p > 0 applies ``nn.Dropout(p)`` to the
    outputs of every layer but the last while training (torch's ``dropout``).

    ``forward(input, hx=None)`` returns (output, h_n) as torch: output the list of T
    vectors of the last layer (num_directions * hidden_size values each), h_n the final
    state of every layer and direction. Parameters per layer k and direction, torch's
    names: weight_ih_l{k}[_reverse] (G*H x in_k, in_0 = input_size, in_k =
    num_directions * H), weight_hh_l{k}[_reverse] (G*H x H), bias_ih_l{k}[_reverse],
    bias_hh_l{k}[_reverse] (G*H). torch's ``batch_first`` and ``proj_size`` are not
    offered (a sequence is time-major by construction; ``to_sequence(X,
    batch_first=True)`` converts (N, T, in) arrays).
    """

    def __init__(self, input_size, hidden_size, num_layers, bias, dropout, bidirectional,
                 generator, **settings):
        owner = type(self).__name__
        check_dropout(owner, dropout)
        self._configure(input_size, hidden_size, bias, settings)
        check_layers(owner, num_layers)
        self.num_layers, self.dropout = int(num_layers), float(dropout)
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else \
                self.num_directions * self.hidden_size
            for direction in range(self.num_directions):
                self._add_weights(parameter_suffix(layer, direction), layer_input)
        self.reset_parameters(generator)
        if self.dropout > 0:
            self.inter_layer_dropout = Dropout(self.dropout, seed=generator)

    def forward(self, input, hx=None):
        """(output, h_n): every layer and direction run over the sequence (see class)."""
        sequence, batch = as_sequence(input, self, self.input_size)
        count = self.num_layers * self.num_directions
        states = self._initial_states(hx, count, batch)
        finals = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0:
                sequence = self.inter_layer_dropout(sequence)
            directions = []
            for direction in range(self.num_directions):
                outputs, final = run_direction(
                    self.step, sequence, states[layer * self.num_directions + direction],
                    self._weights(parameter_suffix(layer, direction)), reverse=direction == 1)
                directions.append(outputs)
                finals.append(final)
            sequence = directions[0] if len(directions) == 1 else \
                [forward + backward for forward, backward in zip(*directions)]
        return sequence, pack_states(finals)

    @property
    def output_size(self):
        """Values per output step: num_directions * hidden_size."""
        return self.num_directions * self.hidden_size

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("num_layers", 1), ("bias", True), ("dropout", 0.0),
                              ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


def check_layers(owner, num_layers):
    """ValueError naming ``owner`` unless num_layers is a positive integer."""
    if not isinstance(num_layers, numbers.Integral) or isinstance(num_layers, bool) \
            or num_layers < 1:
        raise ValueError(f"{owner}: num_layers must be a positive integer, got {num_layers!r}")


def check_dropout(owner, dropout):
    """ValueError naming ``owner`` unless dropout is a probability in [0, 1)."""
    if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) \
            or not 0.0 <= dropout < 1.0:
        raise ValueError(f"{owner}: dropout must be a probability in [0, 1), got {dropout!r}")


class RNN(ElmanStep, RecurrentLayer):
    """Elman RNN over a sequence, as ``torch.nn.RNN``: for every layer,
    h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh (default) or relu.
    Returns (output, h_n); see RecurrentLayer for deep / bidirectional / dropout."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh",
                 bias=True, dropout=0.0, bidirectional=False, generator=None):
        super().__init__(input_size, hidden_size, num_layers, bias, dropout, bidirectional,
                         generator,
                         nonlinearity=self.checked_nonlinearity("RNN", nonlinearity))

    def extra_repr(self):
        text = super().extra_repr()
        return text if self.nonlinearity == "tanh" else f"{text}, nonlinearity='relu'"


class LSTM(LSTMStep, RecurrentLayer):
    """LSTM over a sequence, as ``torch.nn.LSTM`` (equations in ``LSTMStep``, gates
    i, f, g, o). ``hx`` = (h_0, c_0); returns (output, (h_n, c_n)). ``forget_bias``
    (default 1.0; 0 gives torch's initialisation) is added to the forget slice of every
    bias_ih_l{k}[_reverse] after torch's U(-1/sqrt(H), 1/sqrt(H)) draw."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, dropout=0.0,
                 bidirectional=False, forget_bias=None, generator=None):
        super().__init__(input_size, hidden_size, num_layers, bias, dropout, bidirectional,
                         generator,
                         forget_bias=self.checked_forget_bias("LSTM", forget_bias, bias))


class GRU(GRUStep, RecurrentLayer):
    """GRU over a sequence, as ``torch.nn.GRU`` (equations in ``GRUStep``, gates r, z,
    n). Returns (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, dropout=0.0,
                 bidirectional=False, generator=None):
        super().__init__(input_size, hidden_size, num_layers, bias, dropout, bidirectional,
                         generator)


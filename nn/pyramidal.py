"""The pyramidal LSTM (notes 1.2, "Pyramidal rnn"; Listen, Attend and Spell's listener):
every layer above the first reads consecutive pairs of the layer below, halving the
length of the sequence at each level."""
from .module import Module, ModuleList
from .recurrent import LSTM, check_layers
from .recurrent_cells import LSTMStep, initial_states, pack_states
from .rng import as_generator
from .sequences import as_sequence
from .values import check_sizes, layer_name


def pair_consecutive(sequence):
    """[x_0; x_1], [x_2; x_3], ...: T vectors of size F become T // 2 vectors of size 2F
    (concatenated in order; an odd last step has no partner and is dropped)."""
    return [sequence[2 * t] + sequence[2 * t + 1] for t in range(len(sequence) // 2)]


class PyramidalLSTM(Module):
    """A stack of (by default bidirectional) LSTM layers, each above the first reading
    pairs of consecutive outputs of the one below (Chan et al., Listen, Attend and Spell):

        h^0_t = LSTM^0(x_t)                      for t < T
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

    state_names = LSTMStep.state_names

    def __init__(self, input_size, hidden_size, num_layers=3, bidirectional=True, bias=True,
                 forget_bias=None, generator=None):
        check_sizes("PyramidalLSTM", input_size=input_size, hidden_size=hidden_size)
        check_layers("PyramidalLSTM", num_layers)
        super().__init__()
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bidirectional = int(num_layers), bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        pair_size = 2 * self.num_directions * self.hidden_size
        generator = as_generator(generator, "PyramidalLSTM")
        self.layers = ModuleList(
            LSTM(self.input_size if k == 0 else pair_size, self.hidden_size,
                 bias=bias, bidirectional=bidirectional,
                 forget_bias=LSTMStep.checked_forget_bias("PyramidalLSTM", forget_bias, bias),
                 generator=generator)
            for k in range(self.num_layers))

    @property
    def output_size(self):
        """Values per output step: num_directions * hidden_size."""
        return self.num_directions * self.hidden_size

    def forward(self, input, hx=None):
        """(output, (h_n, c_n)): each layer run on the paired outputs of the one below."""
        sequence, batch = as_sequence(input, self, self.input_size)
        shortest = 2 ** (self.num_layers - 1)
        if len(sequence) < shortest:
            raise ValueError(f"{layer_name(self)}: a sequence of {len(sequence)} steps is too "
                             f"short for num_layers={self.num_layers} (each layer above the "
                             f"first halves it); it needs at least {shortest} steps")
        count = self.num_directions
        if hx is not None:
            hx = initial_states(self, hx, self.state_names, self.num_layers * count,
                                self.hidden_size, batch)
        finals = []
        for k, layer in enumerate(self.layers):
            if k > 0:
                sequence = pair_consecutive(sequence)
            initial = None if hx is None else pack_states(hx[k * count:(k + 1) * count])
            sequence, (h_n, c_n) = layer(sequence, initial)
            finals.extend(zip(h_n, c_n))
        return sequence, pack_states(finals)

    def extra_repr(self):
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bidirectional={self.bidirectional}")


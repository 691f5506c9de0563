"""SequenceModel: a recurrent core with a Linear read-out at every time step."""
from .linear import Linear
from .module import Module
from .values import check_sizes


class SequenceModel(Module):
    """y_t = W h_t + b for every step t, h_t the output of a recurrent ``core`` (``RNN``,
    ``LSTM``, ``GRU``, ``PyramidalLSTM``, ``StackRNN``: anything returning
    (outputs, state) and having ``output_size``). Returns the list of y_t vectors
    (``out_features`` Values each): logits for next-symbol prediction, or a regression
    output (take the last one for a sequence-to-one task). State dict keys:
    ``core.*`` and ``readout.weight`` / ``readout.bias``.
    """

    def __init__(self, core, out_features, generator=None):
        check_sizes("SequenceModel", out_features=out_features)
        if not isinstance(core, Module) or not hasattr(core, "output_size"):
            raise TypeError("SequenceModel: core must be a recurrent Module with an "
                            f"output_size (RNN, LSTM, GRU, ...), got {type(core).__name__}")
        super().__init__()
        self.core = core
        self.readout = Linear(core.output_size, out_features, generator=generator)

    def read_out(self, hidden):
        """The read-out y_t = W h_t + b of every hidden vector h_t."""
        return [self.readout(h) for h in hidden]

    def forward(self, input, hx=None):
        """[y_0, ..., y_{T-1}] for the sequence ``input`` (initial state ``hx``)."""
        hidden, _ = self.core(input, hx)
        return self.read_out(hidden)

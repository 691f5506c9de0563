"""How the gradient fades through time (notes 1.2, "why vanishing gradients"): the size
of d loss / d h_t at every step t of a recurrent network."""
import numpy as np

from autodiff import Value, batch_mean, gradients

from .sequence_model import SequenceModel
from .values import flatten_values


def gradient_through_time(model, inputs, loss_fn):
    """||d loss / d h_t|| for every time step t, as an array of T norms.

    h_t is the output of ``model`` at step t: the top layer's hidden state of an
    ``RNN`` / ``LSTM`` / ``GRU`` / ``StackRNN`` (both directions of a bidirectional
    one), or the core's output inside a ``SequenceModel``. ``loss_fn`` receives the
    model's output sequence (for a SequenceModel, its read-outs y_t) and returns a
    Value; a batched loss is averaged over the batch. The derivative is the total one,
    through every later step: with a loss on the last output only,

        d loss / d h_t = d loss / d h_T * prod_{s=t+1..T} d h_s / d h_{s-1},

    a product of T - t Jacobians. For a tanh RNN each is diag(1 - h_s^2) W_hh and the
    product shrinks geometrically with T - t; an LSTM's cell path multiplies by the
    forget gates f_s instead, which stay near 1 when the forget bias is large. The norm
    is taken over the hidden units and the examples of a batch. The gradients are
    computed with ``autodiff.gradients``: no ``.grad`` in the graph is changed.
    """
    if isinstance(model, SequenceModel):
        hidden, _ = model.core(inputs)
        loss = loss_fn(model.read_out(hidden))
    else:
        output = model(inputs)
        hidden = output[0] if isinstance(output, tuple) else output
        loss = loss_fn(hidden)
    if not isinstance(loss, Value):
        raise TypeError(f"gradient_through_time: loss_fn must return a Value, got "
                        f"{type(loss).__name__}")
    if type(loss.data) is not float:
        loss = batch_mean(loss)
    grads = gradients(loss, flatten_values(hidden))
    norms, start = [], 0
    for step in hidden:
        step_grads, start = grads[start:start + len(step)], start + len(step)
        norms.append(np.sqrt(sum(float(np.sum(np.square(g))) for g in step_grads)))
    return np.array(norms)

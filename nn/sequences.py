"""Sequences (notes 1.2): numpy (T, N, features) arrays in and out and their checks, a
read-out at every step (SequenceModel), the masked sequence loss, and how the gradient
fades through time.

A sequence is a list of T time steps, each a vector (a list of Values or numbers):
``sequence[t][j]`` is feature j at time t. Batched, every Value holds one float per
example, so the sequence of torch's input tensor X of shape (T, N, features) (torch's
default ``batch_first=False``) is ``sequence[t][j].data == X[t, :, j]``; one sequence
(torch's unbatched (T, features)) has floats, ``sequence[t][j].data == X[t, j]``.

The stacked hidden states of a recurrent layer, torch's h_0 / h_n of shape
(num_layers * num_directions, N, hidden_size), use the same layout: a list of
num_layers * num_directions vectors, so the same two functions convert them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence, cast

import numpy as np

from autodiff import Value, batch_mean, batch_sum, constant, gradients
from autodiff import sum as sum_values

from ._types import (Array, ArrayLike, Generator, Operand, SequenceInput, StateInput, Vector,
                     VectorSequence)
from .linear import Linear
from .losses import cross_entropy
from .module import Module
from .values import (LayerName, as_vector, check_sizes, flatten_values, layer_name, to_numpy,
                     to_values)


def to_sequence(X: ArrayLike, batch_first: bool = False, label: str = "",
                requires_grad: bool = False) -> VectorSequence:
    """The sequence of a numpy array: (T, N, features) -> T vectors of ``features``
    batched Values (Value j of step t holds X[t, :, j]); (T, features) -> T vectors of
    float Values (one sequence). ``batch_first``: X is (N, T, features) instead.
    ``label`` names the Values ``label[t][j]``. As with ``to_values``, data gets no
    gradient unless ``requires_grad=True``."""
    return _sequence_from_array(np.asarray(X, dtype=np.float64), "to_sequence",
                                batch_first=batch_first, label=label,
                                requires_grad=requires_grad)


def _sequence_from_array(array, layer, size=None, batch_first=False, label="",
                         requires_grad=False, what="a sequence", steps="T"):
    features = "features" if size is None else size
    if array.ndim not in (2, 3):
        raise ValueError(f"{layer_name(layer)}: expected {what} array ({steps}, {features}) "
                         f"or ({steps}, N, {features}) (time-major, as torch), got shape "
                         f"{array.shape}")
    if batch_first:
        if array.ndim != 3:
            raise ValueError(f"{layer_name(layer)}: batch_first needs a 3-D (N, T, "
                             f"{features}) array, got shape {array.shape}")
        array = array.transpose(1, 0, 2)
    if array.ndim == 3 and array.shape[1] == 0:
        raise ValueError(f"{layer_name(layer)}: the batch is empty (an array of shape "
                         f"{array.shape} holds 0 examples)")
    return [to_values(array[t], label=f"{label}[{t}]" if label else "",
                      requires_grad=requires_grad) for t in range(len(array))]


def sequence_to_numpy(sequence: Sequence[Sequence[Any]], grad: bool = False,
                      batch_first: bool = False) -> Array:
    """The array of a sequence (the inverse of ``to_sequence``): (T, N, features) when
    batched, (T, features) for one sequence. ``grad``: the Values' gradients instead of
    their data. ``batch_first``: return (N, T, features)."""
    steps = [to_numpy([v.grad if grad else v for v in step]) for step in sequence]
    if not steps:
        raise ValueError("sequence_to_numpy: the sequence is empty")
    ndims = {step.ndim for step in steps}
    if len(ndims) != 1:
        raise ValueError("sequence_to_numpy: some time steps are batched and some are not")
    if ndims == {1}:
        array = np.stack(np.broadcast_arrays(*steps))
    else:
        array = np.stack([np.broadcast_to(s, (len(s), steps[0].shape[1])) for s in steps])
    if batch_first:
        if array.ndim != 3:
            raise ValueError("sequence_to_numpy: batch_first needs a batched sequence")
        array = array.transpose(1, 0, 2)
    return array


def batch_size_of(value: Operand | Array) -> int | None:
    """The number of examples a Value (or number) holds: None for a float, len(array)
    for a batch."""
    data: Any = value.data if isinstance(value, Value) else value
    return None if np.ndim(data) == 0 else len(data)


def vectors_batch_size(vectors: Sequence[Sequence[Any]], layer: LayerName,
                       what: str) -> int | None:
    """The common batch size (None when every entry is a float) of a list of vectors;
    raises ValueError naming ``layer`` when two batched entries differ in length."""
    size, first = None, None
    for index, vector in enumerate(vectors):
        for value in vector:
            n = batch_size_of(value)
            if n is None:
                continue
            if size is None:
                size, first = n, index
            elif n != size:
                raise ValueError(f"{layer_name(layer)}: ragged batch: {what} {index} holds "
                                 f"{n} examples but {what} {first} holds {size}")
    return size


def as_sequence(sequence: SequenceInput, layer: LayerName,
                size: int | None = None) -> tuple[list[list[Any]], int | None]:
    """``sequence`` as a list of T vectors for ``layer`` (a Module or a name, for
    messages): numpy arrays go through ``to_sequence``. Raises ValueError naming the
    layer for an empty sequence, a time step whose length is not ``size``, or batches of
    different lengths; returns (sequence, batch size or None)."""
    if isinstance(sequence, np.ndarray):
        sequence = _sequence_from_array(np.asarray(sequence, dtype=np.float64), layer, size)
    if not isinstance(sequence, (list, tuple)):
        raise TypeError(f"{layer_name(layer)}: expected a sequence (a list of time steps, "
                        f"each a list of Values) or a numpy array, got "
                        f"{type(sequence).__name__}")
    if not sequence:
        raise ValueError(f"{layer_name(layer)}: the sequence is empty (no time steps)")
    steps = []
    for t, step in enumerate(sequence):
        if isinstance(step, np.ndarray):
            step = as_vector(step, layer)
        if not isinstance(step, (list, tuple)):
            raise TypeError(f"{layer_name(layer)}: time step {t} must be a vector (a list "
                            f"of Values), got {type(step).__name__}")
        if size is not None and len(step) != size:
            raise ValueError(f"{layer_name(layer)}: time step {t} has {len(step)} values, "
                             f"expected input_size={size}")
        steps.append(list(step))
    return steps, vectors_batch_size(steps, layer, "time step")


def as_stacked_state(state: Any, layer: LayerName, count: int, size: int, batch: int | None,
                     name: str) -> list[list[Any]]:
    """An initial state for ``layer``: ``count`` vectors of ``size`` Values (torch's
    (count, N, size) tensor; numpy arrays are converted), whose batch size agrees with
    the input's ``batch`` (float entries are shared by every example). Raises
    ValueError naming ``layer`` and the state ``name`` otherwise."""
    if isinstance(state, np.ndarray):
        state = _sequence_from_array(np.asarray(state, dtype=np.float64), layer, size,
                                     what=f"{name} as an", steps=count)
    if not isinstance(state, (list, tuple)) or not all(
            isinstance(vector, (list, tuple)) for vector in state):
        raise TypeError(f"{layer_name(layer)}: {name} must be a list of {count} vectors "
                        f"(or a numpy array of shape ({count}, N, {size})), got "
                        f"{type(state).__name__}")
    lengths = [len(vector) for vector in state]
    if len(state) != count or any(length != size for length in lengths):
        raise ValueError(f"{layer_name(layer)}: {name} must hold {count} vectors of "
                         f"{size} values (torch shape ({count}, N, {size})), got "
                         f"{len(state)} vectors of {sorted(set(lengths))} values")
    check_state_batch(layer, name, vectors_batch_size(state, layer, f"{name} vector"), batch)
    return [list(vector) for vector in state]


def check_state_batch(layer: LayerName, name: str, state_batch: int | None,
                      batch: int | None) -> None:
    """ValueError naming ``layer`` and the state ``name`` when a batched state holds a
    different number of examples from the input (float states fit any input)."""
    if state_batch is not None and state_batch != batch:
        inputs = "one unbatched example" if batch is None else f"a batch of {batch}"
        raise ValueError(f"{layer_name(layer)}: {name} holds {state_batch} examples but "
                         f"the input is {inputs}")


# --- a read-out at every step ---------------------------------------------------------

class SequenceModel(Module):
    """y_t = W h_t + b for every step t, h_t the output of a recurrent ``core`` (``RNN``,
    ``LSTM``, ``GRU``, ``PyramidalLSTM``, ``StackRNN``: anything returning
    (outputs, state) and having ``output_size``). Returns the list of y_t vectors
    (``out_features`` Values each): logits for next-symbol prediction, or a regression
    output (take the last one for a sequence-to-one task). State dict keys:
    ``core.*`` and ``readout.weight`` / ``readout.bias``.
    """

    def __init__(self, core: Module, out_features: int, generator: Generator = None) -> None:
        check_sizes("SequenceModel", out_features=out_features)
        if not isinstance(core, Module) or not hasattr(core, "output_size"):
            raise TypeError("SequenceModel: core must be a recurrent Module with an "
                            f"output_size (RNN, LSTM, GRU, ...), got {type(core).__name__}")
        super().__init__()
        self.core = core
        self.readout = Linear(core.output_size, out_features, generator=generator)

    def read_out(self, hidden: Sequence[Vector]) -> VectorSequence:
        """The read-out y_t = W h_t + b of every hidden vector h_t."""
        return [self.readout(h) for h in hidden]

    def forward(self, input: SequenceInput, hx: StateInput = None) -> VectorSequence:
        """[y_0, ..., y_{T-1}] for the sequence ``input`` (initial state ``hx``)."""
        hidden, _ = self.core(input, hx)
        return self.read_out(hidden)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward


# --- the loss over a sequence --------------------------------------------------------

def sequence_cross_entropy(logits: Sequence[Sequence[Value]], targets: ArrayLike,
                           mask: ArrayLike | None = None) -> Value:
    """Mean next-symbol cross-entropy over the positions the mask selects:

        L = (1 / |M|) sum_{(t, k) in M} -log softmax(z_t)_{y_tk}   for example k at step t

    ``logits``: a list of T vectors of class scores (batched Values, or floats for one
    sequence); ``targets``: class indices of shape (T, N) (or (T,)); ``mask``: booleans
    of the same shape (None: every position), e.g. ``AnBn.mask`` (inside each string) or
    ``AnBn.deterministic``. Masked positions add nothing to the loss or its gradient.
    The mask enters the graph through ``autodiff.constant`` (a weight of 0 or 1 per
    position; their sum is |M|), so a compiled step recomputes it for every batch.
    """
    targets = np.asarray(targets)
    if len(logits) != len(targets):
        raise ValueError(f"sequence_cross_entropy: {len(logits)} steps of logits but "
                         f"{len(targets)} steps of targets")
    mask_given = mask is not None
    mask = np.ones(targets.shape, dtype=bool) if mask is None else np.asarray(mask)
    if mask.shape != targets.shape:
        raise ValueError(f"sequence_cross_entropy: the mask has shape {mask.shape} but the "
                         f"targets have {targets.shape}")
    if not mask.any():
        raise ValueError("sequence_cross_entropy: the mask selects no position")
    terms = [cross_entropy(scores, targets[t], reduction="none") for t, scores in enumerate(logits)]
    if mask_given:
        weights = [cast(Value, constant(_as_weights, mask[t])) for t in range(len(terms))]
        terms = [term * weight for term, weight in zip(terms, weights)]
        count: Value | float = batch_sum(sum_values(weights))
    else:
        count = float(targets.size)
    return batch_sum(sum_values(terms)) / count


def _as_weights(mask):
    """1.0 where the mask selects a position, 0.0 elsewhere."""
    return np.asarray(mask, dtype=bool).astype(np.float64)



# --- how the gradient fades through time --------------------------------------------

def gradient_through_time(model: Module, inputs: SequenceInput,
                          loss_fn: Callable[[VectorSequence], Value]) -> Array:
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

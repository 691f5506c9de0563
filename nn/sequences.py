"""Sequences of vectors: numpy (T, N, features) arrays in and out, and their checks.

A sequence is a list of T time steps, each a vector (a list of Values or numbers):
``sequence[t][j]`` is feature j at time t. Batched, every Value holds one float per
example, so the sequence of torch's input tensor X of shape (T, N, features) (torch's
default ``batch_first=False``) is ``sequence[t][j].data == X[t, :, j]``; one sequence
(torch's unbatched (T, features)) has floats, ``sequence[t][j].data == X[t, j]``.

The stacked hidden states of a recurrent layer, torch's h_0 / h_n of shape
(num_layers * num_directions, N, hidden_size), use the same layout: a list of
num_layers * num_directions vectors, so the same two functions convert them.
"""
import numpy as np

from autodiff import Value

from .values import layer_name, to_numpy, to_values


def to_sequence(X, batch_first=False, label="", requires_grad=False):
    """The sequence of a numpy array: (T, N, features) -> T vectors of ``features``
    batched Values (Value j of step t holds X[t, :, j]); (T, features) -> T vectors of
    float Values (one sequence). ``batch_first``: X is (N, T, features) instead.
    ``label`` names the Values ``label[t][j]``. As with ``to_values``, data gets no
    gradient unless ``requires_grad=True``."""
    array = np.asarray(X, dtype=np.float64)
    if array.ndim not in (2, 3):
        raise ValueError(f"to_sequence: expected a (T, features) or (T, N, features) array, "
                         f"got shape {array.shape}")
    if batch_first:
        if array.ndim != 3:
            raise ValueError("to_sequence: batch_first needs a 3-D (N, T, features) array, "
                             f"got shape {array.shape}")
        array = array.transpose(1, 0, 2)
    return [to_values(array[t], label=f"{label}[{t}]" if label else "",
                      requires_grad=requires_grad) for t in range(len(array))]


def sequence_to_numpy(sequence, grad=False, batch_first=False):
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


def batch_size_of(value):
    """The number of examples a Value (or number) holds: None for a float, len(array)
    for a batch."""
    data = value.data if isinstance(value, Value) else value
    return None if np.ndim(data) == 0 else len(data)


def vectors_batch_size(vectors, layer, what):
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


def as_sequence(sequence, layer, size=None):
    """``sequence`` as a list of T vectors for ``layer`` (a Module or a name, for
    messages): numpy arrays go through ``to_sequence``. Raises ValueError naming the
    layer for an empty sequence, a time step whose length is not ``size``, or batches of
    different lengths; returns (sequence, batch size or None)."""
    if isinstance(sequence, np.ndarray):
        sequence = to_sequence(sequence)
    if not isinstance(sequence, (list, tuple)):
        raise TypeError(f"{layer_name(layer)}: expected a sequence (a list of time steps, "
                        f"each a list of Values) or a numpy array, got "
                        f"{type(sequence).__name__}")
    if not sequence:
        raise ValueError(f"{layer_name(layer)}: the sequence is empty (no time steps)")
    steps = []
    for t, step in enumerate(sequence):
        if isinstance(step, np.ndarray):
            step = to_values(step)
        if not isinstance(step, (list, tuple)):
            raise TypeError(f"{layer_name(layer)}: time step {t} must be a vector (a list "
                            f"of Values), got {type(step).__name__}")
        if size is not None and len(step) != size:
            raise ValueError(f"{layer_name(layer)}: time step {t} has {len(step)} values, "
                             f"expected input_size={size}")
        steps.append(list(step))
    return steps, vectors_batch_size(steps, layer, "time step")


def as_stacked_state(state, layer, count, size, batch, name):
    """An initial state for ``layer``: ``count`` vectors of ``size`` Values (torch's
    (count, N, size) tensor; numpy arrays are converted), whose batch size agrees with
    the input's ``batch`` (float entries are shared by every example). Raises
    ValueError naming ``layer`` and the state ``name`` otherwise."""
    if isinstance(state, np.ndarray):
        state = to_sequence(state)
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


def check_state_batch(layer, name, state_batch, batch):
    """ValueError naming ``layer`` and the state ``name`` when a batched state holds a
    different number of examples from the input (float states fit any input)."""
    if state_batch is not None and state_batch != batch:
        inputs = "one unbatched example" if batch is None else f"a batch of {batch}"
        raise ValueError(f"{layer_name(layer)}: {name} holds {state_batch} examples but "
                         f"the input is {inputs}")

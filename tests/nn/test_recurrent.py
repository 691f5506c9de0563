"""nn.RNNCell, nn.LSTMCell, nn.GRUCell: one step equal to torch's cells (values and
gradients, hx included), gradcheck, the forget bias, shared equations with the layers,
and errors.

nn.RNN, nn.LSTM, nn.GRU: torch's outputs, states and gradients (deep, bidirectional,
unbatched, without bias), torch's parameter names and init, gradcheck, dropout, errors.

nn.PyramidalLSTM: lengths halve per layer, equal to torch LSTMs on paired inputs,
gradcheck, initial states, and errors."""
import math

import numpy as np
import pytest

import autodiff as ad
import nn
from nn.recurrent import gru_step, initial_state, lstm_step, pair_consecutive, rnn_step


CELLS = {"RNNCell": (nn.RNNCell, {}), "RNNCell-relu": (nn.RNNCell, {"nonlinearity": "relu"}),
         "LSTMCell": (nn.LSTMCell, {}), "GRUCell": (nn.GRUCell, {})}


def weighted(vector, weights):
    """sum_j weights[:, j] . vector[j] over the batch: a scalar Value."""
    return ad.batch_sum(ad.sum([w * v for v, w in zip(vector, weights.T)]))


@pytest.mark.parametrize("kind", list(CELLS))
def test_one_step_and_its_gradients_equal_torchs_cell(torch, kind):
    cls, options = CELLS[kind]
    cell = cls(3, 4, generator=0, **options)
    reference = getattr(torch.nn, cls.__name__)(3, 4, **options)
    reference.load_state_dict({k: torch.tensor(v) for k, v in cell.state_dict().items()})
    rng = np.random.default_rng(1)
    lstm = cls is nn.LSTMCell
    x, states = rng.normal(size=(5, 3)), [rng.normal(size=(5, 4)) for _ in range(1 + lstm)]
    x_values = nn.to_values(x, requires_grad=True)
    state_values = [nn.to_values(s, requires_grad=True) for s in states]
    out = cell(x_values, tuple(state_values) if lstm else state_values[0])
    outs = list(out) if lstm else [out]
    weights = [rng.normal(size=(5, 4)) for _ in outs]
    ad.sum([weighted(o, w) for o, w in zip(outs, weights)]).backward()

    x_t = torch.tensor(x, requires_grad=True)
    states_t = [torch.tensor(s, requires_grad=True) for s in states]
    out_t = reference(x_t, tuple(states_t) if lstm else states_t[0])
    outs_t = list(out_t) if lstm else [out_t]
    sum((o * torch.tensor(w)).sum() for o, w in zip(outs_t, weights)).backward()

    for mine, theirs in zip(outs, outs_t):
        np.testing.assert_allclose(nn.to_numpy(mine), theirs.detach().numpy(), rtol=1e-10,
                                   atol=1e-13)
    for name, parameter in cell.named_parameters():
        np.testing.assert_allclose(parameter.grad, getattr(reference, name).grad.numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)
    for values, tensor in zip([x_values] + state_values, [x_t] + states_t):
        np.testing.assert_allclose(nn.to_numpy([v.grad for v in values]), tensor.grad.numpy(),
                                   rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", list(CELLS))
def test_cells_pass_gradcheck_for_inputs_and_parameters(kind):
    cls, options = CELLS[kind]
    cell = cls(3, 2, generator=2, **options)
    x = list(np.random.default_rng(3).normal(size=(2, 3)).T)      # a batch of 2
    result = nn.gradcheck_module(cell, x)
    assert result.ok, result


def test_the_lstm_step_follows_the_notes_equations():
    cell = nn.LSTMCell(2, 3, generator=4)
    x, h, c = np.array([0.5, -1.0]), np.array([0.1, 0.2, -0.3]), np.array([1.0, -0.5, 0.25])
    W_ih, W_hh = cell.weight_ih.numpy(), cell.weight_hh.numpy()
    a = W_ih @ x + cell.bias_ih.numpy() + W_hh @ h + cell.bias_hh.numpy()
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = sigmoid(a[:3]), sigmoid(a[3:6]), np.tanh(a[6:9]), sigmoid(a[9:])
    c_next = f * c + i * g
    h_out, c_out = cell(list(x), (list(h), list(c)))
    np.testing.assert_allclose(nn.to_numpy(c_out), c_next, rtol=1e-14)
    np.testing.assert_allclose(nn.to_numpy(h_out), o * np.tanh(c_next), rtol=1e-14)


def test_the_gru_resets_only_the_hidden_part_of_the_candidate():
    cell = nn.GRUCell(2, 2, generator=5)
    x, h = np.array([0.3, -0.7]), np.array([0.4, -0.2])
    W_ih, W_hh, b_ih, b_hh = (p.numpy() for p in (cell.weight_ih, cell.weight_hh,
                                                  cell.bias_ih, cell.bias_hh))
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    r = sigmoid(W_ih[:2] @ x + b_ih[:2] + W_hh[:2] @ h + b_hh[:2])
    z = sigmoid(W_ih[2:4] @ x + b_ih[2:4] + W_hh[2:4] @ h + b_hh[2:4])
    n = np.tanh(W_ih[4:] @ x + b_ih[4:] + r * (W_hh[4:] @ h + b_hh[4:]))
    np.testing.assert_allclose(nn.to_numpy(cell(list(x), list(h))), (1 - z) * n + z * h,
                               rtol=1e-14)


def test_a_one_step_layer_is_the_cell_with_the_same_weights():
    for layer_cls, cell_cls in ((nn.RNN, nn.RNNCell), (nn.LSTM, nn.LSTMCell),
                                (nn.GRU, nn.GRUCell)):
        layer, cell = layer_cls(3, 2, generator=6), cell_cls(3, 2)
        cell.load_state_dict({name[:-3]: array for name, array in layer.state_dict().items()})
        x = np.random.default_rng(7).normal(size=(4, 3))
        output, _ = layer(x[None])
        step = cell(x)
        h = step[0] if cell_cls is nn.LSTMCell else step
        np.testing.assert_array_equal(nn.to_numpy(output[0]), nn.to_numpy(h))


def test_the_default_state_is_zeros():
    cell = nn.LSTMCell(2, 3, generator=0)
    x = np.random.default_rng(0).normal(size=(4, 2))
    h_default, c_default = cell(x)
    h_zero, c_zero = cell(x, (np.zeros((4, 3)), np.zeros((4, 3))))
    np.testing.assert_array_equal(nn.to_numpy(h_default), nn.to_numpy(h_zero))
    np.testing.assert_array_equal(nn.to_numpy(c_default), nn.to_numpy(c_zero))


def test_the_lstm_cell_forget_bias_defaults_to_one_and_zero_is_torchs_init():
    bound = 1 / math.sqrt(50)
    shifted = nn.LSTMCell(2, 50, generator=8).bias_ih.numpy()
    plain = nn.LSTMCell(2, 50, forget_bias=0, generator=8).bias_ih.numpy()
    np.testing.assert_allclose(shifted[50:100] - plain[50:100], 1.0)
    np.testing.assert_array_equal(np.delete(shifted, range(50, 100)),
                                  np.delete(plain, range(50, 100)))
    assert np.abs(plain).max() <= bound
    assert nn.LSTMCell(2, 3, bias=False).forget_bias == 0.0


def test_cell_reprs_and_parameter_names_are_torchs(torch):
    assert repr(nn.LSTMCell(3, 4)) == "LSTMCell(3, 4)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity='relu')"
    assert repr(nn.GRUCell(3, 4, bias=False)) == "GRUCell(3, 4, bias=False)"
    for cls in (nn.RNNCell, nn.LSTMCell, nn.GRUCell):
        mine = {k: v.shape for k, v in cls(3, 4).state_dict().items()}
        theirs = {k: tuple(v.shape) for k, v in
                  getattr(torch.nn, cls.__name__)(3, 4).state_dict().items()}
        assert mine == theirs


def test_cell_errors_name_the_cell_and_the_bad_value():
    with pytest.raises(ValueError, match=r"LSTMCell\(3, 4\): expected an input vector of 3 "
                                         r"values, got 2"):
        nn.LSTMCell(3, 4)([1.0, 2.0])
    with pytest.raises(ValueError, match=r"GRUCell\(2, 3\): h_0 must have 3 values, got 2"):
        nn.GRUCell(2, 3)([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"RNNCell\(2, 3\): h_0 holds 4 examples but the input "
                                         r"is a batch of 5"):
        nn.RNNCell(2, 3)(np.zeros((5, 2)), np.zeros((4, 3)))
    with pytest.raises(TypeError, match=r"LSTMCell\(2, 3\): the initial state must be a tuple "
                                        r"\(h_0, c_0\), got list"):
        nn.LSTMCell(2, 3)([1.0, 2.0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="RNNCell: nonlinearity must be 'tanh' or 'relu'"):
        nn.RNNCell(2, 3, nonlinearity="gelu")
    with pytest.raises(ValueError, match="LSTMCell: forget_bias=1.0 needs bias=True"):
        nn.LSTMCell(2, 3, bias=False, forget_bias=1.0)


LAYERS = {"RNN": (nn.RNN, {}), "RNN-relu": (nn.RNN, {"nonlinearity": "relu"}),
          "LSTM": (nn.LSTM, {}), "GRU": (nn.GRU, {})}
SHAPES = [(1, False), (2, False), (1, True), (2, True)]


def weighted_total(sequence, weights):
    """sum over t, j (and examples) of weights[t, ..., j] * sequence[t][j]: one scalar
    Value whose gradient is ``weights`` at every entry."""
    terms = [w * v for step, W in zip(sequence, weights)
             for v, w in zip(step, np.moveaxis(W, -1, 0))]
    return ad.batch_sum(ad.sum(terms))


def torch_layer(torch, layer, kind, **settings):
    """The torch.nn module matching ``layer``, with ``layer``'s weights copied in."""
    cls = getattr(torch.nn, kind.split("-")[0])
    reference = cls(layer.input_size, layer.hidden_size, **settings)
    reference.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
    return reference


def states_of(kind, arrays):
    """The initial state of ``kind`` from numpy arrays: h_0, or (h_0, c_0) for an LSTM."""
    return tuple(arrays) if kind == "LSTM" else arrays[0]


def compare_with_torch(torch, kind, num_layers, bidirectional, batch=5, bias=True, steps=4):
    cls, options = LAYERS[kind]
    layer = cls(3, 4, num_layers=num_layers, bidirectional=bidirectional, bias=bias,
                generator=1, **options)
    reference = torch_layer(torch, layer, kind, num_layers=num_layers,
                            bidirectional=bidirectional, bias=bias, **options)
    rng = np.random.default_rng(2)
    count = num_layers * (2 if bidirectional else 1)
    batch_shape = () if batch is None else (batch,)
    X = rng.normal(size=(steps, *batch_shape, 3))
    initial = [rng.normal(size=(count, *batch_shape, 4))
               for _ in range(2 if kind == "LSTM" else 1)]
    inputs = nn.to_sequence(X, requires_grad=True)
    state_values = [nn.to_sequence(array, requires_grad=True) for array in initial]
    output, final = layer(inputs, states_of(kind, state_values))
    finals = list(final) if kind == "LSTM" else [final]
    out_weights = rng.normal(size=(steps, *batch_shape, layer.output_size))
    state_weights = [rng.normal(size=array.shape) for array in initial]
    total = ad.sum([weighted_total(output, out_weights)] +
                   [weighted_total(f, w) for f, w in zip(finals, state_weights)])
    total.backward()

    X_t = torch.tensor(X, requires_grad=True)
    initial_t = [torch.tensor(array, requires_grad=True) for array in initial]
    output_t, final_t = reference(X_t, states_of(kind, initial_t))
    finals_t = list(final_t) if kind == "LSTM" else [final_t]
    total_t = (output_t * torch.tensor(out_weights)).sum() + sum(
        (f * torch.tensor(w)).sum() for f, w in zip(finals_t, state_weights))
    total_t.backward()

    np.testing.assert_allclose(nn.sequence_to_numpy(output), output_t.detach().numpy(),
                               rtol=1e-9, atol=1e-12)
    for mine, theirs in zip(finals, finals_t):
        np.testing.assert_allclose(nn.sequence_to_numpy(mine), theirs.detach().numpy(),
                                   rtol=1e-9, atol=1e-12)
    for name, parameter in layer.named_parameters():
        np.testing.assert_allclose(parameter.grad, getattr(reference, name).grad.numpy(),
                                   rtol=1e-8, atol=1e-10, err_msg=name)
    np.testing.assert_allclose(nn.sequence_to_numpy(inputs, grad=True), X_t.grad.numpy(),
                               rtol=1e-8, atol=1e-10)
    for values, tensor in zip(state_values, initial_t):
        np.testing.assert_allclose(nn.sequence_to_numpy(values, grad=True),
                                   tensor.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("num_layers,bidirectional", SHAPES)
@pytest.mark.parametrize("kind", list(LAYERS))
def test_outputs_states_and_gradients_equal_torch(torch, kind, num_layers, bidirectional):
    compare_with_torch(torch, kind, num_layers, bidirectional)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_one_unbatched_sequence_equals_torch_unbatched_input(torch, kind):
    compare_with_torch(torch, kind, num_layers=2, bidirectional=True, batch=None)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_layers_without_bias_equal_torch(torch, kind):
    compare_with_torch(torch, kind, num_layers=2, bidirectional=False, bias=False, steps=3)


def test_parameter_names_order_and_shapes_are_torchs(torch):
    for kind, (cls, options) in LAYERS.items():
        layer = cls(3, 5, num_layers=2, bidirectional=True, **options)
        reference = getattr(torch.nn, cls.__name__)(3, 5, num_layers=2, bidirectional=True,
                                                    **options)
        mine = [(name, array.shape) for name, array in layer.state_dict().items()]
        theirs = [(name, tuple(t.shape)) for name, t in reference.state_dict().items()]
        assert mine == theirs, kind
    names = list(nn.LSTM(2, 3, num_layers=2, bidirectional=True).state_dict())
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_ih_l0_reverse"]
    assert nn.LSTM(2, 3).state_dict()["weight_ih_l0"].shape == (12, 2)   # 4H x in
    assert nn.GRU(2, 3).state_dict()["weight_hh_l0"].shape == (9, 3)     # 3H x H


def test_a_torch_state_dict_loads_as_numpy(torch):
    reference = torch.nn.LSTM(2, 3, num_layers=2, bidirectional=True)
    layer = nn.LSTM(2, 3, num_layers=2, bidirectional=True)
    layer.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    for name, tensor in reference.state_dict().items():
        np.testing.assert_array_equal(layer.state_dict()[name], tensor.numpy())


def test_default_init_is_uniform_within_one_over_sqrt_hidden_size():
    bound = 1 / math.sqrt(20)
    for layer in (nn.RNN(3, 20, generator=0), nn.GRU(3, 20, generator=0),
                  nn.LSTM(3, 20, forget_bias=0, generator=0)):
        data = np.concatenate([a.ravel() for a in layer.state_dict().values()])
        assert np.all(np.abs(data) <= bound)
        assert data.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)


def test_forget_bias_shifts_only_the_forget_slice_of_bias_ih():
    shifted = nn.LSTM(2, 10, num_layers=2, bidirectional=True, generator=3)
    plain = nn.LSTM(2, 10, num_layers=2, bidirectional=True, forget_bias=0, generator=3)
    assert shifted.forget_bias == 1.0 and plain.forget_bias == 0.0
    for name, array in shifted.state_dict().items():
        difference = array - plain.state_dict()[name]
        if name.startswith("bias_ih"):
            np.testing.assert_allclose(difference[10:20], 1.0)
            np.testing.assert_array_equal(np.delete(difference, range(10, 20)), 0.0)
        else:
            np.testing.assert_array_equal(difference, 0.0)
    assert nn.LSTM(2, 3, forget_bias=3).state_dict()["bias_ih_l0"][3:6].min() > 2.4


def test_without_bias_the_forget_bias_is_zero_and_cannot_be_set():
    assert nn.LSTM(2, 3, bias=False).forget_bias == 0.0
    with pytest.raises(ValueError, match=r"LSTM: forget_bias=2.0 needs bias=True"):
        nn.LSTM(2, 3, bias=False, forget_bias=2.0)
    with pytest.raises(ValueError, match="LSTM: forget_bias must be a number"):
        nn.LSTM(2, 3, forget_bias="large")


def test_init_is_reproducible_with_a_generator_seed():
    first, second = nn.GRU(2, 3, generator=4), nn.GRU(2, 3, generator=4)
    for name, array in first.state_dict().items():
        np.testing.assert_array_equal(array, second.state_dict()[name])


@pytest.mark.parametrize("kind", list(LAYERS))
def test_deep_bidirectional_layers_pass_gradcheck(kind):
    cls, options = LAYERS[kind]
    layer = cls(2, 2, num_layers=2, bidirectional=True, generator=5, **options)
    X = np.random.default_rng(6).normal(size=(3, 2, 2))
    inputs = [[X[t, :, j] for j in range(2)] for t in range(3)]
    result = nn.gradcheck_module(layer, inputs)
    assert result.ok, result


def test_output_has_both_directions_and_h_n_is_layer_major(torch):
    layer = nn.GRU(2, 3, num_layers=2, bidirectional=True, generator=0)
    X = np.random.default_rng(0).normal(size=(5, 4, 2))
    output, h_n = layer(X)
    assert len(output) == 5 and all(len(step) == 6 for step in output)
    assert len(h_n) == 4 and all(len(vector) == 3 for vector in h_n)
    # forward direction of the last layer ends at t = T-1, the backward one at t = 0
    np.testing.assert_array_equal(nn.sequence_to_numpy(h_n)[2], nn.to_numpy(output[-1][:3]))
    np.testing.assert_array_equal(nn.sequence_to_numpy(h_n)[3], nn.to_numpy(output[0][3:]))


def test_numpy_inputs_and_states_equal_value_inputs():
    layer = nn.LSTM(2, 3, num_layers=2, generator=0)
    rng = np.random.default_rng(1)
    X, h0, c0 = (rng.normal(size=shape) for shape in ((4, 5, 2), (2, 5, 3), (2, 5, 3)))
    from_arrays, (h_a, _) = layer(X, (h0, c0))
    from_values, (h_v, _) = layer(nn.to_sequence(X), (nn.to_sequence(h0), nn.to_sequence(c0)))
    np.testing.assert_array_equal(nn.sequence_to_numpy(from_arrays),
                                  nn.sequence_to_numpy(from_values))
    np.testing.assert_array_equal(nn.sequence_to_numpy(h_a), nn.sequence_to_numpy(h_v))


def test_no_initial_state_means_zeros():
    layer = nn.RNN(2, 3, num_layers=2, bidirectional=True, generator=0)
    X = np.random.default_rng(1).normal(size=(4, 5, 2))
    default, _ = layer(X)
    zeros, _ = layer(X, np.zeros((4, 5, 3)))
    np.testing.assert_array_equal(nn.sequence_to_numpy(default), nn.sequence_to_numpy(zeros))


def test_dropout_acts_between_layers_in_training_only():
    X = np.random.default_rng(0).normal(size=(4, 6, 2))
    plain = nn.LSTM(2, 3, num_layers=2, generator=0)
    dropped = nn.LSTM(2, 3, num_layers=2, dropout=0.5, generator=0)
    dropped.load_state_dict(plain.state_dict())
    expected = nn.sequence_to_numpy(plain(X)[0])
    assert not np.allclose(nn.sequence_to_numpy(dropped(X)[0]), expected)
    np.testing.assert_array_equal(nn.sequence_to_numpy(dropped.eval()(X)[0]), expected)
    single = nn.GRU(2, 3, dropout=0.5, generator=0)     # nothing between: no effect
    reference = nn.GRU(2, 3, generator=0)
    np.testing.assert_array_equal(nn.sequence_to_numpy(single(X)[0]),
                                  nn.sequence_to_numpy(reference(X)[0]))
    assert "dropout=0.5" in repr(dropped)


def test_repr_lists_the_settings_that_differ_from_torchs_defaults():
    assert repr(nn.LSTM(3, 4)) == "LSTM(3, 4)"
    assert repr(nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bidirectional=True)) == \
        "RNN(3, 4, num_layers=2, bidirectional=True, nonlinearity='relu')"
    assert repr(nn.GRU(3, 4, bias=False)) == "GRU(3, 4, bias=False)"


def test_wrong_input_size_names_the_layer_the_step_and_the_sizes():
    layer = nn.LSTM(3, 4)
    sequence = nn.to_sequence(np.zeros((3, 2, 3)))
    sequence[1] = sequence[1][:2]
    with pytest.raises(ValueError, match=r"LSTM\(3, 4\): time step 1 has 2 values, "
                                         r"expected input_size=3"):
        layer(sequence)
    with pytest.raises(ValueError, match=r"GRU\(2, 4\): time step 0 has 3 values"):
        nn.GRU(2, 4)(np.zeros((5, 3)))


def test_ragged_batches_and_empty_sequences_are_errors():
    sequence = nn.to_sequence(np.zeros((3, 4, 2)))
    sequence[2] = nn.to_values(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"RNN\(2, 3\): ragged batch: time step 2 holds 5 "
                                         r"examples but time step 0 holds 4"):
        nn.RNN(2, 3)(sequence)
    with pytest.raises(ValueError, match=r"RNN\(2, 3\): the sequence is empty"):
        nn.RNN(2, 3)([])
    with pytest.raises(TypeError, match=r"RNN\(2, 3\): expected a sequence"):
        nn.RNN(2, 3)(3.0)


def test_mismatched_initial_states_name_the_layer_and_the_shapes():
    layer = nn.LSTM(2, 3, num_layers=2, bidirectional=True)
    X = np.zeros((4, 5, 2))
    good = np.zeros((4, 5, 3))
    with pytest.raises(ValueError, match=r"LSTM\(2, 3, num_layers=2, bidirectional=True\): "
                                         r"h_0 must hold 4 vectors of 3 values \(torch shape "
                                         r"\(4, N, 3\)\), got 2 vectors of \[3\] values"):
        layer(X, (np.zeros((2, 5, 3)), good))
    with pytest.raises(ValueError, match=r"c_0 must hold 4 vectors of 3 values.*got 4 "
                                         r"vectors of \[2\] values"):
        layer(X, (good, np.zeros((4, 5, 2))))
    with pytest.raises(ValueError, match=r"h_0 holds 6 examples but the input is a batch "
                                         r"of 5"):
        layer(X, (np.zeros((4, 6, 3)), good))
    with pytest.raises(TypeError, match=r"the initial state must be a tuple \(h_0, c_0\)"):
        layer(X, good)
    with pytest.raises(ValueError, match=r"GRU\(2, 3\): h_0 must hold 1 vectors"):
        nn.GRU(2, 3)(X, np.zeros((2, 5, 3)))


def test_bad_settings_are_errors_naming_the_layer():
    with pytest.raises(ValueError, match="RNN: nonlinearity must be 'tanh' or 'relu', got "
                                         "'sigmoid'"):
        nn.RNN(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="GRU: num_layers must be a whole number >= 1, got 0"):
        nn.GRU(2, 3, num_layers=0)
    with pytest.raises(ValueError, match=r"LSTM: dropout must be a number >= 0.0 and < 1.0"):
        nn.LSTM(2, 3, dropout=1.0)
    with pytest.raises(ValueError, match="LSTM: hidden_size must be a whole number >= 1"):
        nn.LSTM(2, 0)


def test_pairing_concatenates_consecutive_steps_and_drops_an_odd_last_one():
    sequence = [[1.0], [2.0], [3.0], [4.0], [5.0]]
    assert pair_consecutive(sequence) == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize("steps,expected", [(8, 2), (9, 2), (11, 2), (12, 3), (4, 1)])
def test_each_layer_above_the_first_halves_the_length(steps, expected):
    model = nn.PyramidalLSTM(2, 3, num_layers=3, generator=0)
    output, (h_n, c_n) = model(np.zeros((steps, 2, 2)))
    assert len(output) == expected and all(len(step) == 6 for step in output)
    assert len(h_n) == len(c_n) == 6


def test_layers_read_pairs_of_twice_the_bidirectional_width():
    model = nn.PyramidalLSTM(5, 3, num_layers=2)
    assert [layer.input_size for layer in model.layers] == [5, 12]
    assert list(model.state_dict())[:2] == ["layers.0.weight_ih_l0", "layers.0.weight_hh_l0"]
    assert model.state_dict()["layers.1.weight_ih_l0_reverse"].shape == (12, 12)
    assert nn.PyramidalLSTM(5, 3, num_layers=2, bidirectional=False).layers[1].input_size == 6


def test_outputs_states_and_gradients_equal_torch_lstms_on_paired_steps(torch):
    model = nn.PyramidalLSTM(2, 3, num_layers=3, generator=1)
    references = []
    for layer in model.layers:
        reference = torch.nn.LSTM(layer.input_size, 3, bidirectional=True)
        reference.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
        references.append(reference)
    rng = np.random.default_rng(2)
    X, h0, c0 = (rng.normal(size=shape) for shape in ((9, 4, 2), (6, 4, 3), (6, 4, 3)))
    inputs = nn.to_sequence(X, requires_grad=True)
    output, (h_n, c_n) = model(inputs, (h0, c0))
    weights = rng.normal(size=(len(output), 4, 6))
    ad.batch_sum(ad.sum([w * v for step, W in zip(output, weights)
                         for v, w in zip(step, W.T)])).backward()

    x_t = torch.tensor(X, requires_grad=True)
    sequence, h_list, c_list = x_t, [], []
    for k, reference in enumerate(references):
        if k > 0:       # (T, N, F) -> (T // 2, N, 2F): [x_2t; x_2t+1]
            T, N, F = sequence.shape
            sequence = sequence[:T - T % 2].transpose(0, 1).reshape(N, T // 2, 2 * F)
            sequence = sequence.transpose(0, 1)
        sequence, (h, c) = reference(sequence, (torch.tensor(h0[2 * k:2 * k + 2]),
                                                torch.tensor(c0[2 * k:2 * k + 2])))
        h_list.append(h)
        c_list.append(c)
    (sequence * torch.tensor(weights)).sum().backward()

    np.testing.assert_allclose(nn.sequence_to_numpy(output), sequence.detach().numpy(),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nn.sequence_to_numpy(h_n), torch.cat(h_list).detach().numpy(),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nn.sequence_to_numpy(c_n), torch.cat(c_list).detach().numpy(),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nn.sequence_to_numpy(inputs, grad=True), x_t.grad.numpy(),
                               rtol=1e-8, atol=1e-11)
    for layer, reference in zip(model.layers, references):
        for name, parameter in layer.named_parameters():
            np.testing.assert_allclose(parameter.grad, getattr(reference, name).grad.numpy(),
                                       rtol=1e-8, atol=1e-11)


def test_pyramidal_lstm_passes_gradcheck():
    model = nn.PyramidalLSTM(1, 2, num_layers=2, generator=3)
    X = np.random.default_rng(4).normal(size=(4, 2))          # 4 steps, a batch of 2
    result = nn.gradcheck_module(model, [[X[t]] for t in range(4)])
    assert result.ok, result


def test_too_short_sequences_and_bad_states_are_errors():
    model = nn.PyramidalLSTM(2, 3, num_layers=3)
    with pytest.raises(ValueError, match=r"PyramidalLSTM\(2, 3, num_layers=3, "
                                         r"bidirectional=True\): a sequence of 3 steps is too "
                                         r"short for num_layers=3.*at least 4 steps"):
        model(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"PyramidalLSTM\(.*\): h_0 must hold 6 vectors"):
        model(np.zeros((4, 2)), (np.zeros((2, 3)), np.zeros((6, 3))))
    with pytest.raises(ValueError, match=r"PyramidalLSTM\(.*\): time step 0 has 3 values"):
        model(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="PyramidalLSTM: num_layers must be a whole number >= 1"):
        nn.PyramidalLSTM(2, 3, num_layers=0)


def test_the_step_functions_are_the_equations_of_the_notes_on_plain_numbers():
    """lstm_step, gru_step and rnn_step on float Values against the equations written
    out with numpy (no torch): the cells and layers only call these."""
    rng = np.random.default_rng(11)
    x, h, c = rng.normal(size=2), rng.normal(size=3), rng.normal(size=3)

    def weights(gates):
        arrays = [rng.normal(size=(gates * 3, 2)), rng.normal(size=(gates * 3, 3)),
                  rng.normal(size=gates * 3), rng.normal(size=gates * 3)]
        values = nn.recurrent.CellWeights(*[[[ad.Value(v) for v in row] for row in a]
                                            if a.ndim == 2 else [ad.Value(v) for v in a]
                                            for a in arrays])
        return arrays, values

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    (W_ih, W_hh, b_ih, b_hh), values = weights(4)
    a = W_ih @ x + b_ih + W_hh @ h + b_hh
    i, f, g, o = sigmoid(a[:3]), sigmoid(a[3:6]), np.tanh(a[6:9]), sigmoid(a[9:])
    c_next = f * c + i * g
    h_out, c_out = lstm_step(list(x), (list(h), list(c)), values)
    np.testing.assert_allclose([v.data for v in c_out], c_next, rtol=1e-12)
    np.testing.assert_allclose([v.data for v in h_out], o * np.tanh(c_next), rtol=1e-12)

    (W_ih, W_hh, b_ih, b_hh), values = weights(3)
    gi, gh = W_ih @ x + b_ih, W_hh @ h + b_hh
    r, z = sigmoid(gi[:3] + gh[:3]), sigmoid(gi[3:6] + gh[3:6])
    n = np.tanh(gi[6:] + r * gh[6:])
    (h_gru,) = gru_step(list(x), (list(h),), values)
    np.testing.assert_allclose([v.data for v in h_gru], (1 - z) * n + z * h, rtol=1e-12)

    (W_ih, W_hh, b_ih, b_hh), values = weights(1)
    (h_rnn,) = rnn_step(list(x), (list(h),), values, "relu")
    np.testing.assert_allclose([v.data for v in h_rnn],
                               np.maximum(W_ih @ x + b_ih + W_hh @ h + b_hh, 0.0), rtol=1e-12)


def test_every_recurrent_module_reads_its_initial_state_with_one_parser():
    """initial_state: zeros, one vector per part (cells, StackRNN) or stacked per layer
    and direction (layers, PyramidalLSTM), with the same checks and wording."""
    zeros = initial_state("M", None, ("h", "c"), (2, 2), None)
    assert [[v.data for v in part] for part in zeros] == [[0.0, 0.0], [0.0, 0.0]]
    stacked = initial_state("M", np.ones((3, 4, 2)), ("h",), (2,), 4, count=3)
    assert len(stacked) == 3 and all(len(state[0]) == 2 for state in stacked)
    with pytest.raises(ValueError, match="M: h_0 must have 2 values, got 3"):
        initial_state("M", [1.0, 2.0, 3.0], ("h",), (2,), None)
    with pytest.raises(TypeError, match=r"M: the initial state must be a tuple \(h_0, s_0\)"):
        initial_state("M", [1.0, 2.0], ("h", "s"), (2, 4), None)
    for module, hx, message in [
            (nn.GRUCell(2, 3), [0.0] * 4, r"GRUCell\(2, 3\): h_0 must have 3 values"),
            (nn.StackRNN(2, 3, stack_depth=4), ([0.0] * 3, [0.0] * 2),
             r"StackRNN\(.*\): s_0 must have 4 values"),
            (nn.GRU(2, 3), np.zeros((2, 3)), r"GRU\(2, 3\): h_0 must hold 1 vectors"),
            (nn.PyramidalLSTM(2, 3, num_layers=2), (np.zeros((4, 3)), np.zeros((3, 3))),
             r"PyramidalLSTM\(.*\): c_0 must hold 4 vectors")]:
        x = np.zeros((4, 2)) if not isinstance(module, nn.GRUCell) else np.zeros(2)
        with pytest.raises(ValueError, match=message):
            module(x, hx)

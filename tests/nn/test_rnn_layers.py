"""nn.RNN, nn.LSTM, nn.GRU: torch's outputs, states and gradients (deep, bidirectional,
unbatched, without bias), torch's parameter names and init, gradcheck, dropout, errors."""
import math

import numpy as np
import pytest

import autodiff as ad
import nn

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
    with pytest.raises(ValueError, match="LSTM: forget_bias must be a finite number"):
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
    with pytest.raises(ValueError, match="GRU: num_layers must be a positive integer, got 0"):
        nn.GRU(2, 3, num_layers=0)
    with pytest.raises(ValueError, match=r"LSTM: dropout must be a probability in \[0, 1\)"):
        nn.LSTM(2, 3, dropout=1.0)
    with pytest.raises(ValueError, match="LSTM: hidden_size must be a positive integer"):
        nn.LSTM(2, 0)

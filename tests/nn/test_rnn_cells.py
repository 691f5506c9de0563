"""nn.RNNCell, nn.LSTMCell, nn.GRUCell: one step equal to torch's cells (values and
gradients, hx included), gradcheck, the forget bias, shared equations with the layers,
and errors."""
import math

import numpy as np
import pytest

import autodiff as ad
import nn

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
    with pytest.raises(ValueError, match=r"GRUCell\(2, 3\): h must have hidden_size=3 values, "
                                         r"got 2"):
        nn.GRUCell(2, 3)([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"RNNCell\(2, 3\): h holds 4 examples but the input "
                                         r"is a batch of 5"):
        nn.RNNCell(2, 3)(np.zeros((5, 2)), np.zeros((4, 3)))
    with pytest.raises(TypeError, match=r"LSTMCell\(2, 3\): the state must be a tuple "
                                        r"\(h, c\), got list"):
        nn.LSTMCell(2, 3)([1.0, 2.0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="RNNCell: nonlinearity must be 'tanh' or 'relu'"):
        nn.RNNCell(2, 3, nonlinearity="gelu")
    with pytest.raises(ValueError, match="LSTMCell: forget_bias=1.0 needs bias=True"):
        nn.LSTMCell(2, 3, bias=False, forget_bias=1.0)

"""nn.PyramidalLSTM: lengths halve per layer, equal to torch LSTMs on paired inputs,
gradcheck, initial states, and errors."""
import numpy as np
import pytest

import autodiff as ad
import nn
from nn.pyramidal import pair_consecutive


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
    with pytest.raises(ValueError, match="PyramidalLSTM: num_layers must be a positive"):
        nn.PyramidalLSTM(2, 3, num_layers=0)

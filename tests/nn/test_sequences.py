"""nn.to_sequence and nn.sequence_to_numpy: torch's (T, N, features) layout, one
unbatched sequence, batch_first, gradients, and errors.

nn.sequence_cross_entropy: the mean over the masked positions, equal to torch's
cross-entropy with ignored positions, and its errors.

nn.gradient_through_time: ||d loss / d h_t|| per step; the notes' vanishing gradient
(a tanh RNN's fades faster than an LSTM's, and a larger forget bias keeps more)."""
import numpy as np
import pytest

import autodiff as ad
import nn


def test_step_t_feature_j_holds_the_column_x_t_j_of_every_example():
    X = np.arange(24.0).reshape(2, 3, 4)          # T=2, N=3, features=4
    sequence = nn.to_sequence(X)
    assert len(sequence) == 2 and all(len(step) == 4 for step in sequence)
    np.testing.assert_array_equal(sequence[1][2].data, X[1, :, 2])
    np.testing.assert_array_equal(nn.sequence_to_numpy(sequence), X)


def test_one_unbatched_sequence_is_float_values():
    X = np.arange(6.0).reshape(3, 2)
    sequence = nn.to_sequence(X)
    assert sequence[2][1].data == 5.0
    np.testing.assert_array_equal(nn.sequence_to_numpy(sequence), X)


def test_batch_first_arrays_are_transposed_both_ways():
    X = np.random.default_rng(0).normal(size=(3, 5, 2))     # N=3, T=5
    sequence = nn.to_sequence(X, batch_first=True)
    assert len(sequence) == 5
    np.testing.assert_array_equal(nn.sequence_to_numpy(sequence, batch_first=True), X)


def test_gradients_come_back_in_the_same_layout():
    X = np.random.default_rng(1).normal(size=(2, 3, 2))
    sequence = nn.to_sequence(X, requires_grad=True)
    ad.batch_sum(ad.sum([v * v for step in sequence for v in step])).backward()
    np.testing.assert_allclose(nn.sequence_to_numpy(sequence, grad=True), 2 * X)


def test_labels_name_step_and_feature():
    assert nn.to_sequence(np.zeros((2, 3)), label="x")[1][2].label == "x[1][2]"


def test_float_entries_broadcast_against_batched_ones():
    mixed = [[ad.Value(1.0), ad.Value(np.array([2.0, 3.0]))]]
    np.testing.assert_array_equal(nn.sequence_to_numpy(mixed), [[[1.0, 2.0], [1.0, 3.0]]])


def test_conversion_errors_say_what_is_expected():
    with pytest.raises(ValueError, match=r"to_sequence: expected a sequence array "
                                         r"\(T, features\) or "
                                         r"\(T, N, features\) \(time-major, as torch\), got "
                                         r"shape \(4,\)"):
        nn.to_sequence(np.zeros(4))
    with pytest.raises(ValueError, match="batch_first needs a 3-D"):
        nn.to_sequence(np.zeros((2, 3)), batch_first=True)
    with pytest.raises(ValueError, match="sequence_to_numpy: the sequence is empty"):
        nn.sequence_to_numpy([])
    with pytest.raises(ValueError, match="some time steps are batched and some are not"):
        nn.sequence_to_numpy([[ad.Value(1.0)], [ad.Value(np.ones(2))]])


def test_masked_positions_are_left_out_of_the_mean_and_the_gradient(torch):
    task = nn.make_anbn([1, 3, 2])
    Z = np.random.default_rng(0).normal(size=(6, 3, 3))
    logits = nn.to_sequence(Z, requires_grad=True)
    loss = nn.sequence_cross_entropy(logits, task.y, task.mask)
    loss.backward()
    Z_t = torch.tensor(Z, requires_grad=True)
    targets = torch.tensor(np.where(task.mask, task.y, -100))     # -100: ignored by torch
    expected = torch.nn.functional.cross_entropy(Z_t.reshape(-1, 3), targets.reshape(-1),
                                                 ignore_index=-100)
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(nn.sequence_to_numpy(logits, grad=True), Z_t.grad.numpy(),
                               rtol=1e-10, atol=1e-14)
    assert np.all(nn.sequence_to_numpy(logits, grad=True)[~task.mask] == 0)


def test_without_a_mask_every_position_counts_also_for_one_sequence():
    Z = np.random.default_rng(1).normal(size=(4, 3))
    targets = np.array([0, 2, 1, 1])
    log_softmax = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    expected = -log_softmax[np.arange(4), targets].mean()
    loss = nn.sequence_cross_entropy(nn.to_sequence(Z), targets)
    assert loss.data == pytest.approx(expected, rel=1e-12)


def test_mismatched_lengths_and_empty_masks_are_errors():
    logits = nn.to_sequence(np.zeros((3, 2, 3)))
    with pytest.raises(ValueError, match="3 steps of logits but 2 steps of targets"):
        nn.sequence_cross_entropy(logits, np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match=r"the mask has shape \(3, 1\) but the targets have "
                                         r"\(3, 2\)"):
        nn.sequence_cross_entropy(logits, np.zeros((3, 2), dtype=int), np.ones((3, 1)))
    with pytest.raises(ValueError, match="the mask selects no position"):
        nn.sequence_cross_entropy(logits, np.zeros((3, 2), dtype=int), np.zeros((3, 2)))


STEPS, HIDDEN = 30, 16


def last_output_loss(outputs):
    """sum_j h_T[j]^2 per example: a loss on the last step only."""
    return ad.sum([v * v for v in outputs[-1]])


def curve(model, X):
    norms = nn.gradient_through_time(model, X, last_output_loss)
    return norms / norms[-1]


@pytest.fixture(scope="module")
def adding_inputs():
    return nn.make_adding_problem(32, STEPS, generator=0)[0]


def show(name, relative):
    print(f"{name:>16}: " + " ".join(f"{r:.1e}" for r in relative[::3]))


def test_the_tanh_rnn_gradient_decays_faster_than_the_lstms(adding_inputs):
    rnn = curve(nn.RNN(2, HIDDEN, generator=0), adding_inputs)
    lstm = curve(nn.LSTM(2, HIDDEN, generator=0), adding_inputs)
    print(f"\n||d loss / d h_t|| / ||d loss / d h_T||, t = 0, 3, ..., {STEPS - 1}:")
    show("tanh RNN", rnn)
    show("LSTM", lstm)
    assert len(rnn) == len(lstm) == STEPS
    assert rnn[0] < 1e-4 < lstm[0]              # 29 steps back: ~1e-6 against ~1e-3
    # the factor kept per step back (geometric mean), away from the loss's own step
    rnn_factor, lstm_factor = [(c[0] / c[-2]) ** (1 / (STEPS - 2)) for c in (rnn, lstm)]
    print(f"kept per step back: tanh RNN x{rnn_factor:.2f}, LSTM x{lstm_factor:.2f}")
    assert rnn_factor < 0.7 < 0.8 < lstm_factor
    assert np.all(np.diff(rnn) > 0)              # monotone: each step back loses more


def test_a_larger_forget_bias_keeps_more_gradient(adding_inputs):
    curves = {bias: curve(nn.LSTM(2, HIDDEN, forget_bias=bias, generator=0), adding_inputs)
              for bias in (0.0, 1.0, 3.0)}
    print()
    for bias, relative in curves.items():
        show(f"forget_bias={bias}", relative)
    assert curves[0.0][0] < curves[1.0][0] < curves[3.0][0]
    assert curves[3.0][0] > 1e-2


def test_the_norms_are_those_of_the_hidden_grads_after_backward():
    model = nn.GRU(2, 3, generator=1)
    X = np.random.default_rng(2).normal(size=(5, 4, 2))
    norms = nn.gradient_through_time(model, X, last_output_loss)
    outputs, _ = model(X)
    loss = ad.batch_mean(last_output_loss(outputs))
    grads = ad.gradients(loss, [v for step in outputs for v in step])
    expected = [np.sqrt(sum(np.sum(np.square(g)) for g in grads[3 * t:3 * t + 3]))
                for t in range(5)]
    np.testing.assert_allclose(norms, expected, rtol=1e-12)


def test_a_sequence_model_is_measured_at_its_cores_outputs():
    model = nn.SequenceModel(nn.LSTM(2, 3, generator=3), 1, generator=3)
    X = np.random.default_rng(4).normal(size=(6, 4, 2))
    norms = nn.gradient_through_time(model, X, lambda ys: (ys[-1][0] - 1.0) ** 2)
    assert norms.shape == (6,) and np.all(norms > 0)
    assert norms[-1] > norms[0]


def test_a_loss_that_is_not_a_value_is_an_error():
    with pytest.raises(TypeError, match="gradient_through_time: loss_fn must return a Value"):
        nn.gradient_through_time(nn.RNN(1, 2), np.zeros((3, 1)), lambda outputs: 1.0)


def test_sequence_cross_entropy_with_a_mask_compiles_and_replays_new_masks_exactly():
    rng = np.random.default_rng(0)
    layer = nn.Linear(3, 4, generator=0)

    def loss_fn(x, targets, mask):
        return nn.sequence_cross_entropy([layer(x[t]) for t in range(x.shape[0])], targets, mask)
    step = ad.compile(loss_fn, layer)
    for _ in range(3):                       # a new mask every call: nothing frozen in
        x, targets = rng.normal(size=(5, 8, 3)), rng.integers(0, 4, size=(5, 8))
        mask = rng.random((5, 8)) < 0.6
        layer.zero_grad()
        compiled = step(x, targets, mask)
        replayed = [p.grad for p in layer.parameters()]
        layer.zero_grad()
        eager = loss_fn(x, targets, mask)
        eager.backward()
        assert compiled == pytest.approx(eager.data, abs=1e-12)
        np.testing.assert_allclose(replayed, [p.grad for p in layer.parameters()], atol=1e-12)

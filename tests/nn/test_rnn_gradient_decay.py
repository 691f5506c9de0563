"""nn.gradient_through_time: ||d loss / d h_t|| per step; the notes' vanishing gradient
(a tanh RNN's fades faster than an LSTM's, and a larger forget bias keeps more)."""
import numpy as np
import pytest

import autodiff as ad
import nn

STEPS, HIDDEN = 30, 16


def last_output_loss(outputs):
    """sum_j h_T[j]^2 per example: a loss on the last step only."""
    return ad.sum([v * v for v in outputs[-1]])


def curve(model, X):
    norms = nn.gradient_through_time(model, X, last_output_loss)
    return norms / norms[-1]


@pytest.fixture(scope="module")
def adding_inputs():
    return nn.make_adding_problem(32, STEPS, seed=0)[0]


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

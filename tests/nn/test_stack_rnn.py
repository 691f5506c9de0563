"""nn.StackRNN: the stack update, the equations against an independent torch version
(values and gradients), gradcheck, states, and errors."""
import numpy as np
import pytest

import autodiff as ad
import nn
from nn.stack_rnn import update_stack


def stack_data(stack):
    return [v.data if isinstance(v, ad.Value) else v for v in stack]


def test_one_hot_actions_push_pop_and_keep_exactly():
    stack = [0.7, 0.4, 0.0, 0.0]
    assert stack_data(update_stack(stack, [1.0, 0.0, 0.0], 0.9)) == [0.9, 0.7, 0.4, 0.0]
    assert stack_data(update_stack(stack, [0.0, 1.0, 0.0], 0.9)) == [0.4, 0.0, 0.0, 0.0]
    assert stack_data(update_stack(stack, [0.0, 0.0, 1.0], 0.9)) == stack


def test_mixed_actions_average_the_three_stacks():
    stack, actions = [0.8, 0.6, 0.2], [0.5, 0.3, 0.2]
    pushed, popped, kept = [0.9, 0.8, 0.6], [0.6, 0.2, 0.0], stack
    expected = [0.5 * p + 0.3 * q + 0.2 * k for p, q, k in zip(pushed, popped, kept)]
    np.testing.assert_allclose(stack_data(update_stack(stack, actions, 0.9)), expected)


def test_the_bottom_cell_falls_off_a_full_stack():
    assert stack_data(update_stack([0.1, 0.2], [1.0, 0.0, 0.0], 0.3)) == [0.3, 0.1]


def torch_stack_rnn(torch, model, X):
    """The Joulin-Mikolov equations written directly in torch, with the model's weights:
    (hidden states (T, N, H), final stack (N, depth), parameters)."""
    p = {name: torch.tensor(array, requires_grad=True)
         for name, array in model.state_dict().items()}
    T, N, _ = X.shape
    h = torch.zeros(N, model.hidden_size)
    stack = torch.zeros(N, model.stack_depth)
    outputs = []
    activation = getattr(torch, model.nonlinearity)
    for t in range(T):
        top = stack[:, :model.read_depth]
        h = activation(X[t] @ p["weight_ih"].T + h @ p["weight_hh"].T +
                          top @ p["weight_sh"].T + p["bias_h"])
        push, pop, keep = torch.softmax(h @ p["weight_action"].T + p["bias_action"],
                                        dim=1).T[:, :, None]
        value = torch.sigmoid(h @ p["weight_push"].T + p["bias_push"])
        above = torch.cat([value, stack[:, :-1]], dim=1)
        below = torch.cat([stack[:, 1:], torch.zeros(N, 1)], dim=1)
        stack = push * above + pop * below + keep * stack
        outputs.append(h)
    return torch.stack(outputs), stack, p


@pytest.mark.parametrize("nonlinearity", ["tanh", "sigmoid"])
def test_outputs_stack_and_gradients_equal_the_equations_in_torch(torch, nonlinearity):
    model = nn.StackRNN(3, 4, stack_depth=5, read_depth=2, nonlinearity=nonlinearity,
                        generator=0)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 3, 3))
    inputs = nn.to_sequence(X, requires_grad=True)
    output, (h_T, stack) = model(inputs)
    weights, stack_weights = rng.normal(size=(6, 3, 4)), rng.normal(size=(3, 5))
    total = ad.sum([w * v for step, W in zip(output, weights) for v, w in zip(step, W.T)] +
                   [w * v for v, w in zip(stack, stack_weights.T)])
    ad.batch_sum(total).backward()

    x_t = torch.tensor(X, requires_grad=True)
    output_t, stack_t, parameters = torch_stack_rnn(torch, model, x_t)
    ((output_t * torch.tensor(weights)).sum() +
     (stack_t * torch.tensor(stack_weights)).sum()).backward()

    np.testing.assert_allclose(nn.sequence_to_numpy(output), output_t.detach().numpy(),
                               rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(nn.to_numpy(stack), stack_t.detach().numpy(), rtol=1e-10,
                               atol=1e-13)
    np.testing.assert_array_equal(nn.to_numpy(h_T), nn.to_numpy(output[-1]))
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(parameter.grad, parameters[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name)
    np.testing.assert_allclose(nn.sequence_to_numpy(inputs, grad=True), x_t.grad.numpy(),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("nonlinearity", ["sigmoid", "tanh"])
def test_stack_rnn_passes_gradcheck(nonlinearity):
    model = nn.StackRNN(2, 2, stack_depth=3, read_depth=2, nonlinearity=nonlinearity,
                        generator=2)
    X = np.random.default_rng(3).normal(size=(3, 2, 2))
    result = nn.gradcheck_module(model, [[X[t, :, j] for j in range(2)] for t in range(3)])
    assert result.ok, result


def test_actions_are_probabilities_and_the_stack_stays_in_the_unit_interval():
    model = nn.StackRNN(2, 4, stack_depth=6, generator=4)
    _, (_, stack) = model(np.random.default_rng(5).normal(size=(10, 7, 2)))
    assert len(model.actions) == 10
    for actions in model.actions:
        probabilities = nn.to_numpy(actions)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
        assert probabilities.min() > 0
    values = nn.to_numpy(stack)
    assert values.min() >= 0 and values.max() < 1


def test_an_initial_state_is_used_and_checked():
    model = nn.StackRNN(1, 2, stack_depth=3, generator=6)
    X = np.zeros((2, 1))
    empty, _ = model(X)
    full, _ = model(X, ([0.0, 0.0], [1.0, 1.0, 1.0]))
    assert not np.allclose(nn.sequence_to_numpy(empty), nn.sequence_to_numpy(full))
    with pytest.raises(ValueError, match=r"StackRNN\(1, 2, stack_depth=3, read_depth=2, "
                                         r"nonlinearity='tanh'\): s_0 must have 3 values, "
                                         r"got 2"):
        model(X, ([0.0, 0.0], [1.0, 1.0]))
    with pytest.raises(TypeError, match=r"the initial state must be a tuple \(h_0, s_0\)"):
        model(X, [0.0, 0.0])
    with pytest.raises(ValueError, match=r"StackRNN\(.*\): h_0 holds 3 examples but the "
                                         "input is a batch of 4"):
        model(np.zeros((2, 4, 1)), (np.zeros((3, 2)), np.zeros((3, 3))))


def test_bad_settings_name_the_stack_rnn():
    with pytest.raises(ValueError, match=r"StackRNN: read_depth \(4\) must be at most "
                                         r"stack_depth \(3\)"):
        nn.StackRNN(2, 3, stack_depth=3, read_depth=4)
    with pytest.raises(ValueError, match="StackRNN: nonlinearity must be 'tanh' or "
                                         "'sigmoid', got 'relu'"):
        nn.StackRNN(2, 3, nonlinearity="relu")
    with pytest.raises(ValueError, match="StackRNN: stack_depth must be a whole number >= 1"):
        nn.StackRNN(2, 3, stack_depth=0)

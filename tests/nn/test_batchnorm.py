"""nn.BatchNorm1d: batch statistics with gradients through mu and sigma, running
estimates (unbiased variance), evaluation mode, method 1, errors; against torch.

nn.BatchNorm2d: one mean and variance per channel over batch x rows x columns, as
torch's in training and evaluation (running statistics included), gradcheck, errors."""
import numpy as np
import pytest

import autodiff as ad
import nn
from helpers import OPTION_SETS, run_both_images


def make_pair(torch, features=3, **options):
    ours = nn.BatchNorm1d(features, **options)
    theirs = torch.nn.BatchNorm1d(features, **options)
    if ours.affine:
        gamma, beta = np.linspace(0.5, 1.5, features), np.linspace(-0.3, 0.4, features)
        ours.weight.data, ours.bias.data = gamma, beta
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(gamma))
            theirs.bias.copy_(torch.tensor(beta))
    return ours, theirs


def run_both(ours, theirs, torch, X, coefficients):
    """Forward, and backward of sum_nk C_nk y_nk, through both; checks the outputs and
    returns our input Values and torch's input tensor (holding the gradients)."""
    inputs = nn.to_values(X, requires_grad=True)
    out = ours(inputs)
    ad.batch_sum(ad.sum([c * y for c, y in zip(coefficients.T, out)])).backward()
    X_t = torch.tensor(X, requires_grad=True)
    out_t = theirs(X_t)
    (out_t * torch.tensor(coefficients)).sum().backward()
    np.testing.assert_allclose(nn.to_numpy(out), out_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    return inputs, X_t


def assert_same_state_and_grads(ours, theirs, inputs, X_t):
    np.testing.assert_allclose(nn.to_numpy([v.grad for v in inputs]), X_t.grad.numpy(),
                               rtol=1e-9, atol=1e-12)
    if ours.affine:
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-9)
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-9)
    for name, tensor in theirs.state_dict().items():
        if name not in ("weight", "bias"):
            np.testing.assert_allclose(ours.state_dict()[name], tensor.numpy(), rtol=1e-12)


# the option sets both batch-norm layers are checked against torch with


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
def test_training_and_evaluation_match_torch_including_running_statistics(torch, options):
    ours, theirs = make_pair(torch, **options)
    rng = np.random.default_rng(0)
    for step in range(3):                               # running stats over three batches
        X = rng.normal(loc=step, scale=2.0, size=(5, 3))
        ours.zero_grad()
        theirs.zero_grad()
        inputs, X_t = run_both(ours.train(), theirs.train(), torch, X, rng.normal(size=(5, 3)))
        assert_same_state_and_grads(ours, theirs, inputs, X_t)
    ours.zero_grad()
    theirs.zero_grad()
    X = rng.normal(size=(4, 3))
    inputs, X_t = run_both(ours.eval(), theirs.eval(), torch, X, rng.normal(size=(4, 3)))
    assert_same_state_and_grads(ours, theirs, inputs, X_t)


def test_running_variance_uses_the_unbiased_estimate():
    layer = nn.BatchNorm1d(1, momentum=1.0)
    x = np.array([1.0, 2.0, 4.0])
    layer([ad.Value(x)])
    assert layer.running_mean[0] == pytest.approx(x.mean())
    assert layer.running_var[0] == pytest.approx(x.var(ddof=1))
    assert layer.num_batches_tracked == 1


def test_sequence_input_normalises_over_batch_and_positions_like_torch(torch):
    ours, theirs = make_pair(torch, features=2)
    X = np.random.default_rng(1).normal(size=(3, 2, 4))             # (N, C, L)
    channels = [[ad.Value(X[:, c, i]) for i in range(4)] for c in range(2)]
    weights = np.random.default_rng(2).normal(size=(3, 2, 4))
    out = ours(channels)
    ad.batch_sum(ad.sum([weights[:, c, i] * v for c in range(2)
                         for i, v in enumerate(out[c])])).backward()
    X_t = torch.tensor(X, requires_grad=True)
    out_t = theirs(X_t)
    (out_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(np.stack([nn.to_numpy(c) for c in out], axis=1),
                               out_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)


def test_gradient_flows_through_the_batch_mean_and_variance():
    # y = x_hat depends on every example through mu and sigma, so d(sum_k c_k y_k)/dx_j
    # sums to 0 over the batch; with mu and sigma treated as constants it would not.
    layer = nn.BatchNorm1d(1, affine=False)
    x = ad.Value(np.array([0.3, -1.2, 2.0, 0.7]))
    c = np.array([1.0, 2.0, -0.5, 3.0])
    ad.batch_sum(c * layer([x])[0]).backward()
    assert abs(np.sum(x.grad)) < 1e-12
    constant_statistics_grad = c / np.sqrt(x.data.var() + layer.eps)
    assert not np.allclose(x.grad, constant_statistics_grad)


def test_a_batch_of_one_in_training_mode_is_an_error():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(2, .*\): expected more than 1 value "
                                         "per channel in training mode, got a batch of 1"):
        nn.BatchNorm1d(2)(np.zeros((1, 2)))


def test_a_single_example_in_training_mode_is_an_error_and_works_in_eval():
    layer = nn.BatchNorm1d(2)
    with pytest.raises(ValueError, match="training mode needs a batch"):
        layer([1.0, 2.0])
    out = layer.eval()([1.0, 2.0])
    np.testing.assert_allclose([v.data for v in out], np.array([1.0, 2.0]) / np.sqrt(1 + 1e-5))


def test_wrong_number_of_features_is_an_error():
    with pytest.raises(ValueError, match="expected an input vector of 3 values, got 2"):
        nn.BatchNorm1d(3)(np.zeros((4, 2)))


def test_invalid_settings_are_rejected():
    with pytest.raises(ValueError, match="momentum must be a number >= 0.0 and <= 1.0"):
        nn.BatchNorm1d(2, momentum=2.0)
    with pytest.raises(ValueError, match="BatchNorm1d: eps must be a number > 0.0, got 0.0"):
        nn.BatchNorm1d(2, eps=0.0)


def test_recompute_running_stats_uses_the_whole_data_set():
    X = np.random.default_rng(4).normal(loc=3.0, scale=2.0, size=(200, 2))
    layer = nn.BatchNorm1d(2)
    nn.recompute_running_stats(layer, X)
    np.testing.assert_allclose(layer.running_mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, X.var(axis=0, ddof=1), rtol=1e-12)
    assert layer.training                      # modes are restored


def test_recompute_running_stats_gives_each_layer_the_statistics_it_sees_at_test_time():
    model = nn.MLP([2, 4, 4, 1], batch_norm=True, generator=0)
    X = np.random.default_rng(5).normal(size=(100, 2))
    model.eval()
    nn.recompute_running_stats(model, X)
    assert not model.training
    for index, layer in enumerate(model):
        if isinstance(layer, nn.BatchNorm1d):
            reaching = nn.predict(model[:index], X)            # evaluation-mode inputs
            np.testing.assert_allclose(layer.running_mean, reaching.mean(axis=0), rtol=1e-10)
            np.testing.assert_allclose(layer.running_var, reaching.var(axis=0, ddof=1),
                                       rtol=1e-10)


def test_recompute_running_stats_needs_a_batch_norm_layer():
    with pytest.raises(ValueError, match="has no batch-norm layer"):
        nn.recompute_running_stats(nn.Linear(2, 2), np.zeros((3, 2)))


def bn_pair(torch, channels=3, **options):
    ours, theirs = nn.BatchNorm2d(channels, **options), torch.nn.BatchNorm2d(channels, **options)
    if ours.affine:
        state = {"weight": np.linspace(0.5, 1.5, channels),
                 "bias": np.linspace(-0.3, 0.4, channels)}
        ours.load_state_dict(state, strict=False)
        theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    return ours, theirs


def assert_same_step(ours, theirs, torch, X, seed):
    ours.zero_grad()
    theirs.zero_grad()
    out, out_t, grad, grad_t = run_both_images(ours, theirs, torch, X, seed)
    np.testing.assert_allclose(out, out_t, rtol=0, atol=1e-9)
    np.testing.assert_allclose(grad, grad_t, rtol=0, atol=1e-9)
    if ours.affine:
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-9)
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), atol=1e-9)
    for name, tensor in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], tensor.numpy(), rtol=1e-12,
                                   err_msg=name)


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
def test_training_then_evaluation_match_torch_including_running_statistics(torch, options):
    ours, theirs = bn_pair(torch, **options)
    rng = np.random.default_rng(0)
    for step in range(3):
        X = rng.normal(loc=step, scale=2.0, size=(2, 3, 4, 5))
        assert_same_step(ours.train(), theirs.train(), torch, X, seed=step)
    assert_same_step(ours.eval(), theirs.eval(), torch, rng.normal(size=(3, 3, 4, 5)), seed=9)


def test_statistics_are_over_batch_rows_and_columns_per_channel():
    layer = nn.BatchNorm2d(2, momentum=1.0)
    X = np.random.default_rng(1).normal(loc=[[[3.0]], [[-1.0]]], size=(4, 2, 3, 3))
    out = nn.to_image_numpy(layer(X))
    for c in range(2):
        values = X[:, c]
        np.testing.assert_allclose(layer.running_mean[c], values.mean(), rtol=1e-12)
        np.testing.assert_allclose(layer.running_var[c], values.var(ddof=1), rtol=1e-12)
        assert abs(out[:, c].mean()) < 1e-12
        assert out[:, c].var() == pytest.approx(1.0, rel=1e-4)


def test_gradients_pass_gradcheck_in_training_and_evaluation():
    X = np.random.default_rng(2).normal(size=(3, 2, 2, 3))
    image = [[[X[:, c, i, j] for j in range(3)] for i in range(2)] for c in range(2)]
    layer = nn.BatchNorm2d(2)
    layer.load_state_dict({"weight": [0.7, 1.3], "bias": [0.1, -0.2]}, strict=False)
    assert nn.gradcheck_module(layer, image).ok
    layer.running_mean[:] = [0.2, -0.1]
    assert nn.gradcheck_module(layer.eval(), image).ok


def test_follows_a_convolution_in_a_sequential_like_torch(torch):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.BatchNorm2d(2),
                                 torch.nn.ReLU())
    ours = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU())
    ours.load_state_dict(theirs.state_dict())
    out, out_t, grad, grad_t = run_both_images(ours, theirs, torch,
                                        np.random.default_rng(3).normal(size=(3, 1, 4, 4)))
    np.testing.assert_allclose(out, out_t, atol=1e-9)
    np.testing.assert_allclose(grad, grad_t, atol=1e-9)
    np.testing.assert_allclose(ours[0].weight.grad, theirs[0].weight.grad.numpy(), atol=1e-9)


def test_recompute_running_stats_finds_batchnorm2d():
    model = nn.Sequential(nn.Unflatten(1, (2, 2, 2)), nn.BatchNorm2d(2))
    X = np.random.default_rng(4).normal(size=(10, 8))
    nn.recompute_running_stats(model, X)
    images = X.reshape(10, 2, 2, 2)
    np.testing.assert_allclose(model[1].running_mean, images.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(model[1].running_var, images.var(axis=(0, 2, 3), ddof=1),
                               rtol=1e-12)


def test_wrong_number_of_channels_is_an_error():
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3, .*\): expected 3 input channels, got 2"):
        nn.BatchNorm2d(3)(np.zeros((4, 2, 3, 3)))


def test_an_input_that_is_not_an_image_is_an_error():
    with pytest.raises(ValueError, match=r"BatchNorm2d\(2, .*\): channel 0 is not a list of rows"):
        nn.BatchNorm2d(2)([ad.Value(np.zeros(3)), ad.Value(np.ones(3))])
    with pytest.raises(ValueError, match="ragged image: channel 1 row 0 has 1 columns"):
        nn.BatchNorm2d(2)([[[np.zeros(3), np.ones(3)]], [[np.ones(3)]]])


def test_one_image_in_training_mode_is_an_error_and_works_in_evaluation():
    layer = nn.BatchNorm2d(1)
    with pytest.raises(ValueError, match="training mode needs a batch"):
        layer(np.ones((1, 2, 2)))
    out = nn.to_image_numpy(layer.eval()(np.ones((1, 2, 2))))
    np.testing.assert_allclose(out, np.ones((1, 2, 2)) / np.sqrt(1 + 1e-5))


def test_recomputing_statistics_is_a_public_context_that_runs_once_and_reports_it():
    layer = nn.BatchNorm1d(2).eval()
    X = np.random.default_rng(4).normal(size=(50, 2)) * [1.0, 3.0] + [2.0, -1.0]
    with layer.recomputing_statistics():
        assert not layer.statistics_recomputed
        layer(X)
        layer(X + 100.0)                                   # only the first call counts
    assert layer.statistics_recomputed
    np.testing.assert_allclose(layer.running_mean, X.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, X.var(axis=0, ddof=1))
    layer(X + 100.0)                                       # after the block: plain eval
    np.testing.assert_allclose(layer.running_mean, X.mean(axis=0))

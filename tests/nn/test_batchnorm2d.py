"""nn.BatchNorm2d: one mean and variance per channel over batch x rows x columns, as
torch's in training and evaluation (running statistics included), gradcheck, errors."""
import numpy as np
import pytest

import autodiff as ad
import nn

from helpers import OPTION_SETS, run_both_images as run_both


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
    out, out_t, grad, grad_t = run_both(ours, theirs, torch, X, seed)
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
    out, out_t, grad, grad_t = run_both(ours, theirs, torch,
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

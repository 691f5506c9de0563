"""Weight-decay penalties: l2_penalty and l1_penalty."""
import numpy as np
import pytest

import autodiff as ad
import nn


def test_l2_penalty_is_half_decay_times_sum_of_squares_with_gradient_decay_times_w():
    layer = nn.Linear(3, 2, generator=0)
    penalty = nn.l2_penalty(layer.weight, weight_decay=0.1)
    assert penalty.data == pytest.approx(0.05 * np.sum(layer.weight.numpy() ** 2), rel=1e-14)
    penalty.backward()
    np.testing.assert_allclose(layer.weight.grad, 0.1 * layer.weight.numpy(), rtol=1e-14)
    np.testing.assert_array_equal(layer.bias.grad, np.zeros(2))


def test_l1_penalty_is_strength_times_sum_of_absolute_values_with_sign_gradient():
    layer = nn.Linear(3, 2, generator=0)
    penalty = nn.l1_penalty(layer, strength=0.5)
    total = np.abs(layer.weight.numpy()).sum() + np.abs(layer.bias.numpy()).sum()
    assert penalty.data == pytest.approx(0.5 * total, rel=1e-14)
    penalty.backward()
    np.testing.assert_array_equal(layer.weight.grad, 0.5 * np.sign(layer.weight.numpy()))


def test_penalties_accept_modules_parameters_values_and_lists():
    model = nn.MLP([2, 3, 1], generator=0)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    assert nn.l2_penalty(weights).data == pytest.approx(
        0.5 * sum(np.sum(p.numpy() ** 2) for p in weights))
    assert nn.l1_penalty([ad.Value(-2.0), ad.Value(3.0)]).data == 5.0
    assert nn.l2_penalty(model).data > nn.l2_penalty(weights).data


def test_penalty_gradients_match_central_differences():
    for penalty in (nn.l2_penalty, nn.l1_penalty):
        result = ad.gradcheck(lambda v: penalty(v, 0.3), [0.4, -1.2, 2.0])
        assert result.ok, result


def test_penalty_arguments_are_checked():
    with pytest.raises(TypeError, match="expected a Module, Parameter, Value"):
        nn.l2_penalty("weights")
    with pytest.raises(ValueError, match="weight_decay must be a non-negative number"):
        nn.l2_penalty(nn.Linear(1, 1), weight_decay=-1.0)
    with pytest.raises(ValueError, match="no parameters"):
        nn.l1_penalty([])

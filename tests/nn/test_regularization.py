"""Weight-decay penalties: l2_penalty and l1_penalty.

nn.Dropout: inverted dropout in training, identity in evaluation, seeded masks."""
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
    with pytest.raises(ValueError, match="weight_decay must be a number >= 0.0"):
        nn.l2_penalty(nn.Linear(1, 1), weight_decay=-1.0)
    with pytest.raises(ValueError, match="no parameters"):
        nn.l1_penalty([])


def test_evaluation_mode_returns_the_input_unchanged():
    layer = nn.Dropout(0.5, generator=0).eval()
    x = [ad.Value(1.0), ad.Value(2.0)]
    assert layer(x) is x


def test_training_keeps_units_scaled_by_one_over_keep_probability_or_zeroes_them():
    layer = nn.Dropout(0.25, generator=0)
    x = [ad.Value(2.0) for _ in range(200)]
    out = np.array([v.data for v in layer(x)])
    assert set(np.unique(out)) <= {0.0, 2.0 / 0.75}
    assert 0.15 < np.mean(out == 0.0) < 0.35


def test_batched_values_get_one_mask_entry_per_example():
    layer = nn.Dropout(0.5, generator=1)
    out = layer([ad.Value(np.ones(1000))])[0]
    assert set(np.unique(out.data)) == {0.0, 2.0}
    assert 0.45 < np.mean(out.data == 0.0) < 0.55
    assert np.mean(out.data) == pytest.approx(1.0, abs=0.1)       # E[y] = x


def test_masks_are_reproducible_from_the_seed_and_differ_between_calls():
    X = np.ones((50, 4))
    first = nn.to_numpy(nn.Dropout(0.5, generator=3)(X))
    second = nn.to_numpy(nn.Dropout(0.5, generator=3)(X))
    np.testing.assert_array_equal(first, second)
    layer = nn.Dropout(0.5, generator=3)
    assert not np.array_equal(nn.to_numpy(layer(X)), nn.to_numpy(layer(X)))


def test_manual_seed_reproduces_unseeded_dropout():
    nn.manual_seed(4)
    first = nn.to_numpy(nn.Dropout(0.5)(np.ones((20, 3))))
    nn.manual_seed(4)
    np.testing.assert_array_equal(nn.to_numpy(nn.Dropout(0.5)(np.ones((20, 3)))), first)


def test_gradient_is_the_mask_over_keep_probability():
    layer = nn.Dropout(0.5, generator=5)
    x = ad.Value(np.full(8, 3.0))
    y = layer([x])[0]
    ad.batch_sum(y).backward()
    np.testing.assert_array_equal(x.grad, y.data / 3.0)


def test_p_zero_is_identity_and_p_one_drops_everything():
    x = [ad.Value(1.5)]
    assert nn.Dropout(0.0)(x) is x
    assert nn.Dropout(1.0, generator=0)(x)[0].data == 0.0


def test_invalid_probability_is_rejected():
    with pytest.raises(ValueError, match=r"Dropout: p must be a number >= 0.0 and <= 1.0, got 1.5"):
        nn.Dropout(1.5)

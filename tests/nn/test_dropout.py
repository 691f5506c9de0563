"""nn.Dropout: inverted dropout in training, identity in evaluation, seeded masks."""
import numpy as np
import pytest

import autodiff as ad
import nn


def test_evaluation_mode_returns_the_input_unchanged():
    layer = nn.Dropout(0.5, seed=0).eval()
    x = [ad.Value(1.0), ad.Value(2.0)]
    assert layer(x) is x


def test_training_keeps_units_scaled_by_one_over_keep_probability_or_zeroes_them():
    layer = nn.Dropout(0.25, seed=0)
    x = [ad.Value(2.0) for _ in range(200)]
    out = np.array([v.data for v in layer(x)])
    assert set(np.unique(out)) <= {0.0, 2.0 / 0.75}
    assert 0.15 < np.mean(out == 0.0) < 0.35


def test_batched_values_get_one_mask_entry_per_example():
    layer = nn.Dropout(0.5, seed=1)
    out = layer([ad.Value(np.ones(1000))])[0]
    assert set(np.unique(out.data)) == {0.0, 2.0}
    assert 0.45 < np.mean(out.data == 0.0) < 0.55
    assert np.mean(out.data) == pytest.approx(1.0, abs=0.1)       # E[y] = x


def test_masks_are_reproducible_from_the_seed_and_differ_between_calls():
    X = np.ones((50, 4))
    first = nn.to_numpy(nn.Dropout(0.5, seed=3)(X))
    second = nn.to_numpy(nn.Dropout(0.5, seed=3)(X))
    np.testing.assert_array_equal(first, second)
    layer = nn.Dropout(0.5, seed=3)
    assert not np.array_equal(nn.to_numpy(layer(X)), nn.to_numpy(layer(X)))


def test_manual_seed_reproduces_unseeded_dropout():
    nn.manual_seed(4)
    first = nn.to_numpy(nn.Dropout(0.5)(np.ones((20, 3))))
    nn.manual_seed(4)
    np.testing.assert_array_equal(nn.to_numpy(nn.Dropout(0.5)(np.ones((20, 3)))), first)


def test_gradient_is_the_mask_over_keep_probability():
    layer = nn.Dropout(0.5, seed=5)
    x = ad.Value(np.full(8, 3.0))
    y = layer([x])[0]
    ad.batch_sum(y).backward()
    np.testing.assert_array_equal(x.grad, y.data / 3.0)


def test_p_zero_is_identity_and_p_one_drops_everything():
    x = [ad.Value(1.5)]
    assert nn.Dropout(0.0)(x) is x
    assert nn.Dropout(1.0, seed=0)(x)[0].data == 0.0


def test_invalid_probability_is_rejected():
    with pytest.raises(ValueError, match=r"Dropout: p must be a probability in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)

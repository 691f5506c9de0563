"""nn.sequence_cross_entropy: the mean over the masked positions, equal to torch's
cross-entropy with ignored positions, and its errors."""
import numpy as np
import pytest

import nn


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

"""Losses: values and gradients against torch and central differences, reductions,
stability at +-1000, errors."""
import numpy as np
import pytest

import autodiff as ad
import nn

RNG = np.random.default_rng(0)
N, D, C = 5, 2, 4
PREDICTIONS = RNG.normal(size=(N, D))
REAL_TARGETS = RNG.normal(size=(N, D))
SOFT_TARGETS = RNG.uniform(size=(N, D))
PROBABILITIES = RNG.uniform(0.05, 0.95, size=(N, D))
LOGITS = RNG.normal(size=(N, C))
CLASSES = np.array([0, 3, 1, 3, 2])

# name, our loss, torch.nn.functional name, keyword options, kind of targets
ELEMENTWISE = [
    ("mse", nn.mse_loss, "mse_loss", {}, REAL_TARGETS),
    ("l1", nn.l1_loss, "l1_loss", {}, REAL_TARGETS),
    ("huber", nn.huber_loss, "huber_loss", {"delta": 0.7}, REAL_TARGETS),
    ("bce-logits", nn.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits",
     {}, SOFT_TARGETS),
]
CLASSIFICATION = [
    ("cross_entropy", nn.cross_entropy, "cross_entropy", {}),
    ("nll", nn.nll_loss, "nll_loss", {}),
    ("hinge", nn.hinge_loss, "multi_margin_loss", {}),
    ("hinge-margin", nn.hinge_loss, "multi_margin_loss", {"margin": 0.5}),
]


def check_against_torch(torch, loss, torch_name, data, target, **options):
    """Our loss on the Values of ``data`` (examples x outputs, or one example) against
    torch.nn.functional's on the same tensor: values and input gradients."""
    inputs = nn.to_values(data, requires_grad=True)
    ours = loss(inputs, target, **options)
    X_t = torch.tensor(data, requires_grad=True)
    theirs = getattr(torch.nn.functional, torch_name)(X_t, torch.tensor(target), **options)
    outputs = ours if isinstance(ours, list) else [ours]
    np.testing.assert_allclose(nn.to_numpy(outputs).reshape(theirs.shape),
                               theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    ad.batch_sum(ad.sum(outputs)).backward()
    theirs.sum().backward()
    np.testing.assert_allclose(nn.to_numpy([v.grad for v in inputs]), X_t.grad.numpy(),
                               rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("batched", [True, False], ids=["batch", "single"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, loss, torch_name, options, targets", ELEMENTWISE,
                         ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_losses_match_torch(torch, name, loss, torch_name, options, targets,
                                        reduction, batched):
    data, target = (PREDICTIONS, targets) if batched else (PREDICTIONS[0], targets[0])
    check_against_torch(torch, loss, torch_name, data, target, reduction=reduction, **options)


@pytest.mark.parametrize("batched", [True, False], ids=["batch", "single"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_takes_probabilities_as_torch(torch, reduction, batched):
    data, target = (PROBABILITIES, SOFT_TARGETS) if batched else \
        (PROBABILITIES[0], SOFT_TARGETS[0])
    check_against_torch(torch, nn.binary_cross_entropy, "binary_cross_entropy", data, target,
                        reduction=reduction)


def test_binary_cross_entropy_of_sigmoid_is_the_loss_with_logits():
    """-[t log p + (1 - t) log(1 - p)] with p = sigmoid(z) equals softplus(z) - t z, and
    d/dp = (p - t) / (p (1 - p)) (checked by hand, no torch)."""
    z = ad.Value(PREDICTIONS[:, 0])
    p = ad.sigmoid(z)
    t = SOFT_TARGETS[:, 0]
    from_probabilities = nn.binary_cross_entropy(p, t, reduction="none")
    from_logits = nn.binary_cross_entropy_with_logits(z, t, reduction="none")
    np.testing.assert_allclose(from_probabilities.data, from_logits.data, rtol=1e-12)
    q = ad.Value(PROBABILITIES[:, 0])
    ad.batch_sum(nn.binary_cross_entropy(q, t, reduction="none")).backward()
    np.testing.assert_allclose(q.grad, (q.data - t) / (q.data * (1 - q.data)), rtol=1e-12)


def test_binary_cross_entropy_clamps_its_logs_at_minus_100_and_refuses_non_probabilities():
    sure = nn.binary_cross_entropy(ad.Value(np.array([0.0, 1.0])), np.array([1.0, 0.0]),
                                   reduction="none")
    np.testing.assert_allclose(sure.data, [100.0, 100.0])           # torch gives 100 too
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input must be probabilities "
                                         r"in \[0, 1\] \(for logits use binary_cross_entropy"
                                         r"_with_logits\), got 1.5"):
        nn.binary_cross_entropy(ad.Value(1.5), 1.0)


@pytest.mark.parametrize("batched", [True, False], ids=["batch", "single"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, loss, torch_name, options", CLASSIFICATION,
                         ids=[c[0] for c in CLASSIFICATION])
def test_classification_losses_match_torch(torch, name, loss, torch_name, options, reduction,
                                           batched):
    data, target = (LOGITS, CLASSES) if batched else (LOGITS[1], 3)
    check_against_torch(torch, loss, torch_name, data, target, reduction=reduction, **options)


# name, loss of two batched inputs v[0], v[1], loss of two floats (one example)
GRADCHECK_CASES = [
    ("mse", lambda v: nn.mse_loss(v[0], REAL_TARGETS[:, 0]), lambda v: nn.mse_loss(v[0], 0.3)),
    ("l1", lambda v: nn.l1_loss(v, REAL_TARGETS), lambda v: nn.l1_loss(v, [0.1, -0.4])),
    ("huber", lambda v: nn.huber_loss(v, REAL_TARGETS, delta=0.5),
     lambda v: nn.huber_loss(v, [2.0, -0.4])),
    ("bce-logits", lambda v: nn.binary_cross_entropy_with_logits([v[0]], SOFT_TARGETS[:, 0]),
     lambda v: nn.binary_cross_entropy_with_logits(v[0], 1.0)),
    ("bce", lambda v: nn.binary_cross_entropy([ad.sigmoid(v[0])], SOFT_TARGETS[:, 0]),
     lambda v: nn.binary_cross_entropy(ad.sigmoid(v[0]), 1.0)),
    ("cross_entropy", lambda v: nn.cross_entropy(v, CLASSES % 2),
     lambda v: nn.cross_entropy(v, 1)),
    ("nll", lambda v: nn.nll_loss(v, CLASSES % 2), lambda v: nn.nll_loss(v, 0)),
    ("hinge", lambda v: nn.hinge_loss(v, CLASSES % 2), lambda v: nn.hinge_loss(v, 0)),
    ("hinge-binary", lambda v: nn.hinge_loss(v[0] - v[1], 2 * (CLASSES % 2) - 1),
     lambda v: nn.hinge_loss(v[0] - v[1], -1)),
]


@pytest.mark.parametrize("name, on_batch, on_example", GRADCHECK_CASES,
                         ids=[c[0] for c in GRADCHECK_CASES])
def test_loss_gradients_match_central_differences_on_batches_and_examples(name, on_batch,
                                                                         on_example):
    result = ad.gradcheck(on_batch, [PREDICTIONS[:, 0], PREDICTIONS[:, 1]])
    assert result.ok, result
    result = ad.gradcheck(on_example, [0.3, -0.45])
    assert result.ok, result


def test_binary_hinge_loss_is_max_zero_margin_minus_t_s():
    scores = np.array([2.0, 0.3, -0.5, -2.0])
    targets = np.array([1, 1, -1, 1])
    loss = nn.hinge_loss(ad.Value(scores), targets, reduction="none")
    np.testing.assert_array_equal(loss.data, np.maximum(0.0, 1.0 - targets * scores))
    with pytest.raises(ValueError, match="binary targets must be -1 or \\+1"):
        nn.hinge_loss(ad.Value(scores), np.array([0, 1, 0, 1]))


@pytest.mark.parametrize("big", [1000.0, -1000.0])
def test_losses_from_logits_are_stable_at_plus_minus_1000(big):
    logits = [ad.Value(big), ad.Value(-big), ad.Value(0.0)]
    loss = nn.cross_entropy(logits, 1)
    loss.backward()
    assert loss.data == pytest.approx(2000.0 if big > 0 else 0.0)   # logsumexp - z_1
    assert all(np.isfinite(v.grad) for v in logits)
    assert logits[1].grad == pytest.approx(-1.0 if big > 0 else 0.0)  # softmax_1 - 1
    z = ad.Value(np.array([big, -big]))
    bce = nn.binary_cross_entropy_with_logits(z, np.array([0.0, 0.0]), reduction="none")
    np.testing.assert_allclose(bce.data, [max(big, 0.0), max(-big, 0.0)])
    ad.batch_sum(bce).backward()
    np.testing.assert_allclose(z.grad, [1.0 if big > 0 else 0.0, 0.0 if big > 0 else 1.0])


def test_huber_is_quadratic_inside_delta_and_linear_outside():
    d = ad.Value(np.array([0.5, 3.0, -3.0]))
    loss = nn.huber_loss(d, 0.0, reduction="none", delta=1.0)
    np.testing.assert_allclose(loss.data, [0.125, 2.5, 2.5])
    ad.batch_sum(loss).backward()
    np.testing.assert_allclose(d.grad, [0.5, 1.0, -1.0])


def test_mean_reduction_averages_over_examples_and_elements():
    loss = nn.mse_loss(nn.to_values(np.ones((4, 2))), np.zeros((4, 2)))
    assert loss.data == 1.0
    assert nn.mse_loss(nn.to_values(np.ones((4, 2))), np.zeros((4, 2)), reduction="sum").data == 8.0
    column = nn.mse_loss(nn.to_values(np.ones((4, 1))), np.zeros((4, 1)), reduction="none")
    np.testing.assert_array_equal(column[0].data, np.ones(4))


def test_class_targets_are_checked():
    logits = nn.to_values(LOGITS, requires_grad=True)
    with pytest.raises(ValueError, match="class index 4 is out of range for 4 classes"):
        nn.cross_entropy(logits, np.array([0, 1, 2, 3, 4]))
    with pytest.raises(ValueError, match=r"one class index per example \(5\)"):
        nn.cross_entropy(logits, np.array([0, 1]))
    with pytest.raises(TypeError, match="integer class indices"):
        nn.cross_entropy(logits, np.array([0.5, 1, 2, 3, 0]))
    with pytest.raises(ValueError, match="expected one int"):
        nn.cross_entropy([1.0, 2.0], np.array([0, 1]))


def test_element_targets_and_reduction_are_checked():
    with pytest.raises(ValueError, match="the prediction has 2 elements"):
        nn.mse_loss(nn.to_values(PREDICTIONS), np.zeros((N, 3)))
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.mse_loss(ad.Value(1.0), 0.0, reduction="average")
    with pytest.raises(ValueError, match="batch lengths differ"):
        nn.mse_loss(ad.Value(np.ones(3)), np.zeros(4))


def test_binary_cross_entropy_and_the_loss_with_logits_are_different_functions():
    """torch's meaning: the first takes probabilities, the second logits."""
    assert nn.binary_cross_entropy_with_logits is not nn.binary_cross_entropy
    z, t = 0.3, 1.0
    p = 1 / (1 + np.exp(-z))
    assert nn.binary_cross_entropy(ad.Value(p), t).data == pytest.approx(-np.log(p))
    assert nn.binary_cross_entropy_with_logits(ad.Value(z), t).data == pytest.approx(-np.log(p))

"""Losses, composed from primitives, with torch.nn.functional's names and reductions.

A prediction is one Value or a vector of Values, each a float (one example) or a batch.
``reduction``: "mean" (default; over examples, and over elements for elementwise
losses, as torch), "sum", or "none" (per example; per element for elementwise losses).
Classification targets are class indices: an int for one example, an integer array
(one per example) for a batch.
"""
from __future__ import annotations

import math
from typing import Any, Literal, Sequence, Union, overload

import numpy as np

from autodiff import Value, abs as abs_value, batch_mean, batch_sum, log, log_softmax
from autodiff import constant, maximum, minimum, relu, softplus
from autodiff import sum as sum_values
from autodiff.checks import check_number

from ._types import Target

REDUCTIONS = ("mean", "sum", "none")

Prediction = Union[Value, Sequence[Value]]
"""What a loss compares with its target: one Value, or a vector of Values."""
Loss = Union[Value, list[Value]]
"""An elementwise loss: one Value, or with reduction="none" one per predicted element."""
Reduced = Literal["mean", "sum"]
"""The reductions that give one Value (each elementwise loss says so to the type checker
with ``@overload``: ``mse_loss(p, t)`` is a Value, ``mse_loss(p, t, "none")`` may be a list)."""


# --- shapes of predictions and targets ----------------------------------------------------

def _check_reduction(reduction, loss):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{loss}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _prediction_list(prediction, loss):
    if isinstance(prediction, (list, tuple)):
        if not prediction:
            raise ValueError(f"{loss}: the prediction is an empty vector")
        return list(prediction), False
    if isinstance(prediction, Value):
        return [prediction], True
    raise TypeError(f"{loss}: the prediction must be a Value or a list of Values, got "
                    f"{type(prediction).__name__}")


def _element_targets(target, count, loss):
    """One target per predicted element: a list of ``count``; a 2-D array (examples x
    count), by columns; a 1-D array of ``count`` numbers (one example); for a single
    element, also a number, a 1-D array over the batch or a Value."""
    if isinstance(target, (list, tuple)):
        targets = list(target)
    elif isinstance(target, np.ndarray) and target.ndim == 2 and target.shape[1] == count:
        targets = list(target.T)
    elif count == 1:
        targets = [target]
    else:
        array = np.asarray(target, dtype=np.float64)
        if array.ndim == 1 and array.shape[0] == count:
            targets = list(array)
        else:
            raise ValueError(f"{loss}: the prediction has {count} elements; the target "
                             f"must be {count} numbers, a list of {count}, or an array of "
                             f"examples x {count}, got shape {array.shape}")
    if len(targets) != count:
        raise ValueError(f"{loss}: the prediction has {count} elements but the target has "
                         f"{len(targets)}")
    return targets


def _elementwise(loss, per_element, prediction, target, reduction):
    """Apply ``per_element(p, t)`` to every element and reduce as torch: "mean" divides
    the total by (examples x elements)."""
    _check_reduction(reduction, loss)
    predictions, single = _prediction_list(prediction, loss)
    targets = _element_targets(target, len(predictions), loss)
    losses = [per_element(p, t) for p, t in zip(predictions, targets)]
    if reduction == "none":
        return losses[0] if single else losses
    total = losses[0] if len(losses) == 1 else sum_values(losses)
    if reduction == "sum":
        return batch_sum(total)
    mean = batch_mean(total)
    return mean if len(losses) == 1 else mean / len(losses)


def _batch_size(values):
    for v in values:
        data = v.data if isinstance(v, Value) else v
        if isinstance(data, np.ndarray):
            return len(data)
    return None


def _class_targets(target, classes, batch_size, loss):
    """Validated class indices: an int for one example, an int array for a batch."""
    array = np.asarray(target)
    if array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{loss}: targets must be integer class indices, got {array.dtype} "
                        f"{array.ravel()[:4].tolist()}")
    expected = () if batch_size is None else (batch_size,)
    if array.shape != expected:
        what = "one int (a single example)" if batch_size is None else \
            f"one class index per example ({batch_size})"
        raise ValueError(f"{loss}: expected {what}, got targets of shape {array.shape}")
    if np.any(array < 0) or np.any(array >= classes):
        bad = array.ravel()[(array.ravel() < 0) | (array.ravel() >= classes)][0]
        raise ValueError(f"{loss}: class index {int(bad)} is out of range for {classes} classes")
    return int(array) if batch_size is None else array


def _indicators(target, classes, equal=True):
    """[target == c] (``equal=False``: [target != c]) for every class c < ``classes``:
    floats for one example; for a batch, constant leaves made by ``autodiff.constant``,
    so that a compiled step recomputes them from each batch's targets."""
    if isinstance(target, int):
        return [float((target == c) == equal) for c in range(classes)]
    return constant(lambda t: (np.equal(t, np.arange(classes)[:, None]) == equal)
                    .astype(np.float64), target)


def _pick(values, target):
    """values[target] per example: the Value itself for one example; for a batch,
    sum_c values_c * [target == c] over every class, present in the batch or not (the
    graph does not depend on the batch's contents); d/d values_c = [target == c]."""
    if isinstance(target, int):
        return values[target]
    return sum_values([v * h for v, h in zip(values, _indicators(target, len(values)))])


def _masked(value, mask):
    """value * mask, or value itself when the mask is the number 1."""
    return value if type(mask) is float and mask == 1.0 else value * mask


def _reduce_examples(per_example, reduction):
    if reduction == "mean":
        return batch_mean(per_example)
    return batch_sum(per_example) if reduction == "sum" else per_example


def _class_inputs(scores: Prediction, target: Target, reduction: str,
                  loss: str) -> tuple[list[Value], Any]:
    _check_reduction(reduction, loss)
    if not isinstance(scores, (list, tuple)) or len(scores) < 1:
        raise TypeError(f"{loss}: expected a vector of class scores (a list of Values), got "
                        f"{type(scores).__name__}")
    scores = list(scores)
    return scores, _class_targets(target, len(scores), _batch_size(scores), loss)


# --- regression -------------------------------------------------------------------------

@overload
def mse_loss(prediction: Prediction, target: Target,
             reduction: Reduced = "mean") -> Value: ...


@overload
def mse_loss(prediction: Prediction, target: Target,
             reduction: str) -> Loss: ...


def mse_loss(prediction: Prediction, target: Target, reduction: str = "mean") -> Loss:
    """Mean squared error: (1/N) sum (p - t)^2; d/dp = 2 (p - t) / N."""
    return _elementwise("mse_loss", lambda p, t: (p - t) ** 2, prediction, target, reduction)


@overload
def l1_loss(prediction: Prediction, target: Target,
            reduction: Reduced = "mean") -> Value: ...


@overload
def l1_loss(prediction: Prediction, target: Target,
            reduction: str) -> Loss: ...


def l1_loss(prediction: Prediction, target: Target, reduction: str = "mean") -> Loss:
    """Mean absolute error: (1/N) sum |p - t|; d/dp = sign(p - t) / N."""
    return _elementwise("l1_loss", lambda p, t: abs_value(p - t), prediction, target, reduction)


@overload
def huber_loss(prediction: Prediction, target: Target,
               reduction: Reduced = "mean",
               delta: float = 1.0) -> Value: ...


@overload
def huber_loss(prediction: Prediction, target: Target,
               reduction: str,
               delta: float = 1.0) -> Loss: ...


def huber_loss(prediction: Prediction, target: Target, reduction: str = "mean",
               delta: float = 1.0) -> Loss:
    """Huber: 0.5 d^2 if |d| <= delta else delta (|d| - 0.5 delta), d = p - t; built as
    0.5 q^2 + delta (|d| - q) with q = min(|d|, delta). d/dp = d inside, delta sign(d)
    outside: quadratic near 0, linear (robust to outliers) beyond delta."""
    delta = check_number("huber_loss", "delta", delta, minimum=0.0, minimum_open=True)

    def huber(p, t):
        size = abs_value(p - t)
        quadratic = minimum(size, delta)
        return 0.5 * quadratic ** 2 + delta * (size - quadratic)
    return _elementwise("huber_loss", huber, prediction, target, reduction)


# --- classification ---------------------------------------------------------------------

LOG_FLOOR = math.exp(-100.0)    # torch clamps log(p) at -100 in binary_cross_entropy


@overload
def binary_cross_entropy(input: Prediction, target: Target,
                         reduction: Reduced = "mean") -> Value: ...


@overload
def binary_cross_entropy(input: Prediction, target: Target,
                         reduction: str) -> Loss: ...


def binary_cross_entropy(input: Prediction, target: Target, reduction: str = "mean") -> Loss:
    """Binary cross-entropy of probabilities p (as ``torch.nn.functional.
    binary_cross_entropy``): -[t log p + (1 - t) log(1 - p)], d/dp = (p - t) / (p (1 - p)).

    ``input`` holds probabilities in [0, 1] (e.g. ``sigmoid`` outputs); each log is
    clamped at -100 as torch does, so p = 0 or 1 gives a finite loss. For logits use
    ``binary_cross_entropy_with_logits``, which is stable at any z."""
    def bce(p, t):
        _check_probabilities(p)
        return -(t * log(maximum(p, LOG_FLOOR)) + (1.0 - t) * log(maximum(1.0 - p, LOG_FLOOR)))
    return _elementwise("binary_cross_entropy", bce, input, target, reduction)


def _check_probabilities(p):
    data = np.asarray(p.data if isinstance(p, Value) else p, dtype=np.float64)
    if not np.all((data >= 0.0) & (data <= 1.0)):
        bad = data[~((data >= 0.0) & (data <= 1.0))].ravel()[0].item()
        raise ValueError(f"binary_cross_entropy: input must be probabilities in [0, 1] "
                         f"(for logits use binary_cross_entropy_with_logits), got {bad!r}")


@overload
def binary_cross_entropy_with_logits(input: Prediction, target: Target,
                                     reduction: Reduced = "mean") -> Value: ...


@overload
def binary_cross_entropy_with_logits(input: Prediction, target: Target,
                                     reduction: str) -> Loss: ...


def binary_cross_entropy_with_logits(input: Prediction, target: Target,
                                     reduction: str = "mean") -> Loss:
    """Binary cross-entropy of logits z (as ``torch.nn.functional.
    binary_cross_entropy_with_logits``): with p = sigmoid(z),
    -[t log p + (1 - t) log(1 - p)] = softplus(z) - t z, stable at z = +-1000;
    d/dz = sigmoid(z) - t. Targets in [0, 1]."""
    return _elementwise("binary_cross_entropy_with_logits", lambda z, t: softplus(z) - t * z,
                        input, target, reduction)


def nll_loss(log_probs: Sequence[Value], target: Target, reduction: str = "mean") -> Value:
    """Negative log-likelihood: -log p_y for the target class y, given log-probabilities
    (a vector of Values, one per class); d/d log p_c = -[c = y]."""
    log_probs, target = _class_inputs(log_probs, target, reduction, "nll_loss")
    return _reduce_examples(-_pick(log_probs, target), reduction)


def cross_entropy(logits: Sequence[Value], target: Target, reduction: str = "mean") -> Value:
    """Cross-entropy from logits: -log softmax(z)_y = logsumexp(z) - z_y, via the stable
    log_softmax (finite at +-1000); d/dz_c = softmax(z)_c - [c = y]."""
    logits, target = _class_inputs(logits, target, reduction, "cross_entropy")
    return _reduce_examples(-_pick(log_softmax(logits), target), reduction)


def hinge_loss(scores: Prediction, target: Target, reduction: str = "mean",
               margin: float = 1.0) -> Value:
    """Max-margin (hinge) loss.

    Binary, ``scores`` one Value and targets +-1: max(0, margin - t s).
    Multi-class, ``scores`` a vector of C Values and targets class indices y (torch's
    multi_margin_loss): (1/C) sum_{j != y} max(0, margin - s_y + s_j): zero once the
    right class beats every other by the margin. d/ds_j = [term j active] / C.
    """
    if isinstance(scores, Value):
        _check_reduction(reduction, "hinge_loss")
        signs: Any = np.asarray(target, dtype=np.float64)
        if not np.all(np.isin(signs, (-1.0, 1.0))):
            raise ValueError("hinge_loss: binary targets must be -1 or +1, got "
                             f"{np.unique(signs)[:4].tolist()}")
        signs = float(signs) if signs.ndim == 0 else signs
        return _reduce_examples(relu(margin - signs * scores), reduction)
    scores, target = _class_inputs(scores, target, reduction, "hinge_loss")
    right = _pick(scores, target)
    others = _indicators(target, len(scores), equal=False)
    terms = [_masked(relu(margin - right + s), mask) for s, mask in zip(scores, others)]
    per_example = sum_values(terms) / len(scores)
    return _reduce_examples(per_example, reduction)

"""Losses over a sequence of predictions, with a mask for the positions that count."""
import numpy as np

from autodiff import batch_sum
from autodiff import sum as sum_values

from .losses import cross_entropy


def sequence_cross_entropy(logits, targets, mask=None):
    """Mean next-symbol cross-entropy over the positions the mask selects:

        L = (1 / |M|) sum_{(t, k) in M} -log softmax(z_t)_{y_tk}   for example k at step t

    ``logits``: a list of T vectors of class scores (batched Values, or floats for one
    sequence); ``targets``: class indices of shape (T, N) (or (T,)); ``mask``: booleans
    of the same shape (None: every position), e.g. ``AnBn.mask`` (inside each string) or
    ``AnBn.deterministic``. Masked positions add nothing to the loss or its gradient.
    """
    targets = np.asarray(targets)
    if len(logits) != len(targets):
        raise ValueError(f"sequence_cross_entropy: {len(logits)} steps of logits but "
                         f"{len(targets)} steps of targets")
    mask = np.ones(targets.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != targets.shape:
        raise ValueError(f"sequence_cross_entropy: the mask has shape {mask.shape} but the "
                         f"targets have {targets.shape}")
    count = int(mask.sum())
    if count == 0:
        raise ValueError("sequence_cross_entropy: the mask selects no position")
    terms = []
    for t, scores in enumerate(logits):
        if mask[t].any():
            per_example = cross_entropy(scores, targets[t], reduction="none")
            terms.append(per_example if mask[t].all() else per_example * mask[t].astype(float))
    return batch_sum(sum_values(terms)) / count

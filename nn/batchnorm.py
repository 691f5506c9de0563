"""Batch normalisation (course notes section 4), built from primitives so that the
gradient flows through the batch mean and variance: mu and sigma are functions of the
batch, not constants."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, Iterator, TypeVar

import numpy as np

from autodiff import Value, batch_mean, constant, no_grad, observe, sqrt
from autodiff import sum as sum_values
from autodiff.checks import check_number, check_probability

from ._types import Image, NestedInput
from .module import Module
from .parameter import Parameter
from .values import (as_image, as_vector, check_sizes, flatten_values, layer_name,
                     map_values, unflatten_like)


SomeBatchNorm = TypeVar("SomeBatchNorm", bound="_BatchNorm")


class _BatchNorm(Module):
    """Shared by the batch-norm layers: entry c of the input is channel c, a batched
    Value or a nested list of them (positions, e.g. length or rows x columns); the
    statistics of a channel are taken over the batch and all its positions.

    Training, for each channel (m = batch size x positions):
        mu = (1/m) sum x,   var = (1/m) sum (x - mu)^2   (biased)
        x_hat = (x - mu) / sqrt(var + eps),   y = gamma x_hat + beta
        running_mean <- (1 - momentum) running_mean + momentum mu
        running_var  <- (1 - momentum) running_var + momentum var m / (m - 1)  (unbiased)
    (momentum=None: cumulative average, momentum = 1 / num_batches_tracked.)
    Evaluation: y = gamma (x - running_mean) / sqrt(running_var + eps) + beta
    (the notes' "method 2"; ``recompute_running_stats`` is "method 1").
    """

    weight: Parameter | None
    bias: Parameter | None
    running_mean: Any               # numpy arrays; None without track_running_stats
    running_var: Any
    num_batches_tracked: Any

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True) -> None:
        owner = type(self).__name__
        (num_features,) = check_sizes(owner, num_features=num_features)
        eps = check_number(owner, "eps", eps, minimum=0.0, minimum_open=True)
        if momentum is not None:
            momentum = check_probability(owner, "momentum", momentum)
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        self.register_parameter("weight", Parameter(np.ones(self.num_features)) if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(self.num_features)) if affine else None)
        tracked = track_running_stats
        self.register_buffer("running_mean", np.zeros(self.num_features) if tracked else None)
        self.register_buffer("running_var", np.ones(self.num_features) if tracked else None)
        self.register_buffer("num_batches_tracked",
                             np.array(0, dtype=np.int64) if tracked else None)
        self._recompute = False
        self.statistics_recomputed = False

    @contextmanager
    def recomputing_statistics(self: SomeBatchNorm) -> Iterator[SomeBatchNorm]:
        """``with layer.recomputing_statistics(): model(inputs)``: the first evaluation-
        mode call in the block first sets running_mean and running_var to the mean and
        unbiased variance of its input (the notes' "method 1"), then normalises with
        them. ``statistics_recomputed`` says afterwards whether that call happened."""
        self._recompute, self.statistics_recomputed = True, False
        try:
            yield self
        finally:
            self._recompute = False

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            self.running_mean.fill(0.0)
            self.running_var.fill(1.0)
            self.num_batches_tracked.fill(0)

    def forward(self, x: NestedInput) -> list[Any]:
        """Normalise each channel by batch statistics (training, or no running
        statistics) or by the running estimates (evaluation), then scale and shift."""
        channels = as_vector(x, self, self.num_features, channels=True)
        if self.training or not self.track_running_stats:
            return self._normalise_by_batch(channels)
        if self._recompute:
            self._set_statistics_from(channels)
        return self._normalise_by_running_stats(channels)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def _batched(self, channel):
        values = flatten_values(channel)
        sizes = {len(v.data) if isinstance(v, Value) and isinstance(v.data, np.ndarray)
                 else None for v in values}
        if None in sizes:
            raise ValueError(f"{layer_name(self)}: training mode needs a batch (batched "
                             "Values), got a single example; batch statistics need several "
                             "examples: call eval() to use the running statistics")
        if len(values) * max(sizes) < 2:
            raise ValueError(f"{layer_name(self)}: expected more than 1 value per channel "
                             "in training mode, got a batch of 1")
        return values, len(values) * max(sizes)

    def _normalise_by_batch(self, channels):
        outputs, means, variances, counts = [], [], [], []     # means, variances: Values
        for c, channel in enumerate(channels):
            values, count = self._batched(channel)
            mu = batch_mean(values[0]) if len(values) == 1 else \
                sum_values([batch_mean(v) for v in values]) / len(values)
            centred = [v - mu for v in values]
            var = batch_mean(centred[0] ** 2) if len(values) == 1 else \
                sum_values([batch_mean(d ** 2) for d in centred]) / len(values)
            std = sqrt(var + self.eps)
            mu.label, var.label, std.label = f"mu[{c}]", f"var[{c}]", f"std[{c}]"
            outputs.append(unflatten_like(
                channel, [self._scale_shift(d / std, c) for d in centred]))
            means.append(mu)
            variances.append(var)
            counts.append(count)
        if self.training and self.track_running_stats:
            # observe: a compiled step updates the statistics again on every replay
            k, counts = len(means), np.array(counts)
            observe(lambda *data: self._update_running_stats(
                np.array(data[:k]), np.array(data[k:]), counts), *means, *variances)
        return outputs

    def _scale_shift(self, x_hat, c):
        return self.weight[c] * x_hat + self.bias[c] if self.affine else x_hat

    def _update_running_stats(self, mean, var, count):
        self.num_batches_tracked += 1
        factor = self.momentum if self.momentum is not None else \
            1.0 / float(self.num_batches_tracked)
        self.running_mean *= 1.0 - factor
        self.running_mean += factor * mean
        self.running_var *= 1.0 - factor
        self.running_var += factor * var * count / (count - 1)

    def _normalise_by_running_stats(self, channels):
        # constants that a compiled step reads again on every replay: the statistics
        # as they are then, not as they were when the step was traced
        means = [constant(lambda c=c: self.running_mean[c]) for c in range(len(channels))]
        stds = [constant(lambda c=c: np.sqrt(self.running_var[c] + self.eps))
                for c in range(len(channels))]
        return [map_values(lambda v, c=c: self._scale_shift((v - means[c]) / stds[c], c),
                           channel) for c, channel in enumerate(channels)]

    def _set_statistics_from(self, channels):
        """Running statistics := mean and unbiased variance of these inputs (method 1)."""
        for c, channel in enumerate(channels):
            data = np.concatenate([np.atleast_1d(v.data if isinstance(v, Value) else v)
                                   for v in flatten_values(channel)])
            if data.size < 2:
                raise ValueError(f"{layer_name(self)}: recomputing statistics needs more "
                                 "than one example")
            self.running_mean[c] = data.mean()
            self.running_var[c] = data.var(ddof=1)
        self._recompute, self.statistics_recomputed = False, True

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of a vector of ``num_features`` batched Values, as
    ``torch.nn.BatchNorm1d`` (input (N, C), or (N, C, L) given as C lists of L Values).
    ``weight`` (gamma, ones) and ``bias`` (beta, zeros) are learnt, shape (C,); buffers
    ``running_mean`` (zeros), ``running_var`` (ones), ``num_batches_tracked``.
    """


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images, as ``torch.nn.BatchNorm2d`` (notes section 4: for
    a layer with shared weights such as a convolution, each channel gets one mean and
    one variance over the whole map): for channel c, over batch x rows x columns,
    m = N H W values,

        mu_c = (1/m) sum_{n,i,j} x[c][i][j]_n,   var_c = (1/m) sum (x - mu_c)^2
        y[c][i][j] = gamma_c (x[c][i][j] - mu_c) / sqrt(var_c + eps) + beta_c

    with running estimates as ``BatchNorm1d`` (unbiased variance, m / (m - 1)).
    Input: C x H x W batched Values (or a numpy array (N, C, H, W)); ``weight`` (gamma)
    and ``bias`` (beta) have shape (C,), as torch's.
    """

    def forward(self, x: NestedInput) -> Image:
        """Per channel: (x - mu) / sqrt(var + eps) * gamma + beta, statistics over
        batch x rows x columns (training) or the running estimates (evaluation)."""
        image, _ = as_image(x, self, self.num_features)
        return super().forward(image)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward


SomeModule = TypeVar("SomeModule", bound=Module)


def recompute_running_stats(model: SomeModule, inputs: Any) -> SomeModule:
    """The notes' "method 1": set every batch-norm layer's running statistics to the
    mean and unbiased variance, over the whole data set ``inputs``, of what reaches it.

    One pass in evaluation mode without a graph: each layer, when reached, first takes
    the statistics of its input, then normalises with them, so later layers see exactly
    what they will see at test time. ``inputs``: what the model takes (a numpy array of
    examples x features, or a vector of batched Values). Returns the model; its
    training/evaluation modes are left as they were.
    """
    layers = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    if not layers:
        raise ValueError(f"recompute_running_stats: {type(model).__name__} has no "
                         "batch-norm layer")
    untracked = [layer_name(m) for m in layers if not m.track_running_stats]
    if untracked:
        raise ValueError(f"recompute_running_stats: {', '.join(untracked)} keeps no "
                         "running statistics (track_running_stats=False)")
    with ExitStack() as stack:
        for layer in layers:
            stack.enter_context(layer.recomputing_statistics())
        with model.training_mode(False), no_grad():
            model(inputs)
    unreached = [layer_name(m) for m in layers if not m.statistics_recomputed]
    if unreached:
        raise ValueError(f"recompute_running_stats: {', '.join(unreached)} was not "
                         "called by the model's forward")
    return model

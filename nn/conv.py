"""Images (notes section 1.3): where a kernel lands (sliding windows), 2-D convolution,
and pooling.

Sliding windows. Along one dimension of n inputs, a kernel of size k moved in steps of
s over the input padded with p_before and p_after zeros has

    output size = floor((n + p_before + p_after - k) / s) + 1
                = floor((n - k + 2p) / s) + 1   for p on each side,

and output o covers the padded positions o s, ..., o s + k - 1, that is input positions
o s - p_before + t for kernel tap t = 0, ..., k - 1. Taps that fall on the padding are
simply left out: a padded zero contributes nothing to a sum of w * x (and nothing to a
max, as torch pads max pooling with -inf), so no graph node is made for it. The graph
is smaller and the result identical to convolving an explicitly padded image.

Padding modes: an int p (or a pair (p_rows, p_columns)) pads p on each side; "valid"
pads nothing; "same" pads k - 1 in total, floor((k - 1) / 2) before and the rest after
(torch's choice for even kernels), so at stride 1 the output has the input's size;
"full" pads k - 1 on each side, so every input meets every kernel tap.

Convolution: sparse connectivity, shared kernels, channels. Each output pixel sees
only a kernel-sized window of the input (sparse connectivity), and every window of an
output channel is weighed by the same kernel (parameter sharing). A filter holds one
kernel per input channel; the kernels' results are summed into the filter's single
output channel, so a layer has out_channels filters of in_channels kernels: weight
out x in x kh x kw, as ``torch.nn.Conv2d``.

Pooling: the notes' L_k pooling summarises a window (a group of k_h x k_w units of one
channel) by one number; channels are pooled separately, so the number of channels is
kept:

    max pooling      y = max_{(i,j) in window} x_ij
    average pooling  y = (1 / |window|) sum x_ij
    L_p pooling      y = (sum x_ij^p)^(1/p)     (p = 1: sum; p -> infinity: max)

Windows and output sizes as for convolution; the stride defaults to the kernel size
(windows side by side, as torch).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, Union

import numpy as np

from autodiff import Value, affine, maximum
from autodiff import sum as sum_values
from autodiff.checks import check_number

from . import init
from ._types import Generator, Image, ImageInput
from .module import Module
from .parameter import Parameter
from .values import (LayerName, as_image, check_sizes, flatten_values, format_number,
                     layer_name)


# --- sliding windows ------------------------------------------------------------------

PADDING_MODES = ("valid", "same", "full")

IntOrPair = Union[int, Sequence[int]]
"""A size for rows and columns: one int for both, or a pair (rows, columns)."""
Padding = Union[int, Sequence[int], str]
"""Zeros on each side: an int, a pair (rows, columns), or "valid", "same" or "full"."""
Pair = tuple[int, ...]
"""Two ints: (rows, columns)."""


def as_pair(value: IntOrPair, what: str, layer: LayerName, minimum: int = 1) -> Pair:
    """``value`` (an int, or a pair of ints for rows and columns) as a pair of ints >=
    ``minimum``; else a ValueError naming ``layer`` and ``what``."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{layer_name(layer)}: {what} must be an integer or a pair of "
                         f"them, got {value!r}")
    try:
        return tuple(int(check_number(layer, what, n, integer=True, minimum=minimum))
                     for n in pair)
    except ValueError:
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{layer_name(layer)}: {what} must be a {kind} integer or a pair "
                         f"of them, got {value!r}") from None


def padding_amounts(padding: Padding, kernel: Pair, stride: Pair,
                    layer: LayerName) -> tuple[Pair, ...]:
    """((top, bottom), (left, right)): the zeros padded on each side, for ``padding`` an
    int, a pair, or one of "valid", "same", "full"; ``kernel`` and ``stride`` pairs.
    "same" needs stride 1 (as torch: with a larger stride no padding keeps the size)."""
    if isinstance(padding, str):
        if padding not in PADDING_MODES:
            raise ValueError(f"{layer_name(layer)}: padding must be a non-negative integer, "
                             f"a pair, or one of {PADDING_MODES}, got {padding!r}")
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "full":
            return tuple((k - 1, k - 1) for k in kernel)
        if stride != (1, 1):
            raise ValueError(f"{layer_name(layer)}: padding='same' needs stride 1 (as "
                             f"torch), got stride {stride}; give the padding as a number")
        return tuple(((k - 1) // 2, k - 1 - (k - 1) // 2) for k in kernel)
    rows, columns = as_pair(padding, "padding", layer, minimum=0)
    return (rows, rows), (columns, columns)


def output_length(layer: LayerName, dimension: str, size: int, kernel: int, stride: int,
                  before: int, after: int) -> int:
    """floor((size + before + after - kernel) / stride) + 1, or a ValueError naming
    ``layer`` when the kernel does not fit in the padded input."""
    padded = size + before + after
    if kernel > padded:
        raise ValueError(f"{layer_name(layer)}: kernel size {kernel} is larger than the "
                         f"padded input: {dimension} {size} + padding {before} + {after} = "
                         f"{padded}")
    return (padded - kernel) // stride + 1


def conv_output_size(n: int, kernel: int, stride: int = 1, padding: Padding = 0) -> int:
    """Output size along one dimension: floor((n - k + 2p) / s) + 1 for an input of n,
    kernel k, stride s and p zeros on each side (``padding`` may also be "valid",
    "same" or "full"; "same" with an even k pads one more zero after than before).
    E.g. conv_output_size(8, 3, 1, 0) = 6, conv_output_size(8, 3, 2, 1) = 4."""
    n = as_pair(n, "the input size n", "conv_output_size")[0]
    kernel = as_pair(kernel, "kernel", "conv_output_size")[0]
    stride = as_pair(stride, "stride", "conv_output_size")[0]
    (before, after), _ = padding_amounts(padding, (kernel, kernel), (stride, stride),
                                         "conv_output_size")
    return output_length("conv_output_size", "n", n, kernel, stride, before, after)


def _taps(layer, dimension, size, kernel, stride, before, after):
    """For each output position, the (kernel tap, input position) pairs that land on the
    input (taps on the padding are left out)."""
    count = output_length(layer, dimension, size, kernel, stride, before, after)
    return [[(t, o * stride - before + t) for t in range(kernel)
             if 0 <= o * stride - before + t < size] for o in range(count)]


def sliding_windows(layer: LayerName, height: int, width: int, kernel: Pair, stride: Pair,
                    padding: Sequence[Pair]) -> list[list[list[tuple[Pair, Pair]]]]:
    """The windows of a kernel over a height x width image: a list (one per output row)
    of lists (one per output column) of the taps ((kernel row, kernel column), (input
    row, input column)) that fall on the input. ``kernel``, ``stride`` pairs;
    ``padding`` as resolved by ``padding_amounts``."""
    (top, bottom), (left, right) = padding
    rows = _taps(layer, "height", height, kernel[0], stride[0], top, bottom)
    columns = _taps(layer, "width", width, kernel[1], stride[1], left, right)
    return [[[((ki, kj), (i, j)) for ki, i in row for kj, j in column] for column in columns]
            for row in rows]


# --- convolution ---------------------------------------------------------------------

def _weight_shape(weight):
    """(out, in, kh, kw) of a weight given as a Parameter or as nested lists."""
    if isinstance(weight, Parameter):
        if weight.ndim != 4:
            raise ValueError(f"conv2d: weight must be out x in x kh x kw, got shape "
                             f"{weight.shape}")
        return weight.shape
    return len(weight), len(weight[0]), len(weight[0][0]), len(weight[0][0][0])


def conv2d(image: ImageInput, weight: Parameter | Sequence[Any],
           bias: Parameter | Sequence[Value] | None = None, stride: IntOrPair = 1,
           padding: Padding = 0, layer: LayerName = "conv2d") -> Image:
    """Cross-correlation of an image (C x H x W Values) with out_channels filters:

        y[o][r][q] = b[o] + sum_{c, i, j} w[o][c][i][j] x[c][r s + i - p_top][q s + j - p_left]

    (taps that fall on the zero padding are left out of the sum). Each output pixel is
    one ``affine`` node, a neuron's weighted sum as in ``linear``, with an edge per
    weight, one per input pixel under the window and one for the bias:
    d y / d w[o][c][i][j] = the input under that tap, d y / d x = the weight over it,
    d y / d b[o] = 1. ``weight``: out x in x kh x kw (a Parameter or nested lists of
    Values); ``bias``: out Values or None; ``stride`` an int or pair; ``padding`` an int,
    a pair, or "valid" / "same" / "full" (see ``padding_amounts``); ``layer``: how error
    messages name the caller (a Module or a name)."""
    out_channels, in_channels, kernel_rows, kernel_columns = _weight_shape(weight)
    image, (_, height, width) = as_image(image, layer, in_channels)
    kernel = (kernel_rows, kernel_columns)
    stride = as_pair(stride, "stride", layer)
    windows = sliding_windows(layer, height, width, kernel,
                              stride, padding_amounts(padding, kernel, stride, layer))
    area = kernel_rows * kernel_columns
    # each window as (indices into the flattened filter c x kh x kw, input pixels)
    taps = [[([c * area + ki * kernel_columns + kj for c in range(in_channels)
               for (ki, kj), _ in window],
              [image[c][i][j] for c in range(in_channels) for _, (i, j) in window])
             for window in row] for row in windows]
    outputs = []
    for o in range(out_channels):
        weights = flatten_values(weight[o])
        b = None if bias is None else bias[o]
        outputs.append([[_weighted_sum(weights, indices, pixels, b)
                         for indices, pixels in row] for row in taps])
    return outputs


def _weighted_sum(weights, indices, pixels, bias):
    """affine(the window's weights, its pixels, bias); a window wholly on the padding
    (possible when padding >= kernel size) gives just the bias, or 0."""
    if pixels:
        return affine([weights[k] for k in indices], pixels, bias)
    return sum_values([bias]) if bias is not None else Value(0.0)


class Conv2d(Module):
    """2-D convolution layer, as ``torch.nn.Conv2d``: y = b + sum over the in channels of
    (kernel (*) x), one output channel per filter (see ``conv2d`` for the formula).

    ``kernel_size``, ``stride``: an int or a pair (rows, columns); ``padding``: an int
    or pair of zeros on each side, or "valid" (none), "same" (output size = input size
    at stride 1; torch's asymmetric split for even kernels) or "full" (k - 1 on each
    side, not in torch: the same as torch's padding=k-1). Output size per dimension:
    ``conv_output_size(n, k, s, p)`` = floor((n - k + 2p) / s) + 1.

    ``weight``: out_channels x in_channels x kh x kw, ``bias``: out_channels (or None with
    ``bias=False``): the state dict maps onto torch's one to one. Default initialisation
    as torch: W and b from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in * kh * kw.
    Input: an image in_channels x H x W of Values (batched or not), or a numpy array
    (N, C, H, W) or (C, H, W); output: out_channels x H' x W' Values.
    """

    bias: Parameter | None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrPair,
                 stride: IntOrPair = 1, padding: Padding = 0, bias: bool = True,
                 generator: Generator = None) -> None:
        in_channels, out_channels = check_sizes("Conv2d", in_channels=in_channels,
                                                out_channels=out_channels)
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = as_pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = as_pair(stride, "stride", "Conv2d")
        self.padding = padding if isinstance(padding, str) else \
            as_pair(padding, "padding", "Conv2d", minimum=0)
        padding_amounts(self.padding, self.kernel_size, self.stride, "Conv2d")  # checked now
        self.weight = Parameter(np.zeros((self.out_channels, self.in_channels,
                                          *self.kernel_size)))
        self.register_parameter("bias", Parameter(np.zeros(self.out_channels)) if bias else None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator: Generator = None) -> None:
        """Torch's default: weight by kaiming_uniform(a=sqrt(5)), i.e.
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias from the same range;
        fan_in = in_channels * kh * kw."""
        generator = init.as_generator(generator, "Conv2d")
        init.kaiming_uniform(self.weight, a=math.sqrt(5.0), generator=generator)
        if self.bias is not None:
            fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            init.fan_in_uniform(self.bias, fan_in, generator=generator)

    def forward(self, x: ImageInput) -> Image:
        """y[o][r][q] = b[o] + sum_{c,i,j} w[o][c][i][j] x[c][r s + i - p][q s + j - p]."""
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self)

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        padding = repr(self.padding) if isinstance(self.padding, str) else self.padding
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={padding}, bias={self.bias is not None}")


# --- pooling -------------------------------------------------------------------------

def max_of(values: Iterable[Value]) -> Value:
    """max(x_1, ..., x_n) as a balanced tree of binary ``maximum`` nodes: d y / d x_i = 1
    for the largest input. At a tie each ``maximum`` node splits its gradient 1/2-1/2,
    so tied inputs share it, always summing to 1 (two tied: 1/2 each; four tied in a
    2x2 window: 1/4 each; three tied: 1/4, 1/4, 1/2); torch instead routes it all to
    one of them."""
    values = list(values)
    while len(values) > 1:
        pairs = [maximum(a, b) for a, b in zip(values[0::2], values[1::2])]
        values = pairs + values[2 * len(pairs):]
    return values[0]


class _Pool2d(Module):
    """What the 2-D pooling layers share: the windows, and the subclass's
    ``pool(window)`` (one Value from a window's list of Values) applied to each window
    of each channel."""

    pool: Callable[[list[Value]], Value]

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0) -> None:
        name = type(self).__name__
        super().__init__()
        self.kernel_size = as_pair(kernel_size, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else as_pair(stride, "stride", name)
        self.padding = as_pair(padding, "padding", name, minimum=0)
        if any(p > k // 2 for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{name}: padding must be at most half the kernel size (as "
                             f"torch), got padding {self.padding} for kernel_size "
                             f"{self.kernel_size}")

    def forward(self, x: ImageInput) -> Image:
        """y[c][r][q] = pool(x[c][i][j] for (i, j) in window (r, q)): channel by channel."""
        image, (_, height, width) = as_image(x, self)
        rows, columns = self.padding
        windows = sliding_windows(self, height, width, self.kernel_size, self.stride,
                                  ((rows, rows), (columns, columns)))
        return [[[self.pool([channel[i][j] for _, (i, j) in window]) for window in row]
                 for row in windows] for channel in image]

    if TYPE_CHECKING:           # calling the layer runs forward: show its signature
        __call__ = forward

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Max pooling, as ``torch.nn.MaxPool2d``: y = max over the window; d y / d x = 1 for
    the window's largest input, 0 for the others. Zero padding never wins: taps on the
    padding are left out (torch pads with -inf; padding at most half the kernel).
    Tied inputs share the gradient (see ``max_of``); torch gives it all to one input."""

    def pool(self, window: list[Value]) -> Value:
        """max_{(i,j) in window} x_ij."""
        return max_of(window)


class AvgPool2d(_Pool2d):
    """Average pooling, as ``torch.nn.AvgPool2d``: y = (1 / d) sum over the window,
    d y / d x = 1 / d, where d = kh * kw (padded zeros count, ``count_include_pad=True``,
    torch's default) or the number of window taps on the input (``False``)."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0, count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = bool(count_include_pad)

    def pool(self, window: list[Value]) -> Value:
        """(1 / d) sum_{(i,j) in window} x_ij, one sum node and one mul node."""
        divisor = self.kernel_size[0] * self.kernel_size[1] if self.count_include_pad \
            else len(window)
        return sum_values(window) * (1.0 / divisor)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, count_include_pad={self.count_include_pad}"


class LPPool2d(_Pool2d):
    """L_p pooling (the notes' L_k pooling), as ``torch.nn.LPPool2d``:
    y = (sum_{(i,j) in window} x_ij^p)^(1/p), d y / d x_ij = x_ij^(p-1) y^(1-p).

    p = 1 is sum pooling, p = 2 the Euclidean norm of the window, and large p
    approaches max pooling. Like torch, no absolute value is taken: x^p of a negative
    x needs an integer p (else the engine's pow raises, where torch gives NaN). For
    p > 1 a window whose sum of powers is 0 (all zeros, e.g. after a ReLU) has an
    infinite derivative of s^(1/p): the engine raises while recording a graph (under
    ``no_grad`` the output is 0), where torch gives NaN gradients. No padding (as
    torch)."""

    def __init__(self, norm_type: float, kernel_size: IntOrPair,
                 stride: IntOrPair | None = None) -> None:
        norm_type = check_number("LPPool2d", "norm_type p (for p = infinity use MaxPool2d)",
                                 norm_type, minimum=0.0, minimum_open=True)
        super().__init__(kernel_size, stride)
        self.norm_type = norm_type

    def pool(self, window: list[Value]) -> Value:
        """(sum x_ij^p)^(1/p)."""
        p = self.norm_type
        return sum_values([x ** p for x in window]) ** (1.0 / p)

    def extra_repr(self) -> str:
        return (f"norm_type={format_number(self.norm_type)}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")

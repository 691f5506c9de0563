"""2-D convolution (notes section 1.3): sparse connectivity, shared kernels, channels.

Each output pixel sees only a kernel-sized window of the input (sparse connectivity),
and every window of an output channel is weighed by the same kernel (parameter
sharing). A filter holds one kernel per input channel; the kernels' results are summed
into the filter's single output channel, so a layer has out_channels filters of
in_channels kernels: weight out x in x kh x kw, as ``torch.nn.Conv2d``.
"""
import math

import numpy as np

from autodiff import Value, affine
from autodiff import sum as sum_values

from . import init
from .images import as_image
from .module import Module
from .parameter import Parameter
from .rng import as_generator
from .values import check_sizes, flatten_values
from .windows import as_pair, padding_amounts, sliding_windows


def _weight_shape(weight):
    """(out, in, kh, kw) of a weight given as a Parameter or as nested lists."""
    if isinstance(weight, Parameter):
        if weight.ndim != 4:
            raise ValueError(f"conv2d: weight must be out x in x kh x kw, got shape "
                             f"{weight.shape}")
        return weight.shape
    return len(weight), len(weight[0]), len(weight[0][0]), len(weight[0][0][0])


def conv2d(image, weight, bias=None, stride=1, padding=0, layer="conv2d"):
    """Cross-correlation of an image (C x H x W Values) with out_channels filters:

        y[o][r][q] = b[o] + sum_{c, i, j} w[o][c][i][j] x[c][r s + i - p_top][q s + j - p_left]

    (taps that fall on the zero padding are left out of the sum). Each output pixel is
    one ``affine`` node, a neuron's weighted sum as in ``linear``, with an edge per
    weight, one per input pixel under the window and one for the bias:
    d y / d w[o][c][i][j] = the input under that tap, d y / d x = the weight over it,
    d y / d b[o] = 1. ``weight``: out x in x kh x kw (a Parameter or nested lists of
    Values); ``bias``: out Values or None; ``stride`` an int or pair; ``padding`` an int,
    a pair, or "valid" / "same" / "full" (see ``nn.windows``); ``layer``: how error
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

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 bias=True, generator=None):
        check_sizes("Conv2d", in_channels=in_channels, out_channels=out_channels)
        super().__init__()
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = as_pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = as_pair(stride, "stride", "Conv2d")
        self.padding = padding if isinstance(padding, str) else \
            as_pair(padding, "padding", "Conv2d", minimum=0)
        padding_amounts(self.padding, self.kernel_size, self.stride, "Conv2d")  # checked now
        self.weight = Parameter(np.zeros((self.out_channels, self.in_channels,
                                          *self.kernel_size)))
        self.register_parameter("bias", Parameter(np.zeros(self.out_channels)) if bias else None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None):
        """Torch's default: weight by kaiming_uniform(a=sqrt(5)), i.e.
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias from the same range;
        fan_in = in_channels * kh * kw."""
        generator = as_generator(generator, "Conv2d")
        init.kaiming_uniform(self.weight, a=math.sqrt(5.0), generator=generator)
        if self.bias is not None:
            fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            init.fan_in_uniform(self.bias, fan_in, generator=generator)

    def forward(self, x):
        """y[o][r][q] = b[o] + sum_{c,i,j} w[o][c][i][j] x[c][r s + i - p][q s + j - p]."""
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self)

    def extra_repr(self):
        padding = repr(self.padding) if isinstance(self.padding, str) else self.padding
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={padding}, bias={self.bias is not None}")

"""Pooling (notes section 1.3): a group operation over each window of each channel.

The notes' L_k pooling summarises a window (a group of k_h x k_w units of one channel)
by one number; channels are pooled separately, so the number of channels is kept:

    max pooling      y = max_{(i,j) in window} x_ij
    average pooling  y = (1 / |window|) sum x_ij
    L_p pooling      y = (sum x_ij^p)^(1/p)     (p = 1: sum; p -> infinity: max)

Windows and output sizes as for convolution (``nn.windows``); the stride defaults to
the kernel size (windows side by side, as torch).
"""
import numbers

from autodiff import maximum
from autodiff import sum as sum_values

from .images import as_image
from .module import Module
from .windows import as_pair, sliding_windows


def max_of(values):
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

    def __init__(self, kernel_size, stride=None, padding=0):
        name = type(self).__name__
        super().__init__()
        self.kernel_size = as_pair(kernel_size, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else as_pair(stride, "stride", name)
        self.padding = as_pair(padding, "padding", name, minimum=0)
        if any(p > k // 2 for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{name}: padding must be at most half the kernel size (as "
                             f"torch), got padding {self.padding} for kernel_size "
                             f"{self.kernel_size}")

    def forward(self, x):
        """y[c][r][q] = pool(x[c][i][j] for (i, j) in window (r, q)): channel by channel."""
        image, (_, height, width) = as_image(x, self)
        rows, columns = self.padding
        windows = sliding_windows(self, height, width, self.kernel_size, self.stride,
                                  ((rows, rows), (columns, columns)))
        return [[[self.pool([channel[i][j] for _, (i, j) in window]) for window in row]
                 for row in windows] for channel in image]

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Max pooling, as ``torch.nn.MaxPool2d``: y = max over the window; d y / d x = 1 for
    the window's largest input, 0 for the others. Zero padding never wins: taps on the
    padding are left out (torch pads with -inf; padding at most half the kernel).
    Tied inputs share the gradient (see ``max_of``); torch gives it all to one input."""

    def pool(self, window):
        """max_{(i,j) in window} x_ij."""
        return max_of(window)


class AvgPool2d(_Pool2d):
    """Average pooling, as ``torch.nn.AvgPool2d``: y = (1 / d) sum over the window,
    d y / d x = 1 / d, where d = kh * kw (padded zeros count, ``count_include_pad=True``,
    torch's default) or the number of window taps on the input (``False``)."""

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad=True):
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = bool(count_include_pad)

    def pool(self, window):
        """(1 / d) sum_{(i,j) in window} x_ij, one sum node and one mul node."""
        divisor = self.kernel_size[0] * self.kernel_size[1] if self.count_include_pad \
            else len(window)
        return sum_values(window) * (1.0 / divisor)

    def extra_repr(self):
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

    def __init__(self, norm_type, kernel_size, stride=None):
        if not isinstance(norm_type, numbers.Real) or isinstance(norm_type, bool) \
                or not 0 < norm_type < float("inf"):
            raise ValueError(f"LPPool2d: norm_type p must be a positive finite number, got "
                             f"{norm_type!r} (for p = infinity use MaxPool2d)")
        super().__init__(kernel_size, stride)
        self.norm_type = float(norm_type)

    def pool(self, window):
        """(sum x_ij^p)^(1/p)."""
        p = self.norm_type
        return sum_values([x ** p for x in window]) ** (1.0 / p)

    def extra_repr(self):
        return f"norm_type={self.norm_type:g}, kernel_size={self.kernel_size}, stride={self.stride}"

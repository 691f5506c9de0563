"""Sliding windows: where a kernel lands on a zero-padded image (notes section 1.3).

Along one dimension of n inputs, a kernel of size k moved in steps of s over the input
padded with p_before and p_after zeros has

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
"""
import numbers

from .values import layer_name

PADDING_MODES = ("valid", "same", "full")


def as_pair(value, what, layer, minimum=1):
    """``value`` (an int, or a pair of ints for rows and columns) as a pair of ints >=
    ``minimum``; else a ValueError naming ``layer`` and ``what``."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool)
                                 and n >= minimum for n in pair):
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{layer_name(layer)}: {what} must be a {kind} integer or a pair "
                         f"of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def padding_amounts(padding, kernel, stride, layer):
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


def output_length(layer, dimension, size, kernel, stride, before, after):
    """floor((size + before + after - kernel) / stride) + 1, or a ValueError naming
    ``layer`` when the kernel does not fit in the padded input."""
    padded = size + before + after
    if kernel > padded:
        raise ValueError(f"{layer_name(layer)}: kernel size {kernel} is larger than the "
                         f"padded input: {dimension} {size} + padding {before} + {after} = "
                         f"{padded}")
    return (padded - kernel) // stride + 1


def conv_output_size(n, kernel, stride=1, padding=0):
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


def sliding_windows(layer, height, width, kernel, stride, padding):
    """The windows of a kernel over a height x width image: a list (one per output row)
    of lists (one per output column) of the taps ((kernel row, kernel column), (input
    row, input column)) that fall on the input. ``kernel``, ``stride`` pairs;
    ``padding`` as resolved by ``padding_amounts``."""
    (top, bottom), (left, right) = padding
    rows = _taps(layer, "height", height, kernel[0], stride[0], top, bottom)
    columns = _taps(layer, "width", width, kernel[1], stride[1], left, right)
    return [[[((ki, kj), (i, j)) for ki, i in row for kj, j in column] for column in columns]
            for row in rows]

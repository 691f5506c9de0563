"""Images of Values: numpy arrays in and out, and the shape check every image layer uses.

An image is a nested list channels x rows x columns of Values (the notes' section 1.3);
each Value holds a float (one image) or a 1-D array with one float per example, so a
batch of N images of shape (C, H, W) is C x H x W Values each holding N numbers. The
batch is never a dimension of the lists: the same layer code runs one image or many.
"""
import numpy as np

from autodiff import Value

from .values import layer_name


def to_image_values(X, label="", requires_grad=False):
    """Engine images from a numpy array: (N, C, H, W) -> C x H x W batched Values,
    ``image[c][i][j] = Value(X[:, c, i, j])``; (C, H, W) -> one image of float Values.
    ``label``, if given, names the Values ``label[c,i,j]``. As ``to_values``, the
    pixels are data that need no gradient (``requires_grad=False``, skipped by
    backward) unless ``requires_grad=True`` asks for d loss / d pixel."""
    array = np.asarray(X, dtype=np.float64)
    if array.ndim not in (3, 4):
        raise ValueError(f"to_image_values: expected an array of images (N, C, H, W) or "
                         f"one image (C, H, W), got shape {array.shape}")
    pixels = np.moveaxis(array, 0, -1) if array.ndim == 4 else array
    channels, rows, columns = pixels.shape[:3]
    return [[[Value(pixels[c, i, j], label=f"{label}[{c},{i},{j}]" if label else "",
                    requires_grad=requires_grad)
              for j in range(columns)] for i in range(rows)] for c in range(channels)]


def to_image_numpy(image):
    """The data of an image of Values (or of numbers, or of their grads: floats or 1-D
    arrays) as an array: (N, C, H, W) when batched, (C, H, W) for one image."""
    channels, rows, columns = image_shape(image, "to_image_numpy")
    datas = [np.asarray(getattr(pixel, "data", pixel), dtype=np.float64)
             for channel in image for row in channel for pixel in row]
    if all(d.ndim == 0 for d in datas):
        return np.array(datas, dtype=np.float64).reshape(channels, rows, columns)
    stacked = np.stack(np.broadcast_arrays(*datas))               # (C*H*W, N)
    return np.moveaxis(stacked.reshape(channels, rows, columns, -1), -1, 0)


def image_shape(image, layer, channels=None):
    """(C, H, W) of a nested list image, after checking it is channels x rows x columns
    with every channel the same height and every row the same width (not ragged).
    Errors name ``layer`` (a Module or a name); ``channels``, if given, is the number
    of channels the layer expects."""
    name = layer_name(layer)
    if not isinstance(image, (list, tuple)) or not image:
        raise TypeError(f"{name}: expected an image (a nested list channels x rows x "
                        f"columns of Values, or a numpy array), got {_kind(image)}")
    if channels is not None and len(image) != channels:
        raise ValueError(f"{name}: expected {channels} input channel"
                         f"{'s' if channels != 1 else ''}, got {len(image)}")
    height = width = None
    for c, channel in enumerate(image):
        if not isinstance(channel, (list, tuple)) or not channel \
                or not isinstance(channel[0], (list, tuple)):
            raise ValueError(f"{name}: channel {c} is not a list of rows (an image is "
                             f"channels x rows x columns), got {_kind(channel)}")
        if height is None:
            height, width = len(channel), len(channel[0])
        if len(channel) != height:
            raise ValueError(f"{name}: ragged image: channel {c} has {len(channel)} rows, "
                             f"channel 0 has {height}")
        for i, row in enumerate(channel):
            if not isinstance(row, (list, tuple)) or len(row) != width:
                got = f"{len(row)} columns" if isinstance(row, (list, tuple)) else _kind(row)
                raise ValueError(f"{name}: ragged image: channel {c} row {i} has {got}, "
                                 f"row 0 of channel 0 has {width} columns")
    if width == 0:
        raise ValueError(f"{name}: the image has rows of 0 columns")
    return len(image), height, width


def as_image(x, layer, channels=None):
    """``x`` as a nested list image for ``layer``: a numpy array is converted with
    ``to_image_values``; a nested list is checked with ``image_shape``. Returns the
    image and its (C, H, W)."""
    if isinstance(x, np.ndarray):
        if x.ndim not in (3, 4):
            raise ValueError(f"{layer_name(layer)}: expected a numpy array of images "
                             f"(N, C, H, W) or one image (C, H, W), got shape {x.shape}")
        x = to_image_values(x)
    return x, image_shape(x, layer, channels)


def _kind(x):
    return "a single Value" if isinstance(x, Value) else type(x).__name__

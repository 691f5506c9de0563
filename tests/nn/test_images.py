"""nn.to_image_values / nn.to_image_numpy: numpy images to C x H x W Values and back."""
import numpy as np
import pytest

import autodiff as ad
import nn


def test_a_batch_of_images_becomes_channels_x_rows_x_columns_of_batched_values():
    X = np.random.default_rng(0).normal(size=(5, 2, 3, 4))
    image = nn.to_image_values(X, label="x")
    assert (len(image), len(image[0]), len(image[0][0])) == (2, 3, 4)
    np.testing.assert_array_equal(image[1][2][3].data, X[:, 1, 2, 3])
    assert image[1][2][3].label == "x[1,2,3]"
    np.testing.assert_array_equal(nn.to_image_numpy(image), X)


def test_one_image_becomes_float_values_and_comes_back_without_a_batch_axis():
    X = np.arange(12.0).reshape(1, 3, 4)
    image = nn.to_image_values(X)
    assert image[0][2][1].data == 9.0
    np.testing.assert_array_equal(nn.to_image_numpy(image), X)


def test_gradients_convert_like_data():
    image = nn.to_image_values(np.ones((3, 1, 2, 2)), requires_grad=True)
    ad.batch_sum(ad.sum([2.0 * v for row in image[0] for v in row])).backward()
    grads = [[[v.grad for v in row] for row in channel] for channel in image]
    np.testing.assert_array_equal(nn.to_image_numpy(grads), np.full((3, 1, 2, 2), 2.0))


def test_arrays_that_are_not_images_are_an_error():
    with pytest.raises(ValueError, match=r"to_image_values: expected an array of images "
                                         r"\(N, C, H, W\) or one image \(C, H, W\), got shape "
                                         r"\(4, 4\)"):
        nn.to_image_values(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"Conv2d\(.*\): expected a numpy array of images"):
        nn.Conv2d(1, 1, 1)(np.zeros((4, 4)))

"""Where nn accepts a Value or a plain number, a numpy array or numpy number is read as
its numbers, never as its ``.data`` attribute (a numpy object's memory buffer)."""
import math

import numpy as np

import nn
from autodiff import Value


def test_cross_entropy_reads_a_batch_of_raw_scores_as_a_batch():
    # scores [1, 0] (target 0) and [2, 0] (target 1): losses log(1 + e^-1), log(e^2 + 1)
    loss = nn.cross_entropy([np.array([1.0, 2.0]), 0.0], np.array([0, 1]))
    expected = (math.log(1 + math.exp(-1.0)) + math.log(math.exp(2.0) + 1)) / 2
    assert abs(loss.data - expected) < 1e-15


def test_a_parameter_reads_numpy_number_grads_as_numbers():
    p = nn.Parameter(np.zeros(2))
    p.values()[0].grad = np.float64(0.25)
    np.testing.assert_array_equal(p.grad, [0.25, 0.0])


def test_dropout_of_a_numpy_number_is_one_number_not_a_batch():
    drop = nn.Dropout(0.5, generator=0)
    outputs = [drop(np.float64(2.0)) for _ in range(20)]
    assert all(type(out.data) is float for out in outputs)
    assert {out.data for out in outputs} == {0.0, 4.0}          # dropped, or kept x 1/(1-p)


def test_an_image_of_numpy_numbers_converts_to_its_numbers():
    image = [[[np.float64(1.0), 2.0], [Value(3.0), np.float64(4.0)]]]
    np.testing.assert_array_equal(nn.values.to_image_numpy(image), [[[1.0, 2.0], [3.0, 4.0]]])

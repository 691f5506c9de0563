"""nn.Parameter: a tensor of leaf Values, indexed like nested lists."""
import numpy as np
import pytest

import nn
from autodiff import Value


def test_parameter_holds_one_leaf_value_per_entry_in_row_major_order():
    p = nn.Parameter(np.arange(6.0).reshape(2, 3))
    assert p.shape == (2, 3) and p.ndim == 2 and p.numel() == 6 and len(p) == 2
    assert [v.data for v in p.values()] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert all(isinstance(v, Value) and v.is_leaf for v in p.values())


def test_parameter_indexes_like_nested_lists_and_by_tuple():
    p = nn.Parameter(np.arange(6.0).reshape(2, 3))
    assert p[1][2] is p[1, 2] is p.values()[5]
    assert [v.data for v in p[0]] == [0.0, 1.0, 2.0]
    assert [[v.data for v in row] for row in p] == [[0, 1, 2], [3, 4, 5]]
    vector = nn.Parameter([7.0, 8.0])
    assert vector[1].data == 8.0


def test_parameter_data_grad_and_numpy_have_its_shape():
    p = nn.Parameter(np.ones((2, 2)))
    loss = p[0][1] * 3.0 + p[1][0] * p[1][0]
    loss.backward()
    np.testing.assert_array_equal(p.grad, [[0.0, 3.0], [2.0, 0.0]])
    np.testing.assert_array_equal(p.numpy(), np.ones((2, 2)))
    np.testing.assert_array_equal(np.asarray(p), np.ones((2, 2)))
    p.zero_grad()
    np.testing.assert_array_equal(p.grad, np.zeros((2, 2)))


def test_setting_data_writes_every_leaf_and_checks_the_shape():
    p = nn.Parameter(np.zeros((2, 3)))
    leaf = p[1][2]
    p.data = np.arange(6.0).reshape(2, 3)
    assert leaf.data == 5.0 and type(leaf.data) is float
    with pytest.raises(ValueError, match=r"expected data of shape \(2, 3\), got \(3, 2\)"):
        p.data = np.zeros((3, 2))
    with pytest.raises(ValueError, match="finite"):
        p.copy_(np.full((2, 3), np.nan))


def test_parameter_rejects_non_finite_initial_data():
    with pytest.raises(ValueError, match="finite"):
        nn.Parameter([1.0, np.inf])


def test_registered_parameter_leaves_are_labelled_with_name_and_index():
    layer = nn.Linear(2, 3, generator=0)
    assert layer.weight[2][1].label == "weight[2,1]"
    assert layer.bias[0].label == "bias[0]"
    assert layer.weight.name == "weight"


def test_zero_dimensional_parameter_has_one_leaf_and_no_indexing():
    p = nn.Parameter(2.5, name="scale")
    assert p.shape == () and p.values()[0].data == 2.5 and p.values()[0].label == "scale"
    with pytest.raises(TypeError, match="0-d"):
        p[0]
    with pytest.raises(TypeError, match="0-d"):
        len(p)


def test_parameter_repr_shows_name_shape_and_data():
    text = repr(nn.Parameter([1.0, 2.0], name="bias"))
    assert "bias" in text and "(2,)" in text and "1." in text

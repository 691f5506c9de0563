"""nn.Flatten and nn.Unflatten: torch's dimension numbering (batch = 0), row-major order,
no graph nodes, errors.

nn.to_image_values / nn.to_image_numpy: numpy images to C x H x W Values and back."""
import numpy as np
import pytest

import autodiff as ad
import nn


def test_flatten_gives_the_row_major_vector_of_an_image_as_torch(torch):
    X = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    out = nn.Flatten()(nn.to_image_values(X))
    assert len(out) == 60
    np.testing.assert_array_equal(nn.to_numpy(out), torch.nn.Flatten()(torch.tensor(X)).numpy())


@pytest.mark.parametrize("start_dim, end_dim", [(1, 2), (2, 3), (2, -1), (-3, -2), (3, 3)])
def test_flatten_between_dimensions_matches_torch(torch, start_dim, end_dim):
    X = np.random.default_rng(1).normal(size=(2, 3, 4, 5))
    out = nn.Flatten(start_dim, end_dim)(nn.to_image_values(X))
    expected = torch.nn.Flatten(start_dim, end_dim)(torch.tensor(X)).numpy()
    shape, level = [], out
    while isinstance(level, list):
        shape.append(len(level))
        level = level[0]
    data = np.array([v.data for v in nn.values.flatten_values(out)])
    assert tuple(shape) == expected.shape[1:]
    np.testing.assert_array_equal(np.moveaxis(data.reshape(*shape, 2), -1, 0), expected)


def test_unflatten_turns_a_batch_of_vectors_into_images_as_torch(torch):
    X = np.random.default_rng(2).normal(size=(3, 12))
    out = nn.Unflatten(1, (3, 2, -1))(nn.to_values(X))
    expected = torch.nn.Unflatten(1, (3, 2, 2))(torch.tensor(X)).numpy()
    np.testing.assert_array_equal(nn.to_image_numpy(out), expected)
    back = nn.Flatten()(out)
    np.testing.assert_array_equal(nn.to_numpy(back), X)


def test_reshaping_makes_no_nodes_so_gradients_pass_unchanged():
    image = nn.to_image_values(np.ones((2, 2, 2)))
    flat = nn.Flatten()(image)
    assert flat[5] is image[1][0][1]
    assert nn.Unflatten(1, (2, 2, 2))(flat)[1][0][1] is image[1][0][1]


@pytest.mark.parametrize("make, message", [
    (lambda x: nn.Flatten(0)(x), r"Flatten: start_dim=0 is the batch dimension"),
    (lambda x: nn.Flatten(1, 4)(x), r"Flatten: end_dim=4 is out of range for an input of 4 "
                                    r"dimensions"),
    (lambda x: nn.Flatten(3, 2)(x), r"Flatten: start_dim=3 comes after end_dim=2"),
    (lambda x: nn.Unflatten(1, (3, 3))(x), r"Unflatten: cannot split a dimension of 2 into "
                                           r"\(3, 3\)"),
], ids=["batch", "out-of-range", "order", "sizes"])
def test_bad_dimensions_are_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make(nn.to_image_values(np.zeros((2, 2, 2, 2))))


def test_bad_unflattened_sizes_are_errors():
    with pytest.raises(ValueError, match=r"Unflatten: unflattened_size must be positive "
                                         r"integers \(one may be -1\), got \(-1, -1\)"):
        nn.Unflatten(1, (-1, -1))
    with pytest.raises(ValueError, match="Unflatten: dim must be a whole number, got 1.5"):
        nn.Unflatten(1.5, (2, 2))
    with pytest.raises(ValueError, match="Flatten: end_dim must be a whole number, got True"):
        nn.Flatten(1, True)


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
    with pytest.raises(ValueError, match=r"Conv2d\(.*\): expected an array of images "
                                         r"\(N, 1, H, W\) or one image \(1, H, W\), got "
                                         r"shape \(4, 4\)"):
        nn.Conv2d(1, 1, 1)(np.zeros((4, 4)))


# --- what a layer is given: numpy's meaning, or a clear refusal -------------------------

def test_a_list_of_rows_is_refused_with_the_numpy_way_to_pass_it():
    """A list is always the vector of features; rows of examples are numpy's (N, d)."""
    model = nn.MLP([2, 3, 1], generator=0)
    rows = [[0.5, -1.0], [1.0, 2.0]]
    with pytest.raises(TypeError, match=r"Linear\(in_features=2, out_features=3, bias=True\): "
                                        r"a list is one vector of features.*np\.array\(rows\)"):
        model(rows)
    as_array = nn.to_numpy(model(np.array(rows)))                   # rows are examples
    one_by_one = [nn.to_numpy(model(np.array(row))) for row in rows]
    np.testing.assert_allclose(as_array, np.array(one_by_one), rtol=1e-12)
    with pytest.raises(TypeError, match="np.array\\(rows\\)"):
        nn.Linear(2, 1)([np.array([0.5, 1.0]), np.array([-1.0, 2.0])])
    np.testing.assert_allclose(nn.to_numpy(model([0.5, -1.0])), one_by_one[0])


@pytest.mark.parametrize("call, message", [
    (lambda: nn.Linear(3, 2)(np.zeros((2, 5, 3))),
     r"Linear\(in_features=3, out_features=2, bias=True\): expected an array of one example "
     r"\(3 features,\) or of examples \(N, 3 features\), got shape \(2, 5, 3\)"),
    (lambda: nn.LSTM(3, 4)(np.zeros((2, 5, 1, 3))),
     r"LSTM\(3, 4\): expected a sequence array \(T, 3\) or \(T, N, 3\) \(time-major, as "
     r"torch\), got shape \(2, 5, 1, 3\)"),
    (lambda: nn.Conv2d(1, 2, 3)(np.zeros((2, 5, 5))),
     r"Conv2d\(1, 2, .*\): expected 1 input channel, got 2"),
    (lambda: nn.Conv2d(1, 2, 3)(np.zeros((2, 1, 5, 5, 1))),
     r"Conv2d\(1, 2, .*\): expected an array of images \(N, 1, H, W\) or one image "
     r"\(1, H, W\), got shape \(2, 1, 5, 5, 1\)"),
    (lambda: nn.Linear(3, 2)(np.zeros((0, 3))),
     r"Linear\(.*\): the batch is empty \(an array of shape \(0, 3\) holds 0 examples\)"),
    (lambda: nn.LSTM(3, 4)(np.zeros((5, 0, 3))),
     r"LSTM\(3, 4\): the batch is empty \(an array of shape \(5, 0, 3\) holds 0 examples\)"),
    (lambda: nn.Conv2d(1, 2, 3)(np.zeros((0, 1, 5, 5))),
     r"Conv2d\(1, 2, .*\): the batch is empty"),
    (lambda: nn.ReLU()(np.zeros((0, 4))), r"ReLU\(\): the batch is empty"),
    (lambda: nn.RNN(2, 3, num_layers=2)(np.zeros((4, 5, 2)), np.zeros((2, 1, 5, 3))),
     r"RNN\(2, 3, num_layers=2\): expected h_0 as an array \(2, 3\) or \(2, N, 3\)"),
], ids=["linear-3d", "lstm-4d", "conv-channels", "conv-5d", "linear-empty", "lstm-empty",
        "conv-empty", "relu-empty", "rnn-state-4d"])
def test_shape_errors_name_the_layer_called_and_the_shape_it_expects(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_flatten_takes_an_array_as_torch_reads_it_n_c_h_w():
    X = np.arange(16.0).reshape(2, 2, 2, 2)
    out = nn.Flatten()(X)
    assert len(out) == 8 and all(v.data.shape == (2,) for v in out)
    np.testing.assert_array_equal(nn.to_numpy(out), X.reshape(2, -1))
    inner = nn.Flatten(2)(X)                                  # (N, C, H*W)
    assert [len(channel) for channel in inner] == [4, 4]
    np.testing.assert_array_equal(nn.to_numpy(inner[1]), X[:, 1].reshape(2, -1))
    np.testing.assert_array_equal(nn.to_numpy(nn.Flatten()(np.ones((3, 5)))), np.ones((3, 5)))


def test_elementwise_layers_take_arrays_of_any_rank_with_the_batch_first():
    X = np.random.default_rng(3).normal(size=(4, 2, 3, 3))
    out = nn.ReLU()(X)
    np.testing.assert_array_equal(nn.to_image_numpy(out), np.maximum(X, 0.0))

"""Data sets, train_test_split and batches."""
import sys

import numpy as np
import pytest

import nn
from autodiff import Value

GENERATORS = [nn.make_moons, nn.make_circles, nn.make_spirals, nn.make_xor]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_synthetic_sets_have_two_features_balanced_int_labels_and_are_seeded(make):
    X, y = make(101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    if make is not nn.make_xor:
        assert abs(np.sum(y == 0) - np.sum(y == 1)) <= 1
    X2, y2 = make(101, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(101, noise=0.1, seed=4)[0])


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = nn.make_moons(50, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    assert np.all(outer[:, 1] >= 0) and np.all(inner[:, 1] <= 0.5)


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = nn.make_circles(40, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)


def test_spirals_support_several_classes_within_the_unit_disc():
    X, y = nn.make_spirals(90, classes=3, turns=1.5, seed=0)
    assert set(np.unique(y)) == {0, 1, 2} and np.all(np.bincount(y) == 30)
    assert np.all(np.hypot(*X.T) <= 1.0 + 1e-12)


def test_xor_labels_are_one_where_the_signs_differ():
    X, y = nn.make_xor(200, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_generators_check_their_arguments():
    with pytest.raises(ValueError, match="make_moons: n_samples must be an integer >= 2"):
        nn.make_moons(1)
    with pytest.raises(ValueError, match="noise must be a non-negative number"):
        nn.make_xor(10, noise=-1)
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\)"):
        nn.make_circles(10, factor=1.5)


def test_load_digits_gives_1797_scaled_8x8_images():
    pytest.importorskip("sklearn")
    X, y = nn.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    assert nn.load_digits(scale=False)[0].max() == 16.0


def test_load_digits_without_scikit_learn_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        nn.load_digits()


def test_train_test_split_partitions_the_examples():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.3, seed=0)
    assert len(X_test) == 3 and len(X_train) == 7
    assert sorted(np.concatenate([y_train, y_test])) == list(range(10))
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)       # rows stay paired
    _, X_test, _, _ = nn.train_test_split(X, y, test_size=2, shuffle=False)
    np.testing.assert_array_equal(X_test, X[:2])
    with pytest.raises(ValueError, match="both parts must be non-empty"):
        nn.train_test_split(X, y, test_size=10)
    with pytest.raises(ValueError, match="X has 10 examples but y has 3"):
        nn.train_test_split(X, y[:3])


def test_batches_yield_batched_values_covering_every_example_once():
    X = np.arange(14.0).reshape(7, 2)
    y = np.arange(7)
    seen = []
    for inputs, targets in nn.batches(X, y, batch_size=3, seed=0):
        assert len(inputs) == 2 and all(isinstance(v, Value) for v in inputs)
        assert len(inputs[0].data) == len(targets) <= 3
        np.testing.assert_array_equal(inputs[0].data, 2 * targets)
        seen.extend(targets)
    assert sorted(seen) == list(range(7))


def test_batches_in_order_with_drop_last_and_two_dimensional_targets():
    X = np.zeros((7, 1))
    Y = np.arange(14.0).reshape(7, 2)
    sizes = [len(t[0]) for _, t in nn.batches(X, Y, 3, shuffle=False, drop_last=True)]
    assert sizes == [3, 3]
    _, first = next(nn.batches(X, Y, 3, shuffle=False))
    np.testing.assert_array_equal(first[1], [1.0, 3.0, 5.0])


def test_batches_check_their_arguments_when_called():
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        nn.batches(np.zeros((3, 2)), np.zeros(3), batch_size=0)
    with pytest.raises(ValueError, match="X must be examples x features"):
        nn.batches(np.zeros(3), np.zeros(3))


def test_to_values_and_to_numpy_convert_between_arrays_and_vectors():
    X = np.arange(6.0).reshape(3, 2)
    vector = nn.to_values(X, label="x")
    assert [v.label for v in vector] == ["x[0]", "x[1]"]
    np.testing.assert_array_equal(nn.to_numpy(vector), X)
    single = nn.to_values([1.0, 2.0])
    assert [type(v.data) for v in single] == [float, float]
    np.testing.assert_array_equal(nn.to_numpy(single), [1.0, 2.0])
    with pytest.raises(ValueError, match="expected a 1-D"):
        nn.to_values(np.zeros((2, 2, 2)))

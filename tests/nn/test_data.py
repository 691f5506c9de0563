"""Data sets, train_test_split and batches.

Sequence tasks in nn.data: the adding problem, the copy task, sine prediction, a^n b^n
and its accuracy."""
import sys

import numpy as np
import pytest

import nn
import nn.data
from autodiff import Value


GENERATORS = [nn.make_moons, nn.make_circles, nn.make_spirals, nn.make_xor]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_synthetic_sets_have_two_features_balanced_int_labels_and_are_seeded(make):
    X, y = make(101, noise=0.1, generator=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    if make is not nn.make_xor:
        assert abs(np.sum(y == 0) - np.sum(y == 1)) <= 1
    X2, y2 = make(101, noise=0.1, generator=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(101, noise=0.1, generator=4)[0])


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = nn.make_moons(50, generator=0)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    assert np.all(outer[:, 1] >= 0) and np.all(inner[:, 1] <= 0.5)


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = nn.make_circles(40, factor=0.3, generator=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)


def test_spirals_support_several_classes_within_the_unit_disc():
    X, y = nn.make_spirals(90, classes=3, turns=1.5, generator=0)
    assert set(np.unique(y)) == {0, 1, 2} and np.all(np.bincount(y) == 30)
    assert np.all(np.hypot(*X.T) <= 1.0 + 1e-12)


def test_xor_labels_are_one_where_the_signs_differ():
    X, y = nn.make_xor(200, generator=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_generators_check_their_arguments():
    with pytest.raises(ValueError, match="make_moons: n_samples must be a whole number >= 2"):
        nn.make_moons(1)
    with pytest.raises(ValueError, match="make_xor: noise must be a number >= 0.0, got -1"):
        nn.make_xor(10, noise=-1)
    with pytest.raises(ValueError, match=r"make_circles: factor must be a number > 0.0 and "
                                         r"< 1.0, got 1.5"):
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
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.3, generator=0)
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
    for inputs, targets in nn.batches(X, y, batch_size=3, generator=0):
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
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        nn.batches(np.zeros((3, 2)), np.zeros(3), batch_size=0)
    with pytest.raises(ValueError, match="X must be examples x features"):
        nn.batches(np.zeros(3), np.zeros(3))


def test_array_batches_are_the_rows_of_batches_as_arrays():
    X = np.arange(22.0).reshape(11, 2)
    Y = np.arange(22.0).reshape(11, 2) * 10
    for options in ({"generator": 3}, {"shuffle": False, "drop_last": True}):
        as_values = list(nn.batches(X, Y, 4, **options))
        as_arrays = list(nn.array_batches(X, Y, 4, **options))
        assert len(as_arrays) == len(as_values) == (2 if "drop_last" in options else 3)
        for (inputs, targets), (xb, yb) in zip(as_values, as_arrays):
            np.testing.assert_array_equal(xb, nn.to_numpy(inputs))
            np.testing.assert_array_equal(yb, np.column_stack(targets))
    with pytest.raises(ValueError, match="array_batches: X has 11 examples but y has 3"):
        nn.array_batches(X, np.zeros(3))


def test_to_values_and_to_numpy_convert_between_arrays_and_vectors():
    X = np.arange(6.0).reshape(3, 2)
    vector = nn.to_values(X, label="x")
    assert [v.label for v in vector] == ["x[0]", "x[1]"]
    np.testing.assert_array_equal(nn.to_numpy(vector), X)
    single = nn.to_values([1.0, 2.0])
    assert [type(v.data) for v in single] == [float, float]
    np.testing.assert_array_equal(nn.to_numpy(single), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"to_values: expected an array of one example "
                                         r"\(features,\) or of examples \(N, features\), "
                                         r"got shape \(2, 2, 2\)"):
        nn.to_values(np.zeros((2, 2, 2)))


def test_tasks_are_exported_from_nn_data():
    for name in ("make_adding_problem", "make_copy_task", "make_sine_sequences", "make_anbn",
                 "anbn_accuracy", "AnBn", "ANBN_SYMBOLS"):
        assert hasattr(nn.data, name)


def test_the_adding_problem_marks_one_value_in_each_half_and_sums_them():
    X, y = nn.make_adding_problem(50, length=10, generator=0)
    assert X.shape == (10, 50, 2) and y.shape == (50,)
    markers = X[:, :, 1]
    np.testing.assert_array_equal(markers.sum(axis=0), 2.0)
    np.testing.assert_array_equal(markers[:5].sum(axis=0), 1.0)
    np.testing.assert_allclose((X[:, :, 0] * markers).sum(axis=0), y)
    assert np.all((X[:, :, 0] >= 0) & (X[:, :, 0] < 1))


def test_predicting_the_mean_scores_one_sixth_on_the_adding_problem():
    _, y = nn.make_adding_problem(20000, length=6, generator=1)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, rel=0.03)


def test_the_copy_task_asks_for_the_symbols_after_the_delimiter():
    X, y = nn.make_copy_task(4, length=3, delay=5, n_symbols=6, generator=0)
    assert X.shape == (11, 4, 8) and y.shape == (11, 4)
    inputs = X.argmax(axis=2)
    np.testing.assert_array_equal(y[8:], inputs[:3])               # the copy
    assert np.all((inputs[:3] >= 1) & (inputs[:3] <= 6))
    np.testing.assert_array_equal(inputs[7], 7)                    # delimiter at step 7
    np.testing.assert_array_equal(inputs[3:7], 0)
    np.testing.assert_array_equal(y[:8], 0)
    np.testing.assert_array_equal(X.sum(axis=2), 1.0)               # one-hot


def test_sine_targets_are_the_next_values():
    X, y = nn.make_sine_sequences(8, length=12, generator=0)
    assert X.shape == y.shape == (12, 8, 1)
    np.testing.assert_array_equal(y[:-1], X[1:])
    assert np.abs(X).max() <= 1.0
    noisy, _ = nn.make_sine_sequences(8, length=12, noise=0.1, generator=0)
    assert 0.05 < np.std(noisy - X) < 0.15


def test_anbn_strings_masks_and_deterministic_positions():
    task = nn.make_anbn([1, 3], length=7)
    symbols = task.X.argmax(axis=2)
    assert task.X.shape == (7, 2, 3)
    assert "".join(nn.data.ANBN_SYMBOLS[s] for s in symbols[:, 1]) == "aaabbb$"
    assert "".join(nn.data.ANBN_SYMBOLS[s] for s in task.y[:, 1]) == "aabbb$$"
    np.testing.assert_array_equal(task.mask.sum(axis=0), [2, 6])
    np.testing.assert_array_equal(np.flatnonzero(task.deterministic[:, 1]), [3, 4, 5])
    np.testing.assert_array_equal(np.flatnonzero(task.deterministic[:, 0]), [1])
    np.testing.assert_array_equal(task.n, [1, 3])


def test_anbn_accuracy_counts_whole_strings_and_symbols():
    task = nn.make_anbn([2, 3])
    perfect = np.eye(3)[task.y] * 5.0
    assert nn.anbn_accuracy(perfect, task) == (1.0, 1.0)
    wrong = perfect.copy()
    wrong[5, 1] = [0.0, 5.0, 0.0]            # n=3: 'b' instead of '$' at the end
    assert nn.anbn_accuracy(wrong, task) == (0.5, 4 / 5)


def test_task_arguments_are_checked():
    with pytest.raises(ValueError, match="make_adding_problem: length must be a whole "
                                         "number >= 2, got 1"):
        nn.make_adding_problem(10, length=1)
    with pytest.raises(ValueError, match="make_copy_task: delay must be a whole number >= 1"):
        nn.make_copy_task(10, delay=0)
    with pytest.raises(ValueError, match="make_sine_sequences: frequencies must be"):
        nn.make_sine_sequences(10, frequencies=(0.5, 0.1))
    with pytest.raises(ValueError, match="make_anbn: length 5 is shorter than the longest"):
        nn.make_anbn([3], length=5)
    with pytest.raises(ValueError, match="make_anbn: n must be a whole number >= 1, got 0"):
        nn.make_anbn([0, 2])

"""Sequence tasks in nn.data: the adding problem, the copy task, sine prediction, a^n b^n
and its accuracy."""
import numpy as np
import pytest

import nn
import nn.data


def test_tasks_are_exported_from_nn_data():
    for name in ("make_adding_problem", "make_copy_task", "make_sine_sequences", "make_anbn",
                 "anbn_accuracy", "AnBn", "ANBN_SYMBOLS"):
        assert hasattr(nn.data, name)


def test_the_adding_problem_marks_one_value_in_each_half_and_sums_them():
    X, y = nn.make_adding_problem(50, length=10, seed=0)
    assert X.shape == (10, 50, 2) and y.shape == (50,)
    markers = X[:, :, 1]
    np.testing.assert_array_equal(markers.sum(axis=0), 2.0)
    np.testing.assert_array_equal(markers[:5].sum(axis=0), 1.0)
    np.testing.assert_allclose((X[:, :, 0] * markers).sum(axis=0), y)
    assert np.all((X[:, :, 0] >= 0) & (X[:, :, 0] < 1))


def test_predicting_the_mean_scores_one_sixth_on_the_adding_problem():
    _, y = nn.make_adding_problem(20000, length=6, seed=1)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, rel=0.03)


def test_the_copy_task_asks_for_the_symbols_after_the_delimiter():
    X, y = nn.make_copy_task(4, length=3, delay=5, n_symbols=6, seed=0)
    assert X.shape == (11, 4, 8) and y.shape == (11, 4)
    inputs = X.argmax(axis=2)
    np.testing.assert_array_equal(y[8:], inputs[:3])               # the copy
    assert np.all((inputs[:3] >= 1) & (inputs[:3] <= 6))
    np.testing.assert_array_equal(inputs[7], 7)                    # delimiter at step 7
    np.testing.assert_array_equal(inputs[3:7], 0)
    np.testing.assert_array_equal(y[:8], 0)
    np.testing.assert_array_equal(X.sum(axis=2), 1.0)               # one-hot


def test_sine_targets_are_the_next_values():
    X, y = nn.make_sine_sequences(8, length=12, seed=0)
    assert X.shape == y.shape == (12, 8, 1)
    np.testing.assert_array_equal(y[:-1], X[1:])
    assert np.abs(X).max() <= 1.0
    noisy, _ = nn.make_sine_sequences(8, length=12, noise=0.1, seed=0)
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
    with pytest.raises(ValueError, match="make_adding_problem: length must be an "
                                         "integer >= 2"):
        nn.make_adding_problem(10, length=1)
    with pytest.raises(ValueError, match="make_copy_task: delay must be an integer >= 1"):
        nn.make_copy_task(10, delay=0)
    with pytest.raises(ValueError, match="make_sine_sequences: frequencies must be"):
        nn.make_sine_sequences(10, frequencies=(0.5, 0.1))
    with pytest.raises(ValueError, match="make_anbn: length 5 is shorter than the longest"):
        nn.make_anbn([3], length=5)
    with pytest.raises(ValueError, match="make_anbn: n must be an integer >= 1, got 0"):
        nn.make_anbn([0, 2])

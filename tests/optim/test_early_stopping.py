"""Early stopping: stops after `patience` checks without an improvement larger than
min_delta, and puts back the parameters of the best check."""
import numpy as np
import pytest

import optim
from autodiff import Value


def run(stopper, params, metrics):
    """Feed the metrics one per 'epoch', setting the parameters to the epoch number
    first; returns the epoch (from 1) at which the stopper said stop, or None."""
    for epoch, metric in enumerate(metrics, start=1):
        params[0].data = float(epoch)
        params[1].data = np.full(2, float(epoch))
        if stopper.step(metric):
            return epoch
    return None


def params():
    return [Value(0.0), Value([0.0, 0.0])]


def test_stops_after_patience_checks_without_improvement_and_restores_the_best():
    w = params()
    stopper = optim.EarlyStopping(w, patience=3)
    assert run(stopper, w, [5.0, 4.0, 3.0, 3.5, 3.2, 3.0, 1.0]) == 6
    assert (stopper.best, stopper.best_step, stopper.stopped) == (3.0, 3, True)
    assert w[0].data == 3.0
    np.testing.assert_array_equal(w[1].data, [3.0, 3.0])


def test_an_improvement_smaller_than_min_delta_does_not_count():
    w = params()
    stopper = optim.EarlyStopping(w, patience=2, min_delta=0.1)
    assert run(stopper, w, [1.0, 0.95, 0.91, 0.5]) == 3
    assert stopper.best_step == 1 and w[0].data == 1.0


def test_mode_max_watches_a_metric_that_should_grow():
    w = params()
    stopper = optim.EarlyStopping(w, patience=1, mode="max")
    assert run(stopper, w, [0.5, 0.8, 0.7]) == 3
    assert stopper.best == 0.8 and w[0].data == 2.0


def test_a_nan_metric_is_never_an_improvement_and_a_value_metric_is_read():
    w = params()
    stopper = optim.EarlyStopping(w, patience=2)
    assert run(stopper, w, [Value(2.0), float("nan"), float("nan")]) == 3
    assert stopper.best == 2.0 and w[0].data == 1.0


def test_without_restore_best_the_parameters_stay_and_restore_is_explicit():
    w = params()
    stopper = optim.EarlyStopping(w, patience=1, restore_best=False)
    assert run(stopper, w, [1.0, 2.0]) == 2
    assert w[0].data == 2.0
    stopper.restore()
    assert w[0].data == 1.0


def test_the_saved_best_is_a_copy_not_the_live_array():
    w = params()
    stopper = optim.EarlyStopping(w, patience=1)
    w[1].data = np.array([7.0, 7.0])
    stopper.step(1.0)
    w[1].data[:] = 0.0              # someone writes into the array in place
    stopper.restore()
    np.testing.assert_array_equal(w[1].data, [7.0, 7.0])


@pytest.mark.parametrize("arguments, error, message", [
    (dict(params=[], patience=1), ValueError, "EarlyStopping: empty parameter list"),
    (dict(patience=0), ValueError, "EarlyStopping: patience must be a whole number >= 1, got 0"),
    (dict(patience=2.5), ValueError, "patience must be a whole number >= 1, got 2.5"),
    (dict(patience=1, min_delta=-0.1), ValueError, "min_delta must be a number >= 0, got -0.1"),
    (dict(patience=1, mode="lowest"), ValueError, "mode must be 'min' or 'max', got 'lowest'"),
    (dict(patience=True), ValueError, "patience must be a whole number >= 1, got True"),
    (dict(patience=1, min_delta=float("nan")), ValueError,
     "min_delta must be a number >= 0, got nan"),
    (dict(patience=1, min_delta=float("inf")), ValueError,
     "min_delta must be a number >= 0, got inf"),
    (dict(patience=1, restore_best=1), ValueError,
     "EarlyStopping: restore_best must be True or False, got 1"),
])
def test_bad_arguments_raise_clear_errors(arguments, error, message):
    arguments.setdefault("params", params())
    with pytest.raises(error, match=message):
        optim.EarlyStopping(**arguments)


def test_bad_metrics_and_early_restore_raise_clear_errors():
    stopper = optim.EarlyStopping(params(), patience=1)
    with pytest.raises(RuntimeError, match="no improvement recorded yet"):
        stopper.restore()
    with pytest.raises(ValueError, match="EarlyStopping.step: the metric must be a number, "
                                         "got 'low'"):
        stopper.step("low")
    with pytest.raises(ValueError, match="the metric must be a number, got True"):
        stopper.step(True)
    assert stopper.steps == 0

"""Parameters as the optimizers see them (optim/parameters.py): the lists of leaf Values
an optimizer accepts, the grads it can step with, and the flat float64 vector that
holds floats and batch entries alike, written back without touching shared arrays."""
import numpy as np
import pytest

import optim
from autodiff import Value
from optim.parameters import (flat_data, flat_grads, offsets_of, owner_of_entry, sizes_of,
                              write_flat)


# --- which parameters an optimizer takes ------------------------------------------------

@pytest.mark.parametrize("params, error, message", [
    ([], ValueError, "Adam: empty parameter list"),
    ((p for p in []), ValueError, "Adam: empty parameter list"),
    (Value(1.0), TypeError, "got a single Value; wrap it in a list"),
    ({"params": [Value(1.0)]}, TypeError, "got a single dict"),
    (3.0, TypeError, "params must be an iterable of Values or a list of param-group dicts"),
    ([Value(1.0), 2.0], TypeError, "parameter 1 is not a Value: float 2.0"),
    ([type("Tensor", (), {"values": list})()], TypeError,
     r"parameter 0 is not a Value: Tensor .*; pass its .values\(\) \(its leaf Values\)"),
    ([Value(1.0), {"params": []}], TypeError, "mixes Values and param-group dicts"),
    ([{"params": []}], ValueError, "empty parameter list"),
    ([{"lr": 0.1}], TypeError, "a param group must be a dict with a 'params' entry"),
])
def test_bad_parameter_lists_raise_clear_errors(params, error, message):
    with pytest.raises(error, match=message):
        optim.Adam(params)


def test_a_computed_value_is_refused_because_only_leaves_are_parameters():
    w = Value(2.0, label="w")
    doubled = w * 2.0
    doubled.label = "w2"
    with pytest.raises(ValueError, match=r"SGD: parameter 1 'w2' is not a leaf .*'mul'"):
        optim.SGD([w, doubled], lr=0.1)


def test_a_parameter_given_twice_is_refused():
    w = Value(2.0, label="w")
    with pytest.raises(ValueError, match="parameter 0 'w' appears more than once"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(ValueError, match="parameter 1 'w' appears more than once"):
        optim.SGD([w, w], lr=0.1)


def test_a_generator_of_parameters_is_taken_once_as_a_list():
    params = [Value(0.5), Value([0.3, -0.2])]
    optimizer = optim.SGD((p for p in params), lr=0.1)
    assert optimizer.param_groups[0]["params"] == params


def test_a_parameter_without_a_numeric_grad_raises_and_nothing_moves():
    w, b = Value(1.0, label="w"), Value(2.0, label="b")
    optimizer = optim.Adam([w, b], lr=0.1)
    w.grad = None
    with pytest.raises(TypeError, match=r"Adam: parameter 0 'w' has no gradient \(grad is None\)"):
        optimizer.step()
    w.grad = 0.0
    (w * w * b).backward(create_graph=True)
    with pytest.raises(TypeError, match=r"Adam: parameter 0 'w' has a Value as its grad "
                                        r"\(from backward\(create_graph=True\)\)"):
        optimizer.step()
    assert (w.data, b.data) == (1.0, 2.0) and optimizer.state_of(w)["step"] == 0


def test_a_grad_of_the_wrong_kind_raises():
    w, batch = Value(1.0, label="w"), Value([1.0, 2.0], label="x")
    optimizer = optim.SGD([w, batch], lr=0.1)
    w.grad = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"SGD: parameter 0 'w' \(a float\): grad must be a "
                                         r"number, got array\(\[1., 2.\]\)"):
        optimizer.step()
    for bad in ("0.5", True, 1j):
        w.grad = bad
        with pytest.raises(ValueError, match=f"parameter 0 'w' .*grad must be a number, got "
                                             f"{bad!r}"):
            optimizer.step()
    w.grad = 1.0
    for bad in (np.array([1.0, 2.0, 3.0]), np.array(["1", "2"]), np.array([1j, 2j]),
                np.array([True, False]), [1.0, 2.0]):
        batch.grad = bad
        with pytest.raises(TypeError, match="parameter 1 'x' holds a batch of 2 but its grad is"):
            optimizer.step()
    assert (w.data, batch.data.tolist()) == (1.0, [1.0, 2.0])


def test_a_grad_may_be_any_real_number_or_real_array():
    w, batch = Value(1.0), Value([1.0, 2.0])
    optimizer = optim.SGD([w, batch], lr=0.5)
    w.grad, batch.grad = np.float32(2.0), np.array([2, -4])
    optimizer.step()
    assert w.data == 0.0 and type(w.data) is float
    np.testing.assert_array_equal(batch.data, [0.0, 4.0])
    w.grad = 3
    optimizer.step()
    assert w.data == -1.5


@pytest.mark.parametrize("bad, error, message", [
    ("0.5", ValueError, "grad must be a number, got '0.5'"),
    (1j, ValueError, "grad must be a number, got 1j"),
    (np.array([1.0, 2.0]), ValueError, r"grad must be a number, got array\(\[1., 2.\]\)"),
    (np.array([1.0]), ValueError, r"grad must be a number, got array\(\[1.\]\)"),
    (None, TypeError, r"has no gradient \(grad is None\)"),
    (Value(0.5), TypeError, "has a Value as its grad"),
])
def test_in_a_group_of_floats_a_grad_of_the_wrong_kind_raises_and_nothing_moves(
        bad, error, message):
    # every parameter a float: the grads are read in one pass, and refused one by one
    values = [Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")]
    optimizer = optim.Adam(values, lr=0.1)
    for value in values:
        value.grad = 0.5
    values[1].grad = bad
    with pytest.raises(error, match=f"Adam: parameter 1 'b' .*{message}"):
        optimizer.step()
    assert [value.data for value in values] == [1.0, 2.0, 3.0]
    assert optimizer.state_of(values[0])["step"] == 0


def test_in_a_group_of_floats_any_real_number_is_a_grad_and_data_comes_back_a_float():
    # x - lr * g with lr = 0.5, entry by entry: 1 - 0.5*2 = 0, 2 - 0.5*(-4) = 4,
    # 3 - 0.5*1 = 2.5, 4 - 0.5*3 = 2.5, 5 - 0.5*1 = 4.5
    values = [Value(float(k)) for k in range(1, 6)]
    optimizer = optim.SGD(values, lr=0.5)
    grads = [np.float64(2.0), np.float32(-4.0), True, 3, np.array(1.0)]
    for value, grad in zip(values, grads):
        value.grad = grad
    values[4].data = 5                                  # an int set as data is read too
    optimizer.step()
    assert [value.data for value in values] == [0.0, 4.0, 2.5, 2.5, 4.5]
    assert all(type(value.data) is float for value in values)


def test_a_value_set_as_a_parameters_data_is_refused_by_name():
    values = [Value(1.0), Value(2.0)]
    optimizer = optim.SGD(values, lr=0.1)
    values[1].data = Value(2.0)
    with pytest.raises(TypeError, match=r"SGD: parameter 1 of group 0 holds a Value as its "
                                        r"data \(Value\(data=2.0"):
        optimizer.step()
    assert values[0].data == 1.0


def test_a_parameter_that_changed_size_after_construction_raises():
    batch = Value([1.0, 2.0], label="x")
    optimizer = optim.SGD([Value(0.0), batch], lr=0.1)
    batch.data, batch.grad = np.zeros(3), np.zeros(3)
    with pytest.raises(ValueError, match="parameter 1 'x' of group 0 changed size from a batch "
                                         "of 2 to a batch of 3"):
        optimizer.step()
    optimizer.param_groups[0]["params"].append(Value(1.0))
    with pytest.raises(ValueError, match="param group 0 now has 3 parameters, it had 2"):
        optimizer.step()


# --- the flat vector --------------------------------------------------------------------

def mixed_values():
    return [Value(1.5), Value([2.0, -3.0, 4.0]), Value(-5.0), Value([6.0])]


def test_floats_and_batches_lie_end_to_end_in_one_vector():
    values = mixed_values()
    sizes = sizes_of(values)
    assert sizes == [0, 3, 0, 1]                    # 0: a float, not a batch of 1
    assert offsets_of(sizes) == ([0, 1, 4, 5], 6)
    np.testing.assert_array_equal(flat_data(values, sizes), [1.5, 2.0, -3.0, 4.0, -5.0, 6.0])
    assert [owner_of_entry(sizes, entry) for entry in range(6)] == [0, 1, 1, 1, 2, 3]


def test_grads_flatten_in_the_same_layout():
    values = mixed_values()
    for value, grad in zip(values, [0.5, np.array([1.0, 2.0, 3.0]), -1.0, np.array([7.0])]):
        value.grad = grad
    np.testing.assert_array_equal(flat_grads(values, sizes_of(values), "test"),
                                  [0.5, 1.0, 2.0, 3.0, -1.0, 7.0])


def test_writing_back_gives_floats_and_new_arrays_never_writing_into_old_ones():
    values = mixed_values()
    shared = values[1].data
    sizes = sizes_of(values)
    write_flat(values, sizes, np.arange(6.0) * 10)
    assert type(values[0].data) is float and type(values[2].data) is float
    assert (values[0].data, values[2].data) == (0.0, 40.0)
    np.testing.assert_array_equal(values[1].data, [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(values[3].data, [50.0])
    np.testing.assert_array_equal(shared, [2.0, -3.0, 4.0])     # the old array is untouched
    write_flat(values, sizes, np.ones(6), "grad")
    assert values[0].grad == 1.0 and values[1].data[0] == 10.0


@pytest.mark.parametrize("vector", [np.array([3, -2]), np.array([3.0, 9.0, -2.0])[::2],
                                    np.array([3.0, -2.0], dtype=np.float32)],
                         ids=["ints", "a strided view", "float32"])
def test_writing_floats_back_gives_python_floats_whatever_the_vector(vector):
    values = [Value(1.0), Value(2.0)]
    write_flat(values, sizes_of(values), vector)
    assert [type(value.data) for value in values] == [float, float]
    assert [value.data for value in values] == [3.0, -2.0]

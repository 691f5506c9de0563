"""Value: construction, fields, bad input, batches."""
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value


def test_value_fields_and_slots():
    x = Value(2, label="x")
    assert (x.data, x.grad, x.parents, x.op, x.label) == (2.0, 0.0, (), "", "x")
    assert type(x.data) is float and x.is_leaf
    with pytest.raises(AttributeError):
        x.something_else = 1
    assert "x" in repr(x) and "2.0" in repr(x)


def test_batched_value_holds_one_float64_per_example():
    x = Value([1, 2, 3])
    assert x.data.dtype == np.float64 and x.batch_size == 3
    np.testing.assert_array_equal(x.grad, np.zeros(3))
    source = np.array([1.0, 2.0])
    y = Value(source)
    source[0] = 9.0
    assert y.data[0] == 1.0, "a leaf copies its array"


@pytest.mark.parametrize("bad, error, words", [
    ("a", TypeError, "Value"),
    (None, TypeError, "NoneType"),
    (float("nan"), ValueError, "NaN"),
    ([1.0, float("nan")], ValueError, "NaN at example 1"),
    ([[1.0, 2.0]], ValueError, "1-D"),
    ([], ValueError, "empty"),
    (["a", "b"], TypeError, "numbers"),
])
def test_bad_data_is_rejected_with_a_clear_error(bad, error, words):
    with pytest.raises(error, match=words):
        Value(bad)


def test_value_wrapped_in_a_value_is_rejected():
    with pytest.raises(TypeError, match="already a Value"):
        Value(Value(1.0))


@pytest.mark.parametrize("expression, words", [
    (lambda: ad.log(Value(0.0)), "log: input must be > 0"),
    (lambda: ad.log(Value(-1.0)), "log: input must be > 0"),
    (lambda: ad.sqrt(Value(-1.0)), "sqrt: input must be >= 0"),
    (lambda: ad.sqrt(Value(0.0)), "sqrt: the derivative"),
    (lambda: 1 / Value(0.0), "div: division by zero"),
    (lambda: Value(1.0) / 0, "div: division by zero"),
    (lambda: Value(-8.0) ** 0.5, "pow: a negative base"),
    (lambda: Value(0.0) ** -1, "pow: 0 \\*\\* -1.0 divides by zero"),
    (lambda: Value(-2.0) ** Value(2.0), "pow: with a Value exponent the base must be > 0"),
    (lambda: ad.exp(Value(1000.0)), "exp: overflow"),
    (lambda: ad.log(Value([1.0, -1.0, 2.0])), "log: input must be > 0"),
    (lambda: Value([1.0, 2.0, 3.0]) + Value([1.0, 2.0, 3.0, 4.0]), "add: batch lengths differ \\(3 and 4\\)"),
    (lambda: ad.sum([Value([1.0, 2.0]), Value([1.0])]), "sum: batch lengths differ"),
    (lambda: Value([1.0, 2.0]).backward(), "backward: the output is batched"),
    (lambda: Value(2.0).backward(grad=[1.0, 2.0]), "backward: grad"),
    (lambda: ad.leaky_relu(Value(1.0), 1.5), "leaky_relu: negative_slope"),
    (lambda: ad.sum([]), "sum: needs at least one value"),
    (lambda: Value(1.0) ** "2", "pow: exponent must be"),
    (lambda: Value(1.0) + "a", "add: data must be a number"),
    (lambda: ad.tanh(None), "tanh: data must be a number"),
    (lambda: ad.affine([1.0], ["w"]), "affine: data must be a number"),
])
def test_bad_operations_name_the_operation_and_the_value(expression, words):
    with pytest.raises((ValueError, TypeError), match=words):
        expression()


def test_domain_errors_show_the_offending_value():
    with pytest.raises(ValueError, match=r"got -1\.0"):
        ad.log(Value(-1.0))


def test_sqrt_at_zero_is_fine_without_gradients():
    with ad.no_grad():
        assert ad.sqrt(Value(0.0)).data == 0.0


def test_comparisons_and_float_conversion_read_the_data():
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1.0 and b >= 2.0
    assert float(b) == 2.0 and b.item() == 2.0
    assert len({a, b, a}) == 2, "Values hash by identity"
    with pytest.raises(ValueError, match="batched"):
        Value([1.0, 2.0]).item()


def test_equality_compares_the_data_as_torch_and_numpy():
    assert Value(2.0) == 2.0 and 2.0 == Value(2.0) and Value(1.0) == Value(1.0)
    assert Value(1.0) != Value(2.0)
    assert (Value(1.0) != 1.0) is False and (Value(1.0) == 2.0) is False
    assert np.float64(3.0) == Value(3.0) and np.float64(3.0) < Value(4.0)   # not its .data buffer
    assert (Value(2.0) < np.array([1.0, 3.0])).tolist() == [False, True]
    batch = Value([1.0, 2.0, 3.0])
    for result, expected in ((batch == 2.0, [False, True, False]),
                             (batch != Value([1.0, 0.0, 3.0]), [False, True, False]),
                             (batch < 2.0, [True, False, False])):
        assert isinstance(result, np.ndarray) and result.tolist() == expected


def test_equal_values_stay_distinct_in_sets_and_dicts_hashing_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == b and len({a, b}) == 2 and hash(a) != hash(b)
    grads = {a: "a", b: "b"}
    assert grads[a] == "a" and grads[b] == "b"
    assert b not in {a} and a in {a}


def test_an_output_equal_to_an_input_is_still_told_apart_by_backward():
    x = Value(2.0)
    y = x * 1.0                                  # y == x by data, another node
    z = y * x
    z.backward()
    assert y == x and y is not x and x.grad == 4.0
    order = ad.topological_order(z)
    assert sum(node is x for node in order) == 1 and sum(node is y for node in order) == 1


def test_detach_records_a_stop_gradient_where_backward_stops():
    x = Value(2.0)
    product = x * 3
    y = product.detach()
    assert y.op == "stop_gradient" and y.data == 6.0 and not y.requires_grad
    assert y.local_grads == (0.0,)
    (y * x).backward()
    assert x.grad == 6.0                      # only through the second factor
    assert y.grad == 2.0 and product.grad == 0.0   # arrives at the stop, goes no further


def test_requires_grad_false_leaves_are_skipped_by_backward_on_floats_and_batches():
    for data in (1.5, np.array([1.5, -2.0])):
        x = Value(data, requires_grad=False)
        w = Value(0.5)
        out = ad.batch_sum(ad.tanh(w * x) * x)
        out.backward()
        np.testing.assert_array_equal(x.grad, np.zeros_like(np.asarray(data)))
        assert w.grad == pytest.approx(float(np.sum((1 - np.tanh(0.5 * data) ** 2) * data * data)))
        steps = ad.trace(lambda w: ad.batch_sum(w * x), w=0.5).steps()
        pushed_to = [edge.parent.label or edge.parent.op for step in steps for edge in step.edges]
        assert pushed_to == ["mul", "w"], "the step-through skips the constant too"
    with pytest.raises(ValueError, match="requires_grad=False"):
        ad.gradients(Value(1.0) * x, [x])
    with pytest.raises(ValueError, match="only a leaf"):
        (w * 2).requires_grad = False


def test_methods_mirror_the_functions():
    x = Value(0.5)
    assert x.tanh().data == math.tanh(0.5) and x.exp().data == math.exp(0.5)
    assert x.sigmoid().data == pytest.approx(1 / (1 + math.exp(-0.5)))
    assert (-x).relu().data == 0.0 and x.log().data == math.log(0.5)


@pytest.mark.parametrize("data", [np.array([1 + 2j]), 2 + 0j, ["1.5", "2"], "3", [1.0, "2"],
                                  np.array(["1"])])
def test_complex_numbers_and_strings_are_refused_not_parsed(data):
    with pytest.raises(TypeError, match="^Value: data must be"):
        Value(data)


def test_an_integer_too_large_for_a_float_is_an_error_naming_value():
    with pytest.raises(ValueError, match=r"^Value: .* is too large for a float"):
        Value(10 ** 400)


def test_a_value_formats_and_rounds_like_its_float():
    v = Value(2.34567)
    assert f"{v:.3f}" == "2.346" and f"{v:>8.2f}" == "    2.35" and round(v, 2) == 2.35
    assert round(v) == 2 and f"{v}" == repr(v)
    with pytest.raises(ValueError, match="format: Value is batched"):
        f"{Value([1.0, 2.0]):.2f}"


def test_two_values_never_share_a_grad_or_data_array():
    a, b = Value(np.array([1.0, 2.0])), Value(np.array([3.0, 4.0]))
    a.grad = b.grad = 0.0
    ad.batch_sum(a + b).backward()
    a.grad *= 10
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    source = np.array([1.0, 2.0])
    c = Value(source)
    source[0] = 5.0
    assert c.data[0] == 1.0
    d = ad.sum([c])                      # a sum of one term is a new array too
    assert d.data is not c.data


def test_results_under_no_grad_need_no_gradient_as_in_torch():
    x = Value(2.0)
    with ad.no_grad():
        y = x * 3
    assert not y.requires_grad and y.is_leaf and y.data == 6.0

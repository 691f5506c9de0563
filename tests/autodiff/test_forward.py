"""Forward mode: tangents along the same edges, checked against reverse mode and torch."""
import numpy as np
import pytest

import autodiff as ad
from autodiff import Value


def f_vector(v):
    return [ad.sin(v[0]) * v[1], ad.exp(v[0] * v[1]) + v[2], v[2] ** 3 / (1.0 + v[0] ** 2)]


def f_scalar(v):
    return ad.exp(v[0]) * v[1] ** 2 + ad.sin(v[0] * v[1]) + ad.log1p(v[2] ** 2) * v[0]


POINT = [0.3, 1.2, -0.7]


def test_forward_and_reverse_jacobians_are_equal():
    forward = ad.jacobian(f_vector, POINT, mode="forward")
    reverse = ad.jacobian(f_vector, POINT, mode="reverse")
    np.testing.assert_allclose(forward, reverse, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(ad.jacfwd(f_vector)(POINT), reverse, rtol=1e-15)
    assert ad.jacobian(ad.softmax, [1.0, 2.0, 3.0], mode="forward").shape == (3, 3)


def test_hessian_forward_over_reverse_equals_reverse_over_reverse():
    one = ad.hessian(f_scalar, POINT)
    two = ad.hessian(f_scalar, POINT, mode="reverse-over-reverse")
    np.testing.assert_allclose(one, two, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(one, one.T, atol=1e-12)


def test_jvp_is_the_jacobian_times_the_tangent():
    tangent = [0.5, -1.0, 2.0]
    values, derivatives = ad.jvp(lambda a, b, c: f_vector([a, b, c]), POINT, tangent)
    np.testing.assert_allclose(derivatives, ad.jacobian(f_vector, POINT) @ tangent, rtol=1e-14)
    assert values == pytest.approx([v.data for v in f_vector([Value(x) for x in POINT])])
    value, derivative = ad.jvp(ad.sin, [0.4], [1.0])
    assert derivative == pytest.approx(np.cos(0.4), rel=1e-15)


def test_jvp_matches_torch_func_jvp(torch):
    def theirs(a, b, c):
        return torch.stack([torch.sin(a) * b, torch.exp(a * b) + c, c ** 3 / (1 + a ** 2)])
    tangent = [0.5, -1.0, 2.0]
    primals = tuple(torch.tensor(x) for x in POINT)
    _, expected = torch.func.jvp(theirs, primals, tuple(torch.tensor(t) for t in tangent))
    _, ours = ad.jvp(lambda a, b, c: f_vector([a, b, c]), POINT, tangent)
    np.testing.assert_allclose(ours, expected.numpy(), rtol=1e-14)


def test_jvp_on_a_batch_gives_each_example_its_tangent():
    x = np.array([0.1, 0.5, 2.0])
    value, derivative = ad.jvp(lambda v: ad.tanh(v) * v, [x], [np.ones(3)])
    np.testing.assert_allclose(derivative, np.tanh(x) + x * (1 - np.tanh(x) ** 2), rtol=1e-15)


def test_forward_steps_show_each_tangent_as_a_sum_over_the_edges():
    x = Value(0.5, label="x")
    out = ad.sin(x) * x
    steps = list(ad.forward_steps(out, [(x, 1.0)]))
    assert [step.node.op for step in steps] == ["sin", "mul"]
    for step in steps:
        total = sum(contribution for *_, contribution in step.edges)
        assert step.tangent == pytest.approx(total, rel=1e-15)
        for parent, index, local, parent_tangent, contribution in step.edges:
            assert contribution == local * parent_tangent
    assert steps[-1].tangent == pytest.approx(np.cos(0.5) * 0.5 + np.sin(0.5), rel=1e-15)
    assert "tangent" in str(steps[0])


def test_a_bad_mode_or_tangent_count_is_a_clear_error():
    with pytest.raises(ValueError, match="jacobian: mode must be one of"):
        ad.jacobian(f_vector, POINT, mode="sideways")
    with pytest.raises(ValueError, match="jvp: needs one tangent per primal"):
        ad.jvp(lambda a, b: a * b, [1.0, 2.0], [1.0])


def test_vjp_is_the_cotangent_times_the_jacobian_and_matches_torch(torch):
    cotangent = [0.5, -1.0, 2.0]
    values, pulled = ad.vjp(lambda a, b, c: f_vector([a, b, c]), POINT, cotangent)
    np.testing.assert_allclose(pulled, np.array(cotangent) @ ad.jacobian(f_vector, POINT),
                               rtol=1e-14)

    def theirs(a, b, c):
        return torch.stack([torch.sin(a) * b, torch.exp(a * b) + c, c ** 3 / (1 + a ** 2)])
    _, pullback = torch.func.vjp(theirs, *(torch.tensor(x) for x in POINT))
    expected = pullback(torch.tensor(cotangent))
    np.testing.assert_allclose(pulled, [e.item() for e in expected], rtol=1e-14)
    value, derivative = ad.vjp(ad.sin, 0.4, 1.0)
    assert derivative == pytest.approx(np.cos(0.4), rel=1e-15)
    tangent = [0.3, 0.7, -0.2]            # u . (J v) = (u^T J) . v
    _, forward = ad.jvp(lambda a, b, c: f_vector([a, b, c]), POINT, tangent)
    assert np.dot(cotangent, forward) == pytest.approx(np.dot(pulled, tangent), rel=1e-14)


def test_jvp_and_vjp_refuse_a_tangent_or_cotangent_of_the_wrong_shape_naming_both():
    f = lambda a: a * 2.0                                            # noqa: E731
    batch = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="jvp: tangent 0 is a batch of 3 examples but primal 0 "
                                         "is a batch of 2 examples"):
        ad.jvp(f, [batch], [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="jvp: tangent 0 is a batch of 2 examples but primal 0 "
                                         "is a number"):
        ad.jvp(f, [1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="jvp: tangent 0 is a number but primal 0 is a batch"):
        ad.jvp(f, [batch], [1.0])
    with pytest.raises(ValueError, match="vjp: cotangent 0 is a batch of 2 examples but "
                                         "output 0 is a number"):
        ad.vjp(f, [1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="vjp: needs one cotangent per output, got 1 for 2"):
        ad.vjp(lambda a: [a, a], [1.0], [1.0])
    with pytest.raises(TypeError, match="jvp: tangent 0: data must be"):
        ad.jvp(f, [1.0], ["up"])


def test_jvp_and_vjp_refuse_nan_in_primals_tangents_and_cotangents_naming_themselves():
    # one policy: a NaN given to either is an error naming the function and the argument
    # (as Value(nan) is); an infinity is a number and propagates
    f = lambda a: a * 2.0                                            # noqa: E731
    nan = float("nan")
    for call, message in ((lambda: ad.jvp(f, [nan], [1.0]), "jvp: primal 0: data is NaN"),
                          (lambda: ad.jvp(f, [1.0], [nan]), "jvp: tangent 0: data is NaN"),
                          (lambda: ad.jvp(f, [np.array([1.0, 2.0])], [np.array([1.0, nan])]),
                           "jvp: tangent 0: data is NaN at example 1"),
                          (lambda: ad.vjp(f, [nan], [1.0]), "vjp: primal 0: data is NaN"),
                          (lambda: ad.vjp(f, [1.0], [nan]), "vjp: cotangent 0: data is NaN")):
        with pytest.raises(ValueError, match=message):
            call()
    assert ad.jvp(f, [1.0], [float("inf")]) == (2.0, float("inf"))
    assert ad.vjp(f, [1.0], [float("-inf")]) == (2.0, [float("-inf")])


def test_a_constant_output_has_a_zero_tangent_and_pulls_back_nothing_with_a_warning():
    with pytest.warns(UserWarning, match="jvp: the function returned 3.0, which does not "
                                         "depend on its inputs; the tangent is zero"):
        assert ad.jvp(lambda a: 3.0, [1.0], [1.0]) == (3.0, 0.0)
    with pytest.warns(UserWarning, match="jvp: the function returned"):
        assert ad.jvp(lambda a: [a * a, np.float64(2.0)], [3.0], [1.0]) == ([9.0, 2.0],
                                                                            [6.0, 0.0])
    with pytest.warns(UserWarning, match="vjp: the function returned 3.0"):
        assert ad.vjp(lambda a: 3.0, [1.0], [1.0]) == (3.0, [0.0])
    with pytest.raises(TypeError, match="jvp: the function must return a Value or a list "
                                        "of Values, got str"):
        ad.jvp(lambda a: "three", [1.0], [1.0])


def test_vjp_of_a_batched_output_pulls_back_each_example_cotangent():
    # f(x)_k = x_k^2 and a weight w times the batch: u^T J for x is u_k 2 x_k, for w sum_k u_k x_k
    x, u = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, -0.5])
    values, (pulled_x, pulled_w) = ad.vjp(lambda a, w: a * a * w, [x, 3.0], u)
    np.testing.assert_allclose(values, 3.0 * x ** 2)
    np.testing.assert_allclose(pulled_x, u * 2 * x * 3.0, rtol=1e-15)
    assert pulled_w == pytest.approx(np.sum(u * x ** 2), rel=1e-15)
    _, tangent = ad.jvp(lambda a, w: a * a * w, [x, 3.0], [np.ones(3), 0.0])
    np.testing.assert_allclose(tangent, 2 * x * 3.0, rtol=1e-15)


def test_the_tangent_of_a_batch_is_a_batch_when_every_local_derivative_is_a_number():
    # x_k + w and 3 x_k + w: d/dw = 1 for each example, tangent v = 2 -> [2, 2, 2]
    x_batch = np.array([1.0, 2.0, 3.0])
    for f in (lambda w: x_batch + w, lambda w: Value(x_batch) * 3.0 + w):
        _, tangent = ad.jvp(f, [0.5], [2.0])
        assert isinstance(tangent, np.ndarray)
        np.testing.assert_array_equal(tangent, [2.0, 2.0, 2.0])
    # nested: d/dv sum_k tangent_k of x_k + w v along 2 = d/dv (3 * 2 v) = 6
    inner = lambda v: ad.jvp(lambda w: x_batch + w * v, [0.5], [2.0])[1]   # noqa: E731
    assert ad.grad(lambda v: ad.batch_sum(inner(v)))(1.0) == 6.0


def test_a_batch_tangent_of_number_derivatives_matches_torch(torch):
    x_batch = np.array([1.0, 2.0, 3.0])
    theirs = torch.func.jvp(lambda w: torch.tensor(x_batch) + w, (torch.tensor(0.5),),
                            (torch.tensor(2.0),))[1]
    np.testing.assert_array_equal(ad.jvp(lambda w: x_batch + w, [0.5], [2.0])[1],
                                  theirs.numpy())

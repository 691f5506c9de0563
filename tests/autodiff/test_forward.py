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

"""grad, value_and_grad, jacobian, hessian, gradcheck."""
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value


def test_grad_of_a_function_of_numbers_returns_numbers():
    f = lambda x, y: x * ad.tanh(y)  # noqa: E731
    dx = ad.grad(f)(2.0, 0.5)
    dx, dy = ad.grad(f, argnums=(0, 1))(2.0, 0.5)
    assert dx == pytest.approx(math.tanh(0.5))
    assert dy == pytest.approx(2.0 * (1 - math.tanh(0.5) ** 2))
    assert type(dx) is float


def test_grad_of_a_list_argument_returns_a_list():
    grads = ad.grad(lambda v: ad.dot(v, v))([1.0, 2.0, 3.0])
    assert grads == [2.0, 4.0, 6.0]


def test_value_and_grad_returns_both():
    value, gradient = ad.value_and_grad(lambda x: x ** 2 + 1)(3.0)
    assert (value, gradient) == (10.0, 6.0)


def test_grad_requires_a_scalar_output():
    with pytest.raises(ValueError, match="batched"):
        ad.grad(lambda x: x * 2)(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="must return a Value"):
        ad.grad(lambda x: "three")(1.0)


def test_grad_of_a_function_that_ignores_its_input_is_zero_with_a_warning():
    with pytest.warns(UserWarning, match="does not depend on its inputs"):
        assert ad.grad(lambda x: 3.0)(1.0) == 0.0
    with pytest.warns(UserWarning):
        assert ad.grad(lambda v: True)([1.0, 2.0]) == [0.0, 0.0]


def test_a_numpy_number_or_0d_array_output_is_a_constant_like_a_float():
    x, y = np.array([1.0, 2.0]), 1.5
    for constant in (lambda a: np.sum(x < y) + 0.0, lambda a: np.float32(2.5),
                     lambda a: np.array(2.0), lambda a: np.int64(3)):
        with pytest.warns(UserWarning, match="grad: the function returned .* does not depend"):
            assert ad.grad(constant)(1.0) == 0.0
        with pytest.warns(UserWarning, match="does not depend"):
            value, gradient = ad.value_and_grad(constant)(1.0)
        assert value == float(constant(1.0)) and gradient == 0.0
    with pytest.raises(TypeError, match=r"grad: the function returned a numpy array of "
                                        r"shape \(2,\); it must return a Value"):
        ad.grad(lambda a: np.array([2.0, 3.0]))(1.0)
    with pytest.raises(ValueError, match="grad: data is NaN"):
        ad.grad(lambda a: np.float64("nan"))(1.0)


def test_hessian_of_two_variable_function_matches_closed_form():
    # f = x^2 y + sin-free: x^3 + x y^2 + e^y
    f = lambda v: v[0] ** 3 + v[0] * v[1] ** 2 + ad.exp(v[1])  # noqa: E731
    x, y = 0.7, -1.3
    H = ad.hessian(f, [x, y])
    expected = np.array([[6 * x, 2 * y], [2 * y, 2 * x + math.exp(y)]])
    np.testing.assert_allclose(H, expected, rtol=1e-13)
    np.testing.assert_array_equal(H, H.T)


def test_hessian_of_a_linear_function_is_zero():
    H = ad.hessian(lambda v: 3 * v[0] - v[1], [1.0, 2.0])
    np.testing.assert_array_equal(H, np.zeros((2, 2)))


def test_jacobian_shape_is_outputs_by_inputs():
    J = ad.jacobian(lambda v: [v[0] * v[1], v[0] + v[1], v[1] ** 2], [2.0, 3.0])
    np.testing.assert_array_equal(J, [[3.0, 2.0], [1.0, 1.0], [0.0, 6.0]])


def test_jacobian_and_hessian_agree_with_torch(torch):
    from torch.autograd.functional import hessian as torch_hessian, jacobian as torch_jacobian
    xs = [0.3, -0.8, 1.4]
    J = ad.jacobian(ad.softmax, xs)
    tJ = torch_jacobian(lambda t: t.softmax(0), torch.tensor(xs))
    np.testing.assert_allclose(J, tJ.numpy(), rtol=1e-12, atol=1e-15)
    H = ad.hessian(lambda v: ad.logsumexp(v) * v[0], xs)
    tH = torch_hessian(lambda t: t.logsumexp(0) * t[0], torch.tensor(xs))
    np.testing.assert_allclose(H, tH.numpy(), rtol=1e-11, atol=1e-14)


def test_gradcheck_passes_on_engine_functions_and_reports_where():
    result = ad.gradcheck(lambda v: ad.tanh(v[0] * v[1]) + ad.log(v[1]), [0.3, 1.7])
    assert result.ok and result.max_error < 1e-8
    assert result.where[0] in (0, 1)


def test_gradcheck_checks_every_example_of_a_batched_input():
    result = ad.gradcheck(lambda v: ad.sigmoid(v[0]) * v[1], [np.array([0.1, -2.0, 3.0]), 0.5])
    assert result.ok


def test_gradcheck_catches_a_wrong_derivative():
    wrong = ad.Primitive("wrong_square", lambda x: x * x, lambda x: x * x,
                         lambda x, out: (3.0 * x,), formula="x^2 with d/dx = 3x (wrong)")

    def apply(x):
        node = x * 1.0
        node.data = wrong.float_forward(x.data)
        node.parents, node.local_grads, node.primitive = (x,), wrong.local_grads(x.data, None), wrong
        return node
    result = ad.gradcheck(lambda v: apply(v[0]), [2.0])
    assert not result.ok
    assert result.where == (0, None)
    assert result.analytic == pytest.approx(6.0) and result.numeric == pytest.approx(4.0)


def test_gradcheck_of_model_parameters_restores_their_data():
    w, b = Value(0.5), Value(-0.2)
    before = (w.data, b.data)
    assert ad.gradcheck(lambda params: ad.tanh(params[0] * 2.0 + params[1]), [w, b])
    assert (w.data, b.data) == before


def test_a_grad_inside_a_grad_closing_over_the_outer_variable_keeps_its_term():
    # HIPS autograd's test_enclosing_scope_ref: f(x) = x * d(x y)/dy = x^2, f'(1) = 2
    f = lambda x: x * ad.grad(lambda y: x * y)(2.0)  # noqa: E731
    assert ad.grad(f)(1.0) == 2.0
    g = lambda x: ad.grad(lambda y: x * y ** 2)(x)  # noqa: E731  g(x) = 2 x^2
    assert ad.grad(g)(1.5) == pytest.approx(6.0)
    assert ad.grad(lambda y: 3.0 * y)(2.0) == 3.0        # a plain call still gives a float


def test_grad_passes_keyword_arguments_and_takes_argnums_tuples():
    f = lambda x, y, scale=1.0: scale * x * y  # noqa: E731
    assert ad.grad(f)(2.0, 3.0, scale=2.0) == 6.0
    assert ad.grad(f, argnums=(0, 1))(2.0, 3.0, scale=2.0) == (6.0, 4.0)


def test_hessian_of_binary_cross_entropy_with_logits_has_its_curvature_at_zero():
    # log(1 + e^-w): second derivative sigmoid(w)(1 - sigmoid(w)) = 1/4 at 0
    hessian = ad.hessian(lambda w: ad.softplus(-w[0]), [0.0])
    assert hessian[0, 0] == pytest.approx(0.25, abs=1e-15)

"""Gradient clipping: by the joint norm (direction kept) or entry by entry, on float and
batched parameters, replacing the grads rather than writing into them; equal to
PyTorch's clip_grad_norm_ / clip_grad_value_."""
import math

import numpy as np
import pytest

import optim
from autodiff import Value


def params_with_grads(grads):
    params = []
    for grad in grads:
        value = Value(np.zeros(len(grad)) if isinstance(grad, list) else 0.0)
        value.grad = np.array(grad) if isinstance(grad, list) else grad
        params.append(value)
    return params


def flat(params):
    return np.concatenate([np.atleast_1d(p.grad) for p in params])


def test_clip_grad_norm_scales_all_grads_to_the_max_norm_keeping_their_direction():
    params = params_with_grads([3.0, [4.0, -12.0]])        # norm 13
    norm = optim.clip_grad_norm(params, max_norm=1.0)
    assert norm == 13.0
    np.testing.assert_allclose(flat(params), np.array([3.0, 4.0, -12.0]) / (13.0 + 1e-6))
    assert type(params[0].grad) is float and params[1].grad.shape == (2,)


def test_clip_grad_norm_divides_by_the_norm_plus_its_epsilon():
    """max_norm / (norm + eps) with eps = 1e-6: on gradients of norm 2e-6 the epsilon
    halves the factor, so a clip without it (or with another one) cannot pass."""
    params = params_with_grads([1.2e-6, [-1.6e-6, 0.0]])     # norm 2e-6
    norm = optim.clip_grad_norm(params, max_norm=1e-6)
    assert norm == pytest.approx(2e-6, rel=1e-15)
    factor = 1e-6 / (2e-6 + 1e-6)                            # 1/3, not 1/2
    np.testing.assert_allclose(flat(params), [1.2e-6 * factor, -1.6e-6 * factor, 0.0],
                               rtol=1e-12, atol=0)


def test_clip_grad_norm_of_an_all_zero_gradient_leaves_it_zero():
    params = params_with_grads([0.0, [0.0, 0.0]])
    assert optim.clip_grad_norm(params, max_norm=0.0) == 0.0
    np.testing.assert_array_equal(flat(params), [0.0, 0.0, 0.0])


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = params_with_grads([0.3, [0.4]])
    kept = [p.grad for p in params]
    assert optim.clip_grad_norm(params, max_norm=1.0) == pytest.approx(0.5)
    assert all(p.grad is grad for p, grad in zip(params, kept))


@pytest.mark.parametrize("norm_type, expected",
                         [(1.0, 19.0), (math.inf, 12.0), (3.0, 1819 ** (1 / 3))])
def test_clip_grad_norm_measures_any_p_norm(norm_type, expected):
    params = params_with_grads([3.0, [4.0, -12.0]])
    assert optim.clip_grad_norm(params, 2.0, norm_type=norm_type) == pytest.approx(expected)
    assert np.abs(flat(params)).max() < 12.0


def test_clipping_replaces_grads_and_does_not_write_into_shared_arrays():
    shared = np.array([30.0, -40.0])
    batch = Value([0.0, 0.0])
    batch.grad = shared
    optim.clip_grad_norm([batch], max_norm=5.0)
    optim.clip_grad_value([batch], clip_value=1.0)
    np.testing.assert_array_equal(shared, [30.0, -40.0])


def test_clip_grad_value_cuts_every_entry():
    params = params_with_grads([3.0, [-0.5, -12.0]])
    optim.clip_grad_value(params, clip_value=1.0)
    np.testing.assert_array_equal(flat(params), [1.0, -0.5, -1.0])
    single = Value(0.0)
    single.grad = -7.0
    optim.clip_grad_value(single, 2.0)
    assert single.grad == -2.0


def test_clipping_matches_pytorch(torch):
    grads = [3.0, [4.0, -12.0, 0.5]]
    for max_norm, norm_type in [(1.0, 2.0), (5.0, 1.0), (2.0, math.inf)]:
        params = params_with_grads(grads)
        tensors = [torch.zeros(np.shape(g)) for g in grads]
        for tensor, grad in zip(tensors, grads):
            tensor.grad = torch.tensor(grad)
        expected = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type=norm_type)
        assert optim.clip_grad_norm(params, max_norm, norm_type) == pytest.approx(
            expected.item(), rel=1e-12)
        np.testing.assert_allclose(flat(params), np.concatenate(
            [np.atleast_1d(t.grad.numpy()) for t in tensors]), rtol=1e-12)
    params = params_with_grads(grads)
    tensors = [torch.zeros(np.shape(g)) for g in grads]
    for tensor, grad in zip(tensors, grads):
        tensor.grad = torch.tensor(grad)
    torch.nn.utils.clip_grad_value_(tensors, 0.7)
    optim.clip_grad_value(params, 0.7)
    np.testing.assert_array_equal(flat(params), np.concatenate(
        [np.atleast_1d(t.grad.numpy()) for t in tensors]))


def test_a_non_finite_norm_is_an_error_only_when_asked():
    params = params_with_grads([float("inf"), 1.0])
    assert optim.clip_grad_norm(params, 1.0) == math.inf
    assert math.isnan(params[0].grad) and params[1].grad == 0.0      # as in PyTorch
    with pytest.raises(ValueError, match="clip_grad_norm: the gradient norm is inf"):
        optim.clip_grad_norm(params_with_grads([float("inf")]), 1.0, error_if_nonfinite=True)


def test_no_parameters_have_norm_zero():
    assert optim.clip_grad_norm([], 1.0) == 0.0


@pytest.mark.parametrize("call, error, message", [
    (lambda p: optim.clip_grad_norm(p, -1.0), ValueError,
     "clip_grad_norm: max_norm must be a number >= 0, got -1.0"),
    (lambda p: optim.clip_grad_norm(p, math.nan), ValueError,
     "clip_grad_norm: max_norm must be a number >= 0, got nan"),
    (lambda p: optim.clip_grad_norm(p, math.inf), ValueError,
     "clip_grad_norm: max_norm must be a number >= 0, got inf"),
    (lambda p: optim.clip_grad_norm(p, "1"), ValueError,
     "clip_grad_norm: max_norm must be a number >= 0, got '1'"),
    (lambda p: optim.clip_grad_norm(p, True), ValueError,
     "clip_grad_norm: max_norm must be a number >= 0, got True"),
    (lambda p: optim.clip_grad_norm(p, 1.0, norm_type=0), ValueError,
     "clip_grad_norm: norm_type must be a number > 0, got 0"),
    (lambda p: optim.clip_grad_norm(p, 1.0, norm_type=math.nan), ValueError,
     "clip_grad_norm: norm_type must be a number > 0, got nan"),
    (lambda p: optim.clip_grad_norm(p, 1.0, norm_type=-math.inf), ValueError,
     "clip_grad_norm: norm_type must be a number > 0, got -inf"),
    (lambda p: optim.clip_grad_norm(p, 1.0, error_if_nonfinite="yes"), ValueError,
     "clip_grad_norm: error_if_nonfinite must be True or False, got 'yes'"),
    (lambda p: optim.clip_grad_value(p, 0.0), ValueError,
     "clip_grad_value: clip_value must be a number > 0, got 0.0"),
    (lambda p: optim.clip_grad_value(p, math.nan), ValueError,
     "clip_grad_value: clip_value must be a number > 0, got nan"),
    (lambda p: optim.clip_grad_value(p, math.inf), ValueError,
     "clip_grad_value: clip_value must be a number > 0, got inf"),
    (lambda p: optim.clip_grad_norm([1.0], 1.0), TypeError,
     "clip_grad_norm: parameter 0 is not a Value"),
])
def test_bad_clipping_arguments_raise_clear_errors_and_change_no_grad(call, error, message):
    params = params_with_grads([30.0, [40.0]])
    with pytest.raises(error, match=message):
        call(params)
    np.testing.assert_array_equal(flat(params), [30.0, 40.0])


def test_numpy_scalars_are_clipping_arguments_like_python_numbers():
    params = params_with_grads([3.0, [4.0]])
    assert optim.clip_grad_norm(params, np.float32(2.5), norm_type=np.int64(2)) == 5.0
    np.testing.assert_allclose(flat(params), np.array([3.0, 4.0]) * 2.5 / (5.0 + 1e-6),
                               rtol=1e-12)


def test_clipping_a_grad_that_is_a_value_raises():
    w = Value(2.0, label="w")
    (w * w).backward(create_graph=True)
    with pytest.raises(TypeError, match="clip_grad_norm: parameter 0 'w' has a Value as its grad"):
        optim.clip_grad_norm([w], 1.0)

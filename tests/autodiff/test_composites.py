"""softmax, log_softmax, logsumexp, softplus, mean, dot: values, gradients, stability."""
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value
from helpers import central_difference


def plain_softmax(xs):
    m = max(xs)
    exps = [math.exp(x - m) for x in xs]
    return [e / sum(exps) for e in exps]


def test_softmax_jacobian_is_full_diag_s_minus_s_s_transpose():
    xs = [0.3, -1.2, 2.0]
    J = ad.jacobian(ad.softmax, xs)
    s = np.array(plain_softmax(xs))
    np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s), rtol=1e-13, atol=1e-16)
    assert np.all(J != 0.0), "every output depends on every input"


def test_sigmoid_jacobian_is_diagonal_s_times_one_minus_s():
    xs = [0.3, -1.2, 2.0]
    J = ad.jacobian(lambda v: [ad.sigmoid(x) for x in v], xs)
    s = 1 / (1 + np.exp(-np.array(xs)))
    np.testing.assert_allclose(J, np.diag(s * (1 - s)), rtol=1e-14)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0


@pytest.mark.parametrize("name, function, plain", [
    ("logsumexp", ad.logsumexp, lambda v: math.log(sum(math.exp(x) for x in v))),
    ("log_softmax[1]", lambda v: ad.log_softmax(v)[1], lambda v: math.log(plain_softmax(v)[1])),
    ("softmax[0]", lambda v: ad.softmax(v)[0], lambda v: plain_softmax(v)[0]),
    ("mean", ad.mean, lambda v: sum(v) / len(v)),
    ("dot", lambda v: ad.dot(v[:2], v[2:]), lambda v: v[0] * v[2] + v[1] * v[3]),
    ("softplus", lambda v: ad.softplus(v[0]) * ad.softplus(v[1]),
     lambda v: math.log1p(math.exp(v[0])) * math.log1p(math.exp(v[1]))),
])
def test_composite_value_and_gradient_match_central_differences(name, function, plain):
    xs = [0.4, -1.1, 2.2, 0.9]
    leaves = [Value(x) for x in xs]
    out = function(leaves)
    out.backward()
    assert out.data == pytest.approx(plain(xs), rel=1e-13)
    numeric = central_difference(plain, xs)
    np.testing.assert_allclose([leaf.grad for leaf in leaves], numeric, rtol=1e-6, atol=1e-9)


def test_softplus_derivative_at_zero_is_one_half():
    x = Value(0.0)
    ad.softplus(x).backward()
    assert x.grad == 0.5


@pytest.mark.parametrize("big", [1000.0, -1000.0])
def test_stable_forms_are_finite_with_correct_gradients_at_plus_minus_1000(big):
    xs = [big, 0.0, -big]
    leaves = [Value(x) for x in xs]
    lse = ad.logsumexp(leaves)
    lse.backward()
    assert lse.data == pytest.approx(max(xs))
    expected = plain_softmax(xs)
    assert [leaf.grad for leaf in leaves] == pytest.approx(expected, abs=1e-300)

    for function, derivative in ((ad.sigmoid, lambda s: s * (1 - s)),
                                 (ad.softplus, lambda s: s)):
        x = Value(big)
        out = function(x)
        out.backward()
        s = 1.0 if big > 0 else 0.0
        assert math.isfinite(out.data) and math.isfinite(x.grad)
        assert x.grad == pytest.approx(derivative(s), abs=1e-300)
    assert ad.softplus(Value(big)).data == pytest.approx(max(big, 0.0))

    log_probs = ad.log_softmax([Value(big), Value(0.0)])
    assert all(math.isfinite(lp.data) for lp in log_probs)
    assert log_probs[0].data == pytest.approx(0.0 if big > 0 else -1000.0)


def test_softmax_on_batches_equals_each_example():
    batch = [[0.1, 2.0], [-1.0, 0.5], [3.0, -2.0]]   # three classes, two examples
    values = [Value(row) for row in batch]
    probs = ad.softmax(values)
    ad.batch_sum(ad.log(probs[2])).backward()
    for example in range(2):
        xs = [row[example] for row in batch]
        singles = [Value(x) for x in xs]
        ad.log(ad.softmax(singles)[2]).backward()
        assert [p.data[example] for p in probs] == pytest.approx(plain_softmax(xs), rel=1e-14)
        assert [v.grad[example] for v in values] == pytest.approx([s.grad for s in singles],
                                                                  rel=1e-13)


def test_composites_match_torch(torch):
    xs = [0.4, -1.1, 2.2]
    for ours, theirs in ((lambda v: ad.log_softmax(v)[0], lambda t: t.log_softmax(0)[0]),
                         (ad.logsumexp, lambda t: t.logsumexp(0)),
                         (lambda v: ad.softmax(v)[2], lambda t: t.softmax(0)[2]),
                         (lambda v: ad.softplus(v[1]), lambda t: torch.nn.functional.softplus(t[1]))):
        leaves = [Value(x) for x in xs]
        out = ours(leaves)
        out.backward()
        t = torch.tensor(xs, requires_grad=True)
        tout = theirs(t)
        tout.backward()
        assert out.data == pytest.approx(tout.item(), rel=1e-13)
        assert [leaf.grad for leaf in leaves] == pytest.approx(t.grad.tolist(), rel=1e-12)


def test_dot_rejects_vectors_of_different_lengths():
    with pytest.raises(ValueError, match="dot"):
        ad.dot([Value(1.0)], [Value(1.0), Value(2.0)])


def test_log_softmax_and_logsumexp_keep_their_digits_at_1e16():
    out = ad.log_softmax([Value(1e16), Value(1e16)])
    assert [o.data for o in out] == pytest.approx([-math.log(2)] * 2, abs=1e-15)
    out = ad.log_softmax([Value(1e10), Value(1e10 + 1.0)])
    assert out[0].data == pytest.approx(-1.0 - math.log1p(math.exp(-1.0)), abs=1e-12)


def test_softmax_and_log_softmax_are_finite_and_exact_near_plus_minus_1000():
    for shift in (1000.0, -1000.0):
        xs = [shift + 1.0, shift + 2.0, shift + 3.0]
        expected = np.exp(np.array([1.0, 2.0, 3.0]) - 3.0)
        expected /= expected.sum()
        np.testing.assert_allclose([s.data for s in ad.softmax([Value(x) for x in xs])],
                                   expected, rtol=1e-13)
        jac = ad.jacobian(ad.softmax, xs)
        np.testing.assert_allclose(jac, np.diag(expected) - np.outer(expected, expected),
                                   atol=1e-13)
        np.testing.assert_allclose([s.data for s in ad.log_softmax([Value(x) for x in xs])],
                                   np.log(expected), rtol=1e-13)


def test_logsumexp_of_infinite_inputs_gives_the_limit_as_torch():
    assert ad.logsumexp([Value(-math.inf), Value(-math.inf)]).data == -math.inf
    assert ad.logsumexp([Value(math.inf), Value(0.0)]).data == math.inf
    assert ad.logsumexp([Value(-math.inf), Value(0.0)]).data == 0.0


def test_the_max_shift_is_a_stop_gradient_node_recomputed_from_the_inputs():
    x = [Value(1.0), Value(3.0)]
    out = ad.logsumexp(x)
    shifts = [node for node in ad.topological_order(out) if node.op == "stop_gradient"]
    assert len(shifts) == 1 and shifts[0].parents[0].op == "max"
    assert all(p is q for p, q in zip(shifts[0].parents[0].parents, x, strict=True))

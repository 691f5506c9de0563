"""A number (or array) operand is a constant, as in PyTorch: ``b + 1`` makes the 1 a
leaf with ``requires_grad=False``, which backward gives no gradient and the steps leave
out; the gradients of the real leaves are what they were (by hand, then torch)."""
import re

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value
from helpers import central_difference, traced_e

CONSTANT_NAMED = re.compile(r"(?<![\w.])1\.grad|-> 1:|(?<![\w.])1 ->")


def e_of(a, b):
    return (a + b) * (b + 1)


def test_a_number_operand_becomes_a_constant_leaf():
    b = Value(1.0, label="b")
    d = b + 1
    one = d.parents[1]
    assert one.is_leaf and not one.requires_grad and one.data == 1.0
    assert "requires_grad=False" in repr(one)
    for made in (1 - b, b - 1, 2 * b, b / 3, 2 ** b, b ** Value(2.0) + 0.5,
                 ad.sum([b, 4.0]), ad.max([b, 0.5]), b * np.array([1.0, 2.0])):
        constants = [parent for parent in made.parents if parent.is_leaf and parent is not b]
        assert constants and all(not parent.requires_grad for parent in constants), made


def test_constants_get_no_gradient_and_the_leaves_theirs_by_hand():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    e = e_of(a, b)
    e.backward()
    assert (a.grad, b.grad) == (2.0, 5.0)          # de/da = b + 1, de/db = (b + 1) + (a + b)
    assert e.parents[1].parents[1].grad == 0.0
    numeric = central_difference(lambda v: (v[0] + v[1]) * (v[1] + 1), [2.0, 1.0])
    np.testing.assert_allclose([a.grad, b.grad], numeric, atol=1e-8)


def test_a_batch_with_a_number_and_an_array_constant_by_hand(torch):
    x_data, k_data = np.array([1.0, -2.0, 0.5]), np.array([3.0, 1.0, -1.0])
    x, w = Value(x_data, label="x"), Value(0.5, label="w")
    s = ad.batch_sum(ad.tanh(w * x * k_data + 1.0))
    s.backward()
    inner = 0.5 * x_data * k_data + 1.0
    local = 1 - np.tanh(inner) ** 2
    assert w.grad == pytest.approx(float(np.sum(local * x_data * k_data)))
    np.testing.assert_allclose(x.grad, local * 0.5 * k_data)
    constants = [node for node in ad.topological_order(s) if not node.requires_grad]
    assert len(constants) == 2 and not any(np.any(node.grad) for node in constants)
    w_t = torch.tensor(0.5, requires_grad=True)
    x_t = torch.tensor(x_data, requires_grad=True)
    torch.tanh(w_t * x_t * torch.tensor(k_data) + 1.0).sum().backward()
    assert w.grad == pytest.approx(w_t.grad.item())
    np.testing.assert_allclose(x.grad, x_t.grad.numpy())


def test_the_steps_of_both_modes_leave_a_constant_out():
    graph = traced_e()                          # e = (a + b)(b + 1), c and d named
    steps = graph.steps()
    assert [len(step.edges) for step in steps] == [2, 2, 1]     # d = b + 1: only d -> b
    text = "\n".join(str(step) for step in steps)
    assert not CONSTANT_NAMED.search(text)
    assert "d -> b: local 1 × upstream 3 = 3;  b.grad 2 + 3 = 5" in text
    forward = graph.forward_steps("b")
    assert [len(step.edges) for step in forward] == [1, 1, 2]   # a unseeded, the 1 a constant
    assert not CONSTANT_NAMED.search("\n".join(str(step) for step in forward))
    assert forward[-1].tangent == 5.0

"""ad.random_expression: fresh practice graphs of engine primitives over labelled leaves,
the same for the same seed, every value in a safe domain, and gradients that agree with
central differences of the same expression evaluated on plain floats."""
import math

import numpy as np
import pytest
from helpers import central_difference

import autodiff as ad
from autodiff import Value

FLOAT_OPERATIONS = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y, "exp": math.exp, "log": math.log, "sqrt": math.sqrt,
    "tanh": math.tanh, "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
}


def _leaves(root):
    return [node for node in ad.computation_order([root]) if not node.parents]


def _evaluate(root, leaf_values):
    """The expression of ``root`` on plain floats, with the leaves set to
    ``leaf_values`` (written here with math, independently of the engine)."""
    values = dict(zip(_leaves(root), leaf_values))
    for node in ad.computation_order([root]):
        if node.parents:
            values[node] = FLOAT_OPERATIONS[node.op](*(values[parent] for parent in node.parents))
    return values[root]


def _height(node, memo):
    if node not in memo:
        memo[node] = 1 + max((_height(parent, memo) for parent in node.parents), default=-1)
    return memo[node]


@pytest.mark.parametrize("seed", range(12))
def test_random_expression_gradients_match_central_differences_of_the_float_expression(seed):
    root = ad.random_expression(3, generator=seed)
    leaves = _leaves(root)
    assert root.data == pytest.approx(_evaluate(root, [leaf.data for leaf in leaves]),
                                      rel=1e-12, abs=1e-12)
    root.backward()
    expected = central_difference(lambda xs: _evaluate(root, xs), [leaf.data for leaf in leaves])
    np.testing.assert_allclose([leaf.grad for leaf in leaves], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("depth", [1, 2, 4, 6])
def test_random_expression_has_the_depth_asked_and_keeps_every_value_readable(depth):
    for seed in range(8):
        root = ad.random_expression(depth, generator=seed)
        nodes = ad.computation_order([root])
        assert _height(root, {}) == depth
        assert {node.op for node in nodes if node.parents} <= set(FLOAT_OPERATIONS)
        assert all(math.isfinite(node.data) and abs(node.data) < 25 for node in nodes)
        assert all(abs(node.data) >= 0.05 for node in nodes if node.parents)
        for node in nodes:
            if node.op in ("log", "sqrt"):
                assert node.parents[0].data >= 0.25
            if node.op == "div":
                assert abs(node.parents[1].data) >= 0.5


def test_random_expression_leaves_are_labelled_inputs_with_simple_values():
    root = ad.random_expression(4, generator=1, leaves=4)
    leaves = _leaves(root)
    assert leaves and {leaf.label for leaf in leaves} <= {"a", "b", "c", "d"}
    assert all(leaf.data != 0 and abs(leaf.data) <= 2 and (2 * leaf.data).is_integer()
               and leaf.requires_grad and leaf.grad == 0.0 for leaf in leaves)


def test_random_expression_is_the_same_for_the_same_seed_and_varies_with_it():
    def shape(root):
        return [(node.op, node.label, node.data) for node in ad.computation_order([root])]
    assert shape(ad.random_expression(3, generator=7)) == shape(
        ad.random_expression(3, generator=7))
    assert len({str(shape(ad.random_expression(3, generator=seed))) for seed in range(6)}) > 3
    generator = np.random.default_rng(0)
    assert shape(ad.random_expression(3, generator=generator)) != shape(
        ad.random_expression(3, generator=generator))


@pytest.mark.parametrize("depth", [0, 9, 2.5, True, "3"])
def test_random_expression_refuses_a_bad_depth_naming_it(depth):
    with pytest.raises(ValueError, match="random_expression: depth"):
        ad.random_expression(depth, generator=0)


def test_random_expression_refuses_a_bad_generator_or_leaf_count():
    with pytest.raises(TypeError, match="random_expression: generator"):
        ad.random_expression(2, generator=-1)
    with pytest.raises(ValueError, match="random_expression: leaves"):
        ad.random_expression(2, generator=0, leaves=5)
    assert isinstance(ad.random_expression(2), Value)

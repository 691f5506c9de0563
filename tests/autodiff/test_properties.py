"""Property test: on random expression trees, engine gradients match central differences."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autodiff as ad
from autodiff import Value
from helpers import central_difference

UNARY = [("tanh", ad.tanh, math.tanh), ("sigmoid", ad.sigmoid, lambda x: 1 / (1 + math.exp(-x))),
         ("exp", lambda x: ad.exp(ad.tanh(x)), lambda x: math.exp(math.tanh(x))),
         ("square", lambda x: x * x, lambda x: x * x),
         ("softplus", ad.softplus, lambda x: max(x, 0) + math.log1p(math.exp(-abs(x)))),
         ("log1+x2", lambda x: ad.log(1.0 + x * x), lambda x: math.log(1.0 + x * x))]
BINARY = [("add", lambda a, b: a + b, lambda a, b: a + b),
          ("sub", lambda a, b: a - b, lambda a, b: a - b),
          ("mul", lambda a, b: a * b, lambda a, b: a * b),
          ("div", lambda a, b: a / (1.5 + ad.tanh(b)), lambda a, b: a / (1.5 + math.tanh(b)))]


def trees(depth):
    leaf = st.integers(min_value=0, max_value=2).map(lambda i: ("x", i))
    if depth == 0:
        return leaf
    sub = trees(depth - 1)
    return st.one_of(leaf,
                     st.tuples(st.sampled_from(range(len(UNARY))), sub).map(lambda t: ("u",) + t),
                     st.tuples(st.sampled_from(range(len(BINARY))), sub, sub).map(lambda t: ("b",) + t))


def evaluate(tree, xs, engine):
    kind = tree[0]
    if kind == "x":
        return xs[tree[1]]
    if kind == "u":
        _, index, child = tree
        return UNARY[index][1 if engine else 2](evaluate(child, xs, engine))
    _, index, left, right = tree
    return BINARY[index][1 if engine else 2](evaluate(left, xs, engine), evaluate(right, xs, engine))


@settings(max_examples=150, deadline=None)
@given(tree=trees(4), xs=st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_random_expression_gradients_match_central_differences(tree, xs):
    leaves = [Value(x) for x in xs]
    out = evaluate(tree, leaves, engine=True)
    if not isinstance(out, Value):
        return
    assert out.data == pytest.approx(evaluate(tree, xs, engine=False), rel=1e-12, abs=1e-12)
    out.backward()
    numeric = central_difference(lambda v: evaluate(tree, v, engine=False), xs, eps=1e-6)
    engine = np.array([leaf.grad for leaf in leaves])
    assert np.all(np.abs(engine - numeric) <= 1e-5 * np.maximum(1.0, np.abs(numeric)))


@settings(max_examples=60, deadline=None)
@given(tree=trees(3), xs=st.lists(st.floats(-2.0, 2.0), min_size=6, max_size=6))
def test_random_expressions_on_batches_equal_each_example(tree, xs):
    columns = [np.array(xs[i::3]) for i in range(3)]       # 3 inputs x 2 examples
    leaves = [Value(c) for c in columns]
    out = evaluate(tree, leaves, engine=True)
    if not isinstance(out, Value) or out.batch_size is None:
        return
    ad.batch_sum(out).backward()
    for example in range(2):
        singles = [Value(float(c[example])) for c in columns]
        single = evaluate(tree, singles, engine=True)
        single.backward()
        assert out.data[example] == pytest.approx(single.data, rel=1e-13, abs=1e-14)
        for leaf, s in zip(leaves, singles):
            assert leaf.grad[example] == pytest.approx(s.grad, rel=1e-12, abs=1e-13)

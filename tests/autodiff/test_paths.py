"""autodiff.paths: every path from wrt to the output with the product of its local
derivatives; the products add up to the gradient (worked by hand, and checked against
backward and central differences)."""
import numpy as np
import pytest
from helpers import central_difference, notes_values

import autodiff as ad
from autodiff import Value


def test_b_has_two_paths_whose_products_two_and_three_add_up_to_five():
    a, b, c, d, e = notes_values()
    found = ad.paths(e, b)
    assert [path.values for path in found] == [[b, c, e], [b, d, e]]
    assert [path.locals for path in found] == [[1.0, 2.0], [1.0, 3.0]]
    assert [path.product for path in found] == [2.0, 3.0] and found.total == 5.0
    assert [(edge.parent, edge.child) for edge in found[0].edges] == [(b, c), (c, e)]
    assert str(found[0]) == "b -> c -> e: 1 × 2 = 2"
    assert str(found).splitlines()[-1] == "sum over 2 paths: 2 + 3 = 5 = de/db"
    e.backward()
    assert found.total == b.grad and ad.paths(e, a).total == a.grad == 2.0


def test_a_value_used_twice_by_one_operation_makes_two_distinct_paths():
    x = Value(3.0, label="x")
    square = x * x
    square.label = "s"
    found = ad.paths(square, x)
    assert len(found) == 2 and [path.edges[0].index for path in found] == [0, 1]
    assert [path.product for path in found] == [3.0, 3.0] and found.total == 6.0
    assert str(found[1]) == "x -[1]-> s: 3 = 3"


def test_the_products_add_up_to_the_gradient_on_a_graph_with_many_shared_values():
    def f(v):
        x, y = v
        u = x * y + ad.exp(x)
        w = u * x - ad.tanh(u * y)
        return w * w + ad.sin(u)
    point = [0.4, -0.7]
    leaves = [Value(p) for p in point]
    out = f(leaves)
    totals = [ad.paths(out, leaf).total for leaf in leaves]
    np.testing.assert_allclose(totals, ad.gradients(out, leaves), rtol=1e-12)
    np.testing.assert_allclose(totals, central_difference(lambda p: f(p).data, point), rtol=1e-7)
    assert len(ad.paths(out, leaves[0])) == 12        # counted by hand from f's edges


def test_batched_paths_multiply_per_example_and_sum_over_examples_for_a_scalar():
    x = Value(np.array([1.0, -2.0, 0.5]), label="x")
    w = Value(0.3, label="w")
    loss = ad.batch_mean(ad.tanh(w * x) * x)
    gx, gw = ad.gradients(loss, [x, w])
    by_x, by_w = ad.paths(loss, x), ad.paths(loss, w)
    assert len(by_x) == 2 and len(by_w) == 1
    np.testing.assert_allclose(by_x.total, gx, rtol=1e-12)       # one number per example
    assert isinstance(by_w[0].product, float) and by_w.total == pytest.approx(gw, rel=1e-12)
    per_example = np.prod([np.broadcast_to(local, 3) for local in by_w[0].locals], axis=0)
    assert by_w[0].product == pytest.approx(per_example.sum(), rel=1e-12)
    assert by_w[0].summed_over_batch and "(summed over the batch)" in str(by_w[0])


def test_a_path_through_a_batch_reduction_and_back_still_adds_up_to_the_gradient():
    x = Value(np.array([1.0, 2.0, 4.0]), label="x")
    centred = x - ad.batch_mean(x)
    loss = ad.batch_sum(centred * centred * x)
    np.testing.assert_allclose(ad.paths(loss, x).total, ad.gradients(loss, [x])[0], rtol=1e-12)


def test_no_path_means_a_zero_gradient_and_the_output_itself_is_one_path_of_no_edges():
    a, b, c, d, e = notes_values()
    stranger = Value(1.0)
    assert list(ad.paths(e, stranger)) == [] and ad.paths(e, stranger).total == 0.0
    assert "no path from" in str(ad.paths(e, stranger))
    itself = ad.paths(e, e)
    assert len(itself) == 1 and itself[0].edges == () and itself[0].product == 1.0


def test_too_many_paths_is_a_clear_error_counted_without_listing_them():
    x = Value(1.01, label="x")
    y = x
    for _ in range(40):           # y = y * y forty times: 2^40 paths
        y = y * y * 0.5
    with pytest.raises(ad.TooManyPathsError, match=r"paths: there are 1099511627776 paths "
                                                   r"from x to mul, more than max_paths=1000") as error:
        ad.paths(y, x)
    assert error.value.count == 2 ** 40 and isinstance(error.value, ValueError)
    assert len(ad.paths(x * x, x, max_paths=2)) == 2             # at the limit: listed


def test_paths_refuses_what_is_not_a_value():
    with pytest.raises(TypeError, match="paths: output and wrt must be Values"):
        ad.paths(Value(1.0), 2.0)

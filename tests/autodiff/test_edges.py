"""One error policy for a number and a batch (autodiff/_domains.py): every primitive of
``autodiff.PRIMITIVES``, run at its edge points (0, +-1, +-inf, huge, tiny, its domain
bounds) as a number, as a one-element batch and as a three-element batch, gives the same
value and derivative in all three, or the same error (ValueError or TypeError naming
the primitive), never a bare Python error. A number operand of a batched node (a weight)
gets the sum over the examples of what each example gives it, in both modes.

The table is iterated: a primitive added to it without a way to call it here fails
``test_every_primitive_of_the_table_has_edge_points``."""
import itertools
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Value

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")   # numpy's inf/nan notes

INF = math.inf
TINY, SUBNORMAL, HUGE = 1e-300, 5e-324, 1e300
# every one-operand primitive runs at all of these (each is an edge of some primitive)
UNARY_POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, INF, -INF, HUGE, -HUGE, TINY, -TINY,
                SUBNORMAL, 1e-200, 1e16, 709.78, 709.79, -745.2, 710.47, 710.48, -710.48,
                math.pi / 2, 1.0 + 2.0 ** -52, 1.0 - 2.0 ** -53, -1.0 + 2.0 ** -53,
                -1.0 - 2.0 ** -52]
# two-operand primitives run at every pair of these
BINARY_POINTS = [0.0, 1.0, -1.0, 0.1, -2.5, 3.0, INF, -INF, HUGE, 1e-200, -1e-200, SUBNORMAL]

# how to call each entry of the table: (operand count, function of Values);
# a family gets one entry per parameter
UNARY_CALLS = {
    "pow_constant": {f"x ** {p:g}": (lambda p: lambda x: x ** p)(p)
                     for p in (0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, 1.5, -0.5, 2.5)},
    "leaky_relu": {f"leaky_relu(x, {s:g})": (lambda s: lambda x: ad.leaky_relu(x, s))(s)
                   for s in (0.0, 0.1)},
    "clamp": {"clamp(x, -1, 1)": lambda x: ad.clamp(x, -1.0, 1.0),
              "clamp(x, -1, 1, closed=False)": lambda x: ad.clamp(x, -1.0, 1.0, closed=False),
              "clamp(x, max=0)": lambda x: ad.clamp(x, max=0.0)},
}
BINARY_CALLS = {
    "pow": lambda a, b: a ** b,
    "pow_constants": lambda a, b: a ** Value(b.data, requires_grad=False),
    "remainder": lambda a, b: a % b,
}
N_ARY_CALLS = {                           # tried with two and with three operands
    "sum": lambda *xs: ad.sum(xs),
    "max": lambda *xs: ad.max(xs),
    "min": lambda *xs: ad.min(xs),
    "affine": lambda *xs: ad.affine(xs[:1], xs[1:2], xs[2] if len(xs) > 2 else None),
}
REDUCTIONS = {"batch_sum", "batch_mean"}   # a batch to a number: one-element batches only
BATCH_ONLY = {"index": "v[k] picks an example of a batch; a number has none "
                       "(tests/autodiff/test_table_functions.py checks it)"}


def _arity(primitive):
    return len(primitive.derivative_text) if isinstance(primitive.derivative_text, tuple) else 0


def callers():
    """(table key, description, operand count, function) for every entry of the table."""
    rows = []
    for key, primitive in ad.PRIMITIVES.items():
        if key in BATCH_ONLY:
            continue
        if key in UNARY_CALLS:
            rows += [(key, text, 1, f) for text, f in UNARY_CALLS[key].items()]
        elif key in N_ARY_CALLS:
            rows += [(key, f"{key} of {n}", n, N_ARY_CALLS[key]) for n in (2, 3)]
        elif key in BINARY_CALLS:
            rows.append((key, key, 2, BINARY_CALLS[key]))
        elif isinstance(primitive, ad.Primitive) and _arity(primitive) in (1, 2):
            rows.append((key, key, _arity(primitive), getattr(ad, key)))
    return rows


CALLERS = callers()


def test_every_primitive_of_the_table_has_edge_points():
    covered = {row[0] for row in CALLERS} | set(BATCH_ONLY)
    assert covered == set(ad.PRIMITIVES), \
        f"add the new primitive to a table of tests/autodiff/test_edges.py: " \
        f"{sorted(set(ad.PRIMITIVES) - covered)}"


def points_for(count):
    if count == 1:
        return [(x,) for x in UNARY_POINTS]
    if count == 2:
        return list(itertools.product(BINARY_POINTS, repeat=2))
    three = [0.0, 1.0, -2.5, INF, -INF, SUBNORMAL]
    return list(itertools.product(three, repeat=3))


def outcome(function, datas, seed):
    """(value, grads) of function at these data (numbers or arrays), after backward with
    ``seed``; or (error type, message without the offending value) when it raises."""
    leaves = [Value(d) for d in datas]
    try:
        out = function(*leaves)
        out.backward(seed)
    except (ValueError, TypeError) as error:
        return type(error), str(error).split(", got ")[0]
    return out.data, [leaf.grad for leaf in leaves]


def same(first, second):
    return np.allclose(first, second, rtol=1e-13, atol=0.0, equal_nan=True) and \
        np.array_equal(np.isinf(first), np.isinf(second)) and \
        np.array_equal(np.sign(first)[np.isinf(first)], np.sign(second)[np.isinf(second)])


def check_agrees(name, number, batched, pick):
    """``batched`` (from a batch) must be ``number`` (from numbers), ``pick`` choosing the
    number's share of a batched result; returns a description of a difference, or None."""
    if isinstance(number[0], type):
        if number != batched:
            return f"number: {number}, batch: {batched}"
        if not number[1].startswith(f"{name}:"):
            return f"the error does not name {name}: {number[1]}"
        return None
    if isinstance(batched[0], type):
        return f"number: {number}, batch: {batched}"
    value, grads = number
    batch_value, batch_grads = batched
    if not same(value, pick(batch_value)):
        return f"value {value!r}, batch {batch_value!r}"
    for index, (grad, batch_grad) in enumerate(zip(grads, batch_grads)):
        if not same(grad, pick(batch_grad)):
            return f"d/d operand {index}: {grad!r}, batch {batch_grad!r}"
    return None


@pytest.mark.parametrize("key, text, count, function", CALLERS,
                         ids=[row[1] for row in CALLERS])
def test_a_number_and_a_batch_give_the_same_value_derivative_or_error(key, text, count,
                                                                        function):
    name = ad.PRIMITIVES[key].name
    differences = []
    for point in points_for(count):
        try:
            number = outcome(function, point, None)
        except Exception as error:               # a bare Python error: never
            differences.append(f"{point}: {type(error).__name__}: {error}")
            continue
        sizes = (1,) if key in REDUCTIONS else (1, 3)
        for size in sizes:
            datas = [np.full(size, x) for x in point]
            seed = None if key in REDUCTIONS else np.ones(size)
            batched = outcome(function, datas, seed)
            difference = check_agrees(name, number, batched,
                                      lambda data: data if np.ndim(data) == 0 else data[0])
            if difference:
                differences.append(f"{point}, batch of {size}: {difference}")
    assert not differences, f"{text}:\n" + "\n".join(differences[:20])


MIXED = [row for row in CALLERS if row[2] >= 2]


@pytest.mark.parametrize("key, text, count, function", MIXED, ids=[row[1] for row in MIXED])
def test_a_number_operand_of_a_batched_node_gets_the_sum_over_the_examples(key, text, count,
                                                                           function):
    """A weight w in f(w, x_k) for a batch x: dL/dw = sum_k df/dw(w, x_k) u_k with the
    upstream u_k of each example (weighted here, so a sum of shares times a sum of
    upstreams would show), and jvp in w gives df/dw(w, x_k) for each example."""
    upstream = np.array([1.0, 2.0, 10.0])
    examples = [-1.0, 0.5, 3.0]
    differences = []
    for point in points_for(count):
        if not all(math.isfinite(x) and abs(x) < 1e100 for x in point):
            continue
        for position in range(count):              # the number operand
            # example k: the number operand stays point[position], the others move by x_k
            rows = [tuple(point[position] if i == position else (point[i] + x)
                          for i in range(count)) for x in examples]
            singles = [outcome(function, row, None) for row in rows]
            if any(isinstance(s[0], type) for s in singles):
                continue
            leaves = [Value(point[position]) if i == position else
                      Value(np.array([row[i] for row in rows])) for i in range(count)]
            try:
                out = function(*leaves)
                out.backward(upstream)
            except (ValueError, TypeError):
                continue                           # refused: the number test covers it
            expected = sum(u * s[1][position] for u, s in zip(upstream, singles))
            if not same(leaves[position].grad, expected):
                differences.append(f"{rows}: reverse {leaves[position].grad}, "
                                   f"expected {expected}")
            with ad.no_grad():        # numbers, though f closes over leaves with grads
                _, tangent = ad.jvp(lambda w: function(*[w if i == position else leaf
                                                         for i, leaf in enumerate(leaves)]),
                                    [point[position]], [1.0])
            expected = np.array([s[1][position] for s in singles])
            if not same(np.broadcast_to(tangent, expected.shape), expected):
                differences.append(f"{rows}: forward {tangent}, expected {expected}")
    assert not differences, f"{text}:\n" + "\n".join(differences[:20])


def test_the_policy_examples_of_the_docstring():
    """The cases the policy names, as a user meets them."""
    for overflowing in (lambda: ad.sinh(Value(711.0)), lambda: ad.cosh(Value(-711.0)),
                        lambda: ad.sinh(Value([711.0, 0.0])), lambda: ad.exp(Value(710.0))):
        with pytest.raises(ValueError, match="overflow"):
            overflowing()
    y, x = Value(1e-200), Value(1e-200)
    angle = ad.arctan2(y, x)
    angle.backward()
    assert angle.data == pytest.approx(math.pi / 4)
    assert (y.grad, x.grad) == pytest.approx((5e199, -5e199), rel=1e-14)   # 1/(2 * 1e-200)
    for exponent, value in ((-1.0, 1e200), (-0.5, 1e-320 ** -0.5)):
        base = Value(1e-200 if exponent == -1.0 else 1e-320)
        power = base ** exponent
        power.backward()
        assert power.data == pytest.approx(value) and base.grad == -INF
    with ad.no_grad():
        assert ad.arcsin(Value(1.0)).data == math.pi / 2
    with pytest.raises(ValueError, match=r"^arcsin: the derivative .* is infinite at x = \+-1"):
        ad.arcsin(Value(1.0))
    assert math.isnan(ad.sin(Value(INF)).data) and np.isnan(ad.sin(Value([INF])).data[0])

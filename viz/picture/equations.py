"""Every equation a picture or a step prints, in one place, so that each is true at the
precision shown. A batched graph is shown one example at a time (``Scene.example``):
a number is that example's entry; an edge into a scalar (a weight shared by the whole
batch) carries the sum over the batch, and says so:
``2 × 0.5 = 1;  sum over 64 examples = 12.5``."""
import numpy as np

from autodiff import Value

from .number_format import format_number


def plain(data):
    """The number(s) of ``data``: a Value's data (a grad made by create_graph), else
    ``data`` itself (a float or an array)."""
    return data.data if isinstance(data, Value) else data


def number_text(scene, data, precision):
    """``data`` (a float, a batch, a Value) as the example shown, ``precision`` digits."""
    return format_number(scene.at(data), precision)


def summed_over_batch(scene, parent, contribution):
    """True when ``contribution`` (into ``parent``) is a sum over the examples of a
    batch of two or more: the parent holds one number for the whole batch."""
    return scene.batched and type(parent.data) is float and not isinstance(
        plain(contribution), np.ndarray)


def _chain_product(scene, local, factor, contribution, summed, precision, words):
    """``local × factor = contribution`` for the example shown; when ``summed``, that
    example's product then the sum over the batch: ``2 × 0.5 = 1;  sum over 64
    examples = 12.5``. ``words``: the name of the factor (``local 2 × upstream 0.5``)."""
    local_number, factor_number = scene.at(local), scene.at(factor)
    local_word, factor_word = ("local ", f"{words} ") if words else ("", "")
    text = (f"{local_word}{format_number(local_number, precision)} × {factor_word}"
            f"{format_number(factor_number, precision)} = ")
    if summed:
        return (f"{text}{format_number(local_number * factor_number, precision)};  sum "
                f"over {scene.batch_size} examples = {number_text(scene, contribution, precision)}")
    return text + number_text(scene, contribution, precision)


def product_text(scene, local, upstream, contribution, parent, precision, words=False):
    """One edge's chain rule, ``local × upstream = contribution`` for the example
    shown; into a scalar parent of a batched node, that example's product then the sum
    over the batch that backward adds: ``2 × 0.5 = 1;  sum over 64 examples = 12.5``.
    ``words``: name the factors (``local 2 × upstream 0.5 = 1``), as the steps' text."""
    return _chain_product(scene, local, upstream, contribution,
                          summed_over_batch(scene, parent, contribution), precision,
                          "upstream" if words else None)


def summed_into_scalar(scene, child, local, tangent):
    """True when forward mode adds local × tangent(parent) of every example of a batch
    into ``child``, a scalar (``batch_sum``, ``batch_mean``): the contribution shown is
    the sum over the batch."""
    return scene.batched and type(child.data) is float and (
        isinstance(plain(local), np.ndarray) or isinstance(plain(tangent), np.ndarray))


def tangent_product_text(scene, local, tangent, contribution, child, precision,
                         words=False):
    """One edge of forward mode, ``local × tangent(parent) = contribution`` to the
    child's tangent, for the example shown; into a scalar child of a batched parent,
    that example's product then the sum over the batch. ``words``: name the factors
    (``local 2 × tangent 0.5 = 1``), as the steps' text."""
    return _chain_product(scene, local, tangent, contribution,
                          summed_into_scalar(scene, child, local, tangent), precision,
                          "tangent" if words else None)


def sum_text(scene, terms, total, precision):
    """``t1 + t2 + … = total`` for the example shown (a gradient gathered over several
    edges); a negative term reads ``- 3``, not ``+ -3``."""
    text = number_text(scene, terms[0], precision)
    for term in terms[1:]:
        term_text = number_text(scene, term, precision)
        text += f" - {term_text[1:]}" if term_text.startswith("-") else f" + {term_text}"
    return f"{text} = {number_text(scene, total, precision)}"


def edge_contribution(edge):
    """What ``edge`` added to its parent's grad in the last backward: local × child.grad,
    summed over the batch when the parent holds one number for the whole batch (as
    backward adds it)."""
    contribution = edge.contribution
    data = plain(contribution)
    if type(edge.parent.data) is float and isinstance(data, np.ndarray):
        return float(np.sum(data))
    return contribution


EDGE_MODES = ("numbers", "symbols", "both")


def derivative_formula(scene, child, index):
    """d(child)/d(operand ``index``) as a formula in the operands' names, from the
    primitive's own rule (``Primitive.local_grad_text``): for e = c * d, ``d`` for c;
    None when the primitive has no text for it."""
    text_of = getattr(child.primitive, "local_grad_text", None)
    if text_of is None:
        return None
    texts = text_of([scene.names[parent] for parent in child.parents], scene.names[child])
    return texts[index] if index < len(texts) else None


def edge_text(scene, child, parent, index, local, product, precision, mode="numbers"):
    """The words on an edge: ``product`` (the chain-rule product, or the local
    derivative alone before backward) with ``mode="numbers"``; the local derivative as a
    formula and its value, ``de/dc = d = 3``, with "symbols"; both, ``de/dc = d = 3;
    3 × 1 = 3``, with "both". A formula that is the number itself (``dc/da = 1``) is
    not repeated."""
    if mode == "numbers":
        return product
    formula = derivative_formula(scene, child, index)
    value = number_text(scene, local, precision)
    symbols = f"d{scene.names[child]}/d{scene.names[parent]} = "
    symbols += value if formula is None or formula == value else f"{formula} = {value}"
    if mode == "symbols" or product == value:
        return symbols
    return f"{symbols};  {product}"

"""viz.picture.equations: every equation a picture or a step prints is arithmetically true at
the precision shown, batched graphs included: one example of the batch is drawn (said
in the title), and an edge into a scalar shows the sum over the batch. Each test reads
the printed labels back and redoes their arithmetic."""
import json
import re

import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff import Value
from helpers import named_edges, node_rows, parse_dot, traced_e

NUMBER = r"-?(?:\d+\.?\d*(?:e[+-]?\d+)?|inf|nan)"
PRODUCT = re.compile(rf"^({NUMBER}) × ({NUMBER}) = ({NUMBER})"
                     rf"(?:;  sum over (\d+) examples = ({NUMBER}))?$")
STEP_EDGE = re.compile(rf"^  (.+) -> (.+): local ({NUMBER}) × upstream ({NUMBER}) = ({NUMBER})"
                       rf"(?:;  sum over (\d+) examples = ({NUMBER}))?;  (.+)\.grad (.+)$")


def _close(shown, exact, precision):
    """``shown`` (read from a label) is ``exact`` rounded to ``precision`` digits."""
    return float(shown) == float(f"{exact:.{precision}g}") or np.isclose(
        float(shown), exact, rtol=10.0 ** (1 - precision), atol=0)


def _tolerance(numbers, precision):
    """The largest rounding error of a sum of numbers each shown with ``precision``
    significant digits."""
    return sum(abs(x) for x in numbers) * 10.0 ** (1 - precision) + 1e-300


def check_product(label, precision):
    """local × upstream = contribution holds at the shown precision; returns the numbers
    (and the batch sum, when the label has one)."""
    match = PRODUCT.match(label)
    assert match, label
    local, upstream, contribution = map(float, match.group(1, 2, 3))
    assert abs(local * upstream - contribution) <= _tolerance(
        [local * upstream, contribution], precision), label
    return match


def check_sum(text, precision):
    """``t1 + t2 - t3 = total`` holds at the shown precision; returns (terms, total)."""
    left, total = text.rsplit(" = ", 1)
    pieces = re.split(r" ([+-]) ", left)
    terms = [float(pieces[0])] + [float(sign + value) for sign, value in
                                  zip(pieces[1::2], pieces[2::2])]
    assert abs(sum(terms) - float(total)) <= _tolerance(terms + [float(total)], precision), text
    return terms, float(total)


def issue_batch():
    """The issue's example: s = batch_mean(a * b * b) over two examples."""
    a = Value(np.array([1.0, 3.0]), label="a")
    b = Value(np.array([2.0, -2.0]), label="b")
    s = ad.batch_mean(a * b * b)
    s.label = "s"
    s.backward()
    return a, b, s


@pytest.mark.parametrize("example", [0, 1])
def test_a_batched_drawing_shows_one_example_with_true_equations(example):
    a, b, s = issue_batch()
    source = viz.draw(s, example=example).source
    rows = node_rows(source)
    assert f"data {a.data[example]:g}" in rows["a"] and f"data {b.data[example]:g}" in rows["b"]
    assert rows["a"][-1] == f"grad {a.grad[example]:g}"
    assert f"example {example + 1} of 2" in source
    labels = [label for _, _, label in named_edges(source)]
    assert len(labels) == 5
    for label in labels:
        check_product(label, 4)
    for name in ("a", "b", "s"):
        grad_rows = [row for row in rows[name] if row.startswith("grad ")]
        if grad_rows and " = " in grad_rows[0]:
            check_sum(grad_rows[0][len("grad "):], 4)
    assert "(2,) mean" not in source and "(2,)" not in source


def test_an_edge_into_a_weight_shows_the_sum_over_the_batch():
    x = Value(np.array([0.5, -1.0, 2.0, 0.25]), label="x", requires_grad=False)
    w = Value(0.3, label="w")
    loss = ad.batch_mean(ad.tanh(w * x))
    loss.backward()
    edges = named_edges(viz.draw(loss, example=2).source)
    into_w = [label for parent, _, label in edges if parent == "w"]
    assert len(into_w) == 1
    match = check_product(into_w[0], 4)
    assert match.group(4) == "4"
    upstream = (1 - np.tanh(0.3 * x.data) ** 2) / 4          # d loss / d(w x), by hand
    assert _close(match.group(1), x.data[2], 4) and _close(match.group(2), upstream[2], 4)
    assert _close(match.group(5), float(np.sum(x.data * upstream)), 4)
    assert _close(match.group(5), w.grad, 4)
    assert node_rows(viz.draw(loss, example=2).source)["w"][-1] == f"grad {w.grad:.4g}"


def test_a_batch_of_one_is_drawn_as_plain_numbers():
    x = Value(np.array([2.0]), label="x")
    w = Value(0.5, label="w")
    out = ad.batch_sum(w * x)
    out.backward()
    source = viz.draw(out).source
    assert "example" not in source and "sum over" not in source
    labels = sorted(label for _, _, label in named_edges(source))
    assert labels == ["0.5 × 1 = 0.5", "1 × 1 = 1", "2 × 1 = 2"]
    assert node_rows(source)["x"][1:] == ["data 2", "grad 0.5"]


def test_every_step_of_a_batched_backward_is_true_for_the_example_shown():
    x = Value(np.linspace(-1.0, 1.0, 64), label="x", requires_grad=False)
    w, c = Value(0.7, label="w"), Value(-0.2, label="c")
    h = ad.tanh(w * x + c)
    loss = ad.batch_mean(h * h * w)
    stepper = viz.steps(loss, example=5)
    text = str(stepper)
    assert "example 6 of 64" in text.splitlines()[0]
    edge_lines = [line for line in text.splitlines() if line.startswith("  ")]
    assert edge_lines
    summed = 0
    for line in edge_lines:
        match = STEP_EDGE.match(line)
        assert match, line
        local, upstream, contribution = map(float, match.group(3, 4, 5))
        assert abs(local * upstream - contribution) <= _tolerance(
            [local * upstream, contribution], 4), line
        check_sum(match.group(9), 4)
        if match.group(6):
            summed += 1
            assert match.group(6) == "64"
            added = float(check_sum(match.group(9), 4)[0][-1])
            assert added == float(match.group(7))           # the sum is what the grad gets
    assert summed >= 3                                        # into w (twice) and c
    for frame in stepper:
        for label in (edge["label"] for edge in parse_dot(frame.source)[1]):
            if " × " in label:
                check_product(label, 4)
        for rows in node_rows(frame.source).values():
            for row in rows:
                if row.startswith("grad ") and " = " in row:
                    check_sum(row[len("grad "):], 4)


def test_example_must_be_in_the_batch():
    _, _, s = issue_batch()
    with pytest.raises(ValueError, match=r"draw: example must be an integer from 0 to 1 .* "
                                         r"got 2"):
        viz.draw(s, example=2)
    with pytest.raises(ValueError, match="steps: example must be .* got 'first'"):
        viz.steps(s, example="first")
    with pytest.raises(ValueError, match=r"draw: example must be an integer from 0 to 0"):
        viz.draw(traced_e().output, example=1)
    assert "example 2 of 2" in viz.draw(s, example=-1).source


def test_unbatched_equations_use_the_chosen_precision():
    x = Value(1.0 / 3.0, label="x")
    y = x * 3.0
    y.backward()
    for precision in (2, 6):
        edges = named_edges(viz.draw(y, precision=precision).source)
        assert ("3", "v1", "") in edges                      # the constant 3: no numbers
        for parent, _, label in edges:
            if parent != "3":
                check_product(label, precision)


SYMBOLS = re.compile(rf"^d(\w+)/d(\w+) = (?:([^;]+?) = )?({NUMBER})(?:;  (.+))?$")


def _evaluate(formula, values):
    """A derivative formula of the rules table (names, exp, tanh², products ·) at the
    operands' data."""
    expression = re.sub(r"(\w+)²\(([^)]*)\)", r"\1(\2)**2", formula)
    expression = expression.replace("·", "*").replace("σ", "sigmoid")
    namespace = {"exp": np.exp, "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
                 **values}
    return float(eval(expression, {"__builtins__": {}}, namespace))


@pytest.mark.parametrize("function, inputs", [
    (lambda a, b: (a + b) * (b + 1.0), {"a": 2.0, "b": 1.0}),
    (lambda x: x * ad.exp(x * x), {"x": 0.5}),
    (lambda a, b: ad.tanh(a * b) - ad.sigmoid(a) / b, {"a": 0.3, "b": -1.2}),
])
def test_symbols_on_edges_are_the_rule_in_the_operands_names_then_its_numbers(function,
                                                                               inputs):
    def named(**leaves):
        out = function(**leaves)
        for index, node in enumerate(ad.topological_order(out)):
            if node.parents and not node.label:
                node.label = f"n{index}"
        return out
    graph = ad.trace(named, **inputs).backward()
    values = {node.label: node.data for node in graph.nodes if node.label}
    both = named_edges(viz.draw(graph, edges="both").source)
    symbols = named_edges(viz.draw(graph, edges="symbols").source)
    numbers = named_edges(viz.draw(graph).source)
    assert len(both) == len(symbols) == len(numbers) == len(graph.edges)
    formulas = 0
    for (parent, child, label), (_, _, symbol_label), (_, _, number_label) in zip(
            both, symbols, numbers):
        if parent == "1":                           # the constant 1: no derivative at all
            assert label == symbol_label == number_label == ""
            continue
        match = SYMBOLS.match(label)
        assert match, label
        assert match.group(1, 2) == (child, parent)
        if match.group(5) is None:                  # no contribution: local only
            assert match.group(4) == number_label
        else:
            check_product(match.group(5), 4)
            assert match.group(5) == number_label                # numbers as without symbols
            assert float(match.group(4)) == float(PRODUCT.match(number_label).group(1))
        assert symbol_label == label.split(";  ")[0]
        if match.group(3):
            formulas += 1
            assert _close(match.group(4), _evaluate(match.group(3), values), 4), label
    assert formulas >= 2


def test_the_steps_and_the_player_carry_the_symbols_too():
    stepper = viz.steps(traced_e(), edges="both")
    labels = [edge["label"] for edge in parse_dot(stepper[0].source)[1]]
    assert "de/dc = d = 2;  2 × 1 = 2" in labels and "dc/da = 1" in labels   # pending: no product
    page = stepper.animate(interval=0.5).html()
    assert "de/dd = c = 3;  3 × 1 = 3" in page
    with pytest.raises(ValueError, match="steps: edges must be one of .* got 'formulas'"):
        viz.steps(traced_e(), edges="formulas")
    with pytest.raises(ValueError, match="draw: edges must be one of"):
        viz.draw(traced_e(), edges=True)


def test_sums_read_minus_for_a_negative_term_and_products_read_left_to_right():
    from viz.picture.equations import product_text, sum_text
    from viz.picture.scene import Scene
    scene = Scene(Value(1.0, label="x") * 2.0)
    assert sum_text(scene, [2.0, -3.0, 0.5], -0.5, 4) == "2 - 3 + 0.5 = -0.5"
    assert product_text(scene, 1.0, 2.0, 2.0, Value(1.0), 4) == "1 × 2 = 2"
    assert product_text(scene, 1.0, 2.0, 2.0, Value(1.0), 4, words=True) == (
        "local 1 × upstream 2 = 2")


FORWARD_STEP = re.compile(r"^step \d+ of \d+: .+ = \w+\(.*\), tangent (.+)$")
FORWARD_EDGE = re.compile(rf"^  (.+) -> (.+): local ({NUMBER}) × tangent ({NUMBER}) = "
                          rf"({NUMBER})(?:;  sum over (\d+) examples = ({NUMBER}))?$")


def _check_forward_text(text, precision):
    """Every line of a printed forward stepper: each edge ``local × tangent =
    contribution``, each node's tangent the sum of its edges' contributions (the batch
    sum where there is one), all at the shown precision. Returns how many edges were
    summed over a batch."""
    summed, terms, header = 0, [], None

    def close_step():
        if header is None:
            return
        shown = header.split(" = ")
        total = float(shown[-1]) if len(shown) > 1 else float(header)
        if len(shown) > 1:
            parsed, total = check_sum(header, precision)
            assert parsed == terms, header                   # the box adds its edges' terms
        else:
            assert terms == [total], header                   # one edge: its contribution
    for line in text.splitlines():
        step = FORWARD_STEP.match(line)
        if step:
            close_step()
            header, terms = step.group(1), []
            continue
        edge = FORWARD_EDGE.match(line)
        if edge:
            local, tangent, product = map(float, edge.group(3, 4, 5))
            assert abs(local * tangent - product) <= _tolerance([local * tangent, product],
                                                                precision), line
            if edge.group(6):
                summed += 1
                terms.append(float(edge.group(7)))
            else:
                terms.append(product)
            continue
        assert line.startswith(("forward mode", "seeds:", "result:")), line
    close_step()
    return summed


@pytest.mark.parametrize("wrt", ["w", "c", "both"])
def test_every_forward_step_of_a_batched_graph_is_true_for_the_example_shown(wrt):
    x = Value(np.linspace(-1.0, 1.0, 64), label="x", requires_grad=False)
    w, c = Value(0.7, label="w"), Value(-0.2, label="c")
    h = ad.tanh(w * x + c)
    loss = ad.batch_mean(h * h * w)
    seeds = {"w": "w", "c": "c", "both": {w: 0.5, c: -3.0}}[wrt]
    stepper = viz.steps(loss, mode="forward", wrt=seeds, example=5)
    text = str(stepper)
    assert "example 6 of 64" in text.splitlines()[0]
    assert _check_forward_text(text, 4) == 1                 # into batch_mean, a scalar
    for frame in [stepper.frame(0)] + list(stepper):
        for label in (edge["label"] for edge in parse_dot(frame.source)[1]):
            if " × " in label:
                match = check_product(label, 4)
                if match.group(4):
                    assert match.group(4) == "64"
        for rows in node_rows(frame.source).values():
            for row in rows:
                if row.startswith("tangent ") and " = " in row:
                    check_sum(row[len("tangent "):], 4)


@pytest.mark.parametrize("precision", [2, 6])
def test_forward_equations_use_the_chosen_precision(precision):
    graph = ad.trace(lambda a, b: ad.tanh(a * b + a / 3.0) * ad.exp(b - a), a=1.0 / 3.0,
                     b=-0.7)
    stepper = viz.steps(graph, mode="forward", wrt={"a": 1.0, "b": 1.0 / 7.0},
                        precision=precision)
    assert _check_forward_text(str(stepper), precision) == 0
    for frame in stepper:
        for _, _, label in named_edges(frame.source):
            if " × " in label:
                check_product(label, precision)


@pytest.mark.parametrize("example", [0, 2])
def test_equations_stay_true_with_constants_and_constants_print_none(example):
    """A number and a batch of constants in a batched graph: every label a picture, a
    frame or the player prints is a true product or sum; the constants' edges print
    nothing, and their boxes no grad (test_constants.py)."""
    x = Value(np.array([1.0, -2.0, 0.5]), label="x")
    w = Value(0.5, label="w")
    k = Value(np.array([3.0, 1.0, -1.0]), requires_grad=False)
    s = ad.batch_sum(ad.tanh(w * x * k + 1.0) * w)
    s.label = "s"
    s.backward()
    scene = viz.picture.scene.Scene(s, example=example)
    constant_edges = {scene.edge_ids[edge.child, edge.index] for edge in scene.edges
                      if scene.is_constant(edge.parent)}
    assert len(constant_edges) == 2

    def check_picture(source, word):
        products = 0
        for edge in parse_dot(source)[1]:
            if edge["id"] in constant_edges:
                assert edge["label"] == ""
            elif " × " in edge["label"]:
                check_product(edge["label"], 4)
                products += 1
        for rows in node_rows(source).values():
            for row in rows:
                if row.startswith(f"{word} ") and " = " in row:
                    check_sum(row[len(word) + 1:], 4)
        return products

    assert check_picture(viz.draw(s, example=example).source, "grad") == 8   # 10 edges
    for mode, word in (("reverse", "grad"), ("forward", "tangent")):
        options = {"wrt": w} if mode == "forward" else {}
        stepper = viz.steps(s, mode=mode, example=example, **options)
        text = str(stepper)
        if mode == "reverse":
            lines = [line for line in text.splitlines() if line.startswith("  ")]
            assert lines and all(STEP_EDGE.match(line) for line in lines)
            for line in lines:
                match = STEP_EDGE.match(line)
                check_sum(match.group(9), 4)
        else:
            _check_forward_text(text, 4)
        for frame in [stepper.frame(0)] + list(stepper):
            check_picture(frame.source, word)
        page = stepper.animate().html()
        data = json.loads(re.search(r'class="crp-data">(.*?)</script>', page, re.DOTALL).group(1))
        for frame in data["frames"]:
            for edge_id, label in frame.get("edges", {}).items():
                if edge_id in constant_edges:
                    assert label == ""
                elif " × " in label:
                    check_product(label, 4)
            for text in frame.get("grads", {}).values():
                if " = " in text:
                    check_sum(text.split(" ", 1)[1], 4)

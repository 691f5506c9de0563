"""viz.draw(output, paths=wrt): each path from wrt in its own colour, and a caption
listing every path with its product and their sum = the gradient. Each test reads the
caption back and redoes its arithmetic (every equation true at the precision shown)."""
import html
import math
import re

import numpy as np
import pytest
from helpers import notes_values, parse_dot

import autodiff as ad
import viz
from autodiff import Value

NUMBER = r"-?(?:\d+\.?\d*(?:e[+-]?\d+)?|inf|nan)"
PATH_LINE = re.compile(rf"^path (\d+): (.+?):  ((?:{NUMBER} × )*{NUMBER}) = ({NUMBER})"
                       rf"(?:;  sum over (\d+) examples = ({NUMBER}))?$")


def caption_lines(source):
    """The caption's lines as the picture shows them (tags dropped, entities decoded)."""
    label = re.search(r"graph \[.*?label=<(<TABLE.*?</TABLE>)>", source).group(1)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell))
            for cell in re.findall(r"<TR><TD>(.*?)</TD></TR>", label)]


def shown(x, precision=4):
    return float(f"{x:.{precision}g}")


def check_paths_caption(source, precision=4):
    """Every path line's product and the sum line hold at the shown precision; returns
    (routes, products, total)."""
    routes, products = [], []
    lines = caption_lines(source)
    for line in lines:
        match = PATH_LINE.match(line)
        if not match:
            continue
        factors = [float(f) for f in match.group(3).split(" × ")]
        product = float(match.group(4))
        assert math.isclose(math.prod(factors), product,
                            rel_tol=len(factors) * 10.0 ** (1 - precision)), line
        if match.group(5):
            product = float(match.group(6))
        routes.append(match.group(2))
        products.append(product)
    (sum_line,) = [line for line in lines if line.startswith(("sum over paths: ", "one path: "))]
    equation = sum_line.split(": ", 1)[1].rsplit(" = d", 1)[0]
    left, total = equation.rsplit(" = ", 1) if " = " in equation else (equation, equation)
    terms = [float(t) for t in re.split(r" \+ ", left.replace(" - ", " + -"))]
    assert terms == products or sum_line.startswith("one path")
    assert math.isclose(sum(terms), float(total), rel_tol=len(terms) * 10.0 ** (1 - precision),
                        abs_tol=1e-12), sum_line
    return routes, products, float(total)


def test_b_s_two_paths_are_drawn_in_two_colours_with_products_two_and_three_adding_to_five():
    a, b, _, _, e = notes_values()
    e.backward()
    source = viz.draw(e, paths=b).source
    routes, products, total = check_paths_caption(source)
    assert routes == ["b -> c -> e", "b -> d -> e"] and products == [2.0, 3.0] and total == 5.0
    assert "sum over paths: 2 + 3 = 5 = de/db" in caption_lines(source)
    nodes, edges = parse_dot(source)
    title = {key: node["rows"][0].split()[0] for key, node in nodes.items()}
    colour = {(title[edge["tail"]], title[edge["head"]]): edge["color"] for edge in edges}
    first, second = colour["b", "c"], colour["b", "d"]
    assert first == colour["c", "e"] and second == colour["d", "e"] and first != second
    assert colour["a", "c"] == colour["1", "d"] == "#c4c4c4"         # off every path: grey
    assert f'<FONT COLOR="{first}"><B>path 1</B></FONT>' in source


def test_the_drawing_does_not_need_backward_and_changes_no_grad():
    a, b, _, _, e = notes_values()
    source = viz.draw(e, paths=b).source
    assert check_paths_caption(source)[2] == 5.0
    assert (a.grad, b.grad, e.grad) == (0.0, 0.0, 0.0)


def test_an_edge_on_two_paths_carries_both_colours_side_by_side():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    z = ad.exp(y * 0.1)
    z.label = "z"
    source = viz.draw(z, paths=x).source
    routes, products, total = check_paths_caption(source)
    assert len(routes) == 2 and total == shown(ad.gradients(z, [x])[0])
    _, edges = parse_dot(source)
    shared = [edge["color"] for edge in edges if ":" in edge.get("color", "")]
    assert len(shared) == 2 and len(set(shared[0].split(":"))) == 2     # y -> mul, mul -> z


@pytest.mark.parametrize("example", [0, 2])
def test_batched_paths_show_one_example_and_the_sum_over_the_batch_for_a_weight(example):
    x = Value(np.array([1.0, -2.0, 0.5]), label="x")
    w = Value(0.3, label="w")
    loss = ad.batch_mean(ad.tanh(w * x) * x)
    loss.label = "loss"
    source = viz.draw(loss, paths=w, example=example).source
    lines = caption_lines(source)
    (line,) = [line for line in lines if line.startswith("path 1")]
    match = PATH_LINE.match(line)
    assert match.group(5) == "3"
    locals_at = [np.broadcast_to(local, 3)[example] for local in ad.paths(loss, w)[0].locals]
    assert float(match.group(4)) == shown(np.prod(locals_at))
    _, _, total = check_paths_caption(source)
    assert total == shown(ad.gradients(loss, [w])[0])
    source_x = viz.draw(loss, paths=x, example=example).source
    _, products, total_x = check_paths_caption(source_x)
    assert total_x == shown(ad.gradients(loss, [x])[0][example])


def test_user_labels_in_the_paths_caption_are_shown_literally():
    odd = Value(1.5, label='<b>x</b> & "y"')
    out = odd * odd
    out.label = "<script>"
    source = viz.draw(out, paths=odd).source
    assert "<b>x</b>" not in source and "<script>" not in source
    assert any(line.startswith('path 1: <b>x</b> & "y" -> <script>') for line in
               caption_lines(source))


def test_paths_needs_a_value_of_the_drawn_graph_and_no_collapse():
    a, b, _, _, e = notes_values()
    with pytest.raises(ValueError, match="draw: paths=.* is not in the drawn graph"):
        viz.draw(e, paths=Value(1.0))
    with pytest.raises(TypeError, match="draw: paths= takes the Value"):
        viz.draw(e, paths="b")
    with ad.scope("block"):
        f = e * 2.0
    with pytest.raises(ValueError, match="cannot be combined with collapse="):
        viz.draw(f, paths=b, collapse=1)


def test_a_path_through_a_zero_local_derivative_adds_zero():
    a, b, _, _, e = notes_values()
    lonely = Value(4.0, label="lonely")
    total = e + lonely * 0.0
    total.label = "t"
    source = viz.draw(total, paths=lonely).source
    _, products, value = check_paths_caption(source)
    assert products == [0.0] and value == 0.0


def test_too_many_paths_to_colour_is_a_clear_error():
    x = Value(0.5, label="x")
    y = x
    for _ in range(7):                 # 2^7 = 128 paths
        y = ad.tanh(y) + ad.sigmoid(y)
    y.label = "y"
    with pytest.raises(ValueError, match=r"draw: there are 128 paths from x to y, more than "
                                         r"the 64 a picture can tell apart"):
        viz.draw(y, paths=x)

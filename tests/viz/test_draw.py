"""viz.draw: the DOT text has the forward value on every node and the derivative on every
edge (read from the engine), one edge per use, kinds, clusters, and the size guard."""
import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff import Value
from viz.drawing.dot import NODE_STYLES
from helpers import (ATTRIBUTE, NODE, PRODUCT, named_edges, node_rows, parse_dot,
                     traced_e)

def test_every_edge_of_e_carries_its_local_derivative_and_contribution():
    graph = traced_e().backward()
    edges = named_edges(viz.draw(graph).source)
    assert sorted(edges) == sorted([
        ("a", "c", "1 × 2 = 2"), ("b", "c", "1 × 2 = 2"), ("b", "d", "1 × 3 = 3"),
        ("1", "d", ""), ("c", "e", "2 × 1 = 2"), ("d", "e", "3 × 1 = 3")])
    for parent, _, label in edges:
        if parent == "1":
            continue                    # the constant 1: no derivative (test_constants.py)
        local, upstream, contribution = map(float, PRODUCT.match(label).groups())
        assert local * upstream == contribution


def test_b_paths_add_to_five_on_its_edges_and_in_its_box():
    graph = traced_e().backward()
    source = viz.draw(graph).source
    from_b = [label for parent, _, label in named_edges(source) if parent == "b"]
    assert sum(float(PRODUCT.match(label).group(3)) for label in from_b) == 5.0
    assert "grad 2 + 3 = 5" in node_rows(source)["b"]


def test_edge_numbers_are_read_from_the_engine_not_recomputed():
    graph = traced_e()
    e = graph.output
    e.local_grads = (7.0, 9.0)      # a stored local derivative is what gets drawn
    labels = [label for _, child, label in named_edges(viz.draw(graph).source) if child == "e"]
    assert sorted(labels) == ["7", "9"]


def test_a_times_a_draws_two_edges():
    a = Value(3.0, label="a")
    square = a * a
    square.backward()
    edges = named_edges(viz.draw(square).source)
    assert [(parent, label) for parent, _, label in edges] == [("a", "3 × 1 = 3")] * 2
    assert "grad 3 + 3 = 6" in node_rows(viz.draw(square).source)["a"]


def test_before_backward_edges_show_only_the_local_derivative_and_nodes_no_grad():
    source = viz.draw(traced_e()).source
    labels = sorted(label for _, _, label in named_edges(source))
    assert labels == ["", "1", "1", "1", "2", "3"]          # "": from the constant 1
    assert not any(row.startswith("grad") for rows in node_rows(source).values() for row in rows)
    assert "data 6" in node_rows(source)["e"]


def test_grads_option_overrides_the_detection():
    graph = traced_e().backward()
    source = viz.draw(graph, grads=False).source
    assert sorted(label for _, _, label in named_edges(source)) == ["", "1", "1", "1", "2", "3"]
    assert "grad" not in " ".join(node_rows(source)["b"])


def test_show_values_only_and_derivatives_only():
    graph = traced_e().backward()
    values = viz.draw(graph, show="values").source
    assert {label for _, _, label in named_edges(values)} == {""}
    assert not any(row.startswith("grad") for rows in node_rows(values).values() for row in rows)
    derivatives = viz.draw(graph, show="derivatives").source
    assert all(PRODUCT.match(label) for parent, _, label in named_edges(derivatives)
               if parent != "1")
    assert not any(row.startswith("data") for rows in node_rows(derivatives).values()
                   for row in rows)


def test_numbers_use_the_chosen_precision():
    x = Value(1.0 / 3.0, label="x")
    y = x * 3.0
    y.backward()
    short = node_rows(viz.draw(y, precision=2).source)["x"]
    long = node_rows(viz.draw(y, precision=6).source)["x"]
    assert "data 0.33" in short and "data 0.333333" in long


def test_a_big_batch_shows_one_example_never_a_wall_of_numbers():
    x = Value(np.arange(1000.0), label="x")
    y = ad.batch_mean(x * 2.0)
    y.backward()
    source = viz.draw(y, example=7).source
    assert node_rows(source)["x"][1:] == ["data 7", "grad 0.002"]
    assert "example 8 of 1000" in source and len(source) < 5000


def test_leaves_parameters_constants_and_outputs_look_different():
    x, w = Value(2.0, label="x"), Value(0.5, label="w")
    y = ad.tanh(w * x + 1.0)
    nodes, _ = parse_dot(viz.draw(y, params=[w]).source)
    fill = {node["rows"][0].split()[0]: node["fillcolor"] for node in nodes.values()}
    assert fill["x"] == NODE_STYLES["input"]["fillcolor"]
    assert fill["w"] == NODE_STYLES["parameter"]["fillcolor"]
    assert fill["1"] == NODE_STYLES["constant"]["fillcolor"]
    assert fill["v3"] == NODE_STYLES["output"]["fillcolor"]
    assert len({fill["x"], fill["w"], fill["1"], fill["v3"], fill["v1"]}) == 5


class _Tensor:
    """Like nn.Parameter: a container whose values() are its leaf Values."""

    def __init__(self, leaves):
        self.leaves = leaves

    def values(self):
        return list(self.leaves)


class _Model:
    def __init__(self, weights):
        self.weight = _Tensor(weights)

    def parameters(self):
        return self.weight.values()


class _NamedModel(_Model):
    def named_parameters(self):
        yield "layer.weight", self.weight


def test_params_accept_a_model_and_take_names_from_named_parameters():
    w1, w2, x = Value(1.0), Value(2.0), Value(3.0, label="x")
    y = w1 * x + w2 * x
    plain = viz.draw(y, params=_Model([w1, w2])).source
    assert [node.get("peripheries") for node in parse_dot(plain)[0].values()].count("2") == 2
    assert {"p1", "p2"} <= set(node_rows(plain))
    named = node_rows(viz.draw(y, params=_NamedModel([w1, w2])).source)
    assert {"layer.weight[0]", "layer.weight[1]"} <= set(named)
    in_a_list = viz.draw(y, params=[_Tensor([w1, w2])]).source
    assert [node.get("peripheries") for node in parse_dot(in_a_list)[0].values()].count("2") == 2


def _scoped_network():
    x = Value(0.5, label="x")
    with ad.scope("mlp"):
        with ad.scope("layers"):
            with ad.scope("0"):
                h = ad.tanh(Value(0.1, label="w0") * x)
            with ad.scope("1"):
                h = ad.tanh(Value(0.2, label="w1") * h)
        out = h * 2.0
    return out


def _clusters(source):
    """[(depth, label, [node ids directly inside])] of the clusters in DOT text."""
    clusters, stack = [], []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("subgraph cluster_"):
            stack.append(len(clusters))
            clusters.append([len(stack), None, []])
        elif stripped == "}" and stack:
            stack.pop()
        elif stack and clusters[stack[-1]][1] is None and " label=" in f" {stripped}":
            label = dict(ATTRIBUTE.findall(stripped))["label"]
            clusters[stack[-1]][1] = label[1:-1] if label.startswith("<") else label
        elif stack and NODE.match(line):
            clusters[stack[-1]][2].append(NODE.match(line).group(1))
    return [tuple(cluster) for cluster in clusters]


def test_scopes_become_nested_clusters():
    out = _scoped_network()
    clusters = _clusters(viz.draw(out).source)
    assert [(depth, label) for depth, label, _ in clusters] == [
        (1, "mlp"), (2, "layers"), (3, "0"), (3, "1")]
    assert all(members for depth, _, members in clusters if depth != 2)
    assert _clusters(viz.draw(out, clusters=False).source) == []


def test_max_nodes_refuses_and_says_how_to_collapse():
    out = _scoped_network()
    with pytest.raises(viz.GraphTooLargeError, match=r"max_nodes=5.*collapse=1.*mlp"):
        viz.draw(out, max_nodes=5)
    chain = Value(1.0, label="x")
    for _ in range(30):
        chain = chain + 1.0
    with pytest.raises(viz.GraphTooLargeError, match="no scopes.*max_nodes=None"):
        viz.draw(chain, max_nodes=50)
    assert len(parse_dot(viz.draw(chain, max_nodes=None).source)[0]) == 61


def test_collapse_folds_each_scope_into_one_box():
    out = _scoped_network()
    out.backward()
    nodes, edges = parse_dot(viz.draw(out, collapse=1, max_nodes=5).source)
    assert sorted(node["rows"][0] for node in nodes.values()) == ["mlp", "x"]
    folded = [node for node in nodes.values() if node["rows"][0] == "mlp"][0]
    assert folded["rows"][1] == f"{len(ad.topological_order(out)) - 1} nodes folded"
    assert len(edges) == 1 and edges[0]["label"] == ""


def test_collapse_keeps_derivatives_on_edges_leaving_a_box():
    y = _scoped_network() * 3.0
    y.backward()
    edges = named_edges(viz.draw(y, collapse=2).source)
    touching = sorted((parent, label) for parent, child, label in edges
                      if "mlp.layers" in (parent, child))
    assert touching == [("mlp.layers", "2 × 3 = 6"), ("x", "")]


def test_draw_accepts_a_graph_or_a_list_of_outputs():
    a = Value(1.0, label="a")
    first, second = a * 2.0, a + 3.0
    nodes, _ = parse_dot(viz.draw([first, second]).source)
    outputs = [node for node in nodes.values()
               if node["fillcolor"] == NODE_STYLES["output"]["fillcolor"]]
    assert len(outputs) == 2
    graph = ad.trace(lambda a: [a * 2.0, a + 3.0], a=1.0)
    assert len(parse_dot(viz.draw(graph).source)[1]) == 4


@pytest.mark.parametrize("bad, message", [
    (3.0, r"draw: expected a Value.*got float 3\.0"),
    ([], r"draw: expected a Value.*got list \[\]"),
    ("e", r"draw: expected a Value.*got str 'e'"),
])
def test_draw_rejects_what_is_not_a_graph(bad, message):
    with pytest.raises(TypeError, match=message):
        viz.draw(bad)


def test_draw_rejects_bad_options_naming_them():
    e = traced_e().output
    with pytest.raises(ValueError, match="draw: show must be one of .* got 'grads'"):
        viz.draw(e, show="grads")
    with pytest.raises(ValueError, match="draw: precision .* got 0"):
        viz.draw(e, precision=0)
    with pytest.raises(ValueError, match="draw: collapse .* got 0"):
        viz.draw(e, collapse=0)
    with pytest.raises(TypeError, match="draw: params must hold Values, got int 3"):
        viz.draw(e, params=[3])


def test_format_helpers():
    assert viz.format_number(-0.0) == "0" and viz.format_number(float("nan")) == "nan"
    assert viz.format_number(2 / 3, 3) == "0.667"
    assert viz.format_data(np.array([1.0, 2.0]), 4) == "(2,) mean 1.5 [1, 2]"
    assert viz.format_data(np.arange(5.0), 4, entries=0) == "(5,) mean 2"
    with pytest.raises(TypeError, match="format_data: expected a number"):
        viz.format_data("x")


def test_an_edge_into_a_leaf_that_needs_no_gradient_shows_no_contribution():
    x = Value(3.0, label="x", requires_grad=False)
    w = Value(2.0, label="w")
    out = w * x
    out.label = "out"
    out.backward()
    labels = {parent: label for parent, child, label in named_edges(viz.draw(out).source)}
    assert labels["w"] == "3 × 1 = 3"
    assert labels["x"] == "2"

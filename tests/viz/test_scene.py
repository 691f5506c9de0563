"""viz.picture.scene: what a picture holds and what it calls things: operations numbered in
the order they were computed, parameters by their module path and index (as torch's
state dict), clusters by module index and type."""
import numpy as np
import pytest

import autodiff as ad
import nn
import viz
from autodiff import Value
from helpers import named_edges, parse_dot
from viz.picture.scene import Scene, computation_order, module_title


def test_operations_are_numbered_in_the_order_they_were_computed():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    first = a + b
    second = b + 1.0
    out = first * second
    scene = Scene(out)
    assert [scene.names[node] for node in (first, second, out)] == ["v1", "v2", "v3"]
    order = computation_order([out])
    assert order[:3] == [a, b, first] and order[4:] == [second, out]
    assert order[3].data == 1.0 and not order[3].parents          # the constant 1
    text = str(viz.steps(out))
    assert "step 1 of 3: v3 = mul(v1, v2), grad 1" in text
    assert ("v1", "v3", "2") in named_edges(viz.draw(out).source)


def test_computation_order_puts_every_node_after_its_operands_even_for_a_long_chain():
    x = Value(0.1, label="x")
    chain = x
    for _ in range(5000):
        chain = chain * 1.0001 + x
    order = computation_order([chain])
    position = {node: index for index, node in enumerate(order)}
    assert len(order) == len(set(order)) == len(ad.topological_order(chain))
    assert all(position[parent] < position[node] for node in order for parent in node.parents)


def _two_layers():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    out = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])[0]
    out.backward()
    return model, out


def test_parameters_are_named_by_module_path_and_index():
    model, out = _two_layers()
    rows = {node["rows"][0]: node["rows"]
            for node in parse_dot(viz.draw(out, params=model).source)[0].values()}
    expected = {f"0.weight[{i}, {j}]" for i in range(3) for j in range(2)}
    expected |= {f"0.bias[{i}]" for i in range(3)} | {f"1.weight[0, {j}]" for j in range(3)}
    assert expected | {"1.bias[0]"} <= set(rows)
    weight = model[0].weight
    assert rows["0.weight[1, 0]"][1:] == [f"data {weight.data[1, 0]:.4g}",
                                          f"grad {weight.grad[1, 0]:.4g}"]


def test_clusters_are_named_by_module_index_and_type():
    model, out = _two_layers()
    scene = Scene(out, model)
    assert scene.cluster_titles == {"Sequential": "Sequential",
                                    "Sequential.0": "0: Linear(2 -> 3)",
                                    "Sequential.1": "1: Linear(3 -> 1)"}
    source = viz.draw(out, params=model).source
    assert "label=<0: Linear(2 -&gt; 3)>" in source and "label=<1: Linear(3 -&gt; 1)>" in source


def test_module_titles_say_the_sizes_they_map():
    assert module_title(nn.Linear(4, 2)) == "Linear(4 -> 2)"
    assert module_title(nn.Sequential()) == "Sequential"

    class Norm:
        num_features = 8
    assert module_title(Norm()) == "Norm(8)"


def test_a_scene_of_a_batch_knows_its_size_and_refuses_mixed_batches():
    x = Value(np.zeros(5), label="x")
    assert Scene(x * 2.0).batch_size == 5 and Scene(Value(1.0) * 2.0).batch_size is None
    y = Value(np.zeros(5))
    out = x * 2.0 + y
    y.data = np.zeros(3)                       # a batch of another length, forced in
    with pytest.raises(ValueError, match=r"draw: the graph mixes batches of \[3, 5\]"):
        Scene(out)

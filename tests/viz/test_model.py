"""viz.draw_model: one box per module with its type, sizes, parameter count and the norms
of its output and of the gradients there (checked against a plain-numpy forward and
central differences); open= draws one module's own scalar graph; the model's grads
are left as they were."""
import numpy as np
import pytest

import autodiff as ad
import nn
import viz
from helpers import central_difference, parse_dot

X = np.array([[0.5, -1.0], [1.0, 2.0], [0.1, 0.2]])
Y = np.array([1.0, 0.0, 1.0])


def _model():
    return nn.MLP([2, 4, 1], activation="tanh", generator=0)


def _loss(out):
    return ad.batch_mean((out[0] - Y) ** 2)


def _numpy_forward(flat, shapes):
    """(hidden pre-activation, hidden, output, loss) of the MLP with its parameters
    taken from ``flat`` in the model's parameter order."""
    arrays, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        arrays.append(np.asarray(flat[start:start + size]).reshape(shape))
        start += size
    w0, b0, w1, b1 = arrays
    pre = X @ w0.T + b0
    hidden = np.tanh(pre)
    out = hidden @ w1.T + b1
    return pre, hidden, out, float(np.mean((out[:, 0] - Y) ** 2))


def _boxes(drawing):
    return {node["rows"][0]: node["rows"][1:] for node in parse_dot(drawing.source)[0].values()}


def test_one_box_per_module_with_sizes_counts_and_norms():
    model = _model()
    shapes = [parameter.shape for _, parameter in model.named_parameters()]
    flat = np.concatenate([parameter.data.ravel() for _, parameter in model.named_parameters()])
    pre, hidden, out, _ = _numpy_forward(flat, shapes)
    boxes = _boxes(viz.draw_model(model, X, loss=_loss))
    assert set(boxes) == {"input", "0: Linear(2 -> 4)", "1: Tanh", "2: Linear(4 -> 1)"}
    assert boxes["input"] == ["2 values"]
    assert boxes["0: Linear(2 -> 4)"][0] == "in 2 -> out 4  ·  12 parameters"
    assert boxes["1: Tanh"][0] == "in 4 -> out 4  ·  0 parameters"
    assert boxes["2: Linear(4 -> 1)"][0] == "in 4 -> out 1  ·  5 parameters"
    for name, values in (("0: Linear(2 -> 4)", pre), ("1: Tanh", hidden),
                         ("2: Linear(4 -> 1)", out)):
        assert boxes[name][1] == f"‖out‖ {np.linalg.norm(values):.3g}"


def test_gradient_norms_match_central_differences():
    model = _model()
    shapes = [parameter.shape for _, parameter in model.named_parameters()]
    flat = np.concatenate([parameter.data.ravel() for _, parameter in model.named_parameters()])
    grads = central_difference(lambda xs: _numpy_forward(xs, shapes)[3], flat)
    first, last = np.linalg.norm(grads[:12]), np.linalg.norm(grads[12:])
    _, _, out, _ = _numpy_forward(flat, shapes)
    d_out = 2 * (out[:, 0] - Y) / len(Y)                     # d mean((out - y)^2) / d out
    boxes = _boxes(viz.draw_model(model, X, loss=_loss))
    assert boxes["0: Linear(2 -> 4)"][2].endswith(f"‖d loss/d params‖ {first:.3g}")
    assert boxes["2: Linear(4 -> 1)"][2] == (f"‖d loss/d out‖ {np.linalg.norm(d_out):.3g}  ·  "
                                             f"‖d loss/d params‖ {last:.3g}")


def test_drawing_a_model_leaves_its_grads_as_they_were():
    model = _model()
    _loss(model(X)).backward()
    before = [leaf.grad for leaf in model.parameters()]
    assert any(grad != 0.0 for grad in before)
    viz.draw_model(model, X, loss=_loss)
    viz.draw_model(model, X, loss=_loss, open="0")
    assert [leaf.grad for leaf in model.parameters()] == before


def test_open_draws_one_modules_scalar_graph():
    model = _model()
    drawing = viz.draw_model(model, X, loss=_loss, open="2")
    nodes, edges = parse_dot(drawing.source)
    titles = [node["rows"][0].split("  ")[0] for node in nodes.values()]
    assert {f"2.weight[0, {j}]" for j in range(4)} | {"2.bias[0]"} <= set(titles)
    assert not any(title.startswith("0.") for title in titles)   # layer 0 is left out
    inputs = [node for node in nodes.values() if node["fillcolor"] == "#dbe8fb"]
    assert len(inputs) == 4                                       # the four tanh outputs
    assert len(edges) == 9 and "2: Linear(4 -&gt; 1)" in drawing.source
    assert all(" × " in edge["label"] for edge in edges)          # with the loss's grads


def test_draw_model_refuses_what_it_cannot_draw():
    model = _model()
    with pytest.raises(ValueError, match=r"draw_model: open must be the path of one of the "
                                         r"model's modules \('0', '1', '2'\), got '7'"):
        viz.draw_model(model, X, open="7")
    with pytest.raises(TypeError, match="draw_model: model must be a Module"):
        viz.draw_model(lambda x: x, X)
    with pytest.raises(TypeError, match="draw_model: loss must return a Value, got float"):
        viz.draw_model(model, X, loss=lambda out: 1.0)
    boxes = _boxes(viz.draw_model(model, X))                      # no loss: no gradients
    assert all(len(rows) == 2 for name, rows in boxes.items() if name != "input")


def test_a_module_that_makes_no_values_says_it_only_rearranges_them():
    model = nn.Sequential(nn.Linear(2, 3), nn.Flatten(), nn.Linear(3, 1))
    boxes = _boxes(viz.draw_model(model, X))
    assert boxes["1: Flatten"] == ["no operations: it only rearranges the Values it passes on"]
    assert boxes["2: Linear(3 -> 1)"][0] == "in 3 -> out 1  ·  4 parameters"

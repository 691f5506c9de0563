"""viz plots: activation and derivative from the engine, Jacobian heatmaps, loss curves,
optimizer paths over contours, gradient flow per layer (duck-typed models)."""
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import autodiff as ad  # noqa: E402
import viz  # noqa: E402
from autodiff import Value  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _curves(figure):
    """[(x, y) of the first line] of every axes of a figure."""
    return [axes.get_lines()[0].get_data() for axes in figure.axes]


def test_importing_viz_does_not_import_matplotlib():
    code = "import sys, viz; viz.draw; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_activation_and_its_derivative_side_by_side_from_the_engine():
    figure = viz.plot_activation(ad.tanh, x_range=(-3, 3), points=61)
    (xs, values), (xs_again, slopes) = _curves(figure)
    assert np.allclose(values, np.tanh(xs)) and np.allclose(slopes, 1 - np.tanh(xs) ** 2)
    assert [axes.get_title() for axes in figure.axes] == ["tanh(x)", "d tanh(x) / dx"]


def test_activations_by_name_one_row_each():
    figure = viz.plot_activation(["sigmoid", "relu"], points=41)
    (xs, sigmoid), (_, sigmoid_slope), (_, relu), (_, relu_slope) = _curves(figure)
    expected = 1 / (1 + np.exp(-xs))
    assert np.allclose(sigmoid, expected) and np.allclose(sigmoid_slope, expected * (1 - expected))
    assert np.array_equal(relu_slope, (xs > 0).astype(float))


def test_a_function_that_cannot_take_a_batch_is_evaluated_point_by_point():
    def clipped(x):
        return x * 0.5 if x > 0 else x * 0.0 - 1.0     # `if` on a batch is ambiguous
    figure = viz.plot_activation({"clipped": clipped}, x_range=(-2, 2), points=5)
    (_, values), (_, slopes) = _curves(figure)
    assert np.allclose(values, [-1, -1, -1, 0.5, 1]) and np.allclose(slopes, [0, 0, 0, 0.5, 0.5])


NN_ACTIVATIONS = {      # name: torch.nn.functional's function (torch's defaults)
    "gelu": "gelu", "silu": "silu", "elu": "elu", "celu": "celu", "selu": "selu",
    "softsign": "softsign", "hardtanh": "hardtanh", "relu6": "relu6",
    "hardsigmoid": "hardsigmoid", "hardswish": "hardswish", "mish": "mish",
    "logsigmoid": "logsigmoid", "softplus": "softplus",
}


@pytest.mark.parametrize("name", sorted(NN_ACTIVATIONS))
def test_every_nn_activation_is_drawn_by_name_with_torchs_curve_and_slope(torch, name):
    figure = viz.plot_activation(name, x_range=(-4, 4), points=81)   # kinks among the points
    (xs, values), (xs_again, slopes) = _curves(figure)
    assert [axes.get_title() for axes in figure.axes] == [f"{name}(x)", f"d {name}(x) / dx"]
    x = torch.tensor(xs, requires_grad=True)
    y = getattr(torch.nn.functional, NN_ACTIVATIONS[name])(x)
    y.sum().backward()
    np.testing.assert_allclose(values, y.detach().numpy(), rtol=1e-12, atol=1e-12)
    # 1e-8: torch's float64 hardsigmoid slope is float32(1/6); the others agree to 1e-12
    np.testing.assert_allclose(slopes, x.grad.numpy(), rtol=0, atol=1e-8)


def test_every_registered_activation_can_be_named():
    import nn
    for name in nn.ACTIVATIONS:
        (_, values), _ = _curves(viz.plot_activation(name, points=11))
        assert np.isfinite(values).all() and len(values) == 11
        plt.close("all")


def test_an_activation_module_is_drawn_with_its_settings():
    import nn
    figure = viz.plot_activation(nn.GELU(approximate="tanh"), x_range=(-2, 2), points=9)
    (xs, values), _ = _curves(figure)
    inner = np.sqrt(2 / np.pi) * (xs + 0.044715 * xs ** 3)
    np.testing.assert_allclose(values, 0.5 * xs * (1 + np.tanh(inner)), rtol=1e-14, atol=1e-16)
    assert figure.axes[0].get_title() == "GELU(x)"


def test_plot_activation_rejects_bad_input():
    with pytest.raises(ValueError, match=r"plot_activation: fn must be a function of one Value "
                                         r"or the name of one in autodiff or nn.ACTIVATIONS "
                                         r"\(sigmoid, .*gelu.*\), got 'swoosh'"):
        viz.plot_activation("swoosh")
    with pytest.raises(TypeError, match="plot_activation: expected a function .* got float 3.0"):
        viz.plot_activation(3.0)
    with pytest.raises(ValueError, match="x_range must be"):
        viz.plot_activation("tanh", x_range=(1, -1))


def test_jacobians_side_by_side_softmax_full_sigmoid_diagonal():
    xs = [1.0, 2.0, 3.0]
    full = ad.jacobian(ad.softmax, xs)
    diagonal = ad.jacobian(lambda v: [ad.sigmoid(x) for x in v], xs)
    figure = viz.plot_jacobian({"softmax": full, "sigmoid": diagonal})
    images = [axes.images[0].get_array() for axes in figure.axes if axes.images]
    assert np.allclose(images[0], full) and np.allclose(images[1], diagonal)
    assert np.count_nonzero(images[1] - np.diag(np.diag(images[1]))) == 0
    assert len(figure.axes[0].texts) == 9        # small: numbers written in the cells


def test_plot_jacobian_rejects_what_is_not_a_matrix():
    with pytest.raises(ValueError, match=r"plot_jacobian: expected a 2-D array .* got \[1, 2\]"):
        viz.plot_jacobian([1, 2])


def test_loss_curves_take_lists_or_named_runs_with_smoothing():
    figure = viz.plot_loss_curves([3.0, 2.0, 1.5, Value(1.0)])
    assert np.allclose(figure.axes[0].get_lines()[0].get_ydata(), [3, 2, 1.5, 1])
    runs = {"sgd": np.linspace(1, 0.1, 20), "adam": np.linspace(1, 0.01, 20)}
    figure = viz.plot_loss_curves(runs, smooth=5, log_scale=True)
    axes = figure.axes[0]
    assert axes.get_yscale() == "log" and len(axes.get_lines()) == 4
    assert [text.get_text() for text in axes.get_legend().get_texts()] == [
        "sgd (mean of 5)", "adam (mean of 5)"]
    assert np.allclose(axes.get_lines()[1].get_ydata(),
                       np.convolve(runs["sgd"], np.ones(5) / 5, mode="valid"))
    with pytest.raises(TypeError, match="plot_loss_curves: expected a sequence of numbers"):
        viz.plot_loss_curves(["high", "low"])


def test_trajectories_over_the_contour_of_f():
    def bowl(x, y):
        return x * x + 3 * y * y
    path = [(2.0, 1.0), (1.0, 0.4), (0.3, 0.1), (0.0, 0.0)]
    figure = viz.plot_trajectories({"gd": path}, bowl, levels=10)
    axes = figure.axes[0]
    x, y = axes.get_lines()[0].get_data()
    assert np.allclose(x, [p[0] for p in path]) and np.allclose(y, [p[1] for p in path])
    assert axes.get_legend().get_texts()[0].get_text() == "gd"


def test_trajectories_accept_f_written_with_autodiff():
    def rosenbrock(x, y):       # Values of a 2-D grid are refused: evaluated point by point
        x, y = Value(x), Value(y)
        return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2
    from viz.plots import contour_grid
    X, Y, Z = contour_grid(rosenbrock, np.linspace(-1, 1, 5), np.linspace(0, 1, 3))
    assert Z.shape == (3, 5) and Z[0, 2] == pytest.approx(1.0) and Z[2, 4] == pytest.approx(0.0)
    viz.plot_trajectories([(0.0, 0.0), (0.5, 0.25)], rosenbrock, resolution=20)
    with pytest.raises(TypeError, match="plot_trajectories: a path must be a list of"):
        viz.plot_trajectories([1, 2, 3], rosenbrock)


class _Parameter:
    def __init__(self, grad):
        self.grad = grad


class _FakeModel:
    """Anything with named_parameters(): a Value, a nested list of Values, an object
    with an array .grad, and one whose .grad is None (not reached by backward)."""

    def __init__(self):
        self.bias = Value(0.0)
        self.bias.grad = -0.5
        self.weights = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
        for row, grads in zip(self.weights, [[0.1, -0.2], [0.3, -0.4]]):
            for value, grad in zip(row, grads):
                value.grad = grad

    def named_parameters(self):
        yield "layer0.weight", self.weights
        yield "layer0.bias", self.bias
        yield "layer1.weight", _Parameter(np.array([[1e-4, -3e-4]]))
        yield "layer1.bias", _Parameter(None)


def test_grad_flow_shows_mean_and_max_gradient_per_parameter():
    from viz.plots import grad_magnitudes
    magnitudes = grad_magnitudes(_FakeModel())
    assert list(magnitudes) == ["layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias"]
    assert magnitudes["layer0.weight"] == pytest.approx((0.25, 0.4))
    assert magnitudes["layer1.weight"] == pytest.approx((2e-4, 3e-4))
    assert magnitudes["layer1.bias"] == (0.0, 0.0)
    figure = viz.plot_grad_flow(_FakeModel())
    axes = figure.axes[0]
    assert [bar.get_height() for bar in axes.patches] == pytest.approx([0.25, 0.5, 2e-4, 0.0])
    assert axes.get_yscale() == "log"
    assert [label.get_text() for label in axes.get_xticklabels()][0] == "layer0.weight"


def test_grad_flow_rejects_what_has_no_named_parameters():
    with pytest.raises(TypeError, match="plot_grad_flow: expected a model with named_parameters"):
        viz.plot_grad_flow([Value(1.0)])

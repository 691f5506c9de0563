"""Shared test helpers: an independent central-difference gradient."""
import numpy as np
import pytest


def central_difference(f, xs, eps=1e-6):
    """d f / d x_i by (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), on plain floats.

    ``f`` takes a list of floats and returns a float; written here, independently of
    autodiff.gradcheck, so that the engine is checked against plain arithmetic."""
    xs = [float(x) for x in xs]
    result = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += eps
        down[i] -= eps
        result.append((f(up) - f(down)) / (2 * eps))
    return np.array(result)


@pytest.fixture
def torch():
    """The torch module in float64, or skip when torch is not installed."""
    module = pytest.importorskip("torch")
    module.set_default_dtype(module.float64)
    return module

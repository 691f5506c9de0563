"""Every layer's gradients (inputs and parameters) against central differences, in
training and evaluation mode, on single examples and on batches; and nn.gradcheck_module
itself: replays random draws, leaves buffers as they were, catches a missing gradient."""
import numpy as np
import pytest

import autodiff as ad
import nn


def trained_batch_norm():
    """BatchNorm1d with learnt-looking gamma, beta and running statistics."""
    layer = nn.BatchNorm1d(3)
    layer.weight.data, layer.bias.data = [0.5, 2.0, -1.0], [0.1, 0.2, 0.3]
    layer.train()(np.random.default_rng(2).normal(size=(8, 3)))
    return layer


# id, a new layer taking 3 inputs, whether it accepts single examples in training mode
LAYERS = [
    ("linear", lambda: nn.Linear(3, 2, generator=0), True),
    ("linear-no-bias", lambda: nn.Linear(3, 2, bias=False, generator=1), True),
    ("mlp", lambda: nn.MLP([3, 4, 4, 2], activation="tanh", generator=2), True),
    ("mlp-batchnorm-dropout", lambda: nn.MLP([3, 4, 2], batch_norm=True, dropout=0.3,
                                             generator=3), False),
    ("sigmoid", nn.Sigmoid, True),
    ("tanh", nn.Tanh, True),
    ("relu", nn.ReLU, True),
    ("leaky_relu", lambda: nn.LeakyReLU(0.1), True),
    ("prelu-shared", nn.PReLU, True),
    ("prelu-channels", lambda: nn.PReLU(3), True),
    ("maxout", lambda: nn.Maxout(3, 2, pieces=3, generator=0), True),
    ("dropout", lambda: nn.Dropout(0.4, seed=6), True),
    ("batchnorm", trained_batch_norm, False),
]


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("batch", [None, 5], ids=["single", "batch"])
@pytest.mark.parametrize("name, make, single_in_training", LAYERS, ids=[e[0] for e in LAYERS])
def test_layer_gradients_match_central_differences(name, make, single_in_training, batch,
                                                   mode):
    if batch is None and mode == "train" and not single_in_training:
        pytest.skip("batch statistics need a batch (training on one example is an error)")
    layer = getattr(make(), mode)()
    rng = np.random.default_rng(1)
    x = list(rng.normal(size=3)) if batch is None else list(rng.normal(size=(3, batch)))
    result = nn.gradcheck_module(layer, x)
    assert result.ok, result


class Detached(nn.Module):
    """y = w * x computed on a copy of x's data: no gradient reaches x."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter([1.5])

    def forward(self, x):
        return [self.weight[0] * ad.Value(v.data) for v in x]


def test_a_gradient_that_does_not_flow_is_caught():
    result = nn.gradcheck_module(Detached(), [0.3, -0.7])
    assert not result.ok
    assert result.where[0] in (0, 1) and result.analytic == 0.0


def test_parameters_are_checked_after_the_inputs():
    layer = nn.Linear(2, 1, generator=0)
    result = nn.gradcheck_module(layer, [0.3, -0.7])
    assert result.ok and result.where[0] < 2 + 3


def test_buffers_are_restored_and_dropout_masks_replayed():
    model = nn.Sequential(nn.BatchNorm1d(2), nn.Dropout(0.5, seed=0))
    before = [buffer.copy() for buffer in model.buffers()]
    X = np.random.default_rng(0).normal(size=(2, 6))
    assert nn.gradcheck_module(model, list(X)).ok
    for buffer, saved in zip(model.buffers(), before):
        np.testing.assert_array_equal(buffer, saved)


def test_nested_inputs_keep_their_structure():
    layer = nn.PReLU(2)
    channels = [[0.5, -1.0], [-0.2, 0.8]]
    assert nn.gradcheck_module(layer, channels).ok

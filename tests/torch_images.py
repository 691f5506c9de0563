"""Test helper for the image layers: run one of ours and torch's on the same images and
compare outputs and gradients."""
import numpy as np

import autodiff as ad
import nn
from nn.values import map_values


def run_both(ours, theirs, torch, X, seed=0):
    """Forward of images X (N, C, H, W) through both layers, and backward of
    sum_{n,c,i,j} K[n,c,i,j] y[n,c,i,j] with random K (every output's gradient counts).

    Returns (our output, torch's output, our input grad, torch's input grad) as arrays.
    """
    image = nn.to_image_values(X, requires_grad=True)
    out = ours(image)
    out_array = nn.to_image_numpy(out)
    weights = np.random.default_rng(seed).normal(size=out_array.shape)
    terms = [weights[:, c, i, j] * y for c, channel in enumerate(out)
             for i, row in enumerate(channel) for j, y in enumerate(row)]
    ad.batch_sum(ad.sum(terms)).backward()
    X_t = torch.tensor(X, requires_grad=True)
    out_t = theirs(X_t)
    (out_t * torch.tensor(weights)).sum().backward()
    grads = nn.to_image_numpy(map_values(lambda pixel: pixel.grad, image))
    return out_array, out_t.detach().numpy(), grads, X_t.grad.numpy()


def assert_same_as_torch(ours, theirs, torch, X, seed=0, tol=1e-6):
    """Outputs and input gradients of ours and torch's agree to ``tol`` (absolute)."""
    out, out_t, grad, grad_t = run_both(ours, theirs, torch, X, seed)
    assert out.shape == out_t.shape
    np.testing.assert_allclose(out, out_t, rtol=0, atol=tol)
    np.testing.assert_allclose(grad, grad_t, rtol=0, atol=tol)

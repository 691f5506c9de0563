"""Checking a module's gradients, for its inputs and its parameters, against central
differences (``autodiff.gradcheck``)."""
import numpy as np

from autodiff import Value, gradcheck
from autodiff import sum as sum_values

from .values import flatten_values, unflatten_like


def _generators(module):
    return [m.generator for m in module.modules()
            if isinstance(getattr(m, "generator", None), np.random.Generator)]


def gradcheck_module(module, inputs, eps=1e-6, tol=1e-6, seed=0):
    """Compare d s / d (inputs, parameters) from backward with central differences, where
    s = sum_i c_i y_i combines every output y_i of ``module(inputs)`` with fixed random
    weights c_i (so each output's gradient counts), summed over a batch.

    ``inputs``: what the module takes (a vector, or a nested list, of numbers, 1-D
    arrays for a batch, or Values). Random layers replay the same draws on every call
    (their ``generator`` state is restored before each), and the module's buffers
    (running statistics) are put back afterwards. Returns autodiff's GradcheckResult
    (``.ok``, ``.max_error``, ``.where``: index into inputs + parameters).
    """
    structure = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    leaves = [x if isinstance(x, Value) else Value(x) for x in flatten_values(structure)]
    parameters = module.parameters()
    generators = _generators(module)
    random_states = [g.bit_generator.state for g in generators]
    saved_buffers = [(buffer, buffer.copy()) for buffer in module.buffers()]
    weights = {}

    def combined(values):
        for generator, state in zip(generators, random_states):
            generator.bit_generator.state = state
        output = flatten_values(module(unflatten_like(structure, values[:len(leaves)])))
        if len(weights) != len(output):
            draws = np.random.default_rng(seed).normal(size=len(output))
            weights.update(enumerate(draws.tolist()))
        return sum_values([weights[i] * y for i, y in enumerate(output)])

    try:
        return gradcheck(combined, leaves + parameters, eps=eps, tol=tol)
    finally:
        for buffer, saved in saved_buffers:
            np.copyto(buffer, saved)

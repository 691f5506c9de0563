"""Weight-decay penalties to add to a loss: L2 (ridge) and L1 (lasso)."""
import numbers

from autodiff import Value, abs as abs_value, affine
from autodiff import sum as sum_values

from .module import Module
from .parameter import Parameter


def _leaves(parameters, penalty):
    """The leaf Values of a Module, a Parameter, a Value, or a list of any of these."""
    if isinstance(parameters, Module):
        return parameters.parameters()
    if isinstance(parameters, Parameter):
        return parameters.values()
    if isinstance(parameters, Value):
        return [parameters]
    if isinstance(parameters, (list, tuple)):
        return [leaf for item in parameters for leaf in _leaves(item, penalty)]
    raise TypeError(f"{penalty}: expected a Module, Parameter, Value or a list of them, "
                    f"got {type(parameters).__name__}")


def _coefficient(value, name, penalty):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{penalty}: {name} must be a non-negative number, got {value!r}")
    return float(value)


def l2_penalty(parameters, weight_decay=1.0):
    """(weight_decay / 2) sum_i w_i^2; d/dw_i = weight_decay w_i, so adding it to the
    loss gives the update of SGD with ``weight_decay``. Pass the weights to decay (a
    model's biases are usually left out: ``[p for n, p in model.named_parameters() if
    n.endswith("weight")]``)."""
    leaves = _leaves(parameters, "l2_penalty")
    decay = _coefficient(weight_decay, "weight_decay", "l2_penalty")
    if not leaves:
        raise ValueError("l2_penalty: no parameters given")
    return (0.5 * decay) * affine(leaves, leaves)  # sum_i w_i w_i as one node


def l1_penalty(parameters, strength=1.0):
    """strength * sum_i |w_i|; d/dw_i = strength * sign(w_i): pushes weights to exactly 0
    (sparse weights)."""
    leaves = _leaves(parameters, "l1_penalty")
    strength = _coefficient(strength, "strength", "l1_penalty")
    if not leaves:
        raise ValueError("l1_penalty: no parameters given")
    return strength * sum_values([abs_value(w) for w in leaves])

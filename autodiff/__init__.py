"""autodiff: a scalar reverse-mode automatic differentiation engine.

Every operation on ``Value`` records its operands and its local derivatives;
``backward`` applies the chain rule, dL/dp = sum over edges of local * dL/dchild.
"""
from .collector import raise_gc_threshold, restore_gc_threshold
from .value import Value
from .primitives import (PRIMITIVES, Primitive, abs, add, affine, batch_mean, batch_sum, div, exp,
                         leaky_relu, log, maximum, minimum, mul, neg, pow, relu, sigmoid,
                         sqrt, sub, sum, tanh)
from .backward import backward, gradients, topological_order, zero_grad
from .composites import dot, log_softmax, logsumexp, mean, softmax, softplus
from .edge import Edge
from .functional import grad, hessian, jacobian, value_and_grad
from .gradcheck import GradcheckResult, gradcheck
from .mode import enable_grad, is_grad_enabled, no_grad, scope
from .steps import Step, backward_steps
from .tracing import Graph, trace
from .compiled import CompiledStep, compile, constant, observe

__all__ = [
    "Value", "Primitive", "PRIMITIVES", "Edge", "Graph", "Step", "GradcheckResult",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "tanh", "sigmoid",
    "relu", "leaky_relu", "abs", "maximum", "minimum", "sum", "affine", "batch_sum", "batch_mean",
    "softmax", "log_softmax", "logsumexp", "softplus", "mean", "dot",
    "backward", "gradients", "topological_order", "zero_grad", "backward_steps",
    "grad", "value_and_grad", "jacobian", "hessian", "gradcheck",
    "no_grad", "enable_grad", "is_grad_enabled", "scope", "trace", "restore_gc_threshold",
    "compile", "CompiledStep", "constant", "observe",
]

raise_gc_threshold()

"""autodiff: a scalar reverse-mode automatic differentiation engine.

Every operation on ``Value`` records its operands and its local derivatives;
``backward`` applies the chain rule, dL/dp = sum over edges of local * dL/dchild.

Reading path (about 500 lines, to the chain rule and the course notes' primitives):
``_value.py`` (what a node holds), ``_primitive.py`` (what a row of the rules table
holds), ``_table.py`` (the course notes' primitives and their derivatives, then the
whole table), ``_backward.py`` (the chain rule). Then, as needed: ``_table_extended.py``
(trig, hyperbolic, erf, remainder, ...), ``_operations.py`` (the table turned into
functions and operators), ``_backward_details.py`` (batched and graph gradients),
``_gradients.py``; the rest builds on these.
"""
from ._collector import raise_gc_threshold as _raise_gc_threshold, restore_gc_threshold
from ._value import CONSTANT, Edge, Value
from ._table import PRIMITIVES, Primitive, PrimitiveFamily
from ._operations import (abs, acos, acosh, add, affine, arccos, arccosh, arcsin, arcsinh,
                          arctan, arctan2, arctanh, asin, asinh, atan, atan2, atanh, batch_mean,
                          batch_sum, clamp, cos, cosh, div, erf, exp, expm1, hypot, leaky_relu,
                          log, log1p, log2, log10, max, maximum, min, minimum, mul, neg, pow,
                          relu, remainder, sigmoid, sign, sin, sinh, softplus, sqrt,
                          stop_gradient, sub, sum, tan, tanh)
from ._backward import backward, push, topological_order, zero_grad
from ._computation_order import computation_order
from ._gradients import gradients
from ._composites import dot, log_softmax, logsumexp, mean, softmax
from ._functional import grad, hessian, jacfwd, jacobian, value_and_grad, vjp
from ._forward import TangentStep, forward_steps, jvp, push_forward
from ._gradcheck import GradcheckResult, gradcheck
from ._random_expression import random_expression
from ._local_check import LocalMismatch, local_mismatches
from ._user_primitives import PrimitiveError, PrimitiveFunction, primitive
from ._paths import Path, Paths, TooManyPathsError, paths
from ._mode import TracingError, enable_grad, is_grad_enabled, no_grad, scope
from ._steps import EdgeStep, Step, backward_steps
from ._step_text import format_step
from ._tracing import Graph, trace
from . import checks
from ._compile import CompiledStep, ParameterSlots, compile, constant, observe, parameter_slots

__all__ = [
    "Value", "Edge", "CONSTANT", "Primitive", "PrimitiveFamily", "PRIMITIVES", "Graph", "Step",
    "EdgeStep", "GradcheckResult",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "tanh", "sigmoid",
    "softplus", "relu", "leaky_relu", "abs", "maximum", "minimum", "max", "min", "sum",
    "affine", "batch_sum", "batch_mean", "stop_gradient", "clamp",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh",
    "arctanh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "log2", "log10", "log1p",
    "expm1", "erf", "sign", "arctan2", "atan2", "hypot", "remainder",
    "softmax", "log_softmax", "logsumexp", "mean", "dot",
    "backward", "push", "gradients", "topological_order", "computation_order", "zero_grad",
    "backward_steps", "format_step",
    "grad", "value_and_grad", "jacobian", "hessian", "gradcheck",
    "jvp", "vjp", "jacfwd", "push_forward", "forward_steps", "TangentStep",
    "no_grad", "enable_grad", "is_grad_enabled", "scope", "trace", "restore_gc_threshold",
    "checks", "TracingError", "compile", "CompiledStep", "constant", "observe",
    "random_expression",
    "primitive", "PrimitiveFunction", "PrimitiveError", "LocalMismatch", "local_mismatches",
    "paths", "Path", "Paths", "TooManyPathsError",
    "parameter_slots", "ParameterSlots",
]

_raise_gc_threshold()

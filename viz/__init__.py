"""viz: pictures of the graph (values on nodes, derivatives on edges) and backprop steps.

``draw(value)`` pictures a graph; ``draw_model(model, example_input)`` a model, one box
per module; ``steps(value)`` steps through backward one node at a time, and
``steps(value, mode="forward")`` through forward mode, tangents pushed from an input
(print it, or index it for pictures); ``animate(value)`` is an HTML player over those
steps; the ``plot_*`` functions draw curves with matplotlib (imported only when a plot
is asked for); ``quiz(value)`` is a page that hides the grads (or the local
derivatives, or the tangents) and checks the student's answers.
"""
from .draw import GraphTooLargeError, draw
from .drawing import Drawing
from .format import format_data, format_number
from .model import draw_model
from .forward_stepper import ForwardStepper
from .player import Player
from .quiz import Quiz, quiz
from .plots import (plot_activation, plot_grad_flow, plot_jacobian, plot_loss_curves,
                    plot_trajectories)
from .raster import MissingGlyphsWarning
from .render import RenderError, RendererNotFoundError, find_renderer
from .step_through import animate, steps
from .stepper import BackpropStepper
from .stepping import Frame

__all__ = [
    "draw", "draw_model", "Drawing", "GraphTooLargeError", "steps", "BackpropStepper",
    "ForwardStepper", "Frame",
    "animate", "Player", "plot_activation", "plot_jacobian", "plot_loss_curves",
    "plot_trajectories", "plot_grad_flow", "format_data", "format_number",
    "find_renderer", "RenderError", "RendererNotFoundError", "MissingGlyphsWarning",
    "quiz", "Quiz",
]

"""viz: pictures of the graph (values on nodes, derivatives on edges) and backprop steps.

``draw(value)`` pictures a graph; ``draw_model(model, example_input)`` a model, one box
per module; ``steps(value)`` steps through backward one node at a time, and
``steps(value, mode="forward")`` through forward mode, tangents pushed from an input
(print it, or index it for pictures); ``animate(value)`` is an HTML player over those
steps; the ``plot_*`` functions draw curves with matplotlib (imported only when a plot
is asked for); ``quiz(value)`` is a page that hides the grads (or the local
derivatives, or the tangents) and checks the student's answers.

The code, one concept per sub-package, each building on those before it:
``picture/`` what a picture holds (the graph read into a scene, the equations, the
numbers, user text kept literal); ``drawing/`` how it is drawn (DOT boxes and edges,
``draw``, ``draw_model``, the ``Drawing`` object, rendering to SVG and PNG);
``step_through/`` the chain rule one node at a time (the frames both directions share,
``backward``, ``forward``, ``steps``/``animate``, handouts, the player);
``quizzes/`` the quiz page. ``plots.py`` and ``demo.py`` (``chainrule demo``) stand
apart.
"""
from .drawing.drawing import Drawing
from .drawing.graph import GraphTooLargeError, draw
from .drawing.model import draw_model
from .drawing.raster import MissingGlyphsWarning
from .drawing.render import RenderError, RendererNotFoundError, find_renderer
from .picture.number_format import format_data, format_number
from .plots import (plot_activation, plot_grad_flow, plot_jacobian, plot_loss_curves,
                    plot_trajectories)
from .quizzes.quiz import Quiz, quiz
from .step_through.backward import BackpropStepper
from .step_through.forward import ForwardStepper
from .step_through.frames import Frame
from .step_through.player import Player
from .step_through.steps import animate, steps

__all__ = [
    "draw", "draw_model", "Drawing", "GraphTooLargeError", "steps", "BackpropStepper",
    "ForwardStepper", "Frame",
    "animate", "Player", "plot_activation", "plot_jacobian", "plot_loss_curves",
    "plot_trajectories", "plot_grad_flow", "format_data", "format_number",
    "find_renderer", "RenderError", "RendererNotFoundError", "MissingGlyphsWarning",
    "quiz", "Quiz",
]

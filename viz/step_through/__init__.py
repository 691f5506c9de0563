"""The chain rule one node at a time, in either direction: what a step-through is, its
frames and its text (``frames``: ``Frame`` and the ``Stepper`` both modes share),
backward (``backward``: ``BackpropStepper``), forward mode (``forward``:
``ForwardStepper``), ``viz.steps`` and ``viz.animate`` choosing one (``steps``), the
steps as LaTeX or Markdown (``handout``), and the HTML player over the frames
(``player``, its page script in ``player_script``; the player knows no stepper). Builds
on ``viz.picture`` and ``viz.drawing``."""

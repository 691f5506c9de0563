"""``viz.quiz``: a page like the player's that hides the grads (or the local derivatives,
or the tangents) of a step-through and checks the student's answers (``quiz``; the page
script in ``quiz_script``, the answers encoded and compared in ``quiz_answers``). Builds
on ``viz.step_through``."""

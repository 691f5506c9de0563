"""The course notes' two chain-rule examples, traced, backpropagated step by step, drawn
(SVG and PNG) and played back (HTML): ``chainrule demo`` (``demo``) and ``chainrule
images`` (``docs_images``, the README's pictures). The command line is in
``viz.__main__``."""
import math
from pathlib import Path

import autodiff as ad

from .drawing.graph import draw
from .step_through.steps import steps

DEFAULT_OUT = "chainrule-output"
DOCS_IMAGES = "docs/img"        # where the README's pictures are committed (``--out docs/img``)
PNG_DPI = 144


def chain_rule_e(a, b):
    """e = (a + b) * (b + 1), with c = a + b and d = b + 1 named as in the notes:
    de/da = d = b + 1, de/db = d + c = (b + 1) + (a + b) (two paths)."""
    c = a + b
    c.label = "c"
    d = b + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    return e


def chain_rule_y(x):
    """y = x * exp(x * x), with u = x * x and v = exp(u): x is used three times (the
    notes' x1, x2, x3), so dy/dx = e^(x^2) + 2 x^2 e^(x^2) is a sum over three edges."""
    u = x * x
    u.label = "u"
    v = ad.exp(u)
    v.label = "v"
    y = x * v
    y.label = "y"
    return y


def notes_examples():
    """The notes' two chain-rule examples, traced: file stem -> (title, Graph), e at
    a=2, b=1 and y at x=0.5."""
    return {
        "chain_rule_e": ("e = (a + b) * (b + 1)   at a = 2, b = 1",
                         ad.trace(chain_rule_e, a=2.0, b=1.0)),
        "chain_rule_y": ("y = x * exp(x * x)   at x = 0.5   (u = x * x, v = exp(u))",
                         ad.trace(chain_rule_y, x=0.5)),
    }


def write_pictures(stem, title, graph, out, renderer=None, stepper=None):
    """Draw ``graph`` (after backward) to ``out/<stem>.svg`` and ``.png``, and given its
    ``stepper``, the step-through player to ``out/<stem>_steps.html``; returns the paths."""
    drawing = draw(graph, title=title, renderer=renderer, edges="both")
    paths = [drawing.render(out / f"{stem}.svg"),
             drawing.render(out / f"{stem}.png", dpi=PNG_DPI)]
    if stepper is not None:
        paths.append(stepper.animate().save(out / f"{stem}_steps.html"))
    return paths


def demo(out_dir=DEFAULT_OUT, renderer=None, files=True, out=print):
    """Print every backward step of the notes' examples and their gradients, then write
    each graph as SVG and PNG and its step-through as HTML to ``out_dir``."""
    written = []
    for stem, (title, graph) in notes_examples().items():
        out(f"== {title}")
        stepper = steps(graph, title=title, renderer=renderer, edges="both")
        out(str(stepper))
        out("")
        graph.backward()            # stepping left the grads alone: the drawing shows these
        if files:
            written += write_pictures(stem, title, graph, Path(out_dir), renderer,
                                      stepper=stepper)
    x = 0.5
    out(f"check: de/db = (b+1) + (a+b) = 5; dy/dx = e^(x^2) + 2x^2 e^(x^2) = "
        f"{math.exp(x * x) * (1 + 2 * x * x):.6g}")
    if written:
        out("")
        out(f"wrote {len(written)} files to {Path(out_dir).resolve()}:")
        for path in written:
            out(f"  {path}")
        out("open the *_steps.html files in a browser to step through backprop.")
    return written


def docs_images(out_dir=DEFAULT_OUT, renderer="graphviz-pure"):
    """Write the README's pictures: ``chain_rule_e`` and ``chain_rule_y`` as PNG and SVG
    (after backward), and notebook 01's last step of y (``notebook_01.png``) to
    ``out_dir`` (the current folder's chainrule-output by default; ``DOCS_IMAGES`` in the
    repository remakes the committed files); returns the paths. graphviz-pure by
    default: it writes the same bytes on every platform, so the committed files can be
    remade."""
    written = []
    for stem, (title, graph) in notes_examples().items():
        graph.backward()
        written += write_pictures(stem, title, graph, Path(out_dir), renderer)
    graph = ad.trace(chain_rule_y, x=0.5)          # notebook 01's last step of y
    frame = steps(graph, title="y = x * exp(x * x) at x = 0.5", renderer=renderer,
                  edges="both")[-1]
    written.append(frame.render(Path(out_dir) / "notebook_01.png", dpi=PNG_DPI))
    return written

"""``chainrule demo`` / ``python -m viz``: the course notes' chain-rule examples."""
import argparse
import math

import autodiff as ad


def notes_examples():
    """The two chain-rule examples of the notes, traced: e = (a+b)(b+1) at a=2, b=1 and
    y = x e^{x x} at x=0.5 (x used three times: three edges)."""
    return {
        "e = (a + b) * (b + 1)": ad.trace(lambda a, b: (a + b) * (b + 1), a=2.0, b=1.0),
        "y = x * exp(x * x)": ad.trace(lambda x: x * ad.exp(x * x), x=0.5),
    }


def demo(out=print):
    """Print every backward step of the notes' examples and the gradients they give."""
    for title, graph in notes_examples().items():
        out(f"== {title}")
        for step in graph.steps():
            out(str(step))
        grads = ", ".join(f"d/d{name} = {grad:.6g}" for name, grad in graph.gradients().items())
        out(f"result: {title.split(' =')[0]} = {graph.output.data:.6g}; {grads}")
        out("")
    x = 0.5
    out(f"check: de/db = (b+1) + (a+b) = 5; dy/dx = e^(x^2) + 2x^2 e^(x^2) = "
        f"{math.exp(x * x) * (1 + 2 * x * x):.6g}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="chainrule", description=__doc__)
    parser.add_argument("command", nargs="?", default="demo", choices=["demo"])
    parser.parse_args(argv)
    demo()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

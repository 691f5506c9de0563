"""``chainrule demo`` / ``python -m viz``: the course notes' chain-rule examples, traced,
backpropagated step by step, drawn (SVG and PNG) and played back (HTML).

``chainrule images`` writes only the README's pictures, to ``--out`` (default
./chainrule-output, like the demo); ``python -m viz images --out docs/img`` in the
repository remakes the committed ones."""
import argparse
import sys

from .demo import DEFAULT_OUT, demo, docs_images
from .drawing.render import RENDERERS, RenderError, RendererNotFoundError


def main(argv=None):
    """Command line: ``chainrule [demo|images] [--out DIR] [--renderer NAME]``."""
    parser = argparse.ArgumentParser(prog="chainrule", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="demo", choices=["demo", "images"],
                        help="demo: print the steps and write pictures and players "
                             "(default); images: write the README's pictures (--out docs/img "
                             "in the repository remakes the committed ones)")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help=f"output folder (default: ./{DEFAULT_OUT})")
    parser.add_argument("--renderer", choices=RENDERERS, default=None,
                        help="graphviz program (default: dot if installed, else "
                             "graphviz-pure; images: graphviz-pure)")
    parser.add_argument("--no-files", action="store_true",
                        help="demo: only print the steps, write nothing")
    args = parser.parse_args(argv)
    try:
        if args.command == "images":
            for path in docs_images(args.out, args.renderer or "graphviz-pure"):
                print(f"wrote {path}")
        else:
            demo(args.out, args.renderer, files=not args.no_files)
    except (RendererNotFoundError, RenderError) as error:
        print(f"chainrule: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

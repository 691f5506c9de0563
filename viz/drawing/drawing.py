"""The object ``draw`` returns: DOT text that renders to SVG or PNG on demand and shows
itself inline in Jupyter, scaled to the output's width (click it to zoom).

In Jupyter it offers two forms of the one rendering: ``_repr_html_`` (the SVG inline,
fitted to the width, click to zoom) and ``_repr_svg_`` (the SVG document itself, for
frontends that show SVG but not HTML, such as the Qt console or a LaTeX export).
JupyterLab (HTML rank 50 before SVG 80), the classic notebook and nbconvert's HTML
export all prefer text/html when both are given, so a notebook shows the fitted HTML;
the SVG is rendered once and kept, so the second form costs no rendering."""
from __future__ import annotations

import hashlib
import itertools
import re
from pathlib import Path
from typing import cast

import graphviz

from ..picture.argument_types import ImageFormat, PathLike, Renderer

from .render import FORMATS, render_source

_counter = itertools.count(1)


def fitted_svg(svg: str, id_prefix: str) -> str:
    """SVG text for an HTML page: the XML prolog dropped, every ``id`` prefixed with
    ``id_prefix`` (pictures in one page must not share ids), and the picture no wider
    than the page (``max-width: 100%``, height kept in proportion)."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError(f"fitted_svg: not SVG text: {svg[:80]!r}")
    svg = re.sub(r'\bid="', f'id="{id_prefix}', svg[start:])
    return svg.replace("<svg", '<svg style="max-width: 100%; height: auto;"', 1)


ZOOM_TOGGLE = ("var s = this.querySelector('svg'); var fit = s.style.maxWidth !== 'none'; "
               "s.style.maxWidth = fit ? 'none' : '100%';")


class Drawing:
    """A picture of a graph. ``source`` is its DOT text; ``svg()`` / ``png()`` render it;
    ``render(path)`` writes it to a file; in Jupyter it displays as HTML holding the SVG
    fitted to the width (``_repr_html_``), or as SVG where HTML is not shown.

    ``renderer`` (``None``: auto, ``"dot"`` or ``"graphviz-pure"``) is used by every
    rendering unless one is passed to the call.
    """

    def __init__(self, digraph: graphviz.Digraph, renderer: Renderer | None = None,
                 summary: str = "") -> None:
        self.digraph = digraph
        self.renderer = renderer
        self.summary = summary
        self._svg: str | None = None

    @property
    def source(self) -> str:
        """The DOT text of the picture."""
        return self.digraph.source

    def pipe(self, format: ImageFormat = "svg", renderer: Renderer | None = None,
             dpi: float | None = None) -> bytes:
        """The rendered picture as bytes ("svg" or "png"; ``dpi`` for a PNG)."""
        return render_source(self.source, format, renderer or self.renderer, dpi)

    def svg(self, renderer: Renderer | None = None) -> str:
        """The rendered picture as SVG text (kept after the first call)."""
        if renderer is not None and renderer != self.renderer:
            return self.pipe("svg", renderer).decode("utf-8")
        if self._svg is None:
            self._svg = self.pipe("svg").decode("utf-8")
        return self._svg

    def png(self, renderer: Renderer | None = None, dpi: float | None = None) -> bytes:
        """The rendered picture as PNG bytes (``dpi``: pixels per inch, default 96)."""
        return self.pipe("png", renderer, dpi)

    def render(self, path: PathLike, format: ImageFormat | None = None,
               renderer: Renderer | None = None, dpi: float | None = None) -> Path:
        """Write the picture to ``path`` and return that path. ``format`` ("svg" or
        "png") defaults to the path's suffix, else svg (then ".svg" is appended);
        ``dpi`` sets a PNG's pixels per inch."""
        path = Path(path)
        suffix = path.suffix.lstrip(".").lower()
        if format is None:
            format = cast(ImageFormat, suffix) if suffix in FORMATS else "svg"
        if suffix != format:
            path = path.with_name(f"{path.name}.{format}")
        data = self.pipe(format, renderer, dpi if format == "png" else None)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def html(self) -> str:
        """The picture as an HTML fragment: inline SVG as wide as the page at most;
        a click shows it at full size (scroll to see it all), another fits it again."""
        digest = hashlib.sha1(self.source.encode("utf-8")).hexdigest()[:8]
        prefix = f"crd-{digest}-{next(_counter)}-"
        return (f'<div class="chainrule-drawing" style="overflow: auto; max-width: 100%;" '
                f'title="click to zoom" onclick="{ZOOM_TOGGLE}">'
                f"{fitted_svg(self.svg(), prefix)}</div>")

    def _repr_html_(self) -> str:
        return self.html()

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        summary = f" {self.summary};" if self.summary else ""
        return f"<{type(self).__name__}:{summary} .source, .svg(), .render(path)>"

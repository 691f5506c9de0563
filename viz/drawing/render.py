"""Turning DOT text into SVG or PNG: the system ``dot`` when it is installed, else the
``graphviz-pure`` binary (a dependency of chainrule, same flags as dot), else an error
that says how to install one. Never fails silently. With graphviz-pure, wide text is
given its room (``wide_text``) and characters its own fonts lack are drawn with the
system's (``raster``)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig

from . import raster
from .wide_text import pad_wide_text

RENDERERS = ("dot", "graphviz-pure")
FORMATS = ("svg", "png")
ENVIRONMENT_VARIABLE = "CHAINRULE_RENDERER"
INSTALL_HINT = ("install one: `apt-get install graphviz` (or `brew install graphviz`, "
                "`conda install graphviz`) for the system dot, or `pip install graphviz-pure`")


class RendererNotFoundError(RuntimeError):
    """Neither the system ``dot`` nor ``graphviz-pure`` could be found."""


class RenderError(RuntimeError):
    """The renderer ran and failed (its message is included)."""


def _locate(program):
    """Path of ``program``: on PATH, or for graphviz-pure also beside this Python (a
    virtual environment that is not activated)."""
    found = shutil.which(program)
    if found is None and program == "graphviz-pure":
        found = shutil.which(program, path=sysconfig.get_path("scripts"))
    return found


def find_renderer(renderer: str | None = None) -> tuple[str, str]:
    """``(name, path)`` of the program to run.

    ``renderer``: ``"dot"``, ``"graphviz-pure"``, or ``None``/``"auto"`` to take the
    ``CHAINRULE_RENDERER`` environment variable if set, else the first of dot and
    graphviz-pure that is installed. Raises RendererNotFoundError with the install
    commands when the one asked for (or both) is missing.
    """
    choice = renderer or os.environ.get(ENVIRONMENT_VARIABLE) or "auto"
    if choice not in RENDERERS + ("auto",):
        raise ValueError(f"find_renderer: renderer must be one of {RENDERERS + ('auto',)}, "
                         f"got {choice!r}")
    for name in (RENDERERS if choice == "auto" else (choice,)):
        path = _locate(name)
        if path:
            return name, path
    wanted = "neither the system `dot` nor `graphviz-pure` was found" if choice == "auto" \
        else f"the renderer {choice!r} was asked for and is not installed"
    raise RendererNotFoundError(f"cannot render the graph: {wanted} on PATH; {INSTALL_HINT}. "
                                "The DOT text is still available as `.source`.")


def render_source(source: str, format: str = "svg", renderer: str | None = None,
                  dpi: float | None = None, timeout: float = 120) -> bytes:
    """Lay out the DOT text ``source`` and return the picture as bytes (``format`` is
    "svg" or "png"); runs ``<renderer> -T<format>`` with the text on stdin. ``dpi``:
    pixels per inch of a PNG (graphviz's default is 96).

    With graphviz-pure, text it measures too narrow (Chinese, Japanese, Korean, other
    scripts) is padded first (``wide_text.pad_wide_text``), and a PNG holding characters
    its own fonts cannot draw is drawn from its SVG with the system's fonts
    (``raster``); a ``MissingGlyphsWarning`` names any character still shown as a box."""
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {FORMATS}, got {format!r}")
    name, path = find_renderer(renderer)
    if name != "graphviz-pure":
        return _run(name, path, source, format, dpi, timeout)
    source = pad_wide_text(source)
    without_glyph = raster.characters_without_glyph(path, source) if format == "png" else []
    if not without_glyph:
        return _run(name, path, source, format, dpi, timeout)
    if raster.resvg_missing():
        raster.warn_missing(without_glyph, "graphviz-pure's own fonts do not have them and "
                            "resvg-py, which draws them with the system's fonts, is not "
                            "installed: `pip install resvg-py` (the SVG shows them)")
        return _run(name, path, source, format, dpi, timeout)
    if not raster.system_fonts_draw("a"):
        raster.warn_missing(without_glyph, "graphviz-pure's own fonts do not have them and "
                            f"the system has no fonts at all; {raster.FONT_INSTALL_HINT}")
        return _run(name, path, source, format, dpi, timeout)
    png = raster.png_from_svg(_run(name, path, source, "svg", None, timeout).decode("utf-8"),
                              float(dpi) if dpi else 96.0)
    unknown = [c for c in without_glyph if not raster.system_fonts_draw(c)]
    if unknown:
        raster.warn_missing(unknown, f"no installed font has them; {raster.FONT_INSTALL_HINT}")
    return png


def _run(name, path, source, format, dpi, timeout):
    """``<path> -T<format> [-Gdpi=...]`` with ``source`` on stdin: the picture's bytes."""
    command = [path, f"-T{format}"] + ([f"-Gdpi={float(dpi):g}"] if dpi else [])
    try:
        result = subprocess.run(command, input=source.encode("utf-8"),
                                capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RenderError(f"render: running {name} ({path}) failed: {error}") from error
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode("utf-8", "replace").strip() or "no output"
        raise RenderError(f"render: {name} exited with code {result.returncode}: {message}")
    return result.stdout

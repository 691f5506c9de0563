"""PNG pictures of text that graphviz-pure's own fonts cannot draw.

graphviz-pure draws a PNG with the three fonts compiled into it (Tinos, Arimo, Cousine:
Latin, Greek, Cyrillic, Hebrew and common symbols); it reads no font of the system, so
a Chinese, Japanese, Korean, Thai, Arabic, ... character comes out as an empty box even
where a font for it is installed. For such a picture the PNG is drawn from
graphviz-pure's SVG instead, by resvg (the ``resvg-py`` package), which finds the
system's fonts and falls back, character by character, to one that has the glyph.

Which characters need this is asked of graphviz-pure itself: a character whose PNG
equals that of a character no font has (its "tofu", the empty box) has no glyph there.
The same question put to resvg tells whether any installed font has it; when none has,
or resvg-py is missing, the picture is still made and a ``MissingGlyphsWarning`` says
which characters show as boxes and what to install."""
from __future__ import annotations

import functools
import html
import re
import subprocess
import unicodedata
import warnings

NO_GLYPH = "\u0378"          # an unassigned code point: no font has it, every font boxes it
# The SVG's "Helvetica,sans-Serif" widened to the fonts that stand in for Helvetica on
# each system (resvg matches names exactly, with no aliases) ...
SANS_FAMILIES = ("Helvetica,Arial,'Liberation Sans',Arimo,'Nimbus Sans','Nimbus Sans L',"
                 "'DejaVu Sans','Noto Sans',sans-serif")
# ... and, for text beyond the Latin letters, sans-serif fonts with CJK and other scripts
# first: resvg draws a whole text element in the first font that has all of it, else in
# whichever installed font comes first with the missing glyph (often a serif one).
WIDE_SANS_FAMILIES = ("'Noto Sans CJK SC','Noto Sans CJK TC','Noto Sans CJK JP',"
                      "'Noto Sans CJK KR','Source Han Sans SC','Source Han Sans',"
                      "'WenQuanYi Zen Hei','WenQuanYi Micro Hei','Droid Sans Fallback',"
                      "'Microsoft YaHei','PingFang SC','Hiragino Sans','Malgun Gothic',"
                      + SANS_FAMILIES)
LATIN_END = 0x0250
_SVG_TEXT = re.compile(r'(<text\b[^>]*font-family=")Helvetica,sans-Serif("[^>]*>)'
                       r'([^<]*)(</text>)')
FONT_INSTALL_HINT = ("install a font that has them, e.g. `apt-get install fonts-noto-cjk` "
                     "(Chinese, Japanese, Korean) or `fonts-noto-core` (other scripts), "
                     "`brew install --cask font-noto-sans-cjk`")


class MissingGlyphsWarning(UserWarning):
    """Some characters of a picture have no glyph in any font the PNG could use: they
    show as empty boxes (the SVG, shown by a browser, may still draw them)."""


@functools.cache
def _graphviz_pure_png(path, text):
    source = ('digraph{node[shape=plaintext fontname=Helvetica fontsize=14];'
              f'a[label="{text}"]}}')
    result = subprocess.run([path, "-Tpng"], input=source.encode("utf-8"),
                            capture_output=True, timeout=60, check=False)
    return result.stdout


def graphviz_pure_draws(path, character):
    """True when graphviz-pure (the program at ``path``) has a glyph for ``character``:
    its PNG of the character differs from its PNG of a character no font has."""
    return _graphviz_pure_png(path, character) != _graphviz_pure_png(path, NO_GLYPH)


def characters_without_glyph(path, source):
    """The distinct non-ASCII characters of the DOT text ``source`` that graphviz-pure's
    fonts cannot draw, in order of first appearance."""
    seen = dict.fromkeys(c for c in source if ord(c) > 127)
    return [c for c in seen if not graphviz_pure_draws(path, c)]


def _resvg():
    try:
        import resvg_py
    except ImportError:
        return None
    return resvg_py


def resvg_missing():
    """True when resvg-py (which draws a PNG with the system's fonts) is not installed."""
    return _resvg() is None


def _resvg_png(resvg, svg):
    return resvg.svg_to_bytes(svg_string=svg)


@functools.cache
def _drawn_by_system_fonts(text):
    return _resvg_png(_resvg(), '<svg xmlns="http://www.w3.org/2000/svg" width="40" '
                                'height="30"><text x="4" y="22" font-size="20" '
                                f'font-family="{WIDE_SANS_FAMILIES}">{text}</text></svg>')


def _script(character):
    """The first word of the character's Unicode name (CJK, HIRAGANA, HANGUL, THAI, ...):
    fonts cover a script whole or not at all, so one probe answers for all of it."""
    return unicodedata.name(character, f"U+{ord(character):04X}").split()[0]


_DRAWN_BY_SCRIPT: dict[str, bool] = {}


def system_fonts_draw(character):
    """True when an installed font has a glyph for ``character`` (as resvg finds the
    system's fonts: its drawing differs from that of a character no font has), probed
    once per script; False without resvg-py."""
    if _resvg() is None:
        return False
    script = _script(character)
    if script not in _DRAWN_BY_SCRIPT:
        _DRAWN_BY_SCRIPT[script] = (_drawn_by_system_fonts(character)
                                    != _drawn_by_system_fonts(NO_GLYPH))
    return _DRAWN_BY_SCRIPT[script]


def _sized_in_pixels(svg, dpi):
    """The SVG with its width and height (graphviz writes points) in pixels at ``dpi``
    (the viewBox keeps the drawing's own units), as resvg takes them."""
    def to_pixels(match):
        points = float(match.group(2))
        return f'{match.group(1)}="{max(1, round(points * dpi / 72.0))}"'
    head_end = svg.index(">", svg.index("<svg"))
    head = re.sub(r'\b(width|height)="([0-9.]+)pt"', to_pixels, svg[:head_end])
    return head + svg[head_end:]


def png_from_svg(svg, dpi=96.0):
    """A PNG of graphviz-pure's SVG drawn by resvg with the system's fonts, ``dpi``
    pixels per inch (graphviz's default 96); needs resvg-py (see ``resvg_missing``)."""
    resvg = _resvg()
    return _resvg_png(resvg, _with_font_families(_sized_in_pixels(svg, dpi)))


def _with_font_families(svg):
    """Each text element of graphviz's SVG with the Helvetica stand-ins to look for,
    sans-serif CJK fonts first where the text holds characters beyond Latin."""
    def families(match):
        text = html.unescape(match.group(3))
        wide = any(ord(c) >= LATIN_END for c in text)
        return (match.group(1) + (WIDE_SANS_FAMILIES if wide else SANS_FAMILIES)
                + match.group(2) + match.group(3) + match.group(4))
    return _SVG_TEXT.sub(families, svg)


def warn_missing(characters, why):
    """Warn that ``characters`` show as empty boxes in the PNG, with ``why`` and the fix."""
    shown = ", ".join(repr(c) for c in characters[:12]) + (" ..." if len(characters) > 12 else "")
    warnings.warn(f"render: in the PNG the characters {shown} show as empty boxes: {why}",
                  MissingGlyphsWarning, stacklevel=4)

"""Room for wide characters when graphviz-pure lays out a picture.

graphviz-pure measures text with graphviz's built-in tables of Latin fonts: a character
outside them counts as one space per byte of its UTF-8 encoding. A Chinese character (3
bytes) gets 3 x 0.278 = 0.83 em in Helvetica, but every CJK font draws it 1 em wide, so a
name such as 损失 overruns its box and runs into the op's name beside it. The system
``dot`` measures with the real fonts and needs none of this.

``pad_wide_text`` adds spaces around each such line of text in the DOT source, enough
that the width graphviz-pure reserves covers the width a browser draws: spaces are
measured and drawn alike (0.278 em), so the padding adds to both sides of the sum and the
glyphs keep their room; half of it goes before the text too, so text centred on its
spot (an edge label) stays inside as well as text drawn from its left end (a box's
name)."""
import math
import re
import unicodedata

# graphviz-pure's width of a space in Helvetica (the font of every picture, see dot.FONT),
# in em: the unit it counts an unknown character in, per byte.
SPACE_EM = 0.2779
# Widths a browser gives characters graphviz-pure does not know, in em: East Asian wide
# and fullwidth characters (CJK, kana, Hangul, fullwidth forms) 1 em; letters of other
# scripts (Greek, Cyrillic, Armenian, ...) about 0.75 em for a capital, 0.6 em else (the
# widest common ones of Liberation Sans / DejaVu Sans, measured in chromium).
WIDE_EM = 1.0
CAPITAL_EM = 0.75
OTHER_EM = 0.6
LATIN_END = 0x0250          # Latin-1 and Latin Extended A/B: graphviz's guess is close

# A run of text in DOT: between tags of an HTML-like label, or inside a quoted string.
_TEXT_RUN = re.compile(r'[^<>"\n]+')
# A line break inside DOT text: \n, \l or \r (not an escaped backslash followed by n).
_LINE_BREAK = re.compile(r"(?<!\\)((?:\\\\)*\\[nlr])")


def true_width_em(character):
    """The width, in em, a browser draws ``character`` at: 0 for a combining mark or a
    format character, ``WIDE_EM`` for an East Asian wide or fullwidth one, else
    ``CAPITAL_EM`` (capital letters) or ``OTHER_EM``, and never less than what
    graphviz-pure reserves for it."""
    reserved = measured_width_em(character)
    if unicodedata.combining(character) or unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(character) in ("W", "F"):
        return WIDE_EM
    if ord(character) < LATIN_END:
        return reserved
    guess = CAPITAL_EM if unicodedata.category(character) in ("Lu", "Lt") else OTHER_EM
    return max(reserved, guess)


def measured_width_em(character):
    """The width graphviz-pure reserves for a non-ASCII ``character``: one space per
    byte of its UTF-8 encoding (an ASCII one it measures right: not used for those)."""
    return len(character.encode("utf-8")) * SPACE_EM


def missing_width_em(line):
    """sum over the non-ASCII characters c of ``line`` of true_width(c) - measured(c):
    how much wider, in em, a browser draws the line than graphviz-pure reserves."""
    return sum(true_width_em(c) - measured_width_em(c) for c in line if ord(c) > 127)


def pad_line(line):
    """``line`` with ceil(missing / space) spaces after it and half as many before it
    (none when nothing is missing), so that the room graphviz-pure reserves covers
    the glyphs whether the line is drawn from its left end or centred."""
    missing = missing_width_em(line)
    if missing <= 0.0:
        return line
    after = math.ceil(missing / SPACE_EM)
    before = math.ceil(missing / (2.0 * SPACE_EM))
    return " " * before + line + " " * after


def _pad_run(match):
    pieces = _LINE_BREAK.split(match.group())
    return "".join(piece if index % 2 else pad_line(piece)
                   for index, piece in enumerate(pieces))


def pad_wide_text(source):
    """The DOT text ``source`` with every line of text that holds characters graphviz-pure
    measures too narrow padded by ``pad_line``; text of ASCII and Latin letters only is
    left as it is (the same bytes)."""
    if source.isascii():
        return source
    return _TEXT_RUN.sub(lambda match: match.group() if match.group().isascii()
                         else _pad_run(match), source)

"""User text shown literally: every label, scope or module name, cluster label, tooltip
and title reaches a picture through one of two functions here, so that no text is ever
read as DOT, an HTML-like graphviz label, an HTML page or a script.

``dot_text``: text placed in DOT (inside an HTML-like label ``<...>``, a quoted label or
a tooltip). ``page_text``: text placed in an HTML page. Both first make the text
``visible``: a character that XML cannot hold or that would move the cursor (a control
character such as "\\x01" or a newline, a lone surrogate) is written as its Python
escape (``\\x01``, ``\\n``, ``\\ud800``), so the SVG and the page stay well-formed and
nothing is hidden.
"""
import html
import json
import re

# Control characters (C0, DEL, C1), lone surrogates and the two non-characters XML 1.0
# refuses; everything else (any letter, symbol or emoji) is shown as it is.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_code(match):
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text):
    """``str(text)`` with each invisible character c replaced by its escape
    (``"x\\x01"`` -> ``x\\x01`` shown as four characters). Non-string labels (a number)
    are shown as ``str`` shows them."""
    return _INVISIBLE.sub(_escape_code, text if isinstance(text, str) else str(text))


def dot_text(text, tooltip=False):
    """``text`` ready for DOT, shown literally: ``visible``, then ``& < > " '`` as HTML
    entities (graphviz decodes them once, in labels and tooltips alike), then each
    backslash doubled, since graphviz reads ``\\N``, ``\\G``, ``\\n``, ... as escapes
    in every label. A tooltip goes through graphviz's escape processing twice (line
    breaks, then names), so with ``tooltip=True`` a backslash is written four times.

    The result holds no ``"`` or ``<``: it can sit inside an HTML-like label, or be
    quoted as an attribute value without ever being taken for an HTML label."""
    escaped = html.escape(visible(text), quote=True)
    return escaped.replace("\\", "\\\\\\\\" if tooltip else "\\\\")


def page_text(text):
    """``text`` ready for an HTML page (element text or a quoted attribute), shown
    literally: ``visible``, then ``& < > " '`` as entities, so a ``<script>`` or a
    ``javascript:`` link in a name is only ever text."""
    return html.escape(visible(text), quote=True)


def fill_template(template, values):
    """``template`` with every ``__NAME__`` replaced by ``values["NAME"]`` in one pass:
    text substituted in is never scanned again, so user text that looks like a
    placeholder (a title ``"__FRAMES__"``) stays that text. An unknown placeholder in
    the template is a KeyError."""
    return re.sub(r"__([A-Z]+)__", lambda match: values[match.group(1)], template)


def script_json(data):
    """``data`` as JSON to sit inside a ``<script type="application/json">`` element:
    ``<``, ``>`` and ``&`` written as ``\\u003c`` … so no text in it (a name holding
    ``</script>``) can close the element; the page's script reads it with JSON.parse
    and shows every string with ``textContent``, never as HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

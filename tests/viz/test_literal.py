"""viz.picture.literal: user text (labels, scope and module names, cluster labels, tooltips,
titles) is shown literally in the DOT, in the SVG graphviz makes of it and in the HTML
player, whatever it holds: HTML, DOT escapes, control characters, placeholders."""
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

import autodiff as ad
import nn
import viz
from autodiff import Value
from helpers import parse_dot
from viz.picture.literal import dot_text, fill_template, page_text, script_json, visible
from viz.step_through.player_script import SCRIPT

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
RENDERERS = [
    pytest.param("dot", marks=pytest.mark.skipif(
        shutil.which("dot") is None, reason="system graphviz (dot) is not installed")),
    "graphviz-pure",
]
TABLE_LINK = '<<TABLE HREF="javascript:alert(1)"><TR><TD>x</TD></TR></TABLE>>'

# (user text, what a picture shows): invisible characters as their Python escapes,
# everything else exactly as typed. No "." (a scope's "." nests clusters).
NASTY = [
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("dir\\", "dir\\"),
    ("<i>", "<i>"),
    ("x\x01", "x\\x01"),
    (TABLE_LINK, TABLE_LINK),
    ("a & b &amp; &lt;", "a & b &amp; &lt;"),
    ("\\N \\G \\E \\T \\H \\L \\n \\l \\r \\", "\\N \\G \\E \\T \\H \\L \\n \\l \\r \\"),
    ("\"quoted\" 'single' \\\"", "\"quoted\" 'single' \\\""),
    ("__FRAMES__ __ID__", "__FRAMES__ __ID__"),
    ("line\nbreak\ttab\x7f\x85", "line\\nbreak\\ttab\\x7f\\x85"),
    ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
    ("α → β 😀", "α → β 😀"),
]
IDS = [f"text{index}" for index in range(len(NASTY))]


def _scoped_graph(text):
    """x (labelled ``text``) * 2 inside scope ``text``, named ``text`` + "!"."""
    x = Value(1.5, label=text)
    with ad.scope(text):
        y = x * 2.0
    y.label = text + "!"
    y.backward()
    return y


def _dot_shown(text):
    """What graphviz shows for a label row (parse_dot has decoded its entities): its
    doubled backslashes single."""
    return text.replace("\\\\", "\\")


def _svg_parts(svg):
    """(text lines, tooltips, every attribute name) of an SVG document, parsed as XML."""
    root = ET.fromstring(svg.encode("utf-8"))
    texts = [element.text for element in root.iter(f"{SVG}text") if element.text]
    tooltips = [element.get(f"{XLINK}title") for element in root.iter()
                if element.get(f"{XLINK}title") is not None]
    attributes = {name for element in root.iter() for name in element.attrib}
    return texts, tooltips, attributes


@pytest.mark.parametrize("text, shown", NASTY, ids=IDS)
def test_dot_holds_user_text_only_as_escaped_text(text, shown):
    source = viz.draw(_scoped_graph(text), title=text).source
    nodes, _ = parse_dot(source)
    titles = sorted(_dot_shown(node["rows"][0]).split("  ")[0] for node in nodes.values())
    assert titles == sorted(["2", shown, shown + "!"])
    # no HTML or quote reaches the DOT unescaped: every "<" opens one of our tags
    assert set(re.findall(r"(?<!=)<\s*/?\s*([A-Za-z]+)", source)) <= {"TABLE", "TR", "TD", "B",
                                                                  "FONT"}
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", source)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("text, shown", NASTY, ids=IDS)
def test_svg_shows_labels_scopes_tooltips_and_title_literally(text, shown, renderer):
    svg = viz.draw(_scoped_graph(text), title=text, renderer=renderer).svg()
    texts, tooltips, attributes = _svg_parts(svg)       # well-formed XML, or this raises
    assert texts.count(shown) >= 3                      # input box, cluster label, title
    assert shown + "!" in texts                         # the output's box
    assert any(tooltip == shown for tooltip in tooltips)            # the cluster's tooltip
    assert any(tooltip.startswith(f"{shown} (input") for tooltip in tooltips)
    assert not any(name.endswith("href") for name in attributes)    # no link anywhere


def test_drawing_title_with_angle_brackets_and_ampersands_is_shown_literally():
    title = "loss < 1 & grad > 0 &lt; \\G"
    drawing = viz.draw(_scoped_graph("x"), title=title, renderer="graphviz-pure")
    texts, _, _ = _svg_parts(drawing.svg())
    assert title in texts
    frame = viz.steps(_scoped_graph("x"), title=title, renderer="graphviz-pure")[0]
    assert title in _svg_parts(frame.svg())[0]


class _Page(HTMLParser):
    """Reads an HTML page: the <title> text, the player's title, every tag and attribute
    value, and each <script> body."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.attribute_values, self.scripts = [], [], [], []
        self.title = self.player_title = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attribute_values += [(name, value or "") for name, value in attrs]
        self.stack.append((tag, dict(attrs).get("class")))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not self.stack:
            return
        tag, css_class = self.stack[-1]
        if tag == "title" and self.title is None:
            self.title = data
        elif css_class == "crp-title":
            self.player_title = data
        elif tag == "script":
            self.scripts.append(data)


@pytest.mark.parametrize("text, shown", NASTY, ids=IDS)
def test_player_page_shows_the_title_and_step_text_literally(text, shown):
    player = viz.animate(_scoped_graph(text), title=text, renderer="graphviz-pure")
    page = _Page(player.page())
    assert page.title == shown and page.player_title == shown
    assert page.tags.count("script") == 2 and page.scripts[1] == f"\n{SCRIPT}\n"
    assert json.loads(page.scripts[0])["nodes"]            # the data parses as JSON
    assert not any(name.endswith("href") or value.lstrip().lower().startswith("javascript:")
                   for name, value in page.attribute_values)
    frames = [value for name, value in page.attribute_values if name == "data-step"]
    assert frames == ["0", "1"]


def test_a_title_shaped_like_a_placeholder_is_not_substituted():
    player = viz.animate(_scoped_graph("c"), title="__FRAMES__ __COUNT__",
                         renderer="graphviz-pure")
    page = player.page()
    assert page.count('class="crp-text"') == len(player) == 2
    assert _Page(page).player_title == "__FRAMES__ __COUNT__"


def test_a_module_named_like_an_html_label_is_text_not_a_link():
    model = nn.Sequential({TABLE_LINK: nn.Linear(1, 1), "next": nn.Linear(1, 1)})
    out = model([Value(1.0, label="x")])[0]
    out.backward()
    svg = viz.draw(out, renderer="graphviz-pure").svg()
    texts, _, attributes = _svg_parts(svg)
    assert any(TABLE_LINK in text for text in texts)             # the cluster's label
    assert not any(name.endswith("href") for name in attributes)
    page = _Page(viz.animate(out, renderer="graphviz-pure").page())
    assert not any(name.endswith("href") or value.lstrip().lower().startswith("javascript:")
                   for name, value in page.attribute_values)
    assert page.tags.count("table") == 0 and page.tags.count("script") == 2


def test_a_label_that_is_not_a_string_is_shown_as_str_shows_it():
    x = Value(1.0, label=5)
    y = x * 2.0
    y.backward()
    texts, _, _ = _svg_parts(viz.draw(y, renderer="graphviz-pure").svg())
    assert "5" in texts
    assert "5.grad = 2" in str(viz.steps(y))


def test_an_empty_scope_name_keeps_its_nodes_in_the_picture():
    x = Value(1.0, label="x")
    with ad.scope(""):
        y = x * 2.0
    nodes, _ = parse_dot(viz.draw(y).source)
    assert len(nodes) == 3


@pytest.mark.parametrize("quote", ['"', "'"])
def test_page_text_escapes_quotes_and_apostrophes_so_an_attribute_holds_the_text(quote):
    name = 'w" onmouseover="alert(1)\' x=\'<b>&'
    escaped = page_text(name)
    assert '"' not in escaped and "'" not in escaped
    assert "&quot;" in escaped and "&#x27;" in escaped
    element = f"<span title={quote}{escaped}{quote} data-x={quote}{escaped}{quote}>{escaped}</span>"

    class Reader(HTMLParser):
        attributes, text = None, ""

        def handle_starttag(self, tag, attrs):
            Reader.attributes = attrs

        def handle_data(self, data):
            Reader.text += data
    reader = Reader()
    reader.feed(element)
    reader.close()
    assert Reader.attributes == [("title", name), ("data-x", name)]    # no attribute added
    assert Reader.text == name


def test_the_escaping_functions():
    assert visible("a\x00b\nc\ud800") == "a\\x00b\\nc\\ud800"
    assert visible(3.5) == "3.5"
    assert dot_text('<b> & "q" \\') == "&lt;b&gt; &amp; &quot;q&quot; \\\\"
    assert dot_text("\\", tooltip=True) == "\\\\\\\\"
    assert page_text("<script>&") == "&lt;script&gt;&amp;"
    assert fill_template("__A__-__B__", {"A": "__B__", "B": "b"}) == "__B__-b"
    assert script_json(["</script>&"]) == '["\\u003c/script\\u003e\\u0026"]'
    assert json.loads(script_json(["</script>&"])) == ["</script>&"]
    with pytest.raises(KeyError):
        fill_template("__C__", {})

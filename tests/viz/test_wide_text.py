"""Chinese (and other wide or non-Latin) labels with graphviz-pure, the renderer of a
machine without the system Graphviz: the boxes are wide enough for the text in a browser
(graphviz-pure measures a CJK character as three spaces), and the PNG draws the
characters (graphviz-pure's own fonts have none, so it is drawn from the SVG with the
system's fonts), or says which characters show as boxes and what to install."""
import shutil
import warnings

import pytest

import viz
from autodiff import Value
from viz.drawing import raster, render
from viz.drawing.wide_text import SPACE_EM, missing_width_em, pad_line, pad_wide_text

CHINESE = [("损失", "权重", "输入"), ("误差", "偏置", "特征")]   # loss, weight, input / ...


def chinese_graph(names=CHINESE[0]):
    """loss = weight * input, every Value named in Chinese, after backward."""
    weight, given = Value(2.0, label=names[1]), Value(3.0, label=names[2])
    loss = weight * given
    loss.label = names[0]
    loss.backward()
    return loss


# --- the padding that makes graphviz-pure reserve the width ------------------------------

def test_a_cjk_character_is_one_em_wide_where_graphviz_pure_counts_three_spaces():
    assert missing_width_em("损") == pytest.approx(1.0 - 3 * SPACE_EM)
    assert missing_width_em("损失 loss") == pytest.approx(2 * (1.0 - 3 * SPACE_EM))
    assert missing_width_em("あ한ｆ") == pytest.approx(3 * (1.0 - 3 * SPACE_EM))  # kana, Hangul, fullwidth


def test_padding_covers_the_missing_width_after_and_half_of_it_before():
    # 损失: 0.333 em missing = 1.2 spaces: 2 after, 1 before
    assert pad_line("损失") == " 损失  "
    line = "损失函数权重参数"                            # 1.33 em = 4.8 spaces: 5 after, 3 before
    padded = pad_line(line)
    assert padded == "   " + line + "     "
    assert (len(padded) - len(padded.lstrip())) * SPACE_EM >= missing_width_em(line) / 2
    assert (len(padded) - len(padded.rstrip())) * SPACE_EM >= missing_width_em(line)


def test_latin_text_is_left_as_it_is():
    source = 'digraph { a [label="café × 3 · Æ"] b [label=<<B>x_1</B>>] }'
    assert pad_wide_text(source) == source
    assert pad_line("naïve") == "naïve"


def test_other_scripts_get_room_for_their_wider_letters_and_marks_none():
    assert pad_line("ЖШЩ") != "ЖШЩ"                       # Cyrillic capitals: 0.75 em each
    assert missing_width_em("\u0301") < 0.0               # a combining accent takes no room


def test_each_text_run_and_line_of_the_dot_source_is_padded_on_its_own():
    source = ('n0 [label=<<TABLE><TR><TD><B>损失</B>  <FONT COLOR="#666666">mul</FONT></TD>'
              '</TR></TABLE>> tooltip="损失 (output)"]\n'
              'n0 -> n1 [label="d损失\\nd权重"]')
    padded = pad_wide_text(source)
    assert "<B> 损失  </B>  <FONT COLOR=\"#666666\">mul</FONT>" in padded
    assert 'label=" d损失  \\n d权重  "' in padded          # two lines, each padded
    assert padded.count("<") == source.count("<") and padded.count('"') == source.count('"')


def test_the_system_dot_gets_the_source_unpadded(monkeypatch):
    seen = []
    monkeypatch.setattr(render, "find_renderer", lambda renderer=None: ("dot", "/bin/dot"))
    monkeypatch.setattr(render, "_run", lambda name, path, source, *rest: seen.append(source))
    source = 'digraph { a [label="损失"] }'
    render.render_source(source, "svg")
    assert seen == [source]


# --- the PNG ------------------------------------------------------------------------------

def _png(names):
    return viz.draw(chinese_graph(names), renderer="graphviz-pure").png()


def test_graphviz_pure_alone_draws_cjk_characters_as_empty_boxes():
    """Why the PNG is drawn another way: its own fonts give every CJK character the same
    box, so two graphs that differ only in their Chinese names give the same picture."""
    path = render.find_renderer("graphviz-pure")[1]
    assert not raster.graphviz_pure_draws(path, "损")
    assert raster.graphviz_pure_draws(path, "α") and raster.graphviz_pure_draws(path, "×")


def _needs_a_cjk_font():
    if raster.resvg_missing():
        pytest.skip("resvg-py is not installed (pip install resvg-py): no CJK in PNGs")
    if not raster.system_fonts_draw("损"):
        pytest.skip("no CJK font is installed (apt-get install fonts-noto-cjk)")


def test_a_png_with_chinese_names_draws_their_glyphs_not_boxes():
    _needs_a_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # no MissingGlyphsWarning
        first, second = _png(CHINESE[0]), _png(CHINESE[1])
    assert first[:4] == b"\x89PNG"
    assert first != second                      # boxes would be alike: the glyphs differ
    assert _png(CHINESE[0]) == first            # and the picture is the same each time


def test_a_png_at_a_dpi_is_scaled_like_graphviz_pure_scales_it():
    _needs_a_cjk_font()
    drawing = viz.draw(chinese_graph(), renderer="graphviz-pure")
    width_96 = int.from_bytes(drawing.png()[16:20], "big")
    width_192 = int.from_bytes(drawing.png(dpi=192)[16:20], "big")
    assert abs(width_192 - 2 * width_96) <= 2


def test_without_resvg_the_png_warns_which_characters_are_boxes_and_what_to_install(
        monkeypatch):
    monkeypatch.setattr(raster, "_resvg", lambda: None)
    with pytest.warns(viz.MissingGlyphsWarning,
                      match=r"'损', '失', '权', '重'.*pip install resvg-py"):
        png = _png(CHINESE[0])
    assert png[:4] == b"\x89PNG"                           # graphviz-pure's own PNG


def test_without_a_font_for_them_the_png_warns_which_characters_are_boxes(monkeypatch):
    if raster.resvg_missing():
        pytest.skip("resvg-py is not installed (pip install resvg-py)")
    monkeypatch.setattr(raster, "system_fonts_draw", lambda character: ord(character) < 0x3000)
    with pytest.warns(raster.MissingGlyphsWarning, match=r"'损'.*apt-get install fonts-noto-cjk"):
        _png(CHINESE[0])


def test_latin_pictures_keep_graphviz_pure_s_own_png(monkeypatch):
    monkeypatch.setattr(raster, "png_from_svg", lambda *args: pytest.fail("resvg was used"))
    x = Value(2.0, label="α × β")
    viz.draw(x * 3.0, renderer="graphviz-pure").png()


# --- in a browser -------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# For each node: its box, and the ink of each of its text elements (the union of the
# extents of its characters other than spaces, which are invisible).
BOXES_AND_INK = """() => [...document.querySelectorAll("g.node")].map(node => {
  const box = node.querySelector("path, polygon").getBBox();
  const texts = [...node.querySelectorAll("text")].map(text => {
    const characters = [...text.textContent];
    let left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
    characters.forEach((character, index) => {
      if (character.trim() === "") return;
      const extent = text.getExtentOfChar(index);
      left = Math.min(left, extent.x); right = Math.max(right, extent.x + extent.width);
      top = Math.min(top, extent.y); bottom = Math.max(bottom, extent.y + extent.height);
    });
    return {text: text.textContent.trim(), left, right, top, bottom};
  }).filter(ink => ink.text !== "");
  return {box: {left: box.x, right: box.x + box.width, top: box.y,
                bottom: box.y + box.height}, texts};
})"""


def test_chinese_names_stay_inside_their_boxes_and_clear_of_the_op_in_chromium(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                   "(pip install playwright): no browser test")
    if CHROMIUM is None:
        pytest.skip("no system chromium on PATH (apt-get install chromium): no browser test")
    names = ("损失函数值", "权重参数", "输入特征")
    svg = viz.draw(chinese_graph(names), renderer="graphviz-pure", edges="both").svg()
    page_file = tmp_path / "graph.html"
    page_file.write_text(f"<!doctype html><meta charset='utf-8'><body>{svg}</body>",
                         encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(page_file.resolve().as_uri())
        nodes = page.evaluate(BOXES_AND_INK)
        browser.close()
    assert len(nodes) == 3
    seen = set()
    for node in nodes:
        box = node["box"]
        for ink in node["texts"]:
            seen.add(ink["text"])
            assert box["left"] <= ink["left"] and ink["right"] <= box["right"], (ink, box)
        title, op = node["texts"][0], node["texts"][1]
        if op["text"] == "mul":                           # the op's name beside the title
            assert title["right"] <= op["left"], (title, op)
    assert set(names) <= seen and "mul" in seen

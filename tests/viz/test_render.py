"""Rendering: the system dot, the graphviz-pure binary, the choice between them, and a
clear error when neither is installed. The SVG is parsed to check what it shows."""
import shutil
import xml.etree.ElementTree as ET

import pytest

import autodiff as ad
import viz
from autodiff import Value
from helpers import PRODUCT, traced_e
from viz.drawing import render

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RENDERERS = [
    pytest.param("dot", marks=pytest.mark.skipif(
        shutil.which("dot") is None, reason="system graphviz (dot) is not installed")),
    "graphviz-pure",
]


def svg_texts(svg, kind):
    """[the text lines of each <g class=kind> element] of an SVG document (kind: "node"
    or "edge"), in document order."""
    root = ET.fromstring(svg.encode("utf-8"))
    return [[text.text.strip() for text in group.iter(f"{SVG}text") if text.text]
            for group in root.iter(f"{SVG}g") if group.get("class") == kind]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_each_renderer_draws_values_on_nodes_and_derivatives_on_edges(renderer):
    drawing = viz.draw(traced_e().backward(), renderer=renderer)
    svg = drawing.svg()
    assert ("graphviz-pure" in svg) == (renderer == "graphviz-pure")
    nodes = svg_texts(svg, "node")
    by_title = {texts[0]: texts for texts in nodes}
    assert by_title["b"][1:] == ["data 1", "grad 2 + 3 = 5"]
    assert by_title["e"][-2:] == ["data 6", "grad 1"]
    labels = sorted(texts[0] for texts in svg_texts(svg, "edge") if texts)
    assert labels == ["1 × 2 = 2", "1 × 2 = 2", "1 × 3 = 3", "2 × 1 = 2",
                      "3 × 1 = 3"]                  # the edge from the constant 1 has none
    assert all(PRODUCT.match(label) for label in labels)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_each_renderer_writes_png_and_svg_files(tmp_path, renderer):
    drawing = viz.draw(traced_e(), renderer=renderer)
    png = drawing.render(tmp_path / "e.png")
    svg = drawing.render(tmp_path / "e", format="svg")
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert svg.name == "e.svg" and ET.fromstring(svg.read_bytes()).tag == f"{SVG}svg"
    assert drawing.render(tmp_path / "plain").suffix == ".svg"


@pytest.mark.parametrize("renderer", RENDERERS)
def test_dpi_scales_the_png(renderer):
    drawing = viz.draw(Value(1.0, label="a") * 2.0, renderer=renderer)

    def width(png):
        return int.from_bytes(png[16:20], "big")
    assert width(drawing.png(dpi=192)) > 1.8 * width(drawing.png())


def test_a_drawing_shows_itself_in_jupyter_scaled_to_the_output_width():
    drawing = viz.draw(traced_e())
    fragment = drawing._repr_html_()
    assert fragment.startswith('<div class="chainrule-drawing"') and "onclick=" in fragment
    svg = ET.fromstring(fragment[fragment.index("<svg"):fragment.rindex("</svg>") + 6])
    assert svg.get("style") == "max-width: 100%; height: auto;" and svg.get("viewBox")
    ids = [element.get("id") for element in svg.iter() if element.get("id")]
    assert ids and all(identifier.startswith("crd-") for identifier in ids)
    assert drawing.svg() is drawing.svg() and "6 nodes, 6 edges" in repr(drawing)
    assert fragment != viz.draw(traced_e())._repr_html_()       # ids differ per picture


def test_jupyter_gets_the_fitted_html_and_the_svg_from_one_rendering(monkeypatch):
    formatters = pytest.importorskip("IPython.core.formatters")
    from viz.drawing import drawing as drawing_module
    calls = []
    real = drawing_module.render_source
    monkeypatch.setattr(drawing_module, "render_source",
                        lambda *args: calls.append(args[1]) or real(*args))
    drawing = viz.draw(traced_e())
    bundle, _ = formatters.DisplayFormatter().format(drawing)
    assert bundle["text/html"].startswith('<div class="chainrule-drawing"')    # shown first
    assert bundle["image/svg+xml"] == drawing.svg()          # for frontends without HTML
    svg = ET.fromstring(bundle["image/svg+xml"].encode("utf-8"))
    assert svg.tag == f"{SVG}svg" and "text/plain" in bundle
    assert calls == ["svg"]                                  # rendered once for both


def _without(monkeypatch, *missing):
    real = shutil.which

    def which(program, *args, **kwargs):
        return None if program in missing else real(program, *args, **kwargs)
    monkeypatch.setattr(render.shutil, "which", which)


def test_without_dot_it_falls_back_to_graphviz_pure(monkeypatch):
    _without(monkeypatch, "dot")
    assert render.find_renderer()[0] == "graphviz-pure"
    assert "graphviz-pure" in viz.draw(traced_e()).svg()


def test_without_any_renderer_the_error_says_what_to_install(monkeypatch):
    _without(monkeypatch, "dot", "graphviz-pure")
    drawing = viz.draw(traced_e())
    with pytest.raises(viz.RendererNotFoundError,
                       match=r"neither .*dot.* nor .*graphviz-pure.*apt-get install graphviz"
                             r".*pip install graphviz-pure"):
        drawing.svg()
    assert "->" in drawing.source          # the DOT text needs no renderer


def test_asking_for_a_missing_renderer_is_an_error_not_a_silent_fallback(monkeypatch):
    _without(monkeypatch, "dot")
    with pytest.raises(viz.RendererNotFoundError, match="'dot' was asked for"):
        viz.draw(traced_e(), renderer="dot").svg()


def test_the_environment_variable_chooses_the_renderer(monkeypatch):
    monkeypatch.setenv("CHAINRULE_RENDERER", "graphviz-pure")
    assert render.find_renderer()[0] == "graphviz-pure"
    monkeypatch.setenv("CHAINRULE_RENDERER", "neato")
    with pytest.raises(ValueError, match="renderer must be one of .* got 'neato'"):
        render.find_renderer()


def test_a_failing_renderer_raises_with_its_message():
    with pytest.raises(viz.RenderError, match="graphviz-pure exited with code"):
        render.render_source("digraph { a -> ", "svg", renderer="graphviz-pure")
    with pytest.raises(ValueError, match="render: format must be one of .* got 'pdf'"):
        viz.draw(traced_e()).pipe("pdf")


def test_graphviz_pure_is_found_beside_python_when_not_on_path(monkeypatch, tmp_path):
    binary = render._locate("graphviz-pure")
    assert binary
    scripts = tmp_path / "bin"
    scripts.mkdir()
    (scripts / "graphviz-pure").symlink_to(binary)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(render.sysconfig, "get_path", lambda name: str(scripts))
    assert render.find_renderer("graphviz-pure")[1] == str(scripts / "graphviz-pure")


def test_frames_render_like_drawings():
    frame = viz.steps(ad.trace(lambda x: x * ad.exp(x * x), x=0.5), renderer="graphviz-pure")[2]
    edges = svg_texts(frame.svg(), "edge")
    assert [texts[0] for texts in edges].count("0.5 × 0.642 = 0.321") == 2
    assert frame.svg().startswith("<?xml") and "<svg" in frame._repr_html_()

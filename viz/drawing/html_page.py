"""A picture that stands on its own as an HTML page (the player and the quiz): the
fragment's ``html()`` wrapped in a whole document (``page``), written to a file
(``save``) or shown in a notebook (``_repr_html_``), and the script function both pages
use to centre a box's text (``CENTRED_TEXT_SCRIPT``) and to start every widget on the
page (``start_every_script``)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from ..picture.argument_types import PathLike
from ..picture.literal import page_text

# centred(text): turns an SVG <text> that starts at x into one centred on its middle
# (x + width / 2, text-anchor middle), so text changed later stays centred in its box.
CENTRED_TEXT_SCRIPT = r"""  function centred(text) {
    if (!text || text.getAttribute("text-anchor") === "middle") { return text; }
    var x = parseFloat(text.getAttribute("x"));
    var width = text.getComputedTextLength ? text.getComputedTextLength() : 0;
    text.setAttribute("x", String(x + width / 2));
    text.setAttribute("text-anchor", "middle");
    return text;
  }
"""


def start_every_script(root_class: str, ready_class: str, name: str) -> str:
    """The script's closing lines: ``start(root)`` on every element of ``root_class``
    that is not yet ``ready_class`` (a page, JupyterLab and the classic notebook alike);
    a root whose start throws loses ``ready_class`` again and the error goes to the
    console as "chainrule <name>: error"."""
    return f"""  var roots = document.querySelectorAll(".{root_class}:not(.{ready_class})");
  for (var k = 0; k < roots.length; k++) {{
    try {{ start(roots[k]); }} catch (error) {{
      roots[k].classList.remove("{ready_class}");
      if (window.console) {{ window.console.error("chainrule {name}:", error); }}
    }}
  }}
"""


class HtmlPage(ABC):
    """A self-contained HTML widget: a subclass gives ``html()`` (the fragment, style and
    script included) and ``page_title()``; ``page()``, ``save(path)`` and the notebook's
    ``_repr_html_`` follow from them."""

    @abstractmethod
    def html(self) -> str:
        """The fragment: the widget's markup with its style, data and script."""

    @abstractmethod
    def page_title(self) -> str:
        """The text of the page's <title> (shown literally)."""

    def page(self) -> str:
        """A whole HTML document holding the fragment, titled ``page_title()``."""
        title = page_text(self.page_title())
        return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{title}</title>\n</head>\n<body>\n{self.html()}\n</body>\n</html>\n")

    def save(self, path: PathLike) -> Path:
        """Write the page to ``path`` (a self-contained .html file) and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.page(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return self.html()

"""How a picture is drawn: DOT nodes and edges (``dot``), the box of a node and the arrow
of an edge (``boxes``), ``viz.draw`` (``graph``), the paths of ``draw(..., paths=x)``
(``paths``), ``viz.draw_model`` (``model``), the ``Drawing`` object they return
(``drawing``), DOT text turned into SVG or PNG (``render``, with ``wide_text`` and
``raster`` for characters graphviz-pure's fonts lack), and the HTML page the player and
the quiz stand in (``html_page``). Builds on ``viz.picture``."""

"""A self-contained HTML player over pictures (the frames of a backward pass): slider,
previous / next, play. Plain HTML, CSS and JavaScript with every frame's SVG inline: no
ipywidgets, no kernel, and it keeps working in a notebook exported to HTML. Without
JavaScript (an untrusted notebook) all frames show, one under the other."""
import hashlib
import itertools
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .draw import GraphTooLargeError
from .literal import fill_template, page_text

_counter = itertools.count(1)

_TEMPLATE = """<div class="chainrule-player" id="__ID__" tabindex="0">
<style>
#__ID__ { font-family: Helvetica, Arial, sans-serif; }
#__ID__ .crp-controls { display: none; gap: 0.5em; align-items: center; margin: 0.4em 0;
  flex-wrap: wrap; }
#__ID__.crp-ready .crp-controls { display: flex; }
#__ID__ .crp-controls button { font-size: 13px; padding: 0.2em 0.7em; cursor: pointer; }
#__ID__ .crp-slider { width: 16em; }
#__ID__ .crp-title { font-weight: bold; font-size: 15px; margin: 0.3em 0; }
#__ID__ .crp-frame { border-top: 1px solid #ddd; padding-top: 0.3em; }
#__ID__ .crp-frame svg { max-width: 100%; height: auto; }
#__ID__ pre.crp-text { font-size: 12px; background: #f7f7f7; padding: 0.4em 0.6em;
  margin: 0.3em 0; white-space: pre-wrap; }
</style>
__TITLE__<div class="crp-controls">
<button type="button" data-action="first" title="first step">&#x25C0;&#x25C0; first</button>
<button type="button" data-action="previous" title="previous step (left arrow)">
  &#x25C0; previous</button>
<button type="button" data-action="play" title="play / pause">&#x25B6; play</button>
<button type="button" data-action="next" title="next step (right arrow)">next &#x25B6;</button>
<input type="range" class="crp-slider" min="1" max="__COUNT__" value="1" step="1" aria-label="step">
<span class="crp-counter">step 1 of __COUNT__</span>
</div>
__FRAMES__
<script>
(function () {
  var root = document.getElementById("__ID__");
  if (!root) { return; }
  var frames = root.querySelectorAll(".crp-frame");
  if (frames.length === 0) { return; }
  var slider = root.querySelector(".crp-slider");
  var counter = root.querySelector(".crp-counter");
  var playButton = root.querySelector('[data-action="play"]');
  var current = 0, timer = null;
  function show(index) {
    current = Math.max(0, Math.min(frames.length - 1, index));
    for (var k = 0; k < frames.length; k++) {
      frames[k].style.display = (k === current) ? "" : "none";
    }
    slider.value = current + 1;
    counter.textContent = "step " + (current + 1) + " of " + frames.length;
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.innerHTML = "&#x25B6; play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current === frames.length - 1) { show(0); }
    playButton.innerHTML = "&#x25A0; pause";
    timer = setInterval(function () {
      if (current >= frames.length - 1) { stop(); } else { show(current + 1); }
    }, __INTERVAL__);
  }
  root.querySelector('[data-action="first"]').onclick = function () { stop(); show(0); };
  root.querySelector('[data-action="previous"]').onclick = function () {
    stop(); show(current - 1);
  };
  root.querySelector('[data-action="next"]').onclick = function () { stop(); show(current + 1); };
  playButton.onclick = play;
  slider.oninput = function () { stop(); show(parseInt(slider.value, 10) - 1); };
  root.onkeydown = function (event) {
    if (event.key === "ArrowRight") { stop(); show(current + 1); event.preventDefault(); }
    if (event.key === "ArrowLeft") { stop(); show(current - 1); event.preventDefault(); }
  };
  root.classList.add("crp-ready");
  show(0);
})();
</script>
</div>"""


def inline_svg(svg, id_prefix):
    """SVG text ready to sit inside HTML: the XML prolog dropped and every ``id``
    prefixed with ``id_prefix`` (several pictures in one page must not share ids)."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError(f"inline_svg: not SVG text: {svg[:80]!r}")
    return re.sub(r'\bid="', f'id="{id_prefix}', svg[start:])


def _render_all(frames):
    """Every frame's SVG, rendered in parallel (each rendering is a subprocess)."""
    if len(frames) < 2:
        return [frame.svg() for frame in frames]
    with ThreadPoolExecutor(max_workers=min(len(frames), os.cpu_count() or 2)) as pool:
        return list(pool.map(lambda frame: frame.svg(), frames))


class Player:
    """An HTML player over ``frames`` (``Drawing``s, e.g. the ``Frame``s of
    ``viz.steps``): ``html()`` is a fragment for a notebook (also ``_repr_html_``),
    ``save(path)`` writes a whole page. ``interval``: seconds per frame when playing.
    ``max_frames``: refuse more frames than this (every frame is a whole picture, so a
    long pass makes a page too heavy for a notebook); None: no limit."""

    def __init__(self, frames, title=None, interval=1.0, max_frames=100):
        if not isinstance(interval, (int, float)) or interval <= 0:
            raise ValueError(f"animate: interval must be a positive number of seconds, "
                             f"got {interval!r}")
        frames = list(frames) if max_frames is None else list(
            itertools.islice(frames, max_frames + 1))
        if max_frames is not None and len(frames) > max_frames:
            raise GraphTooLargeError(
                f"animate: backward has more than max_frames={max_frames} steps, each a "
                "whole picture: the page would be too heavy to play. Animate a smaller "
                "piece (animate(an intermediate Value)), print(viz.steps(...)) for the "
                "text, or pass max_frames=None.")
        self.frames = frames
        self.title = title
        self.interval = interval
        self._html = None

    def __len__(self):
        return len(self.frames)

    def html(self):
        """The player as an HTML fragment (style, controls, frames, script)."""
        if self._html is None:
            self._html = self._build()
        return self._html

    def _build(self):
        sources = "".join(frame.source for frame in self.frames)
        digest = hashlib.sha1(sources.encode("utf-8")).hexdigest()[:8]
        player_id = f"crp-{digest}-{next(_counter)}"
        parts = []
        for number, (frame, svg) in enumerate(zip(self.frames, _render_all(self.frames)), 1):
            text = getattr(frame, "text", "")
            text_block = f'<pre class="crp-text">{page_text(text)}</pre>\n' if text else ""
            parts.append(f'<div class="crp-frame" data-step="{number}">\n{text_block}'
                         f'{inline_svg(svg, f"{player_id}-f{number}-")}\n</div>')
        if not parts:
            parts.append('<p class="crp-empty">No backward steps: the output has no parents '
                         "(it is a leaf), so there is nothing to step through.</p>")
        title = (f'<div class="crp-title">{page_text(self.title)}</div>\n'
                 if self.title else "")
        return fill_template(_TEMPLATE, {
            "ID": player_id, "TITLE": title, "COUNT": str(max(len(self.frames), 1)),
            "INTERVAL": str(int(self.interval * 1000)), "FRAMES": "\n".join(parts)})

    def page(self):
        """A whole HTML document holding the player."""
        title = page_text(self.title or "chainrule: backprop step by step")
        return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{title}</title>\n</head>\n<body>\n{self.html()}\n</body>\n</html>\n")

    def save(self, path):
        """Write the page to ``path`` (a self-contained .html file) and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.page(), encoding="utf-8")
        return path

    def _repr_html_(self):
        return self.html()

    def __repr__(self):
        return f"<Player: {len(self)} frames; .save(path) or display it in a notebook>"


def animate(subject, interval=1.0, title=None, max_frames=100, **options):
    """An HTML ``Player`` over the backward steps of ``subject`` (see ``viz.steps``, which
    takes the same ``options``): one frame per node with parents, local × upstream on the
    edges being pushed; ``interval`` seconds per frame when playing."""
    from .stepper import steps
    return steps(subject, title=title, **options).animate(interval, max_frames=max_frames)

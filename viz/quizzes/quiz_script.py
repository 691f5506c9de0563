"""The quiz page's template, style and script (see ``viz.quiz``). The script reads the
quiz's JSON data, asks one question at a time, rounds a typed answer to the precision
shown and compares its hash with the stored ones, and decodes a number, a hint or a
solution only when it is to be shown (``viz.quizzes.quiz_answers`` does the same rounding,
hashing and encoding in Python). All text is set with ``textContent``, never as HTML.
It starts every quiz on the page that has not started yet (a page, JupyterLab, the
classic notebook)."""
from ..drawing.html_page import CENTRED_TEXT_SCRIPT, start_every_script


QUIZ_TEMPLATE = """<div class="chainrule-quiz" id="__ID__">
<style>
__STYLE__
</style>
__TITLE__<div class="crq-intro">__INTRO__</div>
<div class="crq-canvas">
__SVG__
</div>
<div class="crq-noscript">This quiz checks answers with JavaScript: open the saved page in a browser, or trust the notebook.</div>
<div class="crq-panel">
<div class="crq-progress">__COUNT__ questions</div>
<div class="crq-prompt"></div>
<form class="crq-form" autocomplete="off">
<input type="text" class="crq-answer" inputmode="decimal" spellcheck="false" aria-label="your answer">
<button type="submit" class="crq-check">check</button>
<button type="button" class="crq-show" hidden>show the answer</button>
</form>
<div class="crq-feedback" aria-live="polite"></div>
<div class="crq-hint"></div>
<div class="crq-score"></div>
</div>
<script type="application/json" class="crq-data">__DATA__</script>
<script>
__SCRIPT__
</script>
</div>"""

QUIZ_STYLE = """#ROOT { font-family: Helvetica, Arial, sans-serif; }
#ROOT .crq-title { font-weight: bold; font-size: 15px; margin: 0.3em 0; }
#ROOT .crq-intro { font-size: 13px; margin: 0.3em 0; }
#ROOT .crq-canvas { overflow: auto; max-width: 100%; border-top: 1px solid #ddd; }
#ROOT .crq-canvas svg { max-width: 100%; height: auto; }
#ROOT .crq-panel { display: none; font-size: 14px; margin: 0.4em 0; }
#ROOT.crq-ready .crq-panel { display: block; }
#ROOT.crq-ready .crq-noscript { display: none; }
#ROOT .crq-noscript { font-size: 13px; color: #666; }
#ROOT .crq-progress { color: #666; font-size: 12px; }
#ROOT .crq-prompt { font-weight: bold; margin: 0.3em 0; }
#ROOT .crq-answer { font-size: 14px; width: 10em; }
#ROOT .crq-feedback { min-height: 1.3em; margin: 0.3em 0; }
#ROOT .crq-feedback.crq-right { color: #1b7a2f; }
#ROOT .crq-feedback.crq-wrong { color: #b3261e; }
#ROOT .crq-hint { color: #1565c0; font-size: 13px; margin: 0.2em 0; }
#ROOT .crq-score { font-weight: bold; margin: 0.3em 0; }
#ROOT g.node.crq-asked path, #ROOT g.node.crq-asked polygon {
  fill: #fff2a8; stroke: #d62828; stroke-width: 3px; }
#ROOT g.edge.crq-asked path { stroke: #d62828; stroke-width: 3px; }
#ROOT g.edge.crq-asked polygon { fill: #d62828; stroke: #d62828; }
#ROOT g.edge.crq-asked text { fill: #d62828; font-weight: bold; }
#ROOT g.crq-solved text { font-weight: bold; }"""

QUIZ_SCRIPT = r"""(function () {
  "use strict";
  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text), hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash = Math.imul((hash ^ bytes[i]) >>> 0, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }
  function hex8(number) { return ("00000000" + number.toString(16)).slice(-8); }
  function decode(encoded, key) {
    var raw = atob(encoded), state = fnv1a(key) || 0x9E3779B9;
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      state = (state ^ (state << 13)) >>> 0;
      state = (state ^ (state >>> 17)) >>> 0;
      state = (state ^ (state << 5)) >>> 0;
      bytes[i] = raw.charCodeAt(i) ^ (state & 255);
    }
    return new TextDecoder("utf-8").decode(bytes);
  }
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  function parseOne(text) {
    if (/^[+-]?inf(inity)?$/i.test(text)) { return text.charAt(0) === "-" ? -Infinity : Infinity; }
    if (/^nan$/i.test(text)) { return NaN; }
    return NUMBER.test(text) ? parseFloat(text) : null;
  }
  function parse(text) {
    var parts = text.replace(/\u2212/g, "-").replace(/\s+/g, "").split("/");
    if (parts.length > 2) { return null; }
    var value = parseOne(parts[0]);
    if (value === null) { return null; }
    if (parts.length === 2) {
      var divisor = parseOne(parts[1]);
      if (divisor === null) { return null; }
      value = value / divisor;
    }
    return value;
  }
  function canonical(value, precision) {
    if (isNaN(value)) { return "nan"; }
    if (!isFinite(value)) { return value > 0 ? "inf" : "-inf"; }
    if (value === 0) { return "0"; }
    var parts = Math.abs(value).toExponential(precision - 1).split("e");
    var digits = parts[0].replace(".", "").replace(/0+$/, "");
    return (value < 0 ? "-" : "") + digits + "e" + parseInt(parts[1], 10);
  }
""" + CENTRED_TEXT_SCRIPT + r"""  function start(root) {
    root.classList.add("crq-ready");
    var data = JSON.parse(root.querySelector(".crq-data").textContent);
    var questions = data.questions;
    var part = function (name) { return root.querySelector(".crq-" + name); };
    var prompt = part("prompt"), input = part("answer"), form = part("form");
    var feedback = part("feedback"), hintBox = part("hint"), showButton = part("show");
    var score = part("score"), progress = part("progress"), check = part("check");
    var current = 0, tries = 0, outcomes = [];
    if (window.Jupyter && window.Jupyter.keyboard_manager) {    // classic notebook: typing
      window.Jupyter.keyboard_manager.register_events(input);   // is not a shortcut
    }
    function group(question) { return document.getElementById(data.prefix + question.target); }
    function label(question) {
      var found = group(question), rows = found ? found.getElementsByTagName("text") : [];
      return rows.length ? centred(rows[rows.length - 1]) : null;
    }
    function mark(question, name, on) {
      var found = group(question);
      if (found) { found.classList.toggle(name, on); }
    }
    function say(text, kind) {
      feedback.textContent = text;
      feedback.className = "crq-feedback" + (kind ? " crq-" + kind : "");
    }
    function count(kind) {
      return outcomes.filter(function (outcome) { return outcome === kind; }).length;
    }
    function finish() {
      var first = count("first"), retry = count("retry"), shown = count("shown");
      prompt.textContent = "Done: every hidden number is worked out.";
      progress.textContent = questions.length + " questions";
      input.disabled = true; check.disabled = true; showButton.hidden = true;
      score.textContent = "Score: " + first + " of " + questions.length +
        " right at the first try, " + retry + " after a hint, " + shown + " shown.";
      root.setAttribute("data-done", "true");
    }
    function ask(index) {
      current = index; tries = 0;
      hintBox.textContent = ""; showButton.hidden = true; input.value = "";
      if (index >= questions.length) { finish(); return; }
      var question = questions[index];
      mark(question, "crq-asked", true);
      progress.textContent = "question " + (index + 1) + " of " + questions.length;
      prompt.textContent = question.prompt;
      root.setAttribute("data-question", String(index));
    }
    function reveal(question, outcome) {
      var shown = decode(question.reveal, question.salt + ":reveal");
      var text = label(question);
      if (text) { text.textContent = shown; }
      mark(question, "crq-asked", false);
      mark(question, "crq-solved", true);
      outcomes.push(outcome);
      return question.prompt.replace(/\?$/, "") + shown.replace(/^[a-z]+ /, "");
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (current >= questions.length) { return; }
      var question = questions[current], typed = input.value.trim(), value = parse(typed);
      if (value === null) {
        say("Type a number, like -0.25, 1.5e-3 or 2/3.", "wrong");
        return;
      }
      var hash = hex8(fnv1a(question.salt + ":" + canonical(value, data.precision)));
      if (question.hashes.indexOf(hash) >= 0) {
        var equation = reveal(question, tries === 0 ? "first" : "retry");
        say("Right: " + equation, "right");
        ask(current + 1);
      } else {
        tries += 1;
        say("Not quite: " + typed + " is not it. How it is made (try again):", "wrong");
        hintBox.textContent = decode(question.hint, question.salt + ":hint");
        showButton.hidden = false;
        input.select();
      }
    });
    showButton.addEventListener("click", function () {
      if (current >= questions.length) { return; }
      var question = questions[current];
      reveal(question, "shown");
      say("The answer: " + decode(question.solution, question.salt + ":solution"), "");
      ask(current + 1);
    });
    ask(0);
  }
""" + start_every_script("chainrule-quiz", "crq-ready", "quiz") + "})();"

"""The quiz in a real (headless) browser: typing right answers reveals them in the
picture and moves on, a wrong answer shows how the number is made and lets the student
try again, "show the answer" gives it away, the end shows the score, and no answer is
in the page's visible text before it is answered. Without playwright or chromium these
tests skip and say which is missing."""
import re

import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff import Value
from helpers import notes_values


@pytest.fixture()
def open_quiz(open_page, tmp_path):
    """Saves a quiz (or a page of several) and opens it; returns (page, console errors)."""
    saved = []

    def opener(quiz, html=None):
        path = tmp_path / f"quiz{len(saved)}.html"
        if html is None:
            quiz.save(path)
        else:
            path.write_text(html, encoding="utf-8")
        saved.append(path)
        return open_page(path, width=1100)
    return opener


def answer(page, text):
    page.fill(".crq-answer", text)
    page.press(".crq-answer", "Enter")


def panel(page):
    return page.evaluate("""() => {
      const root = document.querySelector(".chainrule-quiz");
      const text = name => root.querySelector(".crq-" + name).textContent;
      return {prompt: text("prompt"), feedback: text("feedback"), hint: text("hint"),
              score: text("score"), progress: text("progress"),
              showButton: !root.querySelector(".crq-show").hidden,
              asked: [...root.querySelectorAll(".crq-asked")].map(group => group.id),
              done: root.getAttribute("data-done") === "true"};
    }""")


def box_line(page, quiz, question):
    """The last line of the box or edge a question is about, as the page shows it."""
    element_id = page.evaluate(
        "() => JSON.parse(document.querySelector('.crq-data').textContent).prefix")
    return page.evaluate("""id => { const rows = document.getElementById(id)
        .getElementsByTagName("text"); return rows[rows.length - 1].textContent; }""",
                         element_id + question.target)


def test_typing_every_right_answer_reveals_it_and_ends_with_a_full_score(open_quiz):
    quiz = viz.quiz(notes_values()[-1])
    page, errors = open_quiz(quiz)
    assert panel(page)["prompt"] == "c.grad = de/dc = ?"
    assert box_line(page, quiz, quiz.questions[0]) == "grad ???"
    for number, (question, typed) in enumerate(zip(quiz.questions, ["2", "3.0", "2", "5"])):
        state = panel(page)
        assert state["progress"] == f"question {number + 1} of 4"
        assert state["asked"] == [page.evaluate(
            "() => JSON.parse(document.querySelector('.crq-data').textContent).prefix")
            + question.target]
        answer(page, typed)
        assert panel(page)["feedback"] == f"Right: {question.prompt[:-1]}{question.shown}"
        assert box_line(page, quiz, question) == f"grad {question.shown}"
    state = panel(page)
    assert state["done"] and state["asked"] == []
    assert state["score"] == "Score: 4 of 4 right at the first try, 0 after a hint, 0 shown."
    assert page.is_disabled(".crq-answer")
    assert errors == []


def test_a_wrong_answer_shows_how_the_number_is_made_then_a_retry_counts(open_quiz):
    quiz = viz.quiz(notes_values()[-1])
    page, errors = open_quiz(quiz)
    for typed in ["2", "3", "2"]:
        answer(page, typed)
    answer(page, "6")                                    # b.grad is 2 + 3 = 5
    state = panel(page)
    assert state["prompt"] == "b.grad = de/db = ?" and state["showButton"]
    assert state["feedback"] == "Not quite: 6 is not it. How it is made (try again):"
    assert state["hint"] == quiz.questions[3].hint
    assert state["hint"].endswith("b.grad = dc/db × c.grad + dd/db × d.grad = 1 × 2 + 1 × 3")
    assert box_line(page, quiz, quiz.questions[3]) == "grad ???"
    answer(page, "five")
    assert panel(page)["feedback"].startswith("Type a number")
    answer(page, "10/2")                                 # a fraction is fine
    state = panel(page)
    assert state["done"] and state["feedback"] == "Right: b.grad = de/db = 5"
    assert state["score"] == "Score: 3 of 4 right at the first try, 1 after a hint, 0 shown."
    assert errors == []


def test_show_the_answer_gives_the_solution_and_counts_as_shown(open_quiz):
    quiz = viz.quiz(notes_values()[-1], ask="locals")
    page, errors = open_quiz(quiz)
    answer(page, "7")
    page.click(".crq-show")
    state = panel(page)
    assert state["feedback"] == f"The answer: {quiz.questions[0].solution}"
    assert box_line(page, quiz, quiz.questions[0]) == "2"        # the edge's local
    assert state["prompt"] == quiz.questions[1].prompt and not state["showButton"]
    for question in quiz.questions[1:]:
        answer(page, question.shown)
    assert panel(page)["score"] == ("Score: 4 of 5 right at the first try, 0 after a hint, "
                                    "1 shown.")
    assert errors == []


def test_answers_at_the_precision_shown_are_right_in_random_quizzes_both_ways(open_quiz):
    for seed, mode in [(0, "reverse"), (1, "forward"), (2, "reverse")]:
        quiz = viz.quiz(seed=seed, ask="both", mode=mode, depth=4)
        page, errors = open_quiz(quiz)
        for number, question in enumerate(quiz.questions):
            # the exact value and the rounded one both round to what is shown
            answer(page, repr(question.answer) if number % 2 else question.shown)
            assert panel(page)["feedback"].startswith("Right"), question
        assert panel(page)["score"].startswith(
            f"Score: {len(quiz)} of {len(quiz)} right at the first try")
        assert errors == []


def _shown_numbers(text):
    return set(re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?", text))


def test_no_answer_is_in_the_visible_text_before_it_is_answered(open_quiz):
    x, y = Value(1.25, label="x"), Value(-0.75, label="y")
    out = ad.tanh(x * y) + ad.exp(x) / y
    out.label = "out"
    quiz = viz.quiz(out, ask="both")
    page, errors = open_quiz(quiz)
    scene = quiz.stepper.scene
    # what the page may show: the data of every box and the seed
    allowed = {quiz.stepper.number_text(node.data) for node in scene.nodes} | {"1"}
    checked = [question for question in quiz.questions if question.shown not in allowed]
    assert len(checked) >= 6

    def leaked():
        text = page.inner_text("body")
        assert all(question.hint not in text and question.solution not in text
                   for question in quiz.questions)
        return [question.shown for question in checked
                if question.shown in _shown_numbers(text)]
    assert leaked() == []
    for question in quiz.questions:           # the control: answered, they are visible
        answer(page, question.shown)
    assert sorted(leaked()) == sorted(question.shown for question in checked)
    assert errors == []


def test_two_quizzes_on_one_page_each_run_on_their_own(open_quiz):
    first, second = viz.quiz(notes_values()[-1]), viz.quiz(seed=5)
    page, errors = open_quiz(None, "<!DOCTYPE html><html><body>" + first.html()
                             + second.html() + "</body></html>")
    assert page.evaluate("() => document.querySelectorAll('.chainrule-quiz.crq-ready')"
                         ".length") == 2
    page.locator(".crq-answer").nth(1).fill(second.questions[0].shown)
    page.locator(".crq-answer").nth(1).press("Enter")
    feedback = page.locator(".crq-feedback")
    assert feedback.nth(1).text_content().startswith("Right")
    assert feedback.nth(0).text_content() == ""
    assert errors == []


def _script_functions(*names):
    """The page script's own functions ``names``, cut out of QUIZ_SCRIPT."""
    from viz.quizzes.quiz_script import QUIZ_SCRIPT
    pieces = []
    for name in names:
        start = QUIZ_SCRIPT.index(f"  function {name}(")
        end = QUIZ_SCRIPT.index("\n  }\n", start) + 4
        pieces.append(QUIZ_SCRIPT[start:end])
    return "\n".join(pieces)


def test_the_page_rounds_hashes_and_decodes_exactly_as_python_does(browser):
    from viz.quizzes.quiz_answers import accepted, canonical, encode, fnv1a
    ties = [1.125, 0.3125, -1.125]              # exactly halfway at 3 digits
    numbers = ties + [0.125, 2.5, -0.0625, 1e-7, 123456789.0, -0.000123456, 2 / 3, 9.9996, 1.0,
               -1500.0, 0.30000000000000004, 7.25e12, 5e-324]
    numbers += list(np.random.default_rng(0).normal(size=40) * 10.0 ** np.arange(-10, 30))
    texts = ["", "a", "abc:123e-4", "x_1 & 50% ∂e/∂x = −3 🙂"]
    page = browser.new_page()
    try:
        result = page.evaluate(
            "(args) => {" + _script_functions("fnv1a", "hex8", "decode", "canonical")
            + """
              return {canonical: args.numbers.map(x => canonical(x, 3)),
                      hashes: args.texts.map(fnv1a),
                      decoded: args.encoded.map(pair => decode(pair[0], pair[1]))}; }""",
            {"numbers": [float(x) for x in numbers], "texts": texts,
             "encoded": [[encode(text, f"salt{k}:hint"), f"salt{k}:hint"]
                         for k, text in enumerate(texts)]})
    finally:
        page.close()
    for x, form in zip(numbers, result["canonical"]):
        assert form in accepted(x, 3), (x, form)
        if x not in ties:
            assert form == canonical(x, 3), (x, form)
    assert result["canonical"][:3] == ["113e0", "313e-1", "-113e0"]     # the page: half up
    assert [canonical(x, 3) for x in ties] == ["112e0", "312e-1", "-112e0"]   # Python: even
    assert result["hashes"] == [fnv1a(text) for text in texts]
    assert result["decoded"] == texts

"""viz.quiz without a browser: the questions, their order and their numbers come from
the engine's steps (checked against values worked out by hand), the page holds no
answer, hint or solution as text, user labels stay literal, and bad options get clear
errors. The page's behaviour is tested in tests/viz/test_quiz_browser.py."""
import re

import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff import Value
from helpers import notes_values
from viz.picture.number_format import format_number
from viz.quizzes.quiz_answers import accepted, answer_hash, canonical, decode, encode, fnv1a


def test_grad_questions_ask_every_grad_in_backprop_order_with_hand_worked_answers():
    # de/dc = d = 2, de/dd = c = 3, de/da = de/dc = 2, de/db = de/dc + de/dd = 5
    e = notes_values()[-1]
    quiz = viz.quiz(e)
    assert [(question.prompt, question.answer) for question in quiz.questions] == [
        ("c.grad = de/dc = ?", 2.0), ("d.grad = de/dd = ?", 3.0),
        ("a.grad = de/da = ?", 2.0), ("b.grad = de/db = ?", 5.0)]
    assert quiz.questions[-1].solution.endswith(
        "b.grad = dc/db × c.grad + dd/db × d.grad = 1 × 2 + 1 × 3 = 2 + 3 = 5")
    assert quiz.questions[-1].hint.endswith("= 1 × 2 + 1 × 3")
    assert e.grad == 0.0 and e.parents[0].grad == 0.0       # the graph is left alone


def test_grad_answers_are_the_engines_gradients_on_a_random_expression():
    for seed in range(5):
        root = ad.random_expression(3, generator=seed)
        quiz = viz.quiz(root)
        root.backward()
        names = quiz.stepper.scene.names
        by_name = {names[node]: node for node in quiz.stepper.scene.nodes}
        for question in quiz.questions:
            name = question.prompt.split(".grad")[0]
            assert question.answer == pytest.approx(by_name[name].grad, rel=1e-12, abs=1e-15)
            assert question.shown == format_number(by_name[name].grad, 3)


def test_a_grad_is_asked_only_after_every_box_using_it_has_its_grad():
    root = ad.random_expression(5, generator=3)
    quiz = viz.quiz(root, ask="both")
    scene = quiz.stepper.scene
    asked_at = {question.target: position for position, question in enumerate(quiz.questions)}
    for node in scene.nodes:
        for edge in scene.uses[node]:
            if edge.child is not root and scene.ids[node] in asked_at:
                assert asked_at[scene.ids[edge.child]] < asked_at[scene.ids[node]]
                # the local of the edge is asked before the grad it feeds
                assert asked_at[scene.edge_ids[edge.child, edge.index]] < asked_at[scene.ids[node]]


def test_local_questions_are_the_local_derivatives_of_the_primitive_rules():
    # d(c·d)/dc = d = 2, d(c·d)/dd = c = 3, d(a+b)/da = d(a+b)/db = d(b+1)/db = 1
    e = notes_values()[-1]
    quiz = viz.quiz(e, ask="locals")
    assert [question.answer for question in quiz.questions] == [2.0, 3.0, 1.0, 1.0, 1.0]
    assert quiz.questions[0].hint == "e = mul(c, d): the rule of mul gives de/dc = d, at c = 3, d = 2"
    assert all(question.kind == "local" for question in quiz.questions)


def test_forward_quiz_asks_tangents_in_computation_order_against_central_differences():
    x, y = Value(0.5, label="x"), Value(-1.5, label="y")
    h = ad.tanh(x * y)
    h.label = "h"
    out = h * x + ad.exp(y)
    quiz = viz.quiz(out, mode="forward", wrt=x)
    def f(value):
        return np.tanh(value * -1.5) * value + np.exp(-1.5)
    eps = 1e-6
    by_hand = (f(0.5 + eps) - f(0.5 - eps)) / (2 * eps)
    assert quiz.questions[-1].answer == pytest.approx(by_hand, rel=1e-7)
    assert [question.kind for question in quiz.questions] == ["tangent"] * 5
    assert quiz.questions[0].prompt.startswith("v1.tangent = dv1/dx")
    assert quiz.questions[0].answer == -1.5          # d(x·y)/dx · 1 + d(x·y)/dy · 0


def test_the_page_holds_no_answer_hint_or_solution_as_text():
    root = ad.random_expression(3, generator=11)
    quiz = viz.quiz(root, ask="both")
    page = quiz.page()
    for question in quiz.questions:
        assert question.hint not in page and question.solution not in page
    for match in re.finditer(r'<text[^>]*>([^<]*)</text>', page):
        assert "grad " not in match.group(1) or "?" in match.group(1) or \
            match.group(1) == "grad 1"            # only the seed is shown
    for question in quiz.questions:
        if question.kind == "grad" and question.shown != "1":
            assert f"grad {question.shown}<" not in page


def test_stored_hashes_accept_the_shown_answer_and_refuse_a_wrong_one():
    e = notes_values()[-1]
    quiz = viz.quiz(e)
    entry = quiz.data("crq-test")["questions"][-1]          # b.grad = 5
    assert answer_hash(entry["salt"], canonical(5.0, 3)) in entry["hashes"]
    assert answer_hash(entry["salt"], canonical(6.0, 3)) not in entry["hashes"]
    assert decode(entry["solution"], entry["salt"] + ":solution") == quiz.questions[-1].solution
    assert decode(entry["reveal"], entry["salt"] + ":reveal") == "grad 5"


def test_canonical_rounds_as_the_pictures_show_numbers():
    for x in [0.0625, -1500.0, 2 / 3, 1e-7, 123456.0, 9.9996, -0.5, 1.0, 0.125]:
        shown = format_number(x, 3)
        assert canonical(float(shown), 3) == canonical(x, 3), (x, shown)
    assert canonical(0.0625, 3) == "625e-2" and canonical(-1500.0, 3) == "-15e3"
    assert canonical(9.9996, 3) == "1e1" and canonical(0.0, 3) == "0"
    assert set(accepted(2 / 3, 3)) == {"666e-1", "667e-1", "668e-1"}
    assert "13e-1" in accepted(0.125, 2) and "12e-1" in accepted(0.125, 2)   # ties both ways
    assert fnv1a("") == 0x811C9DC5 and fnv1a("a") == 0xE40C292C     # FNV-1a test vectors


def test_encode_and_decode_round_trip_any_text():
    text = "x_1 & 50% <script>alert(1)</script> ∂e/∂x = −3 🙂"
    encoded = encode(text, "salt:hint")
    assert text not in encoded and "script" not in encoded
    assert decode(encoded, "salt:hint") == text


def test_user_labels_are_shown_literally_never_as_html():
    x = Value(1.5, label='<img src=x onerror="alert(1)">')
    y = Value(-2.0, label="</script><b>y</b>")
    quiz = viz.quiz(ad.tanh(x * y))
    html = quiz.html()
    assert "<img" not in html and "</script><b>" not in html
    assert ">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<" in html     # in the picture
    assert '"prompt":"\\u003cimg src=x onerror=' in html                # in the data


def test_seed_builds_the_same_random_quiz_and_refuses_a_value_too():
    first, again = viz.quiz(seed=4), viz.quiz(seed=4)
    assert [q.prompt for q in first.questions] == [q.prompt for q in again.questions]
    assert [q.answer for q in first.questions] == [q.answer for q in again.questions]
    assert viz.quiz(seed=4, depth=5).stepper.scene.nodes != first.stepper.scene.nodes
    with pytest.raises(ValueError, match="quiz: seed=4"):
        viz.quiz(Value(1.0, label="x") * 2, seed=4)


@pytest.mark.parametrize("options, message", [
    ({"ask": "everything"}, "quiz: ask must be one of"),
    ({"mode": "sideways"}, "quiz: mode must be one of"),
    ({"precision": 0}, "quiz: precision"),
    ({"wrt": "a"}, "quiz: wrt chooses the seeds of mode='forward'"),
    ({"fresh": False}, "quiz: fresh=False"),
])
def test_bad_options_are_refused_naming_them(options, message):
    e = notes_values()[-1]
    with pytest.raises(ValueError, match=re.escape(message)):
        viz.quiz(e, **options)


def test_a_graph_too_large_to_read_is_refused_unless_asked():
    root = ad.random_expression(6, generator=0)
    with pytest.raises(viz.GraphTooLargeError, match="max_nodes=3"):
        viz.quiz(root, max_nodes=3)
    assert len(viz.quiz(root, max_nodes=None)) > 0


def test_a_leaf_or_a_batch_cannot_be_quizzed():
    with pytest.raises(ValueError, match="quiz: nothing to ask"):
        viz.quiz(Value(2.0, label="x"))
    batch = ad.batch_mean(Value(np.array([1.0, 2.0]), label="x") ** 2)
    with pytest.raises(ValueError, match="quiz: the graph holds a batch of 2"):
        viz.quiz(batch)


def test_quiz_displays_itself_and_saves_a_whole_page(tmp_path):
    e = notes_values()[-1]
    quiz = viz.quiz(e, title="<practice>")
    assert quiz._repr_html_() == quiz.html() and 'class="chainrule-quiz"' in quiz.html()
    path = quiz.save(tmp_path / "quiz" / "e.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<title>&lt;practice&gt;</title>" in text
    assert "src=" not in text.split("<svg", 1)[0]          # no external script or style
    assert "4 questions" in repr(quiz)

"""Knowledge checks: marking, feedback that explains, resume, and failures that keep answers."""

from __future__ import annotations

import pytest

from widgets.activities.choice import ChoiceLogic, ChoiceView

from .conftest import Recorder


@pytest.fixture
def view(demo_course):
    return ChoiceView(demo_course.activity("demo-check"))


def test_unanswered_questions_are_named(view, recorder):
    """Does Check with a question unanswered say which one, and emit nothing?"""
    view.on_submit(recorder)
    assert view.submit() is False
    assert "question 1" in view.status.message
    assert recorder.got == []


def test_right_answer_scores_and_explains(view, recorder):
    """Is a right answer scored, recorded per question and explained?"""
    view.on_submit(recorder)
    view.choose("q1", "a")
    assert view.submit() is True
    (sub,) = recorder.got
    assert (sub.activity_type, sub.action, sub.score, sub.max_score) == (
        "choice",
        "check",
        1.0,
        1.0,
    )
    assert sub.items == {"q1": {"response": "a", "correct": True}}
    shown = view.group.feedback["q1"]
    assert shown["correct"] is True
    assert [n["feedback"] for n in shown["notes"]] == ["Yes; ownership matters."]
    assert "coachee chooses" in shown["explanation"]


def test_wrong_answer_says_why_and_shows_the_right_one(view, recorder):
    """Does a wrong answer get its own feedback and the right option's, never a bare 'wrong'?"""
    view.on_submit(recorder)
    view.choose("q1", "b")
    view.submit()
    notes = " ".join(n["feedback"] for n in view.group.feedback["q1"]["notes"])
    assert view.group.feedback["q1"]["correct"] is False
    assert "telling, not coaching" in notes  # feedback of the chosen option
    assert "ownership matters" in notes  # and of the right one
    assert recorder.got[0].items["q1"]["correct"] is False


def test_failed_save_keeps_the_answer(view):
    """When the store fails, is that said plainly with the answer still chosen?"""
    view.on_submit(Recorder(fail=RuntimeError("database is locked")))
    view.choose("q1", "a")
    assert view.submit() is False
    assert view.status.message.startswith("Not saved: database is locked")
    assert view.status.tone == "error"
    assert view.group.values == {"q1": ["a"]}


def test_restore_shows_last_answers(demo_course, view, recorder):
    """Does a rebuilt check show the learner's last answers and their feedback?"""
    view.on_submit(recorder)
    view.choose("q1", "b")
    view.submit()
    again = ChoiceView(demo_course.activity("demo-check"))
    again.restore(recorder.got)
    assert again.group.values == {"q1": ["b"]}
    assert again.group.feedback["q1"]["correct"] is False


def test_logic_refuses_unknown_and_multiple(demo_course):
    """Does the logic refuse unknown options and two answers to a single-answer question?"""
    logic = ChoiceLogic(demo_course.activity("demo-check"))
    with pytest.raises(ValueError, match="unknown option"):
        logic.choose("q1", ["z"])
    with pytest.raises(ValueError, match="only one option"):
        logic.choose("q1", ["a", "b"])


def test_answers_from_the_page_update_the_logic(view, recorder):
    """When the page sends a choice (the trait), is it used for marking?"""
    view.on_submit(recorder)
    view.group.values = {"q1": ["a"]}
    assert view.submit() is True
    assert recorder.got[0].score == 1.0


def test_check_from_the_page_carries_the_answers(view, recorder):
    """Does the page's Check message mark the answers it carries (never stale ones)?"""
    view.on_submit(recorder)
    view._on_page_message(view.group, {"action": "check", "values": {"q1": ["a"]}}, [])
    assert recorder.got[0].score == 1.0
    assert view.group.values == {"q1": ["a"]}

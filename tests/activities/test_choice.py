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
    # each note says which option (lettered as on the dashboard) and whether it was chosen,
    # so a right answer's "Yes" under an option left unticked does not read as praise
    options = view.content.questions[0].options
    marks = {n["letter"]: n["chosen"] for n in view.group.feedback["q1"]["notes"]}
    letters = {o.id: chr(ord("A") + i) for i, o in enumerate(options)}
    right = next(o.id for o in options if o.correct)
    assert marks == {letters["b"]: True, letters[right]: False}


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


# -- answers hidden by a facilitator, then revealed --------------------------------------

SUBMITTED = "Submitted. Your facilitator will reveal the answers."
HIDDEN = "The answers are hidden until your facilitator reveals them."


@pytest.fixture
def hidden(demo_course):
    return ChoiceView(demo_course.activity("demo-check"), reveal_answers=False)


def test_choice_supports_hidden_answers(view):
    """Does the page runtime find the knowledge check among the views it can hide answers on?"""
    assert ChoiceView.supports_hidden_answers is True
    assert view.reveal_answers is True and view.group.reveal_answers is True


def test_hidden_answers_submit_without_feedback(hidden, recorder):
    """With answers hidden, is the check saved with its marks but shown only as 'Submitted'?"""
    hidden.on_submit(recorder)
    assert hidden.group.reveal_answers is False  # the page's button says Submit
    hidden.choose("q1", "b")
    assert hidden.submit() is True
    (sub,) = recorder.got
    assert (sub.action, sub.score, sub.max_score) == ("check", 0.0, 1.0)
    assert sub.items == {"q1": {"response": "b", "correct": False}}  # the facilitator sees it
    assert hidden.group.feedback == {}
    assert hidden.status.message == SUBMITTED
    assert "right" not in hidden.status.message


def test_revealing_shows_the_latest_submission(hidden, recorder):
    """When the facilitator reveals, does the feedback for the last submitted answers appear?"""
    hidden.on_submit(recorder)
    hidden.choose("q1", "b")
    hidden.submit()
    hidden.choose("q1", "a")
    hidden.submit()
    assert hidden.group.feedback == {}
    hidden.reveal_answers = True
    assert hidden.group.reveal_answers is True
    shown = hidden.group.feedback["q1"]
    assert shown["correct"] is True
    assert [n["feedback"] for n in shown["notes"]] == ["Yes; ownership matters."]
    assert hidden.status.message.startswith("Answers revealed. 1 of 1 right")
    assert len(recorder.got) == 2  # revealing submits nothing


def test_revealing_after_changes_marks_the_submitted_answers(hidden, recorder):
    """If the learner changed an answer after submitting, are the submitted ones marked, and said so?"""
    hidden.on_submit(recorder)
    hidden.choose("q1", "b")
    hidden.submit()
    hidden.choose("q1", "a")  # not submitted
    hidden.reveal_answers = True
    assert hidden.group.feedback["q1"]["correct"] is False
    assert "answers you submitted" in hidden.status.message


def test_failed_save_while_hidden_is_not_called_submitted(hidden):
    """With answers hidden and the store down, is 'Submitted' avoided (the answer kept)?"""
    hidden.on_submit(Recorder(fail=RuntimeError("database is locked")))
    hidden.choose("q1", "a")
    assert hidden.submit() is False
    assert SUBMITTED not in hidden.status.message
    assert hidden.status.message.startswith("Not saved")
    assert hidden.group.values == {"q1": ["a"]} and hidden.group.feedback == {}


def test_revealing_before_any_check_shows_nothing(hidden):
    """Does a reveal with nothing checked show no feedback and say nothing?"""
    hidden.choose("q1", "a")
    hidden.reveal_answers = True
    assert hidden.group.feedback == {}
    assert hidden.status.message == ""


def test_restore_while_hidden_then_reveal(demo_course, view, recorder):
    """Does a view restored while answers are hidden keep the marks back until the reveal?"""
    view.on_submit(recorder)
    view.choose("q1", "b")
    view.submit()
    again = ChoiceView(demo_course.activity("demo-check"))
    again.reveal_answers = False  # as the page does before restoring
    again.restore(recorder.got)
    assert again.group.values == {"q1": ["b"]}
    assert again.group.feedback == {}
    assert SUBMITTED in again.status.message
    again.reveal_answers = True
    assert again.group.feedback["q1"]["correct"] is False


def test_hiding_after_a_check_takes_the_marks_away(view, recorder):
    """If answers are hidden after feedback was shown, do the marks and the score go (and come back)?"""
    view.on_submit(recorder)
    view.choose("q1", "a")
    view.submit()
    assert "1 of 1 right" in view.status.message
    view.reveal_answers = False
    assert view.group.feedback == {}
    assert view.status.message == HIDDEN
    view.reveal_answers = True
    assert view.group.feedback["q1"]["correct"] is True

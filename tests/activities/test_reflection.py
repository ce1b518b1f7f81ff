"""Reflections: saved on blur or Save, never per keystroke, limits stated, text kept."""

from __future__ import annotations

import pytest

from widgets.activities.reflection import (
    DEFAULT_PROMPTS,
    ReflectionView,
    gentle_prompt,
    length_problem,
    only_describes,
)

from .conftest import Recorder


@pytest.fixture
def view(demo_course):
    return ReflectionView(demo_course.activity("demo-reflect"))


def test_textarea_does_not_sync_every_keystroke(view):
    """Is the box set to sync on blur, not on every keystroke?"""
    assert view.text.continuous_update is False


def test_writing_saves_once(view, recorder):
    """Does a synced value save once, and saving again unchanged write nothing new?"""
    view.on_submit(recorder)
    view.write("I was mentored in my first year.")
    assert len(recorder.got) == 1
    assert recorder.got[0].response["text"] == "I was mentored in my first year."
    assert view.submit() is True
    assert len(recorder.got) == 1
    assert "Already saved" in view.status.message


def test_too_long_is_refused_and_kept(view, recorder):
    """Is an oversized reflection refused with the limit stated, the text kept in the box?"""
    view.on_submit(recorder)
    long_text = "x" * (view.content.max_chars + 1)
    view.write(long_text)
    assert recorder.got == []
    assert "limit is 5,000" in view.status.message
    assert view.text.value == long_text


def test_empty_is_not_saved(view, recorder):
    """Is an empty reflection not saved, with a reason?"""
    view.on_submit(recorder)
    assert view.submit() is False
    assert "nothing to save" in view.status.message


def test_hostile_text_is_stored_verbatim(view, recorder):
    """Is markup kept as the learner's text (escaped only where it is shown)?"""
    view.on_submit(recorder)
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    view.write(hostile)
    assert recorder.got[0].response["text"] == hostile


def test_failure_keeps_text_and_retries(view):
    """After a failed save, does the text stay and a later save go through?"""
    failing = Recorder(fail=RuntimeError("disk full"))
    view.on_submit(failing)
    view.write("Draft one")
    assert "Not saved: disk full" in view.status.message
    assert view.text.value == "Draft one"
    failing.fail = None
    assert view.submit() is True
    assert failing.got[0].response["text"] == "Draft one"


def test_restore_puts_text_back_without_saving(demo_course, view, recorder):
    """Does a rebuilt reflection show the saved text and not save it again?"""
    view.on_submit(recorder)
    view.write("Saved text")
    again = ReflectionView(demo_course.activity("demo-reflect"))
    second = Recorder()
    again.on_submit(second)
    again.restore(recorder.got)
    assert again.text.value == "Saved text"
    assert second.got == []


def test_length_problem():
    """Does the length check name both the length and the limit?"""
    assert length_problem("abc", 3) is None
    assert "4 characters" in length_problem("abcd", 3)


# --- gentle prompts -----------------------------------------------------------------------

DESCRIBES = (
    "On Tuesday I met Sam after period three. We looked at the seating plan together and went "
    "through the register. Sam showed me the worksheet from the lesson and the marks from the "
    "last test. We talked about the homework timetable, the new reading scheme and the trip in "
    "June. Then we agreed to meet again in a fortnight in the library."
)


@pytest.mark.parametrize(
    "extra",
    [
        " I think the plan helped.",
        " It went well because Sam chose the focus.",
        " Next time I will ask first.",
        " Why did Sam go quiet?",
        " I realised I had done most of the talking.",
        " That meant Sam left with my plan.",
        " I’ll ask Sam to choose the focus.",
    ],
)
def test_analysis_words_or_a_question_mean_no_prompt(extra):
    """Does a reason, an interpretation, a next step or a question count as analysis?"""
    assert only_describes(DESCRIBES) is True
    assert only_describes(DESCRIBES + extra) is False


def test_short_text_is_left_alone():
    """Is a short note (40 words or fewer) never prompted, however descriptive?"""
    short = " ".join(DESCRIBES.split()[:40])
    assert only_describes(short) is False
    assert gentle_prompt(short, []) is None


def test_markers_match_whole_words_only():
    """Does a word that merely contains a marker ("whyever", "becausey") not count?"""
    assert only_describes(DESCRIBES + " Somewhy nobody minded the becauseless rain.") is True


def test_prompt_comes_from_hints_then_defaults():
    """Is the prompt one of the activity's hints, in turn, or a default when there are none?"""
    hints = ["First hint?", "Second hint?"]
    assert gentle_prompt(DESCRIBES, hints, 0) == "First hint?"
    assert gentle_prompt(DESCRIBES, hints, 1) == "Second hint?"
    assert gentle_prompt(DESCRIBES, hints, 2) == "First hint?"
    assert gentle_prompt(DESCRIBES, [], 0) == DEFAULT_PROMPTS[0]
    assert gentle_prompt(DESCRIBES + " Because.", hints) is None


def test_descriptive_reflection_is_saved_and_gently_prompted(view, recorder):
    """Is a descriptive reflection saved as usual, with one optional prompt shown after?"""
    view.on_submit(recorder)
    assert view.nudge.layout.display == "none"
    view.write(DESCRIBES)
    assert recorder.got[0].response["text"] == DESCRIBES
    assert view.status.message.startswith("Saved (")
    assert "take it further, if you want to" in view.status.message
    assert view.nudge.layout.display is None
    assert DEFAULT_PROMPTS[0] in view.nudge.value  # demo-reflect has no hints
    assert "optional" in view.nudge.value


def test_prompt_goes_away_once_the_reflection_analyses(view, recorder):
    """When the learner adds a reason, is the prompt taken away (and nothing graded)?"""
    view.on_submit(recorder)
    view.write(DESCRIBES)
    view.write(DESCRIBES + " I think it worked because Sam chose.")
    assert len(recorder.got) == 2
    assert view.nudge.layout.display == "none"
    assert "further" not in view.status.message
    assert recorder.got[1].score is None


def test_prompt_uses_the_activity_hints(demo_course, recorder):
    """Does the prompt come from the activity's own hints, escaped, when it has some?"""
    content = demo_course.activity("demo-reflect").model_copy(
        update={"hints": ["What <b>made</b> the difference?"]}
    )
    view = ReflectionView(content)
    view.on_submit(recorder)
    view.write(DESCRIBES)
    assert "What &lt;b&gt;made&lt;/b&gt; the difference?" in view.nudge.value


def test_failed_save_shows_no_prompt(view):
    """Does a failed save keep the text and offer no prompt (nothing was saved)?"""
    view.on_submit(Recorder(fail=RuntimeError("disk full")))
    view.write(DESCRIBES)
    assert "Not saved" in view.status.message
    assert view.nudge.layout.display == "none"

"""Reflections: saved on blur or Save, never per keystroke, limits stated, text kept."""

from __future__ import annotations

import pytest

from widgets.activities.reflection import ReflectionView, length_problem

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

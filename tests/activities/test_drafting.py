"""Drafting (rehearsal): write first, then compare; drafts and self-checks saved, never graded."""

from __future__ import annotations

import ipywidgets as w
import pytest

from widgets.activities import build_view
from widgets.activities.base import SaveFailed
from widgets.activities.drafting import DraftingView
from widgets.content import load_course
from widgets.content.models import DraftingActivity

from ..conftest import DATA
from .conftest import Recorder


@pytest.fixture(scope="module")
def content() -> DraftingActivity:
    activity = load_course(DATA).activity("m3-own-words")
    assert isinstance(activity, DraftingActivity)
    return activity


@pytest.fixture
def view(content) -> DraftingView:
    return DraftingView(content, sources_text=lambda keys: " / ".join(keys))


def shown(view: DraftingView) -> str:
    """All the HTML the view shows now (hidden boxes and the text boxes' own values excluded)."""
    out = []

    def walk(widget):
        if getattr(widget.layout, "display", None) == "none":
            return
        if isinstance(widget, w.HTML):
            out.append(widget.value)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(view)
    return "\n".join(out)


def test_build_view_knows_drafting(content):
    assert isinstance(build_view(content), DraftingView)


def test_nothing_to_compare_with_before_the_trainee_writes(view, content):
    """Is the expert's reply hidden until the trainee's own draft is saved (production first)?"""
    step = content.steps[0]
    assert step.model_answer not in shown(view)
    assert view.compare[step.id].layout.display == "none"


def test_saving_a_draft_shows_the_comparison_and_what_the_wording_suggests(view, content):
    """After writing a reply, are the analyser's notes, the expert reply and the self-check shown,
    and is the draft saved as free text?"""
    got = Recorder()
    view.on_submit(got)
    step = content.steps[0]
    view.write(step.id, "Have you tried a tidy-up song?")
    assert len(got.got) == 1
    sub = got.got[0]
    assert (sub.activity_type, sub.action) == ("drafting", "save")
    assert sub.items == {step.id: {"response": "Have you tried a tidy-up song?", "correct": None}}
    assert sub.score is None and sub.max_score is None  # never graded
    text = shown(view)
    assert "suggestion phrased as a question" in text
    assert step.model_answer.split()[0] in text
    assert "Advice in disguise" in text
    assert view.compare[step.id].layout.display is None
    assert view.compare[content.steps[1].id].layout.display == "none"  # only what was drafted


def test_the_trainees_words_are_escaped(view, content):
    view.on_submit(Recorder())
    view.write(content.steps[0].id, "<img src=x onerror=alert(1)> What happens?")
    text = shown(view)
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_ticking_a_criterion_saves_the_self_check(view, content):
    got = Recorder()
    view.on_submit(got)
    step = content.steps[0]
    view.write(step.id, "When does tidy-up go better?")
    view.tick(step.id, "question")
    assert got.got[-1].response["checked"] == {step.id: ["question"]}
    assert len(got.got) == 2


def test_compare_without_a_draft_says_write_first(view, content):
    got = Recorder()
    view.on_submit(got)
    assert view.submit(content.steps[0].id) is False
    assert "Write your draft first" in view.status.message
    assert got.got == []


def test_too_long_a_draft_is_refused_and_kept(view, content):
    got = Recorder()
    view.on_submit(got)
    step = content.steps[0]
    long = "What " * (content.max_chars // 4)
    view.write(step.id, long)
    assert got.got == []
    assert "Too long to save" in view.status.message
    assert view.boxes[step.id].value == long


def test_a_failed_save_keeps_the_draft_and_says_so(view, content):
    view.on_submit(Recorder(fail=SaveFailed("the database is locked")))
    step = content.steps[0]
    view.write(step.id, "What do you notice?")
    assert "Not saved: the database is locked" in view.status.message
    assert view.boxes[step.id].value == "What do you notice?"
    assert view.compare[step.id].layout.display == "none"


def test_drafts_and_ticks_come_back_on_resume(view, content):
    """Rebuilt from its last submission, are the drafts, ticks and comparisons back, without
    saving anything again?"""
    got = Recorder()
    view.on_submit(got)
    first, second = content.steps[0].id, content.steps[1].id
    view.write(first, "When does it go better?")
    view.write(second, "It's your time. What would be useful?")
    view.tick(second, "choice")
    again = DraftingView(content)
    again_got = Recorder()
    again.on_submit(again_got)
    again.restore(got.got)
    assert again.boxes[first].value == "When does it go better?"
    assert again.checks[second]["choice"].value is True
    assert again.compare[second].layout.display is None
    assert again_got.got == []

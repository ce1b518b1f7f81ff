"""Video with guided questions: the scene player's state, answers saved like reflections,
"What to notice" only after answering, resume, and the content rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import traitlets

from widgets.activities import build_view
from widgets.activities.video import ScenePlayer, VideoView, player_lines
from widgets.content import load_course

from .conftest import Recorder

MORE = Path(__file__).resolve().parents[1] / "content" / "valid_more"


@pytest.fixture(scope="module")
def content():
    return load_course(MORE).activity("more-video")


@pytest.fixture
def view(content):
    return VideoView(content, sources_text=lambda keys: " / ".join(k.upper() for k in keys))


def test_build_view_knows_video(content):
    """Does build_view make a VideoView for type 'video'?"""
    assert isinstance(build_view(content), VideoView)


def test_player_lines_resolve_speakers_and_scenes(content):
    """Does every transcript line reach the player with the speaker's name and voice?"""
    lines = player_lines(content)
    assert len(lines) == len(content.transcript) == 4
    assert lines[0] == {
        "speaker": "sam",
        "voice": 1,
        "name": "Sam",
        "role": "Teacher",
        "line": "The session on questioning was good.",
        "scene": "Conversation 1: Jo tells",
    }
    assert lines[1]["scene"] == ""
    assert lines[1]["voice"] == 0


def test_transcript_only_scene_has_no_video(view):
    """Without src, is the player a transcript with no video or captions?"""
    assert view.player.src == ""
    assert view.player.captions == ""
    assert view.player.shown == 0


def test_player_steps_shows_all_and_restarts(view):
    """Do Next line, Show all and Start again move `shown` within the transcript?"""
    player = view.player
    player.next_line()
    player.next_line()
    assert player.shown == 2
    player.show_all()
    assert player.shown == 4
    player.next_line()
    assert player.shown == 4
    player.restart()
    assert player.shown == 0


def test_player_refuses_out_of_range():
    """Is a `shown` outside the transcript refused (the browser cannot set nonsense)?"""
    player = ScenePlayer(lines=[{"line": "a"}, {"line": "b"}])
    with pytest.raises(traitlets.TraitError):
        player.shown = 3
    with pytest.raises(traitlets.TraitError):
        player.shown = -1


def test_answer_boxes_sync_on_blur_only(view):
    """Is every answer box set to sync when the learner leaves it, not per keystroke?"""
    assert view.boxes
    assert all(box.continuous_update is False for box in view.boxes.values())


def test_answer_saves_once_and_reveals_notice(view, recorder):
    """Does an answer save once, and only then show that question's note, with sources?"""
    view.on_submit(recorder)
    notice = view.notices["what-did-each-do"]
    assert notice.layout.display == "none"
    assert notice.value == ""
    view.answer("what-did-each-do", "Jo told Sam, then asked.")
    assert len(recorder.got) == 1
    sub = recorder.got[0]
    assert sub.action == "save"
    assert sub.activity_type == "video"
    assert sub.response == {
        "answers": {"what-did-each-do": "Jo told Sam, then asked."},
        "questions": 2,
    }
    assert sub.items == {
        "what-did-each-do": {"response": "Jo told Sam, then asked.", "correct": None}
    }
    assert notice.layout.display is None
    assert "hands the thinking back" in notice.value
    assert "Source: WHITMORE-1995" in notice.value
    assert "below question 1" in view.status.message
    assert view.submit() is True
    assert len(recorder.got) == 1
    assert "Already saved" in view.status.message


def test_question_without_notice_saves_without_note(view, recorder):
    """Is an answer to a question with no note saved, and no empty note shown?"""
    view.on_submit(recorder)
    view.answer("borrow", "The second opening question.")
    assert recorder.got[-1].response["answers"] == {"borrow": "The second opening question."}
    assert view.notices["borrow"].layout.display == "none"
    assert "What to notice" not in view.status.message


def test_later_answer_keeps_earlier_ones(view, recorder):
    """Does each save carry every answer so far (the latest save is the whole state)?"""
    view.on_submit(recorder)
    view.answer("what-did-each-do", "First.")
    view.answer("borrow", "Second.")
    assert recorder.got[-1].response["answers"] == {
        "what-did-each-do": "First.",
        "borrow": "Second.",
    }
    assert "2 of 2 questions" in view.status.message


def test_nothing_written_is_not_saved(view, recorder):
    """Is Save with every box empty refused with a reason?"""
    view.on_submit(recorder)
    assert view.submit() is False
    assert recorder.got == []
    assert "nothing to save" in view.status.message


def test_too_long_is_refused_and_kept(view, recorder):
    """Is an oversized answer refused with its question and the limit named, text kept?"""
    view.on_submit(recorder)
    long_text = "x" * (view.content.max_chars + 1)
    view.answer("borrow", long_text)
    assert recorder.got == []
    assert view.status.message.startswith("Question 2: Too long")
    assert "limit is 3,000" in view.status.message
    assert view.boxes["borrow"].value == long_text


def test_failed_save_keeps_answer_and_hides_note(view):
    """After a failed save, does the answer stay, the note stay hidden, and a retry work?"""
    failing = Recorder(fail=RuntimeError("disk full"))
    view.on_submit(failing)
    view.answer("what-did-each-do", "Draft")
    assert "Not saved: disk full" in view.status.message
    assert view.notices["what-did-each-do"].layout.display == "none"
    failing.fail = None
    assert view.submit() is True
    assert view.notices["what-did-each-do"].layout.display is None


def test_hostile_answer_is_stored_verbatim_and_notes_escaped(content, recorder):
    """Is markup in an answer kept as text, and are notes escaped where shown?"""
    view = VideoView(content)
    view.on_submit(recorder)
    hostile = "<script>alert(1)</script>"
    view.answer("what-did-each-do", hostile)
    assert recorder.got[0].response["answers"]["what-did-each-do"] == hostile
    assert "<script>" not in view.notices["what-did-each-do"].value


def test_restore_fills_boxes_shows_scene_and_notes_without_saving(content, view, recorder):
    """Does a rebuilt view bring back the answers, the whole transcript and the notes?"""
    view.on_submit(recorder)
    view.answer("what-did-each-do", "Saved answer")
    view.answer("borrow", "Another")
    again = VideoView(content)
    second = Recorder()
    again.on_submit(second)
    again.restore(recorder.got)
    assert again.boxes["what-did-each-do"].value == "Saved answer"
    assert again.boxes["borrow"].value == "Another"
    assert again.player.shown == len(content.transcript)
    assert again.notices["what-did-each-do"].layout.display is None
    assert second.got == []
    assert again.submit() is True
    assert second.got == []

"""The conversation simulator: stances, the ownership meter, submissions, resume, debrief."""

from __future__ import annotations

import json
from pathlib import Path

import anywidget
import pytest

from widgets.activities import build_view, simulator
from widgets.activities.base import SaveFailed
from widgets.activities.simulator import SimulatorBoard, SimulatorView, ownership_words
from widgets.content import load_course
from widgets.content.models import STANCE_WEIGHTS, SimulatorActivity

from .conftest import Recorder

MORE = Path(__file__).resolve().parents[1] / "content" / "valid_more"
EXPERT = ["better", "every-lesson", "when"]


@pytest.fixture(scope="module")
def content() -> SimulatorActivity:
    activity = load_course(MORE).activity("more-sim")
    assert isinstance(activity, SimulatorActivity)
    return activity


@pytest.fixture
def view(content) -> SimulatorView:
    return SimulatorView(content, sources_text=lambda keys: "; ".join(f"Cited {k}" for k in keys))


def walk(target, *option_ids: str) -> None:
    for option_id in option_ids:
        target.choose(option_id)
        target.go_on()


def test_meter_moves_by_stance_weights_and_clamps(content, view):
    """Does each reply move ownership by its stance's weight, clamped to 0..100?"""
    assert view.board.state["meter"]["value"] == 50
    walk(view, "seating")  # leading
    assert view.ownership == 50 + STANCE_WEIGHTS["leading"]
    walk(view, "notice", "every-lesson", "when")  # hands back, then two open questions
    w = STANCE_WEIGHTS
    assert view.ownership_after(view.logic.path) == [
        50,
        50 + w["leading"],
        50 + w["leading"] + w["hands_back"],
        50 + w["leading"] + w["hands_back"] + w["open_question"],
        50 + w["leading"] + w["hands_back"] + 2 * w["open_question"],
    ]
    heavy = content.model_copy(update={"weights": {"hands_back": 50}, "ownership_start": 80})
    other = SimulatorView(heavy)
    walk(other, "better")
    assert other.ownership == 100


def test_meter_is_said_in_words():
    """Has every meter value a sentence, so its meaning never rests on colour?"""
    assert ownership_words(90) == "the teacher is doing most of the thinking"
    assert ownership_words(50) == "the thinking is shared"
    assert ownership_words(10) == "you are doing most of the thinking"


def test_reply_feedback_names_stance_expert_and_meter(view):
    """After a reply, are the stance, expert flag, meter change and reason shown and said?"""
    view.board.request("choose", option="better")
    state = view.board.state
    fb = state["feedback"]
    assert (fb["stance"], fb["stance_label"], fb["expert"], fb["delta"]) == (
        "hands_back",
        "Hands back",
        True,
        20,
    )
    assert fb["sources_text"] == "Source: Cited whitmore-1995"
    assert state["meter"] == {
        "value": 70,
        "text": "Ownership 70 of 100: the teacher is doing most of the thinking.",
    }
    assert view.board.status["text"].startswith(
        "Hands back. The expert reply. Ownership +20, now 70 of 100."
    )
    view.board.request("continue")
    assert view.board.status["text"] == (
        "Amira (early-career teacher, Year 9) says: \u201cOn Tuesday it went better. I was at "
        "the door and they had something to do straight away.\u201d"
    )
    assert [line["who"] for line in view.board.state["transcript"]] == ["teacher", "you"]
    assert view.board.state["transcript"][1]["stance_label"] == "Hands back"


def test_every_reply_is_recorded_with_stances(view, recorder):
    """Is each reply a Submission with its item; the last 'complete' with stances and score?"""
    view.on_submit(recorder)
    walk(view, "seating", "notice", "disorganised")
    assert [s.action for s in recorder.got] == ["choice", "choice", "complete"]
    assert recorder.got[0].items == {"settle": {"response": "seating", "correct": False}}
    assert recorder.got[1].items == {"seating-plan": {"response": "notice", "correct": True}}
    last = recorder.got[-1]
    assert last.response["stances"] == ["leading", "hands_back", "judges"]
    assert last.response["ownership"] == 40
    assert (last.score, last.max_score) == (1.0, 3.0)
    assert last.completes and last.activity_type == "simulator"
    json.dumps(last.response)


def test_debrief_compares_with_the_expert_and_shows_the_stance_mix(view):
    """At the end, are the replies set beside the expert's, with the stance mix as text?"""
    walk(view, "seating", "notice", "so-when", "good-luck")
    state = view.board.state
    assert state["phase"] == "ended" and state["ending"]["id"] == "reassured"
    d = state["debrief"]
    assert [r["same"] for r in d["rows"]] == [False, True, False, False]
    assert d["rows"][0]["expert"].startswith("Think about a lesson")
    assert d["rows"][0]["expert_stance"] == "Hands back"
    assert d["mix_text"] == (
        "Hands back: 1 of 4 (25%); Paraphrase: 1 of 4 (25%); Leading question: 1 of 4 (25%); "
        "Rescues: 1 of 4 (25%)"
    )
    assert [m["percent"] for m in d["mix"]] == [25, 25, 25, 25]
    assert [s["reply"][:5] for s in d["expert_path"]] == ["Think", "What ", "When "]
    assert d["expert_ending"] == "Amira owns her plan"
    assert (d["ownership"], d["expert_ownership"]) == (60, 90)
    assert d["summary"].startswith("You gave the expert's reply 1 of 4 times.")
    assert d["on_expert_path"] is False


def test_expert_path_all_the_way(view):
    """Does the expert path end with the teacher owning the thinking, and say so?"""
    walk(view, *EXPERT)
    d = view.board.state["debrief"]
    assert d["on_expert_path"] is True
    assert d["mix_text"] == "Hands back: 1 of 3 (33%); Open question: 2 of 3 (67%)"


def test_failed_save_keeps_the_reply(view):
    """When the store fails, is the reply kept, counted as unsaved and saved on Save again?"""
    broken = Recorder(fail=SaveFailed("offline"))
    view.on_submit(broken)
    assert view.choose("better") is False
    assert view.board.state["chosen"] == "better" and view.board.state["unsaved"] == 1
    assert view.status.message.startswith("Not saved: offline")
    view.on_submit(broken, remove=True)
    recorder = Recorder()
    view.on_submit(recorder)
    assert view.submit() is True
    assert [s.items for s in recorder.got] == [{"settle": {"response": "better", "correct": True}}]


def test_restore_mid_conversation_keeps_meter_and_transcript(content, view, recorder):
    """Does a new view resume at the teacher's next line with the meter and transcript?"""
    view.on_submit(recorder)
    walk(view, "seating")
    view.choose("notice")
    again = SimulatorView(content)
    again.restore(recorder.got)
    state = again.board.state
    assert (state["phase"], state["node"]["id"]) == ("choosing", "better-lesson")
    assert state["meter"]["value"] == 60
    assert len(state["transcript"]) == 4
    assert again.board.status["text"].startswith("Welcome back")


def test_board_and_registry(content):
    """Does build_view make the simulator, and does its board ship JS and CSS with help texts?"""
    view = build_view(content)
    assert isinstance(view, SimulatorView)
    assert "course-activity-simulator" in view._dom_classes
    static = Path(simulator.__file__).parent / "static"
    assert (static / "simulator.js").is_file() and (static / "simulator.css").is_file()
    board = SimulatorBoard()
    assert "export default" in board._esm and ".sim-board" in board._css
    own = set(board.keys) - set(anywidget.AnyWidget().keys) - {"_css"}
    assert own == {"label", "state", "status"}
    for name in own:
        assert SimulatorBoard.class_traits()[name].help, name
    state = view.board.state
    assert "stance" not in json.dumps(state["node"]) and "expert" not in json.dumps(state["node"])


# -- rehearsal: the trainee's own words before the options --------------------------------


@pytest.fixture
def rehearsing(content) -> SimulatorView:
    return SimulatorView(content.model_copy(update={"rehearse": True}))


def test_rehearsal_hides_the_replies_until_the_trainee_has_written(rehearsing):
    """With rehearse on, are there no options to pick until the trainee's own reply is in, and
    is choosing refused meanwhile?"""
    state = rehearsing.board.state
    assert state["draft_needed"] is True and state["node"]["options"] == []
    rehearsing.board.request("choose", option="better")
    assert rehearsing.logic.phase == "choosing" and rehearsing.logic.path == []
    assert "Write your own reply first" in rehearsing.board.status["text"]


def test_own_reply_is_saved_analysed_and_shown_beside_the_expert(rehearsing):
    got = Recorder()
    rehearsing.on_submit(got)
    rehearsing.board.request("draft", text="Have you tried a seating plan?")
    sub = got.got[-1]
    assert (sub.action, sub.response["node"], sub.response["text"]) == (
        "draft",
        rehearsing.content.start,
        "Have you tried a seating plan?",
    )
    assert "disguised_advice" in sub.response["noticed"]
    state = rehearsing.board.state
    assert state["draft_needed"] is False and len(state["node"]["options"]) == 4
    assert any("suggestion phrased as a question" in n for n in state["own"]["notes"])
    rehearsing.board.request("choose", option="seating")
    fb = rehearsing.board.state["feedback"]
    assert fb["expert_text"].startswith("Think about a lesson")
    assert rehearsing.board.state["own"]["text"] == "Have you tried a seating plan?"
    assert not any(s.action == "draft" and s.completes for s in got.got)


def test_an_empty_or_overlong_reply_is_refused_with_a_reason(rehearsing):
    got = Recorder()
    rehearsing.on_submit(got)
    rehearsing.board.request("draft", text="   ")
    assert "Write what you would say first" in rehearsing.board.status["text"]
    rehearsing.board.request("draft", text="What? " * 400)
    assert "Too long" in rehearsing.board.status["text"]
    assert rehearsing.board.status["tone"] == "error"
    assert got.got == [] and rehearsing.board.state["draft_needed"] is True


def test_own_words_come_back_on_resume_and_in_the_debrief(content, rehearsing):
    got = Recorder()
    rehearsing.on_submit(got)
    for option in EXPERT:
        rehearsing.draft(f"My own reply before {option}?")
        rehearsing.choose(option)
        rehearsing.go_on()
    rows = rehearsing.board.state["debrief"]["rows"]
    assert [r["own"] for r in rows] == [f"My own reply before {o}?" for o in EXPERT]
    again = SimulatorView(content.model_copy(update={"rehearse": True}))
    again.restore(got.got)
    assert again.logic.phase == "ended"
    assert [r["own"] for r in again.board.state["debrief"]["rows"]] == [r["own"] for r in rows]


def test_a_simulator_without_rehearsal_refuses_a_draft(view):
    view.board.request("draft", text="What happened?")
    assert "no step for writing" in view.board.status["text"]

"""The scenario activity: the walk through the graph, per-decision submissions, resume, debrief."""

from __future__ import annotations

import json
from pathlib import Path

import anywidget
import pytest

from widgets.activities import COMPLETING_ACTIONS, build_view, scenario
from widgets.activities.base import SaveFailed, Submission
from widgets.activities.branching import BranchingError, BranchingLogic
from widgets.activities.scenario import ScenarioBoard, ScenarioView
from widgets.content import load_course
from widgets.content.models import ScenarioActivity

from .conftest import Recorder

MORE = Path(__file__).resolve().parents[1] / "content" / "valid_more"
BEST = [
    ("first-meeting", "contract"),
    ("tell-me", "explore-then-offer"),
    ("observation", "one-focus"),
]


@pytest.fixture(scope="module")
def content() -> ScenarioActivity:
    activity = load_course(MORE).activity("more-case")
    assert isinstance(activity, ScenarioActivity)
    return activity


@pytest.fixture
def logic(content) -> BranchingLogic:
    return BranchingLogic(content, ScenarioView.preferred)


def cite(keys: list[str]) -> str:
    return "; ".join(f"Cited {k}" for k in keys)


@pytest.fixture
def view(content) -> ScenarioView:
    return ScenarioView(content, sources_text=cite)


def walk(target, *option_ids: str) -> None:
    """Choose each option and continue, as a learner would."""
    for option_id in option_ids:
        target.choose(option_id)
        target.go_on()


# -- logic ---------------------------------------------------------------------------


def test_walk_choose_feedback_continue_ending(logic):
    """Does a choice show its feedback first, then Continue move on, to an ending?"""
    assert (logic.current, logic.phase) == ("first-meeting", "choosing")
    option = logic.choose("tips")
    assert option.quality == "poor"
    assert logic.phase == "feedback"
    assert logic.go_on() == "tell-me"
    assert logic.phase == "choosing"
    walk(logic, "refuse")
    assert logic.phase == "ended"
    assert logic.ended_at.id == "stuck"
    assert logic.path == [("first-meeting", "tips"), ("tell-me", "refuse")]


def test_out_of_turn_requests_are_refused(logic):
    """Are Continue before a choice, two choices in a row and unknown options refused?"""
    with pytest.raises(BranchingError, match="Choose an option first"):
        logic.go_on()
    with pytest.raises(BranchingError, match="no option 'nope'"):
        logic.choose("nope")
    with pytest.raises(BranchingError, match="no option 'refuse' in situation 'first-meeting'"):
        logic.choose("refuse")  # an option of another situation
    logic.choose("tips")
    with pytest.raises(BranchingError, match="already chosen"):
        logic.choose("contract")
    assert logic.path == [("first-meeting", "tips")]


def test_best_path_follows_the_first_best_option(logic):
    """Is the best path the first 'best' option at every situation, to its ending?"""
    assert logic.preferred_path() == (BEST, "growing")


def test_restart_begins_a_new_run(logic):
    """Does Start again go back to the first situation with the run counted?"""
    walk(logic, "tips", "refuse")
    logic.restart()
    assert (logic.run, logic.path, logic.current, logic.phase) == (
        2,
        [],
        "first-meeting",
        "choosing",
    )
    with pytest.raises(BranchingError, match="Choose an option first"):
        logic.go_on()


def test_response_round_trip_mid_way_and_at_the_end(content, logic):
    """Does a saved path resume after the last decision: mid-way, or at its ending?"""
    logic.choose("contract")
    again = BranchingLogic(content, ScenarioView.preferred)
    again.load_response(json.loads(json.dumps(logic.to_response())))
    assert (again.path, again.current, again.phase) == (
        [("first-meeting", "contract")],
        "tell-me",
        "choosing",
    )
    logic.go_on()
    walk(logic, "full-plan")
    again.load_response(logic.to_response())
    assert (again.phase, again.ended_at.id) == ("ended", "dependent")


def test_resume_stops_where_the_content_no_longer_fits(logic):
    """If the content changed, does the replay keep the decisions that still fit?"""
    logic.load_response(
        {"run": 3, "path": [{"node": "first-meeting", "option": "contract"}, {"node": "gone"}]}
    )
    assert (logic.run, logic.path, logic.current) == (3, [("first-meeting", "contract")], "tell-me")
    logic.load_response({"path": [{"node": "first-meeting", "option": "vanished"}], "run": "x"})
    assert (logic.run, logic.path, logic.current) == (1, [], "first-meeting")
    with pytest.raises(TypeError, match="must be a mapping"):
        logic.load_response(["junk"])
    with pytest.raises(TypeError, match="must be a list"):
        logic.load_response({"path": "junk"})


# -- board ---------------------------------------------------------------------------


def test_board_ships_its_front_end_and_documents_its_traits():
    """Are the ESM and CSS in the package, and has each synced trait a help text?"""
    static = Path(scenario.__file__).parent / "static"
    assert (static / "scenario.js").is_file() and (static / "scenario.css").is_file()
    board = ScenarioBoard()
    assert "export default" in board._esm and ".scenario-board" in board._css
    own = set(board.keys) - set(anywidget.AnyWidget().keys) - {"_css"}
    assert own == {"label", "state", "status"}
    for name in own:
        assert ScenarioBoard.class_traits()[name].help, name


def test_board_passes_well_formed_requests_only():
    """Do well-formed requests reach the callbacks and malformed ones not?"""
    board = ScenarioBoard()
    got = []
    board.on_request(lambda b, request: got.append(request))
    board.request("choose", option="a")
    board.request("continue", junk=1)
    for junk in ({"action": "choose"}, {"action": "choose", "option": 3}, {"action": "x"}, "x"):
        board._handle_board_msg(board, junk, [])
    assert got == [{"action": "choose", "option": "a"}, {"action": "continue"}]


# -- view ----------------------------------------------------------------------------


def test_build_view_and_first_situation(content):
    """Does the registry build a ScenarioView showing the first situation and its options?"""
    view = build_view(content, seed=1)
    assert isinstance(view, ScenarioView)
    state = view.board.state
    assert state["phase"] == "choosing" and state["decision"] == 1
    assert state["node"]["id"] == "first-meeting"
    assert state["node"]["title"] == "Decision 1: the first meeting"
    assert [o["id"] for o in state["node"]["options"]] == ["tips", "contract", "all-secret"]
    assert "quality" not in json.dumps(state["node"])  # no answers before choosing
    assert state["path"] == []
    assert "course-activity-scenario" in view._dom_classes


def test_choice_shows_quality_in_words_and_is_announced(view):
    """After choosing, are the quality (in words), the why and the sources shown and said?"""
    view.board.request("choose", option="tips")
    state = view.board.state
    assert state["phase"] == "feedback" and state["chosen"] == "tips"
    assert state["feedback"]["quality_label"] == "Poor choice"
    assert state["feedback"]["why"].startswith("Tips before an agreement")
    assert state["feedback"]["sources_text"] == "Source: Cited clutterbuck-1991"
    assert state["leads_to_ending"] is False
    assert view.board.status["text"].startswith("Poor choice. Tips before an agreement")


def test_each_decision_emits_a_submission_with_its_item(view, recorder):
    """Is every decision recorded: 'choice' mid-way, 'complete' (scored) at the ending?"""
    view.on_submit(recorder)
    walk(view, "tips", "explore-then-offer", "everything")
    assert [s.action for s in recorder.got] == ["choice", "choice", "complete"]
    first, _, last = recorder.got
    assert first.items == {"first-meeting": {"response": "tips", "correct": False}}
    assert last.items == {"observation": {"response": "everything", "correct": False}}
    assert (first.score, first.max_score) == (None, None)
    assert (last.score, last.max_score, last.attempt) == (1.0, 3.0, 1)
    assert [p["option"] for p in last.response["path"]] == [
        "tips",
        "explore-then-offer",
        "everything",
    ]
    assert "complete" in COMPLETING_ACTIONS and last.completes and not first.completes
    assert all(s.activity_type == "scenario" for s in recorder.got)
    json.dumps(last.response), json.dumps(last.items)


def test_path_so_far_and_debrief_compare_with_the_best_path(view):
    """Does the page list the path so far and, at the end, set it beside the best path?"""
    walk(view, "tips", "explore-then-offer")
    state = view.board.state
    assert [s["option"] for s in state["path"]] == [
        "Start straight on behaviour tips.",
        (
            "Explore what happens in practicals and what already works, then offer one or two "
            "ideas with permission."
        ),
    ]
    assert [s["quality_label"] for s in state["path"]] == ["Poor choice", "Best choice"]
    view.choose("grading")
    assert view.board.state["leads_to_ending"] is True
    view.board.request("continue")
    state = view.board.state
    assert state["phase"] == "ended"
    assert state["ending"]["title"] == "The mentoring feels like inspection"
    debrief = state["debrief"]
    assert debrief["summary"] == "You made the best choice at 1 of 3 decisions."
    assert [r["same"] for r in debrief["rows"]] == [False, True, False]
    assert debrief["rows"][0]["best"].startswith("Agree how they will work together")
    assert (
        debrief["rows"][0]["sources_text"] == "Sources: Cited clutterbuck-1991; Cited whitmore-1995"
    )
    assert [s["option"][:5] for s in debrief["best_path"]] == ["Agree", "Explo", "Agree"]
    assert debrief["best_ending"] == "Amira grows in confidence"
    assert view.board.status["text"].startswith("The end: The mentoring feels like inspection.")


def test_best_path_all_the_way_is_said(view):
    """Does following the best path say so?"""
    walk(view, *[o for _, o in BEST])
    debrief = view.board.state["debrief"]
    assert debrief["on_best_path"] is True
    assert debrief["summary"].endswith("You followed the best path all the way.")


def test_bad_request_becomes_a_message(view):
    """Does an out-of-turn or unknown request leave the state alone and say why?"""
    view.board.request("continue")
    assert view.board.status["tone"] == "error"
    assert "Choose an option first" in view.board.status["text"]
    view.board.request("choose", option="nope")
    assert "no option 'nope'" in view.board.status["text"]
    assert view.board.state["phase"] == "choosing"


def test_failed_save_keeps_the_choice_and_saves_it_later(view):
    """When the store fails, is the choice kept, 'Save again' offered, and nothing lost later?"""
    broken = Recorder(fail=SaveFailed("database is locked"))
    view.on_submit(broken)
    assert view.choose("contract") is False
    assert view.board.state["phase"] == "feedback" and view.board.state["chosen"] == "contract"
    assert view.board.state["unsaved"] == 1
    assert view.status.message.startswith("Not saved: database is locked")
    view.go_on()
    assert view.choose("full-plan") is False
    assert view.board.state["unsaved"] == 2
    view.on_submit(broken, remove=True)
    recorder = Recorder()
    view.on_submit(recorder)
    view.board.request("save")
    assert [s.action for s in recorder.got] == ["choice", "complete"]
    assert list(recorder.got[0].items) == ["first-meeting"]
    assert view.board.state["unsaved"] == 0
    assert view.status.message == "Saved."


def test_restore_mid_scenario_and_at_the_ending(content, view, recorder):
    """Does a new view resume after the last decision, mid-way or at the ending?"""
    view.on_submit(recorder)
    view.choose("contract")
    other = Submission("another", "choice", "check", {"answers": {}})
    again = ScenarioView(content)
    again.restore([other, *recorder.got])
    state = again.board.state
    assert (state["phase"], state["node"]["id"], state["decision"]) == ("choosing", "tell-me", 2)
    assert [s["node"] for s in state["path"]] == ["first-meeting"]
    assert again.board.status["text"].startswith("Welcome back")
    view.go_on()
    walk(view, "refuse")
    again = ScenarioView(content)
    again.restore(recorder.got)
    assert again.board.state["phase"] == "ended"
    assert again.board.state["ending"]["id"] == "stuck"


def test_restart_after_the_ending_counts_the_run(view, recorder):
    """After Start again, do the new run's decisions carry the next attempt number?"""
    view.on_submit(recorder)
    walk(view, "tips", "refuse")
    view.board.request("restart")
    assert view.board.state["phase"] == "choosing" and view.board.state["path"] == []
    assert view.board.status["text"] == "Starting again. Decision 1: the first meeting."
    view.choose("contract")
    assert [s.attempt for s in recorder.got] == [1, 1, 2]
    assert recorder.got[-1].response["run"] == 2


def test_restore_with_nothing_is_a_fresh_start(view):
    """Does restoring from no submissions leave the first situation and a quiet status?"""
    view.restore([])
    assert view.board.state["node"]["id"] == "first-meeting"
    assert view.board.status == {}

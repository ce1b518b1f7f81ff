"""The ordering activity: scoring, moves, resume, the board's protocol and the view's submissions."""

from __future__ import annotations

import json
from pathlib import Path

import anywidget
import pytest

from widgets.activities import build_view, ordering
from widgets.activities.base import SaveFailed, Submission
from widgets.activities.ordering import (
    OrderBoard,
    OrderingError,
    OrderingLogic,
    OrderingView,
    in_order_steps,
)
from widgets.content import load_course
from widgets.content.models import OrderingActivity

from .conftest import Recorder

MORE = Path(__file__).resolve().parents[1] / "content" / "valid_more"
ANSWER = ("g1", "g2", "r1", "o1", "w1")


@pytest.fixture(scope="module")
def content() -> OrderingActivity:
    activity = load_course(MORE).activity("more-order")
    assert isinstance(activity, OrderingActivity)
    return activity


@pytest.fixture
def logic(content) -> OrderingLogic:
    return OrderingLogic.from_content(content, seed=7)


def cite(keys: list[str]) -> str:
    return "; ".join(f"Cited {k}" for k in keys)


@pytest.fixture
def view(content) -> OrderingView:
    return OrderingView(content, seed="learner-1", sources_text=cite)


def put(target, order) -> None:
    """Move steps (on a logic or a view) until they stand in ``order``."""
    for n, item_id in enumerate(order, start=1):
        target.move(item_id, n)


# -- scoring ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "in_order"),
    [
        (ANSWER, set(ANSWER)),
        (("w1", "g1", "g2", "r1", "o1"), {"g1", "g2", "r1", "o1"}),  # one step moved: 4 of 5
        (("g2", "g1", "r1", "o1", "w1"), {"g2", "r1", "o1", "w1"}),  # a swap: the earlier stays
        (("w1", "o1", "r1", "g2", "g1"), {"r1"}),  # reversed: the one at its exact place
    ],
)
def test_score_is_the_longest_correctly_ordered_run(order, in_order):
    """Is the score the longest subsequence already in the right order, with stable ties?"""
    assert in_order_steps(order, ANSWER) == in_order
    assert in_order_steps(order, ANSWER) == in_order_steps(list(order), list(ANSWER))


def test_one_step_moved_costs_one_point(logic):
    """Does moving one step to the wrong end cost one point, not every step it pushed along?"""
    put(logic, ("w1", "g1", "g2", "r1", "o1"))
    result = logic.check()
    assert (result.score, result.max_score, result.exact) == (4, 5, 0)
    assert result.steps["w1"].in_order is False
    assert result.steps["w1"].answer_position == 5
    assert result.steps["w1"].position == 1
    assert result.steps["w1"].explanation.startswith("Will turns")
    assert result.steps["w1"].sources == ("whitmore-1995", "clutterbuck-1991")


# -- order per seed -------------------------------------------------------------------


def test_start_order_is_stable_per_seed_and_never_the_answer(content):
    """Does a seed always give the same start, different seeds different ones, never solved?"""
    starts = [OrderingLogic.from_content(content, seed=n).start for n in range(40)]
    assert OrderingLogic.from_content(content, seed=3).start == starts[3]
    assert len(set(starts)) > 1
    assert ANSWER not in starts
    assert all(sorted(s) == sorted(ANSWER) for s in starts)


def test_two_steps_always_start_swapped(content):
    """With only two steps, is the start always the wrong way round?"""
    two = content.model_copy(update={"items": content.items[:2]})
    for seed in range(10):
        assert OrderingLogic.from_content(two, seed=seed).start == ("g2", "g1")


def test_unshuffled_content_gives_everyone_the_same_start(content):
    """With ``shuffle: false`` does every learner start from the same (scrambled) order?"""
    fixed = content.model_copy(update={"shuffle": False})
    starts = {OrderingLogic.from_content(fixed, seed=n).start for n in range(5)}
    assert len(starts) == 1 and ANSWER not in starts


# -- moves ----------------------------------------------------------------------------


def test_move_puts_the_step_at_the_position_and_clamps(logic):
    """Does move() put a step at a 1-based position, clamping beyond the ends?"""
    assert logic.move("g1", 3) == 3
    assert logic.order[2] == "g1"
    assert logic.move("g1", 99) == 5 and logic.order[-1] == "g1"
    assert logic.move("g1", -4) == 1 and logic.order[0] == "g1"


def test_unknown_step_is_refused(logic):
    """Does an unknown step raise a ValueError that names it and change nothing?"""
    before = logic.order
    with pytest.raises(ValueError, match="no step 'nope'"):
        logic.move("nope", 1)
    assert logic.order == before


def test_moving_after_check_clears_feedback(logic):
    """After Check, does a move clear the marks (they are relative to the whole order)?"""
    logic.check()
    logic.move(logic.order[0], 2)
    assert (logic.mode, logic.feedback) == ("ordering", {})


def test_solution_then_start_again(logic):
    """Does Show solution put the answer up, remember the learner's order, and Start again reset?"""
    logic.move("g1", 1)
    own = logic.order
    logic.show_solution()
    assert logic.order == ANSWER and logic.mode == "solution"
    assert logic.to_response()["order"] == list(own)
    assert logic.feedback["g1"].position == 1
    with pytest.raises(OrderingError, match="solution is showing"):
        logic.move("g1", 2)
    with pytest.raises(OrderingError, match="solution is showing"):
        logic.check()
    logic.retry()
    assert (logic.order, logic.mode) == (logic.start, "ordering")


@pytest.mark.parametrize("mode", ["ordering", "checked", "solution"])
def test_response_round_trip(content, mode):
    """Does a JSON round trip of the response restore the start, order, mode and marks?"""
    logic = OrderingLogic.from_content(content, seed=1)
    logic.move("w1", 1)
    if mode == "checked":
        logic.check()
    elif mode == "solution":
        logic.show_solution()
    again = OrderingLogic.from_content(content, seed=99)
    again.load_response(json.loads(json.dumps(logic.to_response())))
    assert (again.start, again.order, again.mode) == (logic.start, logic.order, mode)
    assert {k: r.in_order for k, r in again.feedback.items()} == {
        k: r.in_order for k, r in logic.feedback.items()
    }


def test_resume_with_changed_steps_starts_afresh(logic):
    """If the steps changed since saving, does the learner start from this seed's order?"""
    logic.load_response({"order": ["g1", "gone"], "start": ["gone"], "mode": "checked"})
    assert (logic.order, logic.mode) == (logic.start, "ordering")


@pytest.mark.parametrize(
    ("response", "match"),
    [(["a"], "must be a mapping"), ({"mode": "dancing"}, "unknown ordering mode")],
)
def test_corrupt_response_is_refused(logic, response, match):
    """Is a response that is not ours refused with a clear error?"""
    with pytest.raises((TypeError, ValueError), match=match):
        logic.load_response(response)


# -- board ---------------------------------------------------------------------------


def test_board_ships_its_front_end_and_documents_its_traits():
    """Are the ESM and CSS inside the package, and has each synced trait a help text?"""
    static = Path(ordering.__file__).parent / "static"
    assert (static / "ordering.js").is_file() and (static / "ordering.css").is_file()
    board = OrderBoard()
    assert "export default" in board._esm and ".order-board" in board._css
    own = set(board.keys) - set(anywidget.AnyWidget().keys) - {"_css"}
    assert own == {"label", "items", "order", "feedback", "mode", "reveal_answers", "status"}
    for name in own:
        assert OrderBoard.class_traits()[name].help, name


def test_board_passes_well_formed_requests_only():
    """Do well-formed requests reach the callbacks and malformed ones not?"""
    board = OrderBoard()
    got = []
    board.on_request(lambda b, request: got.append(request))
    board.request("move", item="a", by=-1)
    board.request("move", item="a", to=3)
    board.request("check", extra="ignored")
    for junk in (
        {"action": "move", "item": "a"},
        {"action": "move", "item": "a", "by": True},
        {"action": "move", "item": 4, "by": 1},
        {"action": "explode"},
        "junk",
    ):
        board._handle_board_msg(board, junk, [])
    assert got == [
        {"action": "move", "item": "a", "by": -1},
        {"action": "move", "item": "a", "to": 3},
        {"action": "check"},
    ]


# -- view ----------------------------------------------------------------------------


def test_build_view_makes_an_ordering_view(content):
    """Does the registry build this type's view with the learner's seed?"""
    view = build_view(content, seed=5)
    assert isinstance(view, OrderingView)
    assert view.board.order == list(OrderingLogic.from_content(content, 5).start)
    assert "course-activity-ordering" in view._dom_classes


def test_keyboard_move_is_announced_with_the_position(view):
    """Does Alt+Down (a "by" request) move the step and announce 'Moved X to position n of N'?"""
    first = view.logic.order[0]
    view.board.request("move", item=first, by=1)
    assert view.board.order[1] == first
    text = view.logic.item(first).text
    assert view.board.status["text"] == f"Moved '{text[:47].rstrip()}…' to position 2 of 5." or (
        view.board.status["text"] == f"Moved '{text}' to position 2 of 5."
    )
    view.board.request("move", item=first, to=1)
    view.board.request("move", item=first, by=-1)
    assert view.board.status["text"].endswith("is already at the top: position 1 of 5.")


def test_bad_request_becomes_a_message(view):
    """Does a move of an unknown step leave the order alone and say why?"""
    before = list(view.board.order)
    view.board.request("move", item="nope", by=1)
    assert view.board.order == before
    assert view.board.status["tone"] == "error"
    assert "no step 'nope'" in view.board.status["text"]


def test_check_emits_a_scored_submission_with_items(view, recorder):
    """Does Check emit one 'check' Submission with the order, per-step results and score?"""
    view.on_submit(recorder)
    put(view, ("w1", "g1", "g2", "r1", "o1"))
    assert view.submit() is True
    (sub,) = recorder.got
    assert (sub.activity_id, sub.activity_type, sub.action) == ("more-order", "ordering", "check")
    assert (sub.score, sub.max_score, sub.attempt) == (4, 5, 1)
    assert sub.response["order"] == ["w1", "g1", "g2", "r1", "o1"]
    assert sub.items["w1"] == {"response": 1, "correct": False}
    assert sub.items["g1"] == {"response": 2, "correct": True}
    json.dumps(sub.response), json.dumps(sub.items)
    assert sub.completes
    assert view.status.message == "Saved."
    assert view.board.status["text"].startswith("4 of 5 steps in order.")


def test_feedback_explains_each_step_with_sources(view):
    """After Check, has every step a verdict, its explanation and its cited sources?"""
    put(view, ("w1", "g1", "g2", "r1", "o1"))
    view.check()
    fb = view.board.feedback
    assert set(fb) == set(ANSWER)
    assert fb["w1"]["in_order"] is False
    assert fb["w1"]["verdict"] == (
        "Out of order: this is step 5 of 5, after 'What could you try?'."
    )
    assert fb["g1"]["verdict"] == "In order."
    assert fb["w1"]["sources_text"] == "Sources: Cited whitmore-1995; Cited clutterbuck-1991"
    assert fb["g1"]["sources_text"] == "Source: Cited whitmore-1995"
    assert view.board.mode == "checked"


def test_failed_save_keeps_order_and_feedback(view):
    """When the store fails, are the order and feedback kept and 'not saved' said plainly?"""
    broken = Recorder(fail=SaveFailed("database is locked"))
    view.on_submit(broken)
    view.move("g1", 1)
    before = list(view.board.order)
    assert view.check() is False
    assert view.board.order == before == list(view.logic.order)
    assert len(view.board.feedback) == 5
    assert view.status.message.startswith("Not saved: database is locked")
    view.on_submit(broken, remove=True)
    recorder = Recorder()
    view.on_submit(recorder)
    view.check()
    assert recorder.got[-1].attempt == 1  # the failed save was not counted


def test_retry_and_solution_from_the_browser(view, recorder):
    """Do Try again, Show solution and Start again requests do what their buttons say?"""
    view.on_submit(recorder)
    view.board.request("check")
    view.board.request("retry")
    assert (view.board.mode, view.board.feedback) == ("ordering", {})
    own = list(view.board.order)
    view.board.request("solution")
    assert view.board.order == list(ANSWER) and view.board.mode == "solution"
    assert recorder.got[-1].action == "solution" and recorder.got[-1].score is None
    assert recorder.got[-1].response["order"] == own
    assert view.board.feedback["g1"]["verdict"].startswith("Step 1 of 5.")
    view.board.request("move", item="g1", by=1)
    assert "solution is showing" in view.board.status["text"]
    view.board.request("retry")
    assert view.board.order == list(view.logic.start)


def test_restore_rebuilds_the_last_check(content, view, recorder):
    """Does a new view restored from submissions show the last order, marks and attempt count?"""
    view.on_submit(recorder)
    view.check()
    put(view, ("g2", "g1", "r1", "o1", "w1"))
    view.check()
    other = Submission("another", "choice", "check", {"answers": {}})
    again = OrderingView(content, seed="learner-1")
    again.restore([other, *recorder.got])
    assert again.board.order == ["g2", "g1", "r1", "o1", "w1"]
    assert again.board.mode == "checked"
    assert again.board.feedback["g1"]["in_order"] is False
    assert again.board.status["text"] == "Your last order is back, as you left it."
    rec = Recorder()
    again.on_submit(rec)
    again.check()
    assert rec.got[0].attempt == 3


def test_restore_after_solution_and_from_nothing(content, view, recorder):
    """Is a revealed solution restored as such, and no submissions a fresh, quiet board?"""
    view.on_submit(recorder)
    view.show_solution()
    again = OrderingView(content, seed="learner-1")
    again.restore(recorder.got)
    assert (again.board.mode, again.board.order) == ("solution", list(ANSWER))
    fresh = OrderingView(content, seed="learner-1")
    fresh.restore([])
    assert (fresh.board.mode, fresh.board.status) == ("ordering", {})
    assert fresh.board.order == list(fresh.logic.start)


# -- answers hidden by a facilitator, then revealed -------------------------------------

SUBMITTED = "Submitted. Your facilitator will reveal the answers."
HIDDEN = "The answers are hidden until your facilitator reveals them."
ONE_MOVED = ("w1", "g1", "g2", "r1", "o1")  # 4 of 5 in order


@pytest.fixture
def hidden(content) -> OrderingView:
    return OrderingView(content, seed="learner-1", sources_text=cite, reveal_answers=False)


def test_ordering_supports_hidden_answers(view):
    """Does the page runtime find the ordering view among those it can hide answers on?"""
    assert OrderingView.supports_hidden_answers is True
    assert view.reveal_answers is True and view.board.reveal_answers is True


def test_hidden_answers_record_without_feedback(hidden, recorder):
    """With answers hidden, is the check saved with its marks but shown only as 'Submitted'?"""
    hidden.on_submit(recorder)
    assert hidden.board.reveal_answers is False  # the page's button says Submit
    put(hidden, ONE_MOVED)
    hidden.board.request("check")
    (sub,) = recorder.got
    assert (sub.action, sub.score, sub.max_score) == ("check", 4, 5)
    assert sub.items["w1"] == {"response": 1, "correct": False}  # the facilitator sees it
    assert hidden.board.feedback == {}
    assert hidden.board.status["text"] == SUBMITTED
    assert "in order" not in hidden.board.status["text"]


def test_hidden_answers_refuse_the_solution(hidden, recorder):
    """With answers hidden, is Show solution refused with a plain message and nothing emitted?"""
    hidden.on_submit(recorder)
    before = list(hidden.board.order)
    with pytest.raises(OrderingError, match="hidden until your facilitator"):
        hidden.show_solution()
    hidden.board.request("solution")
    assert hidden.board.status["tone"] == "error"
    assert "hidden until your facilitator reveals them" in hidden.board.status["text"]
    assert hidden.board.order == before and hidden.board.mode == "ordering"
    assert recorder.got == []


def test_revealing_shows_the_latest_submission(hidden, recorder):
    """When the facilitator reveals, do the marks of the last submitted order appear?"""
    hidden.on_submit(recorder)
    hidden.check()
    put(hidden, ONE_MOVED)
    hidden.check()
    hidden.reveal_answers = True
    assert hidden.board.reveal_answers is True
    assert hidden.board.order == list(ONE_MOVED)
    assert hidden.board.mode == "checked"
    assert set(hidden.board.feedback) == set(ANSWER)
    assert hidden.board.feedback["w1"]["verdict"].startswith("Out of order: this is step 5")
    assert hidden.board.status["text"].startswith("Answers revealed. 4 of 5 steps in order.")
    assert len(recorder.got) == 2  # revealing submits nothing


def test_revealing_after_moves_brings_back_the_submitted_order(hidden, recorder):
    """If steps moved after submitting, does the reveal put the submitted order back, marked?"""
    hidden.on_submit(recorder)
    put(hidden, ONE_MOVED)
    hidden.check()
    hidden.move("g1", 5)  # not submitted
    hidden.reveal_answers = True
    assert hidden.board.order == list(ONE_MOVED)
    assert hidden.board.feedback["g1"]["in_order"] is True
    assert "Your submitted order is back" in hidden.board.status["text"]


def test_failed_save_while_hidden_is_not_called_submitted(hidden):
    """With answers hidden and the store down, is 'Submitted' avoided and no mark shown?"""
    hidden.on_submit(Recorder(fail=SaveFailed("database is locked")))
    hidden.check()
    assert "Submitted" not in hidden.board.status["text"]
    assert hidden.board.status["tone"] == "error"
    assert hidden.status.message.startswith("Not saved")
    assert hidden.board.feedback == {}


def test_revealing_before_any_check_shows_no_marks(hidden):
    """Does a reveal with nothing checked leave the board unmarked and quiet?"""
    hidden.move(hidden.logic.order[0], 2)
    said = hidden.board.status
    hidden.reveal_answers = True
    assert (hidden.board.mode, hidden.board.feedback) == ("ordering", {})
    assert hidden.board.status == said


def test_restore_while_hidden_then_reveal(content, view, recorder):
    """Does a view restored while answers are hidden hold its marks back until the reveal?"""
    view.on_submit(recorder)
    put(view, ONE_MOVED)
    view.check()
    again = OrderingView(content, seed="learner-1")
    again.reveal_answers = False  # as the page does before restoring
    again.restore(recorder.got)
    assert again.board.order == list(ONE_MOVED)
    assert again.board.feedback == {}
    assert SUBMITTED in again.board.status["text"]
    again.reveal_answers = True
    assert again.board.feedback["w1"]["in_order"] is False
    assert again.board.status["text"].startswith("Answers revealed. 4 of 5")


def test_restored_solution_stays_hidden(content, view, recorder):
    """A solution seen earlier: restored while hidden, is it the learner's own order instead?"""
    view.on_submit(recorder)
    put(view, ONE_MOVED)
    view.show_solution()
    again = OrderingView(content, seed="learner-1", reveal_answers=False)
    again.restore(recorder.got)
    assert (again.board.mode, again.board.order) == ("ordering", list(ONE_MOVED))
    assert again.board.feedback == {}


def test_hiding_after_feedback_takes_the_marks_away(view, recorder):
    """Hidden after a check or with the solution showing: do the marks, score and answer go?"""
    view.on_submit(recorder)
    put(view, ONE_MOVED)
    view.check()
    view.reveal_answers = False
    assert view.board.feedback == {} and view.board.reveal_answers is False
    assert view.board.status["text"] == HIDDEN
    view.reveal_answers = True
    view.show_solution()
    view.reveal_answers = False
    assert (view.board.mode, view.board.order) == ("ordering", list(ONE_MOVED))
    assert view.board.feedback == {}

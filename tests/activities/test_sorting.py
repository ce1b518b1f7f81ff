"""The sorting activity: logic without widgets, the board's protocol, and the view's submissions."""

from __future__ import annotations

import json
from pathlib import Path

import anywidget
import ipywidgets as w
import pytest

from widgets.activities import sorting
from widgets.activities.base import SaveFailed, Submission
from widgets.activities.sorting import (
    NotAllSorted,
    SortBoard,
    SortingError,
    SortingLogic,
    SortingView,
)
from widgets.content.models import SortingActivity

from .conftest import Recorder

ANSWERS = {
    "listens": "both",
    "own-goals": "coaching",
    "passes-on": "mentoring",
    "career-stage": "mentoring",
    "hands-back": "coaching",
}


@pytest.fixture
def content() -> SortingActivity:
    return SortingActivity.model_validate(
        {
            "id": "demo-sort",
            "part": "practice",
            "type": "sorting",
            "title": "Coaching, mentoring or <both>?",
            "instructions": "Sort each statement.",
            "categories": [
                {"id": "coaching", "label": "Coaching", "description": "Own answers."},
                {"id": "mentoring", "label": "Mentoring"},
                {"id": "both", "label": "Both"},
            ],
            "items": [
                {
                    "id": item_id,
                    "text": f"Statement {item_id}",
                    "answer": answer,
                    "explanation": f"Why {item_id} is {answer}.",
                    "sources": ["whitmore"] if answer != "both" else ["whitmore", "curee"],
                    "contested": item_id == "hands-back",
                }
                for item_id, answer in ANSWERS.items()
            ],
        }
    )


@pytest.fixture
def logic(content) -> SortingLogic:
    return SortingLogic.from_content(content, seed=7)


def sort_all(target, wrong: tuple[str, ...] = ()) -> None:
    """Place every statement: in its answer, or (for ``wrong`` ones) somewhere else."""
    for item_id, answer in ANSWERS.items():
        other = "coaching" if answer != "coaching" else "mentoring"
        target.place(item_id, other if item_id in wrong else answer)


def cite(keys: list[str]) -> str:
    return "; ".join(f"Cited {k}" for k in keys)


@pytest.fixture
def view(content) -> SortingView:
    return SortingView(content, seed="learner-1", sources_text=cite)


# -- logic ---------------------------------------------------------------------------


def test_order_is_stable_for_one_seed(content):
    """Does the same seed give the same card order (a refresh keeps the learner's order)?"""
    first = SortingLogic.from_content(content, seed="learner-1").order
    again = SortingLogic.from_content(content, seed="learner-1").order
    assert first == again
    assert sorted(first) == sorted(ANSWERS)


def test_order_differs_between_seeds(content):
    """Do different learners (seeds) see different orders?"""
    orders = {SortingLogic.from_content(content, seed=n).order for n in range(12)}
    assert len(orders) > 1


def test_unshuffled_content_keeps_authored_order(content):
    """With ``shuffle: false`` is the order the author's, whatever the seed?"""
    fixed = content.model_copy(update={"shuffle": False})
    assert SortingLogic.from_content(fixed, seed=3).order == tuple(ANSWERS)


def test_place_moves_and_unplace_returns_to_pile(logic):
    """Does placing put a card in a category, re-placing move it, and unplacing unsort it?"""
    logic.place("listens", "coaching")
    logic.place("listens", "both")
    assert logic.placements == {"listens": "both"}
    assert "listens" not in logic.remaining
    logic.unplace("listens")
    assert logic.placements == {}
    assert len(logic.remaining) == len(ANSWERS)


def test_placements_cannot_be_changed_from_outside(logic):
    """Is ``placements`` a copy, so only place() changes the state?"""
    logic.placements["listens"] = "both"
    assert logic.placements == {}


@pytest.mark.parametrize(
    ("item_id", "category_id", "match"),
    [("nope", "both", "no statement 'nope'"), ("listens", "nope", "no category 'nope'")],
)
def test_unknown_ids_are_refused(logic, item_id, category_id, match):
    """Does an unknown statement or category raise ValueError and change nothing?"""
    with pytest.raises(ValueError, match=match):
        logic.place(item_id, category_id)
    with pytest.raises(ValueError, match="no statement"):
        logic.unplace("nope")
    assert logic.placements == {}


def test_check_is_refused_until_every_statement_is_placed(logic):
    """Does Check with cards left say how many, and leave the mode alone?"""
    logic.place("listens", "both")
    with pytest.raises(NotAllSorted, match="4 of 5 statements are not sorted yet") as info:
        logic.check()
    assert info.value.remaining == 4
    assert logic.mode == "sorting"
    assert logic.result is None


def test_check_scores_each_statement(logic):
    """Does Check score every statement with its answer, explanation and sources?"""
    sort_all(logic, wrong=("listens", "hands-back"))
    result = logic.check()
    assert (result.score, result.max_score) == (3, 5)
    assert set(result.wrong) == {"listens", "hands-back"}
    listens = result.items["listens"]
    assert (listens.response, listens.answer, listens.correct) == ("coaching", "both", False)
    assert listens.explanation == "Why listens is both."
    assert listens.sources == ("whitmore", "curee")
    assert list(result.items) == list(logic.order)
    assert logic.mode == "checked"


def test_retry_keeps_placements_and_clears_feedback(logic):
    """Does Try again keep every card where it is and clear the feedback?"""
    sort_all(logic, wrong=("listens",))
    logic.check()
    before = logic.placements
    logic.retry()
    assert logic.placements == before
    assert (logic.mode, logic.feedback) == ("sorting", {})


def test_moving_after_check_drops_only_that_cards_feedback(logic):
    """After Check, does moving a wrong card drop its stale feedback and keep the others'?"""
    sort_all(logic, wrong=("listens",))
    logic.check()
    logic.place("listens", "both")
    assert logic.mode == "sorting"
    assert "listens" not in logic.feedback
    assert set(logic.feedback) == set(ANSWERS) - {"listens"}
    assert logic.check().score == 5


def test_solution_places_answers_and_remembers_the_learners(logic):
    """Does Show solution put every card in its answer and say where the learner had it?"""
    logic.place("listens", "coaching")
    logic.show_solution()
    assert logic.placements == ANSWERS
    assert logic.mode == "solution"
    assert logic.feedback["listens"].response == "coaching"
    assert logic.feedback["own-goals"].response is None
    with pytest.raises(SortingError, match="solution is showing"):
        logic.place("listens", "both")
    with pytest.raises(SortingError, match="solution is showing"):
        logic.check()


def test_retry_from_solution_starts_again(logic):
    """Does Start again after the solution put every card back in the pile?"""
    logic.show_solution()
    logic.retry()
    assert (logic.placements, logic.mode, logic.feedback) == ({}, "sorting", {})


@pytest.mark.parametrize("mode", ["sorting", "checked", "solution"])
def test_response_round_trip(content, mode):
    """Does a JSON round trip of the response restore order, placements, mode and feedback?"""
    logic = SortingLogic.from_content(content, seed=1)
    sort_all(logic, wrong=("listens",))
    if mode == "checked":
        logic.check()
    elif mode == "solution":
        logic.show_solution()
    response = json.loads(json.dumps(logic.to_response()))

    again = SortingLogic.from_content(content, seed=99)
    again.load_response(response)
    assert again.order == logic.order
    assert again.placements == logic.placements
    assert again.mode == mode
    assert {k: r.correct for k, r in again.feedback.items()} == {
        k: r.correct for k, r in logic.feedback.items()
    }


def test_resume_survives_changed_content(logic):
    """If content changed since saving, are vanished ids dropped and a now-incomplete check reopened?"""
    logic.load_response(
        {
            "order": ["listens", "gone"],
            "placements": {"listens": "both", "gone": "both", "own-goals": "vanished-category"},
            "mode": "checked",
        }
    )
    assert logic.placements == {"listens": "both"}
    assert logic.mode == "sorting"
    assert sorted(logic.order) == sorted(ANSWERS)


@pytest.mark.parametrize(
    ("response", "match"),
    [(["not", "a", "dict"], "must be a mapping"), ({"mode": "dancing"}, "unknown sorting mode")],
)
def test_corrupt_response_is_refused(logic, response, match):
    """Is a response that is not ours refused with a clear error?"""
    with pytest.raises((TypeError, ValueError), match=match):
        logic.load_response(response)


# -- board ---------------------------------------------------------------------------


def test_board_ships_its_front_end():
    """Are the board's ESM and CSS files inside the package, and loaded by the widget?"""
    static = Path(sorting.__file__).parent / "static"
    assert (static / "sorting.js").is_file() and (static / "sorting.css").is_file()
    board = SortBoard()
    assert "export default" in board._esm
    assert ".sort-board" in board._css


def test_every_synced_trait_says_what_it_is_for():
    """Has each synced trait of the board a help text?"""
    own = set(SortBoard().keys) - set(anywidget.AnyWidget().keys) - {"_css"}
    assert own == {
        "label",
        "categories",
        "items",
        "placements",
        "feedback",
        "mode",
        "reveal_answers",
        "status",
    }
    for name in own:
        assert SortBoard.class_traits()[name].help, name


def test_board_passes_well_formed_requests_only():
    """Do well-formed browser requests reach on_request callbacks and malformed ones not?"""
    board = SortBoard()
    got = []
    board.on_request(lambda b, request: got.append(request))
    board.request("place", item="a", category="b")
    board._handle_board_msg(board, {"action": "place", "item": "a"}, [])  # no category
    board._handle_board_msg(board, {"action": "delete-everything"}, [])
    board._handle_board_msg(board, "junk", [])
    assert got == [{"action": "place", "item": "a", "category": "b"}]


# -- view ----------------------------------------------------------------------------


def test_view_shows_heading_board_and_status(view, content):
    """Does the view hold an escaped heading, the board in the learner's order, and the status?"""
    header, board, why, status = view.children
    assert "&lt;both&gt;" in header.value and "<both>" not in header.value
    assert "Sort each statement." in header.value
    assert board is view.board and status is view.status and why is view.why_box
    assert [i["id"] for i in board.items] == list(view.logic.order)
    assert [c["id"] for c in board.categories] == ["coaching", "mentoring", "both"]
    assert {i["id"]: i["contested"] for i in board.items}["hands-back"] is True
    assert view.activity_type == "sorting"


def test_browser_placement_updates_board_and_says_what_is_left(view):
    """Does a placement request move the card on the board and announce how many are left?"""
    view.board.request("place", item="listens", category="both")
    assert view.board.placements == {"listens": "both"}
    assert view.board.status["text"] == "Placed 'Statement listens' in Both. 4 of 5 left."
    view.board.request("unplace", item="listens")
    assert view.board.placements == {}
    assert "back to Not sorted yet. 5 of 5 left." in view.board.status["text"]


def test_repeated_message_is_announced_again(view):
    """Does the same status text twice still change the status (so it is re-announced)?"""
    view.check()
    first = dict(view.board.status)
    view.check()
    assert view.board.status["text"] == first["text"]
    assert view.board.status["n"] != first["n"]


def test_bad_browser_request_becomes_a_message(view):
    """Does a request with an unknown id leave the board alone and say why?"""
    view.board.request("place", item="nope", category="both")
    assert view.board.placements == {}
    assert view.board.status["tone"] == "error"
    assert "no statement 'nope'" in view.board.status["text"]


def test_view_place_with_unknown_ids_raises(view):
    """Do the public methods raise ValueError for unknown ids (tests and scripts see it)?"""
    with pytest.raises(ValueError):
        view.place("listens", "nope")
    with pytest.raises(ValueError):
        view.unplace("nope")


def test_incomplete_check_emits_nothing_and_names_whats_left(view, recorder):
    """Does Check with cards left emit nothing and say how many are left?"""
    view.on_submit(recorder)
    view.place("listens", "both")
    assert view.submit() is False
    assert recorder.got == []
    assert "4 of 5 statements are not sorted yet" in view.board.status["text"]
    assert view.board.feedback == {}


def test_check_emits_a_scored_submission(view, recorder):
    """Does Check emit one 'check' Submission with placements, order, per-item results, score?"""
    view.on_submit(recorder)
    sort_all(view, wrong=("listens",))
    assert view.submit() is True
    (sub,) = recorder.got
    assert isinstance(sub, Submission)
    assert (sub.activity_id, sub.activity_type, sub.action) == ("demo-sort", "sorting", "check")
    assert (sub.score, sub.max_score, sub.attempt) == (4, 5, 1)
    assert sub.response["placements"] == view.logic.placements
    assert sub.response["order"] == list(view.logic.order)
    assert sub.items["listens"] == {"response": "coaching", "correct": False}
    assert sub.items["own-goals"] == {"response": "coaching", "correct": True}
    json.dumps(sub.response)
    json.dumps(sub.items)
    assert view.status.message == "Saved."


def test_check_shows_feedback_with_explanation_and_source(view):
    """After Check, does every card get its verdict, explanation and cited source?"""
    sort_all(view, wrong=("listens",))
    view.check()
    feedback = view.board.feedback
    assert set(feedback) == set(ANSWERS)
    assert feedback["listens"]["correct"] is False
    assert feedback["listens"]["explanation"] == "Why listens is both."
    assert feedback["listens"]["sources_text"] == "Sources: Cited whitmore; Cited curee"
    assert feedback["own-goals"]["sources_text"] == "Source: Cited whitmore"
    assert feedback["listens"]["answer_label"] == ""  # checking does not give the answer away
    assert view.board.mode == "checked"
    assert view.board.status["text"].startswith("4 of 5 correct.")


def test_failed_save_keeps_placements_and_feedback(view):
    """When the store fails, are placements and feedback kept and 'not saved' said plainly?"""
    view.on_submit(Recorder(fail=SaveFailed("database is locked")))
    sort_all(view)
    before = view.logic.placements
    assert view.submit() is False
    assert view.logic.placements == before == view.board.placements
    assert len(view.board.feedback) == len(ANSWERS)
    assert view.status.message.startswith("Not saved: database is locked")
    assert view.status.tone == "error"


def test_attempts_count_saved_checks_only(view):
    """Is a failed save not counted, so the next saved check is attempt 1?"""
    broken = Recorder(fail=SaveFailed("offline"))
    view.on_submit(broken)
    sort_all(view)
    view.check()
    view.on_submit(broken, remove=True)
    recorder = Recorder()
    view.on_submit(recorder)
    view.check()
    view.check()
    assert [s.attempt for s in recorder.got] == [1, 2]


def test_retry_clears_feedback_keeps_cards(view):
    """Does Try again clear the board's feedback and keep the cards where they are?"""
    sort_all(view, wrong=("listens",))
    view.check()
    view.board.request("retry")
    assert view.board.feedback == {}
    assert view.board.placements == view.logic.placements
    assert len(view.board.placements) == len(ANSWERS)
    assert view.board.mode == "sorting"


def test_solution_is_recorded_without_a_score(view, recorder):
    """Does Show solution emit a 'solution' Submission (no score) with the learner's own sort?"""
    view.on_submit(recorder)
    view.place("listens", "coaching")
    view.board.request("solution")
    (sub,) = recorder.got
    assert (sub.action, sub.score, sub.max_score) == ("solution", None, None)
    assert sub.response["placements"] == {"listens": "coaching"}
    assert sub.completes
    assert view.board.placements == ANSWERS
    assert view.board.mode == "solution"
    listens = view.board.feedback["listens"]
    assert (listens["answer_label"], listens["response_label"]) == ("Both", "Coaching")


def test_hidden_answers_record_without_feedback(content, recorder):
    """With answers hidden, does Check record the attempt, show no feedback and say so?"""
    view = SortingView(content, seed=1, reveal_answers=False)
    view.on_submit(recorder)
    sort_all(view, wrong=("listens",))
    assert view.check() is True
    (sub,) = recorder.got
    assert sub.items["listens"]["correct"] is False  # the facilitator still sees it
    assert view.board.feedback == {}
    assert view.board.reveal_answers is False
    assert view.board.status["text"] == "Submitted. Your facilitator will reveal the answers."
    with pytest.raises(SortingError, match="hidden"):
        view.show_solution()
    view.board.request("solution")
    assert "hidden" in view.board.status["text"]
    assert len(recorder.got) == 1


def test_revealing_answers_later_shows_the_feedback(content):
    """When the facilitator reveals answers, does the last check's feedback appear?"""
    view = SortingView(content, seed=1, reveal_answers=False)
    sort_all(view)
    view.check()
    view.reveal_answers = True
    assert len(view.board.feedback) == len(ANSWERS)
    assert view.board.reveal_answers is True


def test_revealing_answers_announces_and_asks_why(content, recorder):
    """Is a reveal announced with the score, and the 'why?' box offered, as after a check?"""
    view = SortingView(content, seed=1, reveal_answers=False)
    view.on_submit(recorder)
    sort_all(view, wrong=("hands-back",))  # a contested statement placed differently
    view.check()
    assert view.why_box.children == ()
    view.reveal_answers = True
    assert view.board.status["text"].startswith("Answers revealed. 4 of 5 correct.")
    assert view.board.feedback["hands-back"]["correct"] is False
    assert any(isinstance(c, w.Textarea) for c in view.why_box.children)
    assert len(recorder.got) == 1  # revealing submits nothing


def test_revealing_after_moves_marks_the_unmoved(content):
    """Moved since submitting: are the others' notes shown and the moved one's left out, said so?"""
    view = SortingView(content, seed=1, reveal_answers=False)
    sort_all(view, wrong=("listens",))
    view.check()
    view.place("listens", "both")  # not submitted
    view.reveal_answers = True
    assert set(view.board.feedback) == set(ANSWERS) - {"listens"}
    assert "4 of 5 correct" in view.board.status["text"]
    assert "moved since" in view.board.status["text"]


def test_hiding_answers_takes_marks_why_and_solution_away(view, recorder):
    """Hidden after a check or with the solution showing: do the marks, 'why?', score and answers go?"""
    view.on_submit(recorder)
    sort_all(view, wrong=("hands-back",))
    view.check()
    assert view.why_box.children
    view.reveal_answers = False
    assert view.board.feedback == {} and view.why_box.children == ()
    assert (
        view.board.status["text"] == "The answers are hidden until your facilitator reveals them."
    )
    view.reveal_answers = True
    view.show_solution()
    own = dict(recorder.got[-1].response["placements"])
    view.reveal_answers = False
    assert (view.board.mode, view.board.placements) == ("sorting", own)
    assert view.board.feedback == {}


def test_restored_solution_stays_hidden(content, view, recorder):
    """A solution seen earlier: restored while hidden, is it the learner's own sort instead?"""
    view.on_submit(recorder)
    view.place("listens", "coaching")
    view.show_solution()
    again = SortingView(content, seed="learner-1", reveal_answers=False)
    again.restore(recorder.got)
    assert (again.board.mode, again.board.placements) == ("sorting", {"listens": "coaching"})
    assert again.board.feedback == {}


def test_restore_while_hidden_then_reveal(content, view, recorder):
    """Does a sort restored while answers are hidden hold its marks back until the reveal?"""
    view.on_submit(recorder)
    sort_all(view, wrong=("listens",))
    view.check()
    again = SortingView(content, seed="learner-1")
    again.reveal_answers = False  # as the page does before restoring
    again.restore(recorder.got)
    assert again.board.feedback == {} and again.board.mode == "checked"
    assert "Submitted" in again.board.status["text"]
    again.reveal_answers = True
    assert again.board.feedback["listens"]["correct"] is False


def test_hidden_answers_failed_save_is_not_called_submitted(content):
    """With answers hidden and the store down, does the board avoid saying 'Submitted'?"""
    view = SortingView(content, seed=1, reveal_answers=False)
    view.on_submit(Recorder(fail=SaveFailed("offline")))
    sort_all(view)
    assert view.check() is False
    assert "Submitted" not in view.board.status["text"]
    assert view.status.message.startswith("Not saved")


def test_restore_rebuilds_the_last_check(content, view, recorder):
    """Does a new view restored from the submissions show the last check's cards and feedback?"""
    view.on_submit(recorder)
    sort_all(view, wrong=("listens", "hands-back"))
    view.check()
    view.place("listens", "both")
    view.check()
    other = Submission("another-activity", "choice", "check", {"answers": {}})

    again = SortingView(content, seed="learner-1")
    again.restore([*recorder.got, other])
    assert again.board.placements == view.logic.placements
    assert again.board.mode == "checked"
    assert again.board.feedback["hands-back"]["correct"] is False
    assert again.board.feedback["listens"]["correct"] is True
    again_recorder = Recorder()
    again.on_submit(again_recorder)
    again.check()
    assert again_recorder.got[0].attempt == 3


def test_restore_after_solution_shows_the_solution(content, view, recorder):
    """Does a view restored after Show solution show the solution again?"""
    view.on_submit(recorder)
    view.place("listens", "coaching")
    view.show_solution()
    again = SortingView(content, seed="learner-1")
    again.restore(recorder.got)
    assert again.board.mode == "solution"
    assert again.board.placements == ANSWERS
    assert again.board.feedback["listens"]["response_label"] == "Coaching"


def test_restore_with_nothing_leaves_a_fresh_board(view):
    """Does restoring from no submissions leave the board empty and quiet?"""
    view.restore([])
    assert (view.board.placements, view.board.mode, view.board.status) == ({}, "sorting", {})


# -- "why?" on contested statements ----------------------------------------------------


def test_why_is_asked_only_for_contested_disagreements(view):
    """After Check, is a reason asked for contested statements placed differently, and only those?"""
    sort_all(view, wrong=("hands-back", next(i for i in ANSWERS if i != "hands-back")))
    view.check()
    assert view.contested_disagreements() == ["hands-back"]
    boxes = [c for c in view.why_box.children if isinstance(c, w.Textarea)]
    assert len(boxes) == 1 and boxes[0].continuous_update is False


def test_no_why_when_contested_item_agrees(view):
    """With every contested statement where the key puts it, is there nothing to explain?"""
    sort_all(view)
    view.check()
    assert view.why_box.children == ()


def test_reason_is_saved_and_restored(content, view):
    """Is a reason saved as a 'justify' submission and back after a rebuild?"""
    got = []
    view.on_submit(got.append)
    sort_all(view, wrong=("hands-back",))
    view.check()
    box = next(c for c in view.why_box.children if isinstance(c, w.Textarea))
    box.value = "Good mentors hand problems back too <b>often</b>."
    justify = [s for s in got if s.action == "justify"]
    assert justify[-1].response == {
        "reasons": {"hands-back": "Good mentors hand problems back too <b>often</b>."}
    }
    assert not justify[-1].completes
    again = SortingView(content, seed="learner-1", sources_text=cite)
    again.restore(got)
    restored = next(c for c in again.why_box.children if isinstance(c, w.Textarea))
    assert restored.value.startswith("Good mentors")
    shown = " ".join(c.value for c in again.why_box.children if isinstance(c, w.HTML))
    assert "<b>often</b>" not in shown


def test_an_over_long_reason_is_refused_and_kept(view):
    """Is a reason over the limit refused with the limit named, kept in its box, not cut?"""
    from widgets.activities.sorting import MAX_REASON

    got = []
    view.on_submit(got.append)
    sort_all(view, wrong=("hands-back",))
    view.check()
    box = next(c for c in view.why_box.children if isinstance(c, w.Textarea))
    long_reason = "Because " + "x" * MAX_REASON
    box.value = long_reason
    assert not [s for s in got if s.action == "justify"], "a cut reason was saved"
    assert box.value == long_reason
    assert f"{MAX_REASON:,}" in view.status.message and "still in the box" in view.status.message
    box.value = "Short enough."
    assert [s for s in got if s.action == "justify"][-1].response == {
        "reasons": {"hands-back": "Short enough."}
    }

"""The store's live-session queries (roster, counts, reflections, settings), on SQLite and
PostgreSQL (see conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from widgets.activities.base import Submission
from widgets.store import ResponseStore, StoreError
from widgets.store.facade import ItemCount
from widgets.store.models import Visit

MODULE = "coaching-and-mentoring"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def sorting(items: dict[str, tuple[str, bool]], action: str = "check", activity_id="m1-sort"):
    return Submission(
        activity_id=activity_id,
        activity_type="sorting",
        action=action,
        response={"placements": {k: v[0] for k, v in items.items()}},
        items={k: {"response": v[0], "correct": v[1]} for k, v in items.items()},
        score=float(sum(ok for _r, ok in items.values())),
        max_score=float(len(items)),
        started_at=T0,
        submitted_at=T0 + timedelta(minutes=1),
    )


def reflection(text: str, activity_id: str = "m1-reflection") -> Submission:
    return Submission(
        activity_id=activity_id,
        activity_type="reflection",
        action="save",
        response={"text": text},
        started_at=T0,
        submitted_at=T0 + timedelta(minutes=2),
    )


def submission_ids(store: ResponseStore, session_id: int) -> list[int]:
    return [e.submission_id for e in store.reflections(session_id)]


@pytest.fixture
def session(store):
    return store.create_session("Tuesday group", {"locked": ["x"], "show_names": True})


def set_last_visit(store: ResponseStore, learner_id: int, module: str, part: str, when: datetime):
    with store.engine.begin() as connection:
        connection.execute(
            update(Visit)
            .where(Visit.learner_id == learner_id, Visit.module == module, Visit.part == part)
            .values(last_at=when)
        )


# -- settings ------------------------------------------------------------------------------


def test_session_settings_and_ended_flag(store, session):
    """Are a session's settings read with ended False, then True once it has ended?"""
    assert store.session_settings(session.id) == {
        "locked": ["x"],
        "show_names": True,
        "ended": False,
    }
    store.end_session(session.code)
    assert store.session_settings(session.id)["ended"] is True
    assert store.session_settings(session.id)["locked"] == ["x"]


def test_session_settings_of_a_missing_session(store, session):
    """Is a session that does not exist answered with None?"""
    assert store.session_settings(session.id + 1000) is None
    assert store.session_by_id(session.id + 1000) is None
    assert store.session_by_id(session.id) == session


def test_update_session_settings_merges(store, session):
    """Does an update change the keys given, keep the others, and persist?"""
    info = store.update_session_settings(session.id, {"answers_hidden": True, "locked": ["y"]})
    assert info.settings == {"locked": ["y"], "show_names": True, "answers_hidden": True}
    assert info.id == session.id and info.code == session.code
    again = store.update_session_settings(session.id, {"show_names": False})
    assert again.settings == {"locked": ["y"], "show_names": False, "answers_hidden": True}
    assert store.session_by_code(session.code).settings == again.settings
    assert store.session_settings(session.id) == {**again.settings, "ended": False}


def test_update_settings_of_a_missing_session(store, session):
    """Is changing a session that does not exist refused with a StoreError?"""
    with pytest.raises(StoreError, match="no session"):
        store.update_session_settings(session.id + 1000, {"answers_hidden": True})


def test_recent_sessions_newest_first(store):
    """Are sessions listed newest first, live and ended, up to the limit?"""
    made = [store.create_session(f"group {n}") for n in range(4)]
    store.end_session(made[1].code)
    recent = store.recent_sessions()
    assert [s.id for s in recent] == [s.id for s in reversed(made)]
    assert [s.is_live for s in recent] == [True, True, False, True]
    assert [s.id for s in store.recent_sessions(limit=2)] == [made[3].id, made[2].id]


# -- the roster ----------------------------------------------------------------------------


def test_roster_order_numbers_where_and_completed(store, session):
    """Is the roster in joining order, numbered from 1, with each one's latest part and the
    number of distinct activities they finished in this session?"""
    ada = store.create_learner("Ada", session_code=session.code)
    store.create_learner("Outsider")  # not in the session
    other = store.create_session("Another group")
    store.create_learner("Elsewhere", session_code=other.code)
    bo = store.create_learner(None, session_code=session.code)
    cy = store.create_learner("Cy", session_code=session.code)

    store.record_visit(ada.id, MODULE, "theory")
    store.record_visit(ada.id, MODULE, "practice")
    set_last_visit(store, ada.id, MODULE, "theory", T0 + timedelta(hours=2))
    set_last_visit(store, ada.id, MODULE, "practice", T0 + timedelta(hours=1))
    store.record_visit(bo.id, "case-for-coaching", "review")

    store.save(ada, MODULE, "practice", sorting({"a": ("coaching", True)}))
    store.save(ada, MODULE, "practice", sorting({"a": ("coaching", True)}))  # same activity
    store.save(ada, MODULE, "review", reflection("first"))
    decision = Submission(
        "m3-sim-settle", "simulator", "choice", {"node": "x"}, started_at=T0, submitted_at=T0
    )
    store.save(ada, MODULE, "practice", decision)  # a mid-way decision: not finished

    roster = store.roster(session.id)
    assert [(e.number, e.display_name, e.learner_id) for e in roster] == [
        (1, "Ada", ada.id),
        (2, None, bo.id),
        (3, "Cy", cy.id),
    ]
    assert [(e.module, e.part) for e in roster] == [
        (MODULE, "theory"),  # the later visit, though opened first
        ("case-for-coaching", "review"),
        (None, None),  # still on the module map
    ]
    assert [e.completed for e in roster] == [2, 0, 0]
    assert all(e.last_seen_at is not None for e in roster)
    assert store.roster(other.id)[0].display_name == "Elsewhere"
    assert store.roster(other.id + 1000) == []


# -- counts ----------------------------------------------------------------------------------


@pytest.fixture
def answered(store, session):
    """Ada checks twice (wrong, then right), Bo once; an outsider's answer is not counted."""
    ada = store.create_learner("Ada", session_code=session.code)
    bo = store.create_learner("Bo", session_code=session.code)
    outsider = store.create_learner("Out")
    store.save(ada, MODULE, "practice", sorting({"s1": ("mentoring", False), "s2": ("both", True)}))
    store.save(ada, MODULE, "practice", sorting({"s1": ("coaching", True), "s2": ("both", True)}))
    store.save(bo, MODULE, "practice", sorting({"s1": ("mentoring", False)}))
    store.save(outsider, MODULE, "practice", sorting({"s1": ("both", False)}))
    store.save(
        bo, MODULE, "practice", sorting({"s1": ("coaching", True)}, activity_id="m1-three-forms")
    )
    store.save(ada, MODULE, "review", reflection("A time I was helped"))
    return ada, bo


def counted(counts: list[ItemCount]) -> set[tuple]:
    return {(c.item_id, c.response, c.correct, c.count) for c in counts}


def test_item_counts_latest_only(store, session, answered):
    """Does latest_only count each learner's latest check only (a retry replaces a first try)?"""
    assert counted(store.item_counts(session.id, "m1-sort")) == {
        ("s1", "coaching", True, 1),  # Ada's second try
        ("s1", "mentoring", False, 1),  # Bo
        ("s2", "both", True, 1),
    }


def test_item_counts_all(store, session, answered):
    """Without latest_only, does every stored item of the session count?"""
    assert counted(store.item_counts(session.id, "m1-sort", latest_only=False)) == {
        ("s1", "coaching", True, 1),
        ("s1", "mentoring", False, 2),  # Ada's first try and Bo
        ("s2", "both", True, 2),
    }


def test_item_counts_ignore_solution_requests(store, session, answered):
    """Is a later 'solution' submission not taken as the learner's latest answer?"""
    ada, _bo = answered
    store.save(ada, MODULE, "practice", sorting({"s1": ("both", True)}, action="solution"))
    latest = counted(store.item_counts(session.id, "m1-sort"))
    assert ("s1", "coaching", True, 1) in latest
    assert not any(response == "both" and item == "s1" for item, response, _c, _n in latest)


def test_item_counts_other_activity_and_session(store, session, answered):
    """Are counts per activity and per session only?"""
    assert counted(store.item_counts(session.id, "m1-three-forms")) == {("s1", "coaching", True, 1)}
    other = store.create_session("Other")
    assert store.item_counts(other.id, "m1-sort") == []
    assert store.item_counts(session.id, "no-such-activity") == []


def test_answered_counts(store, session, answered):
    """Does answered_counts give the number of distinct learners per activity in the session?"""
    assert store.answered_counts(session.id) == {
        "m1-sort": 2,
        "m1-three-forms": 1,
        "m1-reflection": 1,
    }
    assert store.answered_counts(store.create_session("Empty").id) == {}


def test_latest_answered(store, session, answered):
    """Are the session's answered activities listed most recently answered first, and does a
    new answer to an older one bring it to the front?"""
    ada, _bo = answered
    assert sorted(store.latest_answered(session.id)) == [
        "m1-reflection",
        "m1-sort",
        "m1-three-forms",
    ]
    store.save(ada, MODULE, "practice", sorting({"s1": ("both", True)}))
    assert store.latest_answered(session.id)[0] == "m1-sort"
    store.save(ada, MODULE, "review", reflection("again"))
    assert store.latest_answered(session.id)[:2] == ["m1-reflection", "m1-sort"]
    assert store.latest_answered(store.create_session("Empty").id) == []


# -- reflections -----------------------------------------------------------------------------


def test_reflections_latest_per_learner_and_activity(store, session):
    """Is each learner's latest text of each reflection listed, newest first, not approved?"""
    ada = store.create_learner("Ada", session_code=session.code)
    bo = store.create_learner("Bo", session_code=session.code)
    outsider = store.create_learner("Out")
    store.save(ada, MODULE, "review", reflection("Ada draft"))
    store.save(bo, MODULE, "review", reflection("Bo text"))
    store.save(ada, MODULE, "review", reflection("Ada final"))
    store.save(ada, "case-for-coaching", "review", reflection("Ada m2", "m2-reflection"))
    store.save(outsider, MODULE, "review", reflection("not in the session"))
    store.save(ada, MODULE, "practice", sorting({"s1": ("coaching", True)}))

    entries = store.reflections(session.id)
    assert [(e.learner_id, e.activity_id, e.text) for e in entries] == [
        (ada.id, "m2-reflection", "Ada m2"),
        (ada.id, "m1-reflection", "Ada final"),
        (bo.id, "m1-reflection", "Bo text"),
    ]
    assert [e.approved for e in entries] == [False, False, False]
    assert store.approved_reflections(session.id) == []


def test_approval_shows_exactly_the_approved_version(store, session):
    """Does approving mark the entry, list it for the projector, and keep that text even after
    the learner saves a new version (which is not approved)?"""
    ada = store.create_learner("Ada", session_code=session.code)
    bo = store.create_learner("Bo", session_code=session.code)
    store.save(ada, MODULE, "review", reflection("<b>Ada</b> v1"))
    store.save(bo, MODULE, "review", reflection("Bo v1"))
    ada_v1, bo_v1 = sorted(submission_ids(store, session.id))
    store.set_reflection_approval(session.id, bo_v1, True)
    store.set_reflection_approval(session.id, ada_v1, True)
    store.set_reflection_approval(session.id, ada_v1, True)  # twice: no error, no duplicate
    assert [e.approved for e in store.reflections(session.id)] == [True, True]
    approved = store.approved_reflections(session.id)
    assert [e.text for e in approved] == ["<b>Ada</b> v1", "Bo v1"]  # oldest first

    store.save(ada, MODULE, "review", reflection("Ada v2, not approved"))
    latest = {e.learner_id: e for e in store.reflections(session.id)}
    assert (latest[ada.id].text, latest[ada.id].approved) == ("Ada v2, not approved", False)
    assert [e.text for e in store.approved_reflections(session.id)] == ["<b>Ada</b> v1", "Bo v1"]

    store.set_reflection_approval(session.id, ada_v1, False)
    assert [e.text for e in store.approved_reflections(session.id)] == ["Bo v1"]
    store.set_reflection_approval(session.id, ada_v1, False)  # withdrawing again: no error
    assert [e.submission_id for e in store.approved_reflections(session.id)] == [bo_v1]


def test_approval_refuses_another_sessions_reflection(store, session):
    """Is a reflection of another session refused, and nothing approved?"""
    other = store.create_session("Other")
    elsewhere = store.create_learner("Eve", session_code=other.code)
    store.save(elsewhere, MODULE, "review", reflection("Eve's"))
    (theirs,) = submission_ids(store, other.id)
    with pytest.raises(StoreError, match="not part of this session"):
        store.set_reflection_approval(session.id, theirs, True)
    assert store.approved_reflections(session.id) == []
    assert store.approved_reflections(other.id) == []


def test_approval_refuses_a_submission_that_is_no_reflection(store, session):
    """Is a sorting submission (or a made-up id) refused for the projector?"""
    ada = store.create_learner("Ada", session_code=session.code)
    store.save(ada, MODULE, "practice", sorting({"s1": ("coaching", True)}))
    store.save(ada, MODULE, "review", reflection("real"))
    (real,) = submission_ids(store, session.id)
    sort_id = real - 1  # saved just before, by the same learner
    assert next(store.session_answers(session.id))["activity_type"] == "sorting"
    with pytest.raises(StoreError):
        store.set_reflection_approval(session.id, sort_id, True)
    with pytest.raises(StoreError):
        store.set_reflection_approval(session.id, real + 1000, True)
    assert store.approved_reflections(session.id) == []


# -- the session's answers, for the facilitator's download -----------------------------------


def test_session_answers_rows_per_item(store, session, answered):
    """Is there a row per item of each scored answer and one per reflection, in saved order?"""
    ada, bo = answered
    rows = list(store.session_answers(session.id))
    assert [
        (r["learner_id"], r["activity"], r["item"], r["response"], r["correct"]) for r in rows
    ] == [
        (ada.id, "m1-sort", "s1", "mentoring", False),
        (ada.id, "m1-sort", "s2", "both", True),
        (ada.id, "m1-sort", "s1", "coaching", True),
        (ada.id, "m1-sort", "s2", "both", True),
        (bo.id, "m1-sort", "s1", "mentoring", False),
        (bo.id, "m1-three-forms", "s1", "coaching", True),
        (ada.id, "m1-reflection", None, "A time I was helped", None),
    ]
    assert [r["attempt"] for r in rows[:4]] == [1, 1, 2, 2]
    assert rows[0]["module"] == MODULE and rows[0]["part"] == "practice"
    assert rows[0]["submitted_at"].tzinfo is not None

"""Tests of ResponseStore, run on SQLite and on a real PostgreSQL (see conftest.py)."""

from __future__ import annotations

import dataclasses
import multiprocessing
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from widgets import identity
from widgets.activities.base import Submission
from widgets.store import (
    LearnerInfo,
    ResponseStore,
    StoreError,
    StoreNotReady,
    UnknownLearner,
    UnknownSession,
    default_url,
    make_engine,
)
from widgets.store.models import Learner, SubmissionItem, SubmissionRecord, Visit

PLUS_TWO = timezone(timedelta(hours=2))


def a_submission(activity_id="sort-1", action="check", **fields) -> Submission:
    values = {
        "activity_id": activity_id,
        "activity_type": "sorting",
        "action": action,
        "response": {"order": ["b", "a"], "note": "café"},
        "items": {
            "s1": {"response": "observation", "correct": True},
            "s2": {"response": ["judgement", 2], "correct": False},
        },
        "score": 1.0,
        "max_score": 2.0,
        "started_at": datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=PLUS_TWO),
        "submitted_at": datetime(2026, 3, 1, 10, 5, 30, 654321, tzinfo=PLUS_TWO),
    }
    values.update(fields)
    return Submission(**values)


def count(store: ResponseStore, model) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


@pytest.fixture
def learner(store) -> LearnerInfo:
    return store.create_learner("Ada")


# -- the engine --------------------------------------------------------------------------------


def test_sqlite_pragmas(sqlite_url):
    """Does a SQLite engine use WAL, a 10 s busy timeout and foreign keys?"""
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_sqlite_parent_directory_created(tmp_path):
    """Is the directory of a new SQLite file created?"""
    target = tmp_path / "deep" / "er" / "course.sqlite"
    make_engine(f"sqlite:///{target}").dispose()
    assert target.parent.is_dir()


def test_postgresql_pool_is_small():
    """Does a PostgreSQL engine use psycopg 3, pre-ping and a 1 + 2 connection pool?"""
    engine = make_engine("postgresql://someone@db.invalid/course")
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        assert engine.pool.size() == 1
        assert engine.pool._max_overflow == 2
        assert engine.pool._pre_ping
    finally:
        engine.dispose()


def test_default_url(monkeypatch, tmp_path):
    """Is COURSE_DB_URL used, else a SQLite file in COURSE_VAR_DIR?"""
    monkeypatch.delenv("COURSE_DB_URL", raising=False)
    monkeypatch.setenv("COURSE_VAR_DIR", str(tmp_path / "elsewhere"))
    assert default_url() == f"sqlite:///{tmp_path / 'elsewhere' / 'course.sqlite'}"
    monkeypatch.delenv("COURSE_VAR_DIR")
    assert default_url().endswith("/var/course.sqlite")
    monkeypatch.setenv("COURSE_DB_URL", "postgresql://u@h/db")
    assert default_url() == "postgresql://u@h/db"
    assert ResponseStore().url == "postgresql://u@h/db"


def test_password_not_in_repr():
    """Does the store's repr hide a password in its URL?"""
    store = ResponseStore("postgresql://user:s3cret@db.invalid/course")
    assert "s3cret" not in repr(store)
    store.close()


def test_import_is_light():
    """Does importing widgets.store leave Alembic, pandas, plotly and ipywidgets unloaded?"""
    heavy = ["alembic", "pandas", "plotly", "ipywidgets"]
    code = f"import sys, widgets.store; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- readiness ---------------------------------------------------------------------------------


def test_not_ready_before_upgrade(bare_store):
    """Before the migrations ran, does check_ready say how to set the database up?"""
    with pytest.raises(StoreNotReady) as info:
        bare_store.check_ready()
    assert str(info.value) == "The course database is not set up: run `course db upgrade`."


def test_ready_after_upgrade(bare_store):
    """After upgrade(), does check_ready pass?"""
    bare_store.upgrade()
    bare_store.check_ready()


def test_not_ready_at_old_revision(store):
    """If the database is at another revision than the code's, is it not ready?"""
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    with pytest.raises(StoreNotReady):
        store.check_ready()


# -- sessions ----------------------------------------------------------------------------------


def test_session_round_trip(store):
    """Is a session found by its code as a trainee might type it, and can it be ended?"""
    created = store.create_session("  Tuesday group ")
    assert created.title == "Tuesday group"
    assert identity.normalise_session_code(created.code) == created.code
    assert created.is_live and created.settings == {}
    typed = f"{created.code[:3].lower()}-{created.code[3:].lower()}"
    assert store.session_by_code(typed) == created
    ended = store.end_session(created.code)
    assert ended.ended_at is not None and ended.ended_at.tzinfo is not None
    assert store.session_by_code(created.code).ended_at == ended.ended_at
    assert store.end_session(created.code).ended_at == ended.ended_at


def test_session_by_unknown_code(store):
    """Is an unknown or malformed code simply not found?"""
    assert store.session_by_code("ZZZZZZ") is None
    assert store.session_by_code("not a code") is None
    assert store.session_by_code(None) is None


def test_session_codes_differ(store):
    """Do sessions get different codes?"""
    codes = {store.create_session(f"group {i}").code for i in range(20)}
    assert len(codes) == 20


# -- learners ----------------------------------------------------------------------------------


def test_learner_by_token(store):
    """Is a learner found by the exact token, and as typed with dashes, spaces or lowercase?"""
    created = store.create_learner("Ada")
    assert store.learner_by_token(created.token) == created
    assert store.learner_by_token(identity.format_token(created.token)) == created
    assert store.learner_by_token(" " + created.token.lower() + "\n") == created
    spaced = " ".join(identity.format_token(created.token).split("-"))
    assert store.learner_by_token(spaced) == created


@pytest.mark.parametrize("token", [None, "", "abc", "!!!!-!!!!-!!!!", "A" * 13, "UUUUUUUUUUUU"])
def test_malformed_token(store, token):
    """Is a malformed token answered with None rather than an error?"""
    store.create_learner()
    assert store.learner_by_token(token) is None


def test_unknown_token(store):
    """Is a well-formed token nobody holds answered with None?"""
    token = identity.new_learner_token()
    assert store.learner_by_token(token) is None


def test_learner_in_session(store):
    """Does a learner who joins with a code belong to that session?"""
    session = store.create_session("Group")
    learner = store.create_learner(session_code=session.code.lower())
    assert learner.session_code == session.code
    assert store.learner_by_token(learner.token).session_code == session.code


@pytest.mark.parametrize("code", ["ZZZZZZ", "nope"])
def test_unknown_session_code(store, code):
    """Does joining with an unknown code raise UnknownSession naming the code, creating nobody?"""
    with pytest.raises(UnknownSession, match=code):
        store.create_learner("Ada", session_code=code)
    assert count(store, Learner) == 0


def test_ended_session_cannot_be_joined(store):
    """Is an ended session refused to newcomers, with the reason?"""
    session = store.create_session("Yesterday")
    store.end_session(session.code)
    with pytest.raises(UnknownSession, match="ended"):
        store.create_learner(session_code=session.code)


def test_join_session(store, learner):
    """Can a learner join a live session later, and is an unknown code refused?"""
    session = store.create_session("Group")
    assert learner.session_code is None
    assert store.join_session(learner.id, session.code).session_code == session.code
    with pytest.raises(UnknownSession):
        store.join_session(learner.id, "ZZZZZZ")
    assert store.learner_by_token(learner.token).session_code == session.code


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("  Ada  ", "Ada"), ("   ", None), ("", None), (None, None), ("x" * 60, "x" * 60)],
)
def test_display_name_kept(store, raw, stored):
    """Is a display name stripped, an empty one dropped, and one of 60 characters kept?"""
    assert store.create_learner(raw).display_name == stored


def test_display_name_too_long(store, learner):
    """Is a display name over 60 characters refused, stating the limit, creating nobody?"""
    with pytest.raises(ValueError, match="at most 60 characters"):
        store.create_learner("x" * 61)
    with pytest.raises(ValueError, match="at most 60 characters"):
        store.set_display_name(learner.id, "y" * 61)
    assert count(store, Learner) == 1
    assert store.learner_by_token(learner.token).display_name == "Ada"


def test_set_display_name(store, learner):
    """Can a learner rename themselves, or remove their name?"""
    assert store.set_display_name(learner.id, " Grace ").display_name == "Grace"
    assert store.set_display_name(learner.id, "").display_name is None


def test_research_consent(store, learner):
    """Is the research-consent answer stored, unanswered by default?"""
    with store.engine.connect() as connection:
        assert connection.scalar(select(Learner.research_consent)) is None
    store.set_research_consent(learner.id, True)
    with store.engine.connect() as connection:
        assert connection.scalar(select(Learner.research_consent)) is True


def test_hub_user_get_or_create(store):
    """Does the same JupyterHub user always get the same learner, and another user another?"""
    first = store.learner_for_hub_user("ada")
    assert first.hub_user == "ada"
    assert store.learner_for_hub_user("ada") == first
    assert store.learner_for_hub_user("grace").id != first.id
    assert count(store, Learner) == 2


def test_touch(store, learner):
    """Does touch() move last_seen_at forward, and refuse an unknown learner?"""
    with store.engine.connect() as connection:
        before = connection.scalar(select(Learner.last_seen_at))
    store.touch(learner.id)
    with store.engine.connect() as connection:
        assert connection.scalar(select(Learner.last_seen_at)) > before
    with pytest.raises(UnknownLearner):
        store.touch(learner.id + 1000)


# -- submissions -------------------------------------------------------------------------------


def test_submission_round_trip(store, learner):
    """Does a saved submission come back equal, with items, UTC times and its attempt?"""
    sent = a_submission()
    saved = store.save(learner, "observing", "practice", sent)
    assert saved == dataclasses.replace(sent, attempt=1)
    [got] = store.submissions(learner.id)
    # item answers come back as text: strings as they were, anything else as JSON
    items = {
        "s1": {"response": "observation", "correct": True},
        "s2": {"response": '["judgement", 2]', "correct": False},
    }
    assert got == dataclasses.replace(saved, items=items)
    for moment in (got.started_at, got.submitted_at):
        assert moment.utcoffset() == timedelta(0)
    assert got.started_at == sent.started_at  # the same instant, microseconds included
    assert got.submitted_at.hour == 8


def test_attempts_count_per_learner_and_activity(store, learner):
    """Are attempts numbered 1, 2, 3 per learner and activity, whatever the action?"""
    other = store.create_learner("Grace")
    attempts = [
        store.save(learner, "m", "practice", a_submission(action=action)).attempt
        for action in ("check", "check", "solution")
    ]
    assert attempts == [1, 2, 3]
    assert store.save(learner, "m", "practice", a_submission("quiz-2")).attempt == 1
    assert store.save(other, "m", "practice", a_submission()).attempt == 1
    assert [s.attempt for s in store.submissions(learner.id, "sort-1")] == [1, 2, 3]
    assert [s.activity_id for s in store.submissions(learner.id)] == ["sort-1"] * 3 + ["quiz-2"]


def test_submissions_of_several_activities_at_once(store, learner):
    """Does one call read the learner's submissions to just the activities named, in order?"""
    other = store.create_learner("Grace")
    for activity_id in ("sort-1", "quiz-2", "sort-1", "reflect-3"):
        store.save(learner, "m", "practice", a_submission(activity_id))
    store.save(other, "m", "practice", a_submission("quiz-2"))
    got = store.submissions(learner.id, activity_ids=["quiz-2", "sort-1"])
    assert [(s.activity_id, s.attempt) for s in got] == [
        ("sort-1", 1),
        ("quiz-2", 1),
        ("sort-1", 2),
    ]
    assert store.submissions(learner.id, activity_ids=[]) == []


def test_submission_without_items(store, learner):
    """Is a reflection (no items, no score) stored and read back?"""
    reflection = a_submission(
        "reflect-1", "save", activity_type="reflection", items={}, score=None, max_score=None
    )
    store.save(learner, "m", "review", reflection)
    [got] = store.submissions(learner.id, "reflect-1")
    assert got.items == {} and got.score is None and got.response == reflection.response
    assert count(store, SubmissionItem) == 0


def test_items_carry_the_session(store):
    """Do a session member's submission and items record the session for the dashboard?"""
    session = store.create_session("Group")
    member = store.create_learner(session_code=session.code)
    store.save(member, "m", "practice", a_submission())
    with store.engine.connect() as connection:
        assert connection.scalar(select(SubmissionRecord.session_id)) == session.id
        assert set(connection.scalars(select(SubmissionItem.session_id))) == {session.id}
        assert set(connection.scalars(select(SubmissionItem.item_id))) == {"s1", "s2"}


def test_naive_times_refused(store, learner):
    """Is a submission with a timezone-less time refused before anything is written?"""
    with pytest.raises(ValueError, match="timezone"):
        store.save(learner, "m", "p", a_submission(submitted_at=datetime(2026, 3, 1, 10, 0)))
    assert count(store, SubmissionRecord) == 0


def test_completed_activities(store, learner):
    """Are only activities with a check, save or solution counted as completed?"""
    store.save(learner, "m", "p", a_submission("checked", "check"))
    store.save(learner, "m", "p", a_submission("saved", "save"))
    store.save(learner, "m", "p", a_submission("revealed", "solution"))
    store.save(learner, "m", "p", a_submission("drafted", "draft"))
    store.save(store.create_learner(), "m", "p", a_submission("someone-else", "check"))
    assert store.completed_activities(learner.id) == {"checked", "saved", "revealed"}


def test_visits_upsert(store, learner):
    """Does visiting a part twice keep one row, with the first time kept and the last moved?"""
    store.record_visit(learner.id, "observing", "theory")
    with store.engine.connect() as connection:
        first = connection.execute(select(Visit.first_at, Visit.last_at)).one()
    store.record_visit(learner.id, "observing", "theory")
    store.record_visit(learner.id, "observing", "practice")
    assert store.visits(learner.id) == {("observing", "theory"), ("observing", "practice")}
    assert store.visits(store.create_learner().id) == set()
    with store.engine.connect() as connection:
        again = connection.execute(
            select(Visit.first_at, Visit.last_at).where(Visit.part == "theory")
        ).one()
    assert again.first_at == first.first_at and again.last_at > first.last_at
    assert count(store, Visit) == 2


# -- failures ----------------------------------------------------------------------------------

PLAIN_FORBIDDEN = ("select", "insert", "traceback", "sqlalchemy", "psycopg", "sqlite3", "[sql")


def assert_plain(error: Exception) -> None:
    message = str(error)
    assert message and not any(word in message.lower() for word in PLAIN_FORBIDDEN), message


def test_failed_save_stores_nothing(store, learner):
    """When writing the items fails, is StoreError raised with nothing half-written?"""
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE submission_items"))
    with pytest.raises(StoreError) as info:
        store.save(learner, "m", "p", a_submission())
    assert_plain(info.value)
    assert "course db upgrade" in str(info.value)
    assert count(store, SubmissionRecord) == 0


UNREACHABLE = {
    # no server listens on a socket in a directory that does not exist
    "postgresql": lambda tmp_path: "postgresql://postgres@/course?host=/nonexistent-dir&port=1",
    # a directory is no database file
    "sqlite": lambda tmp_path: f"sqlite:///{tmp_path}",
}


@pytest.mark.parametrize("backend", sorted(UNREACHABLE))
def test_unreachable_database(backend, tmp_path):
    """Against a database that cannot be opened, is the error plain English?"""
    url = UNREACHABLE[backend](tmp_path)
    learner = LearnerInfo(id=1, token="0" * 12, display_name=None, session_code=None, hub_user=None)
    with ResponseStore(url) as store:
        with pytest.raises(StoreError, match="cannot be reached") as info:
            store.save(learner, "m", "p", a_submission())
        assert_plain(info.value)
        with pytest.raises(StoreError) as info:
            store.check_ready()
        assert not isinstance(info.value, StoreNotReady)
        assert_plain(info.value)


def test_unknown_learner_save(store):
    """Is saving for a learner who is not in the database refused?"""
    ghost = LearnerInfo(id=999, token="0" * 12, display_name=None, session_code=None, hub_user=None)
    with pytest.raises(UnknownLearner):
        store.save(ghost, "m", "p", a_submission())
    assert count(store, SubmissionRecord) == 0


# -- many kernels at once ----------------------------------------------------------------------

WRITERS = 8
SAVES_EACH = 25


def _write_many(url: str, learner: LearnerInfo, errors) -> None:
    try:
        with ResponseStore(url) as store:
            for _ in range(SAVES_EACH):
                store.save(learner, "m", "practice", a_submission())
    except Exception as error:  # noqa: BLE001 - reported to the parent test
        errors.put(repr(error))


def test_concurrent_writers(store, learner):
    """Do 8 processes saving 25 submissions each for one learner all land, numbered 1..200?"""
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    writers = [
        context.Process(target=_write_many, args=(store.url, learner, errors))
        for _ in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert [w.exitcode for w in writers] == [0] * WRITERS
    assert errors.empty(), errors.get()
    attempts = [s.attempt for s in store.submissions(learner.id)]
    assert sorted(attempts) == list(range(1, WRITERS * SAVES_EACH + 1))
    assert count(store, SubmissionItem) == 2 * WRITERS * SAVES_EACH

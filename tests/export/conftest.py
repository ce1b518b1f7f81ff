"""Fixtures for the export tests: demo data plus a few learners whose secrets we know.

The databases are the store tests' fixtures (a SQLite file, then a real PostgreSQL schema;
under CI a missing PostgreSQL fails, never skips).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from widgets.activities.base import Submission
from widgets.activities.drafting import DraftingView
from widgets.activities.scenario import ScenarioView
from widgets.activities.simulator import SimulatorView
from widgets.activities.video import VideoView
from widgets.content import cached_course
from widgets.export.demo import generate
from widgets.store import LearnerInfo, ResponseStore

from ..store.conftest import (  # noqa: F401 - fixtures shared with the store tests
    _admin_engine,
    db_url,
    pg_database_url,
    pg_url,
    sqlite_url,
)

KEY = "test-key-one"
OTHER_KEY = "test-key-two"
REFLECTION_MARKER = "Quetzalcoatl-reflection-7731"
VIDEO_MARKER = "Ouroboros-video-answer-4409"
DRAFT_MARKER = "Basilisk-own-words-5521"
DRAFTING = "m3-own-words"
SIMULATOR = "m3-sim-settle"  # the consenting planted learner: a weak run, then the expert's
SCENARIO = "m5-case-amira"  # the consenting planted learner: the best path, once
VIDEO = "m2-video-two-approaches"
DEMO = 15  # demo learners beside the planted ones (each save is a committed transaction)


@dataclass
class Known:
    """Learners planted beside the demo class, with everything that must never leak."""

    url: str
    consenting: LearnerInfo
    refused: LearnerInfo
    unasked: LearnerInfo
    hub: LearnerInfo

    @property
    def secrets(self) -> list[str]:
        out = []
        for learner in (self.consenting, self.refused, self.unasked, self.hub):
            out += [learner.token]
            out += [v for v in (learner.display_name, learner.hub_user) if v]
        return out


def _reflect(store: ResponseStore, learner: LearnerInfo, text: str) -> None:
    now = datetime.now(UTC)
    store.save(
        learner,
        "coaching-and-mentoring",
        "review",
        Submission(
            activity_id="m1-reflection",
            activity_type="reflection",
            action="save",
            response={"text": text, "chars": len(text)},
            started_at=now - timedelta(minutes=8),
            submitted_at=now,
        ),
    )


def _rate(store: ResponseStore, learner: LearnerInfo) -> None:
    now = datetime.now(UTC)
    store.save(
        learner,
        "coaching-and-mentoring",
        "review",
        Submission(
            activity_id="m1-self-assessment-pre",
            activity_type="self_assessment",
            action="save",
            response={"phase": "pre", "ratings": {"explain-difference": 4}},
            items={"explain-difference": {"response": "4", "correct": None}},
            started_at=now - timedelta(minutes=2),
            submitted_at=now,
        ),
    )


def _module_of(activity_id: str) -> str:
    return next(
        m.slug for m in cached_course().modules for a in m.file.activities if a.id == activity_id
    )


def _viewed(store: ResponseStore, learner: LearnerInfo, view):
    """Save whatever ``view`` emits for ``learner``, as a trainee's page does."""
    content = view.content
    module = _module_of(content.id)
    view.on_submit(lambda s: store.save(learner, module, content.part, s))
    return view


def _walk(view, expert: bool) -> None:
    """One run to an ending: the best (expert) option everywhere, or the first other one."""
    while view.logic.phase == "choosing":
        node = view.logic.node(view.logic.current)
        if getattr(view.content, "rehearse", False):  # own words first, as the page asks
            view.draft(f"{DRAFT_MARKER}: my own reply to {node.id}?")
        best = view.preferred(node)
        view.choose(best.id if expert else next(o.id for o in node.options if o is not best))
        view.go_on()


def converse(store: ResponseStore, learner: LearnerInfo) -> None:
    """A simulator run of weak replies, Start again, then the expert path; a scenario's best
    path; the real views emit the submissions."""
    course = cached_course()
    view = _viewed(store, learner, SimulatorView(course.activity(SIMULATOR)))
    _walk(view, expert=False)
    view.restart()
    _walk(view, expert=True)
    _walk(_viewed(store, learner, ScenarioView(course.activity(SCENARIO))), expert=True)


def watch(store: ResponseStore, learner: LearnerInfo) -> None:
    """Every guided question of the video answered, each answer carrying the marker."""
    view = _viewed(store, learner, VideoView(cached_course().activity(VIDEO)))
    for question in view.content.questions:
        view.answer(question.id, f"{VIDEO_MARKER}: {question.id}")


def rehearse(store: ResponseStore, learner: LearnerInfo) -> None:
    """Every step of the rehearsal drafted in the trainee's own words, carrying the marker."""
    view = _viewed(store, learner, DraftingView(cached_course().activity(DRAFTING)))
    for step in view.content.steps:
        view.write(step.id, f"{DRAFT_MARKER}: what happens when it goes well?")


def plant(url: str, demo_learners: int) -> Known:
    """Migrate ``url``, add a demo class and the four planted learners."""
    with ResponseStore(url) as store:
        store.upgrade()
        generate(store, learners=demo_learners, sessions=3, seed=7)
        session = store.create_session("Planted", settings={"condition": "planted"})
        consenting = store.create_learner("Zebedee Xanthippe", session_code=session.code)
        refused = store.create_learner("Ottoline Refuser", session_code=session.code)
        unasked = store.create_learner("Perpetua Unasked")
        hub = store.learner_for_hub_user("hub-user-barnabas")
        store.set_research_consent(consenting.id, True)
        store.set_research_consent(refused.id, False)
        store.set_research_consent(hub.id, True)
        for learner in (consenting, refused, unasked, hub):
            _reflect(store, learner, f"{REFLECTION_MARKER}: a colleague helped me")
            _rate(store, learner)
            watch(store, learner)
            rehearse(store, learner)
        converse(store, consenting)
    return Known(url, consenting, refused, unasked, hub)


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def known(request, tmp_path_factory) -> Known:
    """One database per test module (read-only tests share it): demo learners + planted."""
    if request.param == "sqlite":
        yield plant(f"sqlite:///{tmp_path_factory.mktemp('export') / 'course.sqlite'}", DEMO)
        return
    base = request.getfixturevalue("pg_database_url")
    schema = f"export_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(base)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.set(query={**base.query, "options": f"-csearch_path={schema}"})
    try:
        yield plant(url.render_as_string(hide_password=False), DEMO)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def fresh(db_url: str) -> Known:  # noqa: F811
    """A database of its own, for tests that change it: 4 demo learners + planted."""
    return plant(db_url, 4)

"""A trainee's course app inside a live session: locks and hidden answers from the store."""

from __future__ import annotations

import asyncio

import ipywidgets as w
import pytest

from widgets.app.progress import course_progress, next_part
from widgets.app.shell import CourseApp
from widgets.identity import RequestIdentity, parse_query
from widgets.live.pacing import Pacing

from ..conftest import COURSE

MODULE = "coaching-and-mentoring"


@pytest.fixture
def session(store):
    return store.create_session("Tuesday group")


def set_pacing(store, session, pacing: Pacing) -> None:
    store.update_session_settings(session.id, pacing.to_settings())


def app_in_session(course, store, session, query_extra: str = "") -> CourseApp:
    learner = store.create_learner("Ana", session_code=session.code)
    return CourseApp(course, store, parse_query(f"learner={learner.token}{query_extra}"), COURSE)


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def text_of(app: CourseApp) -> str:
    return " ".join(
        c.value for c in walk(app.view) if isinstance(c, w.HTML) and isinstance(c.value, str)
    )


def part_button(app: CourseApp, module: str, part: str) -> w.Button:
    card = next(c for c in walk(app.view) if f"course-module-{module}" in c._dom_classes)
    return next(b for b in walk(card) if f"course-part-{part}" in b._dom_classes)


def continue_button(app: CourseApp) -> w.Button:
    return next(b for b in walk(app.view) if "course-continue" in b._dom_classes)


def view_of(app: CourseApp, module: str, part: str, activity_type: str):
    body = app._parts_cache[(module, part)]
    return next(c for c in walk(body) if getattr(c, "activity_type", "") == activity_type)


def test_locked_part_button_is_disabled_and_says_so(course, store, session):
    """On the module map, is a locked part's button disabled and labelled as locked?"""
    set_pacing(store, session, Pacing().with_lock(MODULE, "practice"))
    app = app_in_session(course, store, session)
    locked = part_button(app, MODULE, "practice")
    assert locked.disabled is True
    assert "locked by your facilitator" in locked.description
    assert "course-locked" in locked._dom_classes
    open_part = part_button(app, MODULE, "theory")
    assert open_part.disabled is False
    assert "locked" not in open_part.description


def test_whole_module_lock_disables_every_part(course, store, session):
    """Does a module lock disable all three of its parts, and no other module's?"""
    set_pacing(store, session, Pacing().with_lock(MODULE))
    app = app_in_session(course, store, session)
    assert [part_button(app, MODULE, p).disabled for p in ("theory", "practice", "review")] == [
        True,
        True,
        True,
    ]
    assert part_button(app, "case-for-coaching", "theory").disabled is False
    # the Continue button skips the locked module
    assert "Theory of “The case for coaching" in continue_button(app).description


def test_show_part_refuses_a_locked_part(course, store, session):
    """Does opening a locked part (e.g. from the address) go home with a message, unrecorded?"""
    set_pacing(store, session, Pacing().with_lock(MODULE, "practice"))
    app = app_in_session(course, store, session)
    app.show_part(MODULE, "practice")
    assert "is locked by your facilitator" in text_of(app)
    assert "part=" not in app.url.query
    assert app._where is None
    assert (MODULE, "practice") not in store.visits(app.learner.id)
    assert (MODULE, "practice") not in app._parts_cache


def test_address_to_a_locked_part_lands_home(course, store, session):
    """Does a refresh on a part that is now locked show the map instead of the part?"""
    set_pacing(store, session, Pacing().with_lock(MODULE))
    app = app_in_session(course, store, session, f"&module={MODULE}&part=theory")
    assert app._where is None
    assert "is locked by your facilitator" in text_of(app)


def test_part_locked_while_open_sends_trainee_home(course, store, session):
    """When the facilitator locks the part a trainee is in, does the next poll send them home?"""
    app = app_in_session(course, store, session)
    app.show_part(MODULE, "theory")
    assert app._where == (MODULE, "theory")
    app.follow_pacing()  # nothing changed: stays
    assert app._where == (MODULE, "theory")
    set_pacing(store, session, Pacing().with_lock(MODULE, "theory"))
    app.follow_pacing()
    assert app._where is None
    assert "Your facilitator has paused" in text_of(app)
    assert "part=" not in app.url.query
    assert part_button(app, MODULE, "theory").disabled is True
    # unlocked again: the map is redrawn with the part open
    set_pacing(store, session, Pacing())
    app.follow_pacing()
    assert part_button(app, MODULE, "theory").disabled is False


def test_lock_elsewhere_leaves_trainee_in_their_part(course, store, session):
    """Does a lock on another part leave a trainee where they are?"""
    app = app_in_session(course, store, session)
    app.show_part(MODULE, "theory")
    set_pacing(store, session, Pacing().with_lock("case-for-coaching"))
    app.follow_pacing()
    assert app._where == (MODULE, "theory")
    assert app.pacing.is_locked("case-for-coaching", "theory")


def test_hiding_and_revealing_answers_on_a_built_view(course, store, session):
    """Does hiding answers turn reveal_answers off on an already-built sorting view, and
    revealing turn it back on, with the trainee told?"""
    app = app_in_session(course, store, session)
    app.show_part(MODULE, "practice")
    sorting = view_of(app, MODULE, "practice", "sorting")
    assert sorting.reveal_answers is True
    set_pacing(store, session, Pacing(answers_hidden=True))
    app.follow_pacing()
    assert sorting.reveal_answers is False
    assert app._where == (MODULE, "practice")  # hiding answers does not move anyone
    set_pacing(store, session, Pacing(answers_hidden=False))
    app.follow_pacing()
    assert sorting.reveal_answers is True
    assert "revealed the answers" in app.status.message


def test_views_built_while_hidden_start_hidden(course, store, session):
    """Is a view built while the answers are hidden built without them?"""
    set_pacing(store, session, Pacing(answers_hidden=True))
    app = app_in_session(course, store, session)
    assert app.pacing.answers_hidden is True
    app.show_part(MODULE, "practice")
    assert view_of(app, MODULE, "practice", "sorting").reveal_answers is False
    assert view_of(app, MODULE, "practice", "ordering").reveal_answers is False


def test_ended_session_holds_nobody_back(course, store, session):
    """Once the session ends, do locks and hidden answers stop applying?"""
    set_pacing(store, session, Pacing(answers_hidden=True).with_lock(MODULE))
    app = app_in_session(course, store, session)
    assert part_button(app, MODULE, "theory").disabled is True
    store.end_session(session.code)
    app.follow_pacing()
    assert app.pacing == Pacing()
    assert part_button(app, MODULE, "theory").disabled is False


def test_next_part_skips_locked_parts(course):
    """Does next_part skip locked parts and return None when everything left is locked?"""
    progress = course_progress(course, set(), set())
    assert (next_part(progress).module, next_part(progress).part) == (MODULE, "theory")
    pacing = Pacing().with_lock(MODULE, "theory")
    found = next_part(progress, pacing.is_locked)
    assert (found.module, found.part) == (MODULE, "practice")
    everything = Pacing(locked=frozenset(m.entry.slug for m in course.modules))
    assert next_part(progress, everything.is_locked) is None


def test_learner_without_session_never_polls(course, store, monkeypatch):
    """For a learner on their own, is no poller started and does follow_pacing read nothing?"""
    learner = store.create_learner("Solo")
    reads = []
    real = store.session_settings
    monkeypatch.setattr(store, "session_settings", lambda sid: reads.append(sid) or real(sid))

    async def build():
        app = CourseApp(course, store, RequestIdentity(token=learner.token), COURSE)
        return app, app.pacing_poller.running

    app, running = asyncio.run(build())
    assert running is False
    assert app._session_id is None
    app.follow_pacing()
    assert reads == []
    assert app.pacing == Pacing()


def test_learner_in_session_polls(course, store, session):
    """In a session, on a running loop, is the pacing poller started (and the pacing read)?"""
    learner = store.create_learner("Ana", session_code=session.code)
    set_pacing(store, session, Pacing().with_lock(MODULE, "review"))

    async def build():
        app = CourseApp(course, store, RequestIdentity(token=learner.token), COURSE)
        running = app.pacing_poller.running
        app.pacing_poller.stop()
        return app, running

    app, running = asyncio.run(build())
    assert running is True
    assert app._session_id == session.id
    assert app.pacing.is_locked(MODULE, "review")

"""The course app without a browser: join, resume, bad tokens, parts, saving through the page."""

from __future__ import annotations

import pytest

from widgets.app.shell import CourseApp
from widgets.identity import RequestIdentity, parse_query
from widgets.live.pacing import Pacing

from ..conftest import COURSE

MODULE = "coaching-and-mentoring"


def app_for(course, store, query: str = "", **identity) -> CourseApp:
    ident = RequestIdentity(**identity) if identity else parse_query(query)
    return CourseApp(course, store, ident, COURSE)


def text_of(app: CourseApp) -> str:
    return " ".join(
        getattr(c, "value", "")
        for c in app.view.children
        if isinstance(getattr(c, "value", None), str)
    )


def test_new_visitor_sees_join_form(course, store):
    """Does a visitor without a token get the join form and no learner?"""
    app = app_for(course, store)
    assert app.learner is None
    assert any(
        "course-join-start" in getattr(b, "_dom_classes", ())
        for c in app.view.children
        for b in getattr(c, "children", ())
    )


def test_join_creates_learner_and_puts_token_in_address(course, store):
    """Does Start create a learner and write only the token (never the name) into the address?"""
    app = app_for(course, store)
    assert app.join("Sam", "") is True
    assert app.learner.display_name == "Sam"
    assert app.url.query == f"learner={app.learner.token}"
    assert "Sam" not in app.url.query
    assert "Hello Sam" in text_of(app)


def test_name_too_long_is_refused(course, store):
    """Is a too-long name refused with the limit, creating nobody?"""
    app = app_for(course, store)
    assert app.join("x" * 61, "") is False
    assert "60 or fewer" in app.status.message
    assert app.learner is None


def test_token_in_address_restores_place(course, store):
    """Does a refresh with token, module and part open that part for that learner?"""
    learner = store.create_learner(display_name="Ana")
    app = app_for(course, store, f"learner={learner.token}&module={MODULE}&part=practice")
    assert app.learner.id == learner.id
    assert "part=practice" in app.url.query
    assert (MODULE, "practice") in store.visits(learner.id)


@pytest.mark.parametrize(
    "query, words",
    [
        ("learner=ZZZZZZZZZZZZ", "not recognised"),
        ("learner=<script>", "wrong format"),
    ],
)
def test_bad_token_goes_home_with_explanation(course, store, query, words):
    """Does an unknown or malformed token land on the join form with an explanation?"""
    app = app_for(course, store, query)
    assert app.learner is None
    assert words in text_of(app)
    assert "learner=" not in app.url.query


def test_hub_user_needs_no_token(course, store):
    """Under JupyterHub, is the user signed in without a token in the address?"""
    app = app_for(course, store, hub_user="jdoe")
    assert app.learner.hub_user == "jdoe"
    assert "learner=" not in app.url.query


def test_answers_in_a_part_are_saved_and_progress_follows(course, store):
    """Does an answer given inside a part reach the store, and the map show the part done?"""
    app = app_for(course, store)
    app.join("", "")
    app.show_part(MODULE, "review")
    body = app._parts_cache[(MODULE, "review")]
    reflection = next(c for c in body.children if getattr(c, "activity_type", "") == "reflection")
    reflection.write("Mentored by my head of department in my first year.")
    rating = next(c for c in body.children if getattr(c, "activity_type", "") == "self_assessment")
    rating.rate(rating.content.statements[0].id, 4)
    assert rating.submit() is True
    assert store.completed_activities(app.learner.id) == {"m1-reflection", "m1-self-assessment-pre"}
    app.show_home()
    assert f"1 of {3 * len(course.modules)} parts done" in text_of(app)


def test_unknown_part_goes_home(course, store):
    """Does a made-up part in the address show the module map with a message?"""
    learner = store.create_learner()
    app = app_for(course, store, f"learner={learner.token}&module=nope&part=theory")
    assert app.learner.id == learner.id
    app.show_part("nope", "theory")
    assert "does not exist" in text_of(app)


def test_store_problem_is_shown(course):
    """When the database is not ready, does the page say so plainly?"""
    app = CourseApp(
        course, None, RequestIdentity(), COURSE, store_problem="The course database is not set up"
    )
    assert "cannot open right now" in text_of(app)


def test_consent_is_asked_once_and_can_change(course, store):
    """Is research consent asked before the modules, recorded, and changeable afterwards?"""
    app = app_for(course, store)
    app.join("", "")
    assert "May your answers be used for research?" in text_of_cards(app)
    app.set_consent(True)
    assert store.learner_by_token(app.learner.token).research_consent is True
    assert "You agreed" in text_of_cards(app)
    app.set_consent(False)
    assert store.learner_by_token(app.learner.token).research_consent is False
    assert "keep your answers out" in text_of_cards(app)


def text_of_cards(app: CourseApp) -> str:
    return " ".join(
        getattr(child, "value", "")
        for card in app.view.children
        for child in getattr(card, "children", ())
        if isinstance(getattr(child, "value", None), str)
    )


def test_module_map_offers_the_learning_record(course, store):
    """Does the map have a record download that builds the learner's page when pressed?"""
    from widgets.app.download import DownloadButton

    app = app_for(course, store)
    app.join("Ana <b>", "")
    app.show_part(MODULE, "review")
    body = app._parts_cache[(MODULE, "review")]
    reflection = next(c for c in body.children if getattr(c, "activity_type", "") == "reflection")
    reflection.write("Line one\nLine two")
    app.show_home()
    cards = [c for c in app.view.children if "course-record" in getattr(c, "_dom_classes", ())]
    assert len(cards) == 1
    button = next(c for c in cards[0].children if isinstance(c, DownloadButton))
    assert button.label == "Download my learning record"
    assert button.filename == "learning-record.html"
    sent = []
    button.send = sent.append
    # the browser's press arrives as a comm message, through ipywidgets' own dispatcher
    button._handle_msg(
        {
            "content": {"data": {"method": "custom", "content": {"action": "download"}}},
            "buffers": [],
        }
    )
    assert len(sent) == 1
    reply = button.request()
    assert sent[1] == reply
    assert reply["action"] == "file" and reply["filename"] == "learning-record.html"
    assert "Name: Ana &lt;b&gt;" in reply["text"]
    assert "Line one<br>Line two" in reply["text"]


def test_record_download_failure_is_said(course, store):
    """If the record cannot be built, does the button get a plain error message?"""
    from widgets.app.download import DownloadButton

    def broken() -> str:
        raise RuntimeError("database gone")

    button = DownloadButton(broken, filename="learning-record.html")
    button.send = lambda _m: None
    reply = button.request()
    assert reply["action"] == "error"
    assert "could not be prepared" in reply["text"]


# -- joining a live session after starting ----------------------------------------------------


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def all_text(app: CourseApp) -> str:
    found = [getattr(c, "value", "") for c in walk(app.view)]
    return " ".join(v for v in found if isinstance(v, str))


def with_class(app: CourseApp, css: str) -> list:
    return [c for c in walk(app.view) if css in getattr(c, "_dom_classes", ())]


def test_map_offers_to_join_a_session_and_joining_starts_following_it(course, store):
    """Can a trainee who started alone type a session code on their map, and are they then in
    the session (the facilitator's pacing followed, the card says which session)?"""
    session = store.create_session("Thursday twilight")
    learner = store.create_learner(display_name="Ana")
    app = app_for(course, store, f"learner={learner.token}")
    assert len(with_class(app, "course-session-card")) == 1
    field = with_class(app, "course-session-code")[0]
    field.value = session.code.lower()
    with_class(app, "course-session-join")[0].click()
    assert store.learner_by_token(learner.token).session_code == session.code
    assert app._session_id == session.id
    assert "You have joined the live session “Thursday twilight”" in all_text(app)
    assert with_class(app, "course-session-card") == []
    assert "You are in the live session “Thursday twilight”" in all_text(app)
    store.update_session_settings(session.id, Pacing().with_lock(MODULE, "review").to_settings())
    app.follow_pacing()  # what the poller runs every second
    assert app.pacing.is_locked(MODULE, "review")
    app.pacing_poller.stop()


@pytest.mark.parametrize("ended", [False, True])
def test_an_unknown_or_ended_code_is_explained_and_changes_nothing(course, store, ended):
    session = store.create_session("Over")
    if ended:
        store.end_session(session.code)
    learner = store.create_learner(display_name="Ana")
    app = app_for(course, store, f"learner={learner.token}")
    status = app.status
    assert app.join_live_session(session.code if ended else "ZZZZZZ", status) is False
    assert "no live session with the code" in status.message
    assert "your work so far is unchanged" in status.message
    assert store.learner_by_token(learner.token).session_code is None
    assert app._session_id is None


def test_hub_user_opening_a_join_link_joins_the_session(course, store):
    """Does a JupyterHub user who opens the facilitator's link (?code=…) join that session?"""
    session = store.create_session("Hub group")
    app = app_for(course, store, hub_user="rosa", raw_session_code=session.code)
    assert app.learner.hub_user == "rosa"
    assert app.learner.session_code == session.code
    assert "You have joined the live session “Hub group”" in all_text(app)
    again = app_for(course, store, hub_user="rosa", raw_session_code=session.code)
    assert "already in the live session" in all_text(again)
    for a in (app, again):
        a.pacing_poller.stop()


def test_resume_with_a_session_code_joins_it(course, store):
    """Does a trainee who types their resume code and the room's session code land in it?"""
    session = store.create_session("Back again")
    learner = store.create_learner(display_name="Ana")
    app = app_for(course, store, f"code={session.code}")
    assert app.learner is None
    assert app.resume(learner.token, session_code=session.code) is True
    assert app.learner.session_code == session.code
    assert "You have joined the live session “Back again”" in all_text(app)
    app.pacing_poller.stop()


def test_a_trainee_kernel_never_imports_pandas_plotly_or_numpy(tmp_path):
    """Does a trainee's whole path (preload, join a live session, open a practice part) stay
    free of pandas, plotly and numpy (about 100 MB and seconds of CPU per kernel)?"""
    import subprocess
    import sys

    code = """
import sys
from widgets.app import preload
preload()
from widgets.app.shell import CourseApp
from widgets.content import cached_course
from widgets.identity import RequestIdentity
from widgets.store import ResponseStore
store = ResponseStore(sys.argv[1])
store.upgrade()
session = store.create_session("Heavy imports")
app = CourseApp(cached_course(), store, RequestIdentity(), None)
assert app.join("Ana", session.code)
app.show_part("coaching-and-mentoring", "practice")
app.follow_pacing()
print(sorted(m for m in ("pandas", "plotly", "numpy") if m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", code, f"sqlite:///{tmp_path / 'k.sqlite'}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_guessing_join_codes_is_slowed_down(course, store):
    """After a few codes that match no session, must the next try (even a right one) wait?"""
    session = store.create_session("Real group")
    learner = store.create_learner(display_name="Guesser")
    app = app_for(course, store, f"learner={learner.token}")
    status = app.status
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
        assert app.join_live_session(guess, status) is False
        assert "no live session with the code" in status.message
    assert app.join_live_session(session.code, status) is False
    assert "Too many codes" in status.message and "Wait" in status.message
    assert store.learner_by_token(learner.token).session_code is None

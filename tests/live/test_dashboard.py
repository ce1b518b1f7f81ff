"""The facilitator's pages without a browser: the key, sessions, pacing, approvals, projector,
CSV. A real store (SQLite) and the real course content."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from widgets.activities.base import Submission
from widgets.app.shell import CourseApp
from widgets.identity import parse_query
from widgets.live import dashboard
from widgets.live.dashboard import (
    FacilitatorApp,
    join_link,
    session_csv,
    spreadsheet_safe,
    who,
)
from widgets.live.pacing import Pacing

from ..conftest import COURSE

KEY = "staffroom-key-42"
MODULE = "coaching-and-mentoring"
SECRET_TITLE = "Thursday twilight, Oakfield staff"
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def sleeps(monkeypatch):
    """Every time.sleep the dashboard asks for, recorded instead of slept."""
    asked: list[float] = []
    monkeypatch.setattr(dashboard.time, "sleep", asked.append)
    return asked


def new_app(course, store, mode: str = "dashboard") -> FacilitatorApp:
    return FacilitatorApp(course, store, KEY, mode=mode, environ={})


def unlocked(course, store, mode: str = "dashboard") -> FacilitatorApp:
    app = new_app(course, store, mode)
    assert app.unlock(KEY) is True
    return app


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def everything_shown(widget) -> str:
    """Every string a widget tree sends to the browser (values, descriptions, options …)."""
    found: list[str] = []

    def collect(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list | tuple):
            for v in value:
                collect(v)

    for node in walk(widget):
        for name in node.keys:
            if name.startswith("_") and name not in ("_options_labels",):
                continue
            collect(getattr(node, name, None))
    return "\n".join(found)


def reflection(text: str, activity_id: str = "m1-reflection") -> Submission:
    return Submission(
        activity_id, "reflection", "save", {"text": text},
        started_at=T0, submitted_at=T0 + timedelta(minutes=1),
    )  # fmt: skip


def sort_check(items: dict[str, tuple[str, bool]]) -> Submission:
    return Submission(
        "m1-sort", "sorting", "check",
        {"placements": {k: v[0] for k, v in items.items()}},
        items={k: {"response": v[0], "correct": v[1]} for k, v in items.items()},
        score=float(sum(ok for _r, ok in items.values())), max_score=float(len(items)),
        started_at=T0, submitted_at=T0 + timedelta(minutes=1),
    )  # fmt: skip


@pytest.fixture
def busy_session(store):
    """A live session with two named trainees, one reflection each and one answer."""
    session = store.create_session(SECRET_TITLE, Pacing().to_settings())
    zed = store.create_learner("Zedekiah Quill", session_code=session.code)
    yan = store.create_learner("Yannick Brool", session_code=session.code)
    store.save(zed, MODULE, "review", reflection("Zed's approved <b>thought</b>"))
    store.save(yan, MODULE, "review", reflection("Yan's private musing, not approved"))
    store.save(zed, MODULE, "practice", sort_check({"learn-not-taught": ("mentoring", False)}))
    return session, zed, yan


# -- the key ---------------------------------------------------------------------------------


def test_nothing_about_a_session_before_the_key(course, store, busy_session, sleeps):
    """Before the key, does no session code, title or trainee name reach the page, even after
    a wrong key; and after the right one, does the same check find them (so it can fail)?"""
    session, zed, _yan = busy_session
    secrets = [session.code, SECRET_TITLE, zed.display_name, "Yannick", "private musing"]
    app = new_app(course, store)
    shown = everything_shown(app)
    assert "Facilitator key" in shown  # the collector sees descriptions
    assert not [s for s in secrets if s in shown]
    app.unlock("not the key")
    shown = everything_shown(app)
    assert not [s for s in secrets if s in shown]
    assert app.session is None and app.roster == []

    app.unlock(KEY)
    assert session.code in everything_shown(app)  # the sessions list offers it to reopen
    app.open_session(session)
    app.set_pacing(show_names=True)
    shown = everything_shown(app)
    assert session.code in shown and SECRET_TITLE in shown and zed.display_name in shown


def test_wrong_key_waits_and_is_refused(course, store, sleeps):
    """Is a wrong key refused after the slow-down wait, the field cleared and a reason given?"""
    app = new_app(course, store)
    app.key_field.value = "guess"  # typed, then Enter: the field's value arrives and is tried
    assert sleeps == [dashboard.WRONG_KEY_DELAY]
    assert dashboard.WRONG_KEY_DELAY >= 1
    assert app.unlocked is False
    assert app.key_field.value == ""
    assert "not right" in app.status.message
    assert any("facilitator-key" in c._dom_classes for c in walk(app))  # still the prompt
    assert app.unlock("") is False
    assert app.unlock(KEY[:-1]) is False
    assert len(sleeps) == 3
    app.key_field.value = KEY  # the right key, by Enter in the field
    assert app.unlocked is True


def test_right_key_with_spaces_does_not_wait(course, store, sleeps):
    """Is the right key (pasted with spaces) accepted at once, without the wait?"""
    app = new_app(course, store)
    assert app.unlock(f"  {KEY}\n") is True
    assert sleeps == []
    assert app.unlocked is True
    assert any("facilitator-create" in c._dom_classes for c in walk(app))


def test_empty_expected_key_opens_nothing(course, store, sleeps):
    """If no key is configured (empty), is every key, the empty one included, refused?"""
    app = FacilitatorApp(course, store, "", environ={})
    assert app.unlock("") is False
    assert app.unlock(" ") is False
    assert app.unlocked is False


@pytest.mark.parametrize(
    "action",
    [
        lambda app, s: app.create_session("Sneaky"),
        lambda app, s: app.show_sessions(),
        lambda app, s: app.open_session(s),
        lambda app, s: app.lock(MODULE, None, True),
        lambda app, s: app.set_pacing(answers_hidden=True),
        lambda app, s: app.approve(1, True),
        lambda app, s: app.end_session(),
    ],
    ids=["create", "sessions", "open", "lock", "pacing", "approve", "end"],
)
def test_everything_needs_the_key(course, store, busy_session, action):
    """Before the key, is every action refused and nothing changed in the store?"""
    session, _zed, _yan = busy_session
    app = new_app(course, store)
    app.session = session  # even with a session somehow set
    with pytest.raises(PermissionError):
        action(app, session)
    assert [s.title for s in store.recent_sessions()] == [SECRET_TITLE]
    assert store.session_settings(session.id) == {**Pacing().to_settings(), "ended": False}
    assert store.approved_reflections(session.id) == []
    assert session.code not in everything_shown(app)


# -- sessions and pacing -----------------------------------------------------------------------


def test_create_session_stores_its_pacing(course, store):
    """Does starting a session store it with its pacing and open its dashboard with the code?"""
    app = unlocked(course, store)
    session = app.create_session("  Staff training  ", show_names=True)
    stored = store.session_by_code(session.code)
    assert stored.title == "Staff training"
    assert stored.settings == Pacing(show_names=True).to_settings()
    assert app.session == stored
    assert app.pacing == Pacing(show_names=True)
    assert session.code in everything_shown(app.join_card)
    assert app.poller.running is False  # no event loop in a test: nothing polls


def test_create_session_title_rules(course, store):
    """Is an empty title given a default, and an over-long one refused with the limit?"""
    app = unlocked(course, store)
    assert app.create_session("x" * (dashboard.TITLE_MAX + 1)) is None
    assert f"{dashboard.TITLE_MAX} characters" in app.status.message
    assert store.recent_sessions() == []
    assert app.create_session("   ").title == "Live session"


def trainee_app(course, store, session) -> CourseApp:
    learner = store.create_learner("Ana", session_code=session.code)
    return CourseApp(course, store, parse_query(f"learner={learner.token}"), COURSE)


def test_lock_reaches_the_store_and_the_trainee(course, store):
    """Does a lock from the dashboard persist and reach a trainee's page at its next poll?"""
    app = unlocked(course, store)
    session = app.create_session("Locks")
    trainee = trainee_app(course, store, session)
    assert not trainee.pacing.is_locked(MODULE, "practice")
    app.lock(MODULE, "practice", True)
    assert store.session_settings(session.id)["locked"] == [f"{MODULE}/practice"]
    trainee.follow_pacing()
    assert trainee.pacing.is_locked(MODULE, "practice")
    assert not trainee.pacing.is_locked(MODULE, "theory")
    app.lock(MODULE, "practice", False)
    app.lock(MODULE, None, True)
    assert store.session_settings(session.id)["locked"] == [MODULE]
    trainee.follow_pacing()
    assert trainee.pacing.is_locked(MODULE, "theory")


def test_lock_checkbox_on_the_dashboard(course, store):
    """Does ticking a part's lock box on the dashboard lock that part in the store?"""
    app = unlocked(course, store)
    session = app.create_session("Boxes")
    box = next(
        c for c in walk(app.pacing_box) if f"facilitator-lock-{MODULE}-review" in c._dom_classes
    )
    box.value = True
    assert store.session_settings(session.id)["locked"] == [f"{MODULE}/review"]
    assert "Changed for every trainee" in app.status.message


def test_hide_and_reveal_answers_reach_the_trainee(course, store):
    """Do hiding and revealing answers persist and switch a trainee's built view?"""
    app = unlocked(course, store)
    session = app.create_session("Answers")
    trainee = trainee_app(course, store, session)
    trainee.show_part(MODULE, "practice")
    view = next(
        c for c in walk(trainee._parts_cache[(MODULE, "practice")])
        if getattr(c, "activity_type", "") == "sorting"
    )  # fmt: skip
    hide = next(c for c in walk(app.pacing_box) if "facilitator-hide-answers" in c._dom_classes)
    hide.value = True
    assert store.session_settings(session.id)["answers_hidden"] is True
    trainee.follow_pacing()
    assert view.reveal_answers is False
    app.set_pacing(answers_hidden=False)
    trainee.follow_pacing()
    assert view.reveal_answers is True


def test_bring_everyone_to_a_part(course, store):
    """Does "Bring everyone here" take a trainee to that part at the next poll, tell them,
    and take them there again when pressed again after they wandered off?"""
    app = unlocked(course, store)
    session = app.create_session("Together")
    trainee = trainee_app(course, store, session)
    trainee.show_part(MODULE, "theory")
    picker = next(c for c in walk(app.pacing_box) if "facilitator-gather-part" in c._dom_classes)
    picker.value = f"{MODULE}/practice"
    bring = next(c for c in walk(app.pacing_box) if "facilitator-gather" in c._dom_classes)
    bring.click()
    assert store.session_settings(session.id)["gather"] == f"{MODULE}/practice"
    trainee.follow_pacing()
    assert trainee._where == (MODULE, "practice")
    assert "brought the group to Practice of Module 1" in trainee.status.message
    notices = [c for c in walk(trainee.view) if "course-notice" in getattr(c, "value", "")]
    assert len(notices) == 1 and "brought the group" in notices[0].value  # seen, not only heard
    trainee.show_part(MODULE, "review")  # wanders off: the same gather does not pull them back
    trainee.follow_pacing()
    assert trainee._where == (MODULE, "review")
    app.gather(MODULE, "practice")  # pressed again
    trainee.follow_pacing()
    assert trainee._where == (MODULE, "practice")
    state = next(c for c in walk(app.pacing_box) if "facilitator-gather-state" in c._dom_classes)
    assert "Everyone has been brought to Module 1 Practice" in state.value


def test_latecomers_see_where_the_group_is_and_release_removes_it(course, store):
    """Does a trainee who joins after the gather get a "Go there" button on the map, which
    goes away when the facilitator lets everyone move freely?"""
    app = unlocked(course, store)
    session = app.create_session("Latecomers")
    app.gather(MODULE, "review")
    trainee = trainee_app(course, store, session)
    assert trainee._where is None  # joining never jumps: the map says where the group is
    go = [c for c in walk(trainee.view) if "course-gather-go" in getattr(c, "_dom_classes", ())]
    assert len(go) == 1
    go[0].click()
    assert trainee._where == (MODULE, "review")
    trainee.show_home()
    app.release()
    assert store.session_settings(session.id)["gather"] is None
    trainee.follow_pacing()
    assert not [
        c for c in walk(trainee.view) if "course-gather-go" in getattr(c, "_dom_classes", ())
    ]


def test_bringing_everyone_to_a_locked_part_is_refused(course, store):
    """Is a gather to a locked part refused with a reason, leaving the trainees where they are?"""
    app = unlocked(course, store)
    session = app.create_session("Locked")
    app.lock(MODULE, "review", True)
    app.gather(MODULE, "review")
    assert "unlock it first" in app.status.message
    assert store.session_settings(session.id).get("gather") is None


def test_end_session(course, store):
    """Does ending a session close its code in the store and unlock everything for trainees?"""
    app = unlocked(course, store)
    session = app.create_session("Short one")
    app.lock(MODULE, None, True)
    trainee = trainee_app(course, store, session)
    assert trainee.pacing.is_locked(MODULE, "theory")
    app.ask_to_end()  # what End session does: a question, the session still running
    assert store.session_by_code(session.code).is_live is True
    assert any("facilitator-download" in c._dom_classes for c in walk(app.end_question))
    keep = next(c for c in walk(app.end_question) if "facilitator-end-cancel" in c._dom_classes)
    keep.click()
    assert app.end_question.children == ()
    assert store.session_by_code(session.code).is_live is True
    app.ask_to_end()
    yes = next(c for c in walk(app.end_question) if "facilitator-end-confirm" in c._dom_classes)
    yes.click()
    assert store.session_by_code(session.code).is_live is False
    assert "has ended" in app.status.message
    trainee.follow_pacing()
    assert not trainee.pacing.is_locked(MODULE, "theory")


# -- roster, answers, reflections --------------------------------------------------------------


def test_roster_names_hidden_then_shown_escaped(course, store):
    """Are trainees numbered while names are off, and hostile names escaped once shown?"""
    app = unlocked(course, store)
    session = app.create_session("Names")
    store.create_learner(HOSTILE, session_code=session.code)
    store.create_learner("Bea", session_code=session.code)
    app.refresh()
    html = app.roster_html.value
    assert "2 trainees joined" in html
    assert "Trainee 1" in html and "Trainee 2" in html
    assert "Bea" not in html and "img" not in html
    app.set_pacing(show_names=True)
    html = app.roster_html.value
    assert "Bea" in html
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "Module map" in html  # where they are: nobody has opened a part yet


def test_who():
    """Does who() give a number without names, and an escaped name with them?"""
    assert who(3, "Bea", False) == "Trainee 3"
    assert who(3, None, True) == "Trainee 3"
    assert who(3, "<b>Bea</b>", True) == "&lt;b&gt;Bea&lt;/b&gt;"


def test_chart_counts_the_class(course, store, busy_session):
    """Does the dashboard's summary of the sort count the trainees' latest answers?"""
    session, _zed, _yan = busy_session
    app = unlocked(course, store)
    app.open_session(session)
    assert app.chart_activity == "m1-sort"  # the one with answers, not the first in the course
    summary = app.summary("m1-sort")
    assert summary.learners == 1
    assert summary.rows[0].item_id == "learn-not-taught"  # the only one answered, and missed
    assert summary.rows[0].counts == {"Mentoring": 1}
    app.activity_picker.value = "m1-sort"
    assert app.chart_activity == "m1-sort"
    assert "learn-not-taught" in app.chart_table.value
    labels = {v: k for k, v in app.activity_picker.options}
    assert labels["m1-sort"].endswith("(1 answered)")


def test_chart_follows_the_latest_answers_until_a_pick(course, store):
    """With nothing answered, does the chart say "No answers yet" in words (no empty axes);
    does it then follow the activity answered last, and stay on one the facilitator picks?"""
    app = unlocked(course, store)
    fresh = app.create_session("Empty so far")
    assert app.chart_activity == "m1-knowledge-check"  # nothing answered: the first one
    (note,) = app.chart.children
    assert "No answers yet" in note.value
    assert not [c for c in walk(app.chart) if "FigureWidget" in type(c).__name__]
    learner = store.create_learner("Ann", session_code=fresh.code)
    store.save(learner, MODULE, "practice", sort_check({"learn-not-taught": ("mentoring", True)}))
    app.refresh()
    assert app.chart_activity == "m1-sort" and app.activity_picker.value == "m1-sort"
    (figure,) = app.chart.children
    assert "FigureWidget" in type(figure).__name__
    assert len(figure._widget_data) > 0  # the traces are in the state the browser first gets
    assert figure._config.get("displayModeBar") is False  # no plotly toolbar
    app.activity_picker.value = "m1-continuum"  # the facilitator's pick
    store.save(learner, MODULE, "practice", sort_check({"learn-not-taught": ("coaching", False)}))
    app.refresh()
    assert app.chart_activity == "m1-continuum"
    assert "No answers yet" in app.chart.children[0].value


def test_a_chart_reaches_the_browser_with_its_bars(course, store, busy_session, monkeypatch):
    """Does the chart's first state sent to the browser (the comm's opening message) already
    hold its traces and no toolbar? (plotly's own FigureWidget opened with no traces, and a
    view drawn from that first message showed bare axes.)"""
    import comm

    opened: list[dict] = []
    create = comm.create_comm

    def recording(**kwargs):
        opened.append(kwargs["data"]["state"])
        return create(**kwargs)

    monkeypatch.setattr(comm, "create_comm", recording)
    session, _zed, _yan = busy_session
    app = unlocked(course, store)
    app.open_session(session)
    (figure,) = [s for s in opened if "_widget_data" in s]
    assert len(figure["_widget_data"]) > 0
    assert figure["_config"] == {"displayModeBar": False}


def test_case_study_decisions_are_charted(course, store, busy_session):
    """Does a branching case study get a chart of the decisions the class took, each decision
    a submission of its own, with the best option named in the table?"""
    session, zed, yan = busy_session
    case = course.activity("m5-case-amira")
    first = next(n for n in case.nodes if n.id == case.start)
    best = next(o for o in first.options if o.quality == "best")
    poor = next(o for o in first.options if o.quality != "best")
    for learner, option in ((zed, best), (yan, poor)):
        store.save(
            learner, "coaching-in-the-classroom", "practice",
            Submission(
                case.id, "scenario", "choice", {"path": [[first.id, option.id]], "run": 1},
                items={first.id: {"response": option.id, "correct": option is best}},
                started_at=T0, submitted_at=T0 + timedelta(minutes=1),
            ),
        )  # fmt: skip
    app = unlocked(course, store)
    app.open_session(session)
    labels = {v: k for k, v in app.activity_picker.options}
    assert labels[case.id].endswith("(2 answered)")
    summary = app.summary(case.id)
    assert summary.learners == 2
    assert [(r.item_id, r.correct, r.answered) for r in summary.rows] == [(first.id, 1, 2)]
    app.activity_picker.value = case.id
    letter = chr(ord("A") + first.options.index(best))
    assert letter in app.chart_table.value
    assert "No answers yet" not in app.chart_table.value


def test_switching_from_an_empty_chart_draws_a_new_figure(course, store, busy_session):
    """Does an activity nobody has answered show words and no figure, and is a figure drawn
    anew (not patched) for an activity with answers, then updated in place with new counts?"""
    session, _zed, _yan = busy_session
    app = unlocked(course, store)
    app.open_session(session)
    answered = app._figure
    assert answered is not None and app.chart_activity == "m1-sort"
    app.activity_picker.value = "m1-knowledge-check"  # nobody has answered it
    assert app._figure is None
    assert "No answers yet to “" in app.chart.children[0].value
    app.activity_picker.value = "m1-sort"
    assert app._figure is not None and app._figure is not answered
    assert app.chart.children == (app._figure,)
    assert len(app._figure.data) > 0
    same = app._figure
    app._shown.chart = ()  # the same activity drawn again (new counts): updated in place
    app._draw_chart()
    assert app._figure is same


def test_approve_from_the_dashboard(course, store, busy_session):
    """Does the approve toggle approve exactly that reflection for the projector?"""
    session, zed, _yan = busy_session
    app = unlocked(course, store)
    app.open_session(session)
    rows = [c for c in walk(app.reflection_box) if "facilitator-reflection" in c._dom_classes]
    assert len(rows) == 2
    zed_row = next(r for r in rows if "Zed" in r.children[0].value)
    assert "&lt;b&gt;thought&lt;/b&gt;" in zed_row.children[0].value
    assert "Zedekiah" not in zed_row.children[0].value  # names are off
    zed_row.children[1].value = True  # the toggle
    approved = store.approved_reflections(session.id)
    assert [e.learner_id for e in approved] == [zed.id]
    assert "Shown on the projector" in app.status.message
    approved_rows = [c for c in walk(app.reflection_box) if "approved" in c._dom_classes]
    assert len(approved_rows) == 1
    app.approve(approved[0].submission_id, False)
    assert store.approved_reflections(session.id) == []


def test_approving_another_sessions_reflection_is_refused(course, store, busy_session):
    """Is an approval of a reflection from another session refused with a message?"""
    session, _zed, _yan = busy_session
    (theirs,) = [e.submission_id for e in store.reflections(session.id)][:1]
    app = unlocked(course, store)
    app.create_session("Mine")
    app.approve(theirs, True)
    assert "Not changed" in app.status.message
    assert store.approved_reflections(app.session.id) == []
    assert store.approved_reflections(session.id) == []


def test_projector_shows_only_approved_escaped_without_names(course, store, busy_session):
    """Does the projector show approved reflections only, escaped, and never a name, even with
    names switched on for the dashboard?"""
    session, zed, _yan = busy_session
    store.update_session_settings(session.id, {"show_names": True})
    zed_entry = next(e for e in store.reflections(session.id) if e.learner_id == zed.id)
    store.set_reflection_approval(session.id, zed_entry.submission_id, True)
    app = unlocked(course, store, mode="projector")
    app.open_session(session)
    html = app.projector_reflections.value
    assert "Zed&#x27;s approved &lt;b&gt;thought&lt;/b&gt;" in html
    assert "<b>thought" not in html
    assert "private musing" not in html
    shown = everything_shown(app)
    assert "Zedekiah" not in shown and "Yannick" not in shown
    assert "private musing" not in shown
    assert session.code in shown  # the join code is for the room
    # a later approval shows up at the next tick
    yan_entry = next(e for e in store.reflections(session.id) if e.learner_id != zed.id)
    store.set_reflection_approval(session.id, yan_entry.submission_id, True)
    app.refresh()
    assert "private musing" in app.projector_reflections.value
    assert "Yannick" not in everything_shown(app)


def test_projector_charts_the_latest_answered_activity(course, store, busy_session):
    """Until the facilitator picks one, does the projector chart the activity answered last?"""
    session, _zed, _yan = busy_session
    app = unlocked(course, store, mode="projector")
    app.open_session(session)
    # m1-reflection has 2 learners but is not charted; m1-sort has 1
    assert app.chart_activity == "m1-sort"
    store.update_session_settings(session.id, {"projector_activity": "m1-continuum"})
    app.refresh()
    assert app.chart_activity == "m1-continuum"


# -- the CSV and the join link -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, safe",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (True, "True"),
    ],
)
def test_spreadsheet_safe(value, safe):
    """Is a cell that a spreadsheet would run as a formula prefixed with a quote, others kept?"""
    assert spreadsheet_safe(value) == safe


def test_session_csv_rows_per_item(course, store):
    """Does the CSV have a row per item (and per reflection) with trainee number and name,
    and formula-looking names and texts defused?"""
    app = unlocked(course, store)
    session = app.create_session("Export")
    ada = store.create_learner("=cmd|' /C calc'!A0", session_code=session.code)
    bo = store.create_learner("Bo", session_code=session.code)
    store.save(
        ada,
        MODULE,
        "practice",
        sort_check({"one-aspect": ("coaching", True), "hands-back": ("both", False)}),
    )
    store.save(bo, MODULE, "review", reflection("@risky start"))
    outsider = store.create_learner("Out")
    store.save(outsider, MODULE, "review", reflection("not in this session"))
    text = session_csv(store, app.session)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["trainee"], r["name"], r["item"], r["response"], r["correct"]) for r in rows] == [
        ("1", "'=cmd|' /C calc'!A0", "one-aspect", "coaching", "True"),
        ("1", "'=cmd|' /C calc'!A0", "hands-back", "both", "False"),
        ("2", "Bo", "", "'@risky start", ""),
    ]
    assert rows[0]["activity"] == "m1-sort" and rows[0]["part"] == "practice"
    assert rows[0]["submitted_at"].startswith("2026-03-01T10:01:00")
    assert "not in this session" not in text


def test_join_link_public_url():
    """Does COURSE_PUBLIC_URL win, without a doubled slash?"""
    env = {"COURSE_PUBLIC_URL": "https://course.example.org/", "SERVER_NAME": "10.0.0.5"}
    assert join_link("KX7P2M", env) == "https://course.example.org/?code=KX7P2M"


@pytest.mark.parametrize(
    "env, link",
    [
        ({"SERVER_NAME": "10.0.0.5", "SERVER_PORT": "9000"}, "http://10.0.0.5:9000/?code=KX7P2M"),
        ({"SERVER_NAME": "room.local", "SERVER_PORT": "80"}, "http://room.local/?code=KX7P2M"),
        ({"COURSE_PUBLIC_URL": "", "SERVER_NAME": "h"}, "http://h:8866/?code=KX7P2M"),
        ({}, "http://127.0.0.1:8866/?code=KX7P2M"),
    ],
)
def test_join_link_from_the_request(env, link):
    """Without COURSE_PUBLIC_URL, is the link made from the request's host and port?"""
    assert join_link("KX7P2M", env) == link


@pytest.mark.parametrize(
    "env, link",
    [
        (
            {"JUPYTERHUB_SERVICE_PREFIX": "/user/fac/", "JUPYTERHUB_BASE_URL": "/",
             "SERVER_NAME": "hub.school.org", "SERVER_PORT": "80"},
            "http://hub.school.org/hub/user-redirect/voila/render/index.ipynb?code=KX7P2M",
        ),
        (
            {"JUPYTERHUB_SERVICE_PREFIX": "/cpd/user/fac/", "JUPYTERHUB_BASE_URL": "/cpd/",
             "COURSE_PUBLIC_URL": "https://school.org"},
            "https://school.org/cpd/hub/user-redirect/voila/render/index.ipynb?code=KX7P2M",
        ),
    ],
)  # fmt: skip
def test_join_link_under_jupyterhub_goes_through_user_redirect(env, link):
    """Under JupyterHub, does the link send each trainee to the course on their own server,
    keeping the hub's base URL?"""
    assert join_link("KX7P2M", env) == link


def test_join_link_reads_the_process_environment(monkeypatch):
    """With no environ given, is os.environ used?"""
    monkeypatch.setenv("COURSE_PUBLIC_URL", "http://192.168.1.20:8866")
    assert join_link("ABCDEF") == "http://192.168.1.20:8866/?code=ABCDEF"


def test_dashboard_shows_the_join_link(course, store):
    """Does the dashboard's join card show the link built from its environ, and a QR code?"""
    app = FacilitatorApp(course, store, KEY, environ={"COURSE_PUBLIC_URL": "https://c.example"})
    app.unlock(KEY)
    session = app.create_session("Link")
    html = app.join_card.children[0].value
    assert f"https://c.example/?code={session.code}" in html
    assert "<svg" in html

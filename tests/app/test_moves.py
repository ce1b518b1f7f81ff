"""What a move costs the trainee's kernel, counted in widget messages (headless).

Every widget message is server CPU (../shared/research/move-cost.md): a move must make no
widget it can reuse, no Layout or Style twice for widgets that look alike, and no message
that only adds a CSS class after the widget was made.
"""

from __future__ import annotations

import comm
import pytest
from comm.base_comm import BaseComm

from widgets import front_end_code, looks
from widgets.app.shell import CourseApp
from widgets.identity import RequestIdentity

from ..conftest import COURSE

MODULE = "coaching-and-mentoring"


class Messages:
    """Every comm message the kernel's widgets send, from the moment ``mark()`` is called."""

    def __init__(self):
        self.sent: list[tuple[str, str, dict]] = []  # (msg_type, comm_id, data)

    def mark(self) -> None:
        self.sent = []

    def opened(self) -> list[dict]:
        return [data["state"] for kind, _id, data in self.sent if kind == "comm_open"]

    def updates(self) -> list[tuple[str, dict]]:
        return [
            (comm_id, data["state"])
            for kind, comm_id, data in self.sent
            if kind == "comm_msg" and data.get("method") == "update"
        ]


@pytest.fixture
def messages(monkeypatch):
    record = Messages()

    class RecordingComm(BaseComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            record.sent.append((msg_type, self.comm_id, data or {}))

    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(*a, **k))
    # as in a fresh kernel: no shared look or front-end code sent yet
    monkeypatch.setattr(looks, "_SHARED", {})
    monkeypatch.setattr(front_end_code, "_carriers", {})
    return record


@pytest.fixture
def app(course, store, messages):
    app = CourseApp(course, store, RequestIdentity(), COURSE)
    app.join("Sam")
    app.show_part(MODULE, "theory")
    return app


def test_a_move_shares_layouts_and_sends_no_class_only_messages(app, messages):
    """Does theory → practice make each distinct Layout and Style once, and never send a
    message that only adds a class or sets a width on a widget it has just made?"""
    messages.mark()
    app.show_part(MODULE, "practice")
    opened = messages.opened()
    assert any("course-activity" in s.get("_dom_classes", ()) for s in opened)  # it did build
    looks = [
        s for s in opened if s["_model_name"] in ("LayoutModel",) or "Style" in s["_model_name"]
    ]
    distinct = {tuple(sorted((k, str(v)) for k, v in s.items())) for s in looks}
    assert len(looks) == len(distinct), f"{len(looks) - len(distinct)} Layout/Style made twice"
    follow_ups = [
        state for _id, state in messages.updates() if set(state) & {"_dom_classes", "layout"}
    ]
    assert follow_ups == []


def test_going_back_to_a_built_part_makes_no_widget(app, messages):
    """Does going back to a part already built reuse every widget, sending only labels?"""
    app.show_part(MODULE, "practice")
    messages.mark()
    app.show_part(MODULE, "theory")
    assert messages.opened() == []
    assert len(messages.updates()) <= 8  # tabs, crumbs, Next, address, view, focus


def test_nav_and_footer_are_kept_and_relabelled(app):
    """Are the nav and footer the same widgets on every part, labelled for the part shown,
    and do their buttons go where they say?"""
    nav, _body, footer = app.view.children
    tab = app.frame.tabs
    assert tab["theory"].description == "Theory (you are here)"
    assert tab["theory"].button_style == "info"
    assert footer.children[0].description == "Next: Practice →"
    app.show_part("listening-and-questioning", "review")
    assert app.view.children[0] is nav and app.view.children[-1] is footer
    assert tab["theory"].description == "Theory" and tab["theory"].button_style == ""
    assert tab["review"].description == "Review (you are here)"
    assert "listening" in nav.children[1].value.lower()
    assert footer.children[0].description == "Back to the module map"
    tab["practice"].click()
    assert app._where == ("listening-and-questioning", "practice")
    footer.children[0].click()
    assert app._where == ("listening-and-questioning", "review")
    footer.children[0].click()
    assert app._where is None  # the module map


def test_a_part_reads_earlier_answers_in_one_query(course, store, monkeypatch):
    """Does building a part with several activities ask the store for earlier answers once?"""
    app = CourseApp(course, store, RequestIdentity(), COURSE)
    app.join("Sam")
    practice = [a.id for a in course.module(MODULE).activities_in("practice")]
    assert len(practice) >= 2
    calls = []
    real = store.submissions
    monkeypatch.setattr(store, "submissions", lambda *a, **k: calls.append(k) or real(*a, **k))
    app.show_part(MODULE, "practice")
    assert len(calls) == 1 and sorted(calls[0]["activity_ids"]) == sorted(practice)
    assert len(app._context.views) == len(practice)


def test_front_end_code_goes_once_per_class(app, messages):
    """In the app, does each anywidget class's code reach the page once (a carrier), its
    instances carrying only a short stub, while a widget made outside the app keeps its own?"""
    from widgets.activities.live_status import LiveStatus

    messages.mark()
    app.show_part(MODULE, "practice")
    app.show_part("listening-and-questioning", "practice")
    opened = messages.opened()
    carriers = [s for s in opened if "code" in s and "key" in s]
    keys = [c["key"] for c in carriers]
    assert "widgets.activities.sorting.SortBoard" in keys
    assert len(keys) == len(set(keys)), "a class's code was sent twice"
    boards = [s for s in opened if "_anywidget_id" in s and "key" not in s]
    assert len(boards) > len(carriers)  # several instances share one carrier
    assert all(len(s["_esm"]) < 800 and s.get("_css", "") == "" for s in boards)
    sorting = next(c for c in carriers if c["key"].endswith("SortBoard"))
    assert "sort-board" in sorting["code"] and sorting["css"]
    alone = LiveStatus()  # a module notebook opened on its own, a test, JupyterLab
    assert "aria-live" in alone._esm

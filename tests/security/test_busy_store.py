"""A save the database refused because it was busy is saved afterwards, without a click."""

from __future__ import annotations

import pytest

from widgets.activities.base import ActivityView
from widgets.store import StoreBusy, StoreError


class Fragile:
    """A recorder whose database is busy for the first ``busy`` tries."""

    def __init__(self, busy: int, error=StoreBusy):
        self.busy, self.error, self.saved, self.tries = busy, error, [], 0

    def __call__(self, submission) -> None:
        self.tries += 1
        if self.tries <= self.busy:
            raise self.error("The course database is busy")
        self.saved.append(submission)


@pytest.fixture
def later(monkeypatch):
    """Retries collected instead of scheduled on an event loop; run them by hand."""
    queued: list = []
    monkeypatch.setattr(
        ActivityView, "retry_later", staticmethod(lambda _delay, action: queued.append(action))
    )
    return queued


def reflection_view(course):
    from widgets.activities import build_view

    return build_view(course.activity("m1-reflection"), seed=1, sources_text=lambda *_: "")


def test_a_busy_save_is_retried_until_saved(course, later):
    view = reflection_view(course)
    store = Fragile(busy=2)
    view.on_submit(store)
    first = view.new_submission("save", {"text": "Listening more than I talk."})
    assert view.emit(first) is False
    assert "trying again by itself" in view.status.message and view.status.tone != "error"
    later.pop(0)()  # still busy
    assert store.saved == [] and len(later) == 1
    later.pop(0)()  # free
    assert store.saved == [first]
    assert view.status.message == "Saved." and view.status.tone == "ok"
    assert later == []


def test_saves_made_while_waiting_keep_their_order(course, later):
    view = reflection_view(course)
    store = Fragile(busy=1)
    view.on_submit(store)
    one = view.new_submission("save", {"text": "one"})
    two = view.new_submission("save", {"text": "two"})
    view.emit(one)
    view.emit(two)  # typed on while the first waits
    assert "saved too" in view.status.message
    later.pop(0)()
    assert [s.response["text"] for s in store.saved] == ["one", "two"]


def test_a_real_failure_is_not_retried(course, later):
    view = reflection_view(course)
    view.on_submit(Fragile(busy=5, error=StoreError))
    assert view.emit(view.new_submission("save", {"text": "x"})) is False
    assert later == [] and view.status.tone == "error"
    assert "still here" in view.status.message


@pytest.mark.browser
def test_a_save_during_a_database_lock_is_saved_afterwards(browser, server):
    """Lock the served SQLite database while a trainee saves: the page says it will try
    again, and once the lock is gone the reflection is saved without anyone clicking."""
    import re
    import sqlite3

    from ..browser.conftest import WIDGET_TIMEOUT, Trainee

    trainee = Trainee(browser, server)
    lock = sqlite3.connect(server.var_dir / "course.sqlite", isolation_level=None, timeout=30)
    try:
        page = trainee.page
        trainee.open()
        page.locator(".course-join-name input").fill("Locked Lou")
        page.locator(".course-join-start").click()
        page.locator(".course-module-coaching-and-mentoring .course-part-review").click()
        box = page.locator(".course-reflection-text textarea").first
        box.wait_for()
        text = "Written while the database was locked."
        lock.execute("BEGIN EXCLUSIVE")
        box.fill(text)
        page.keyboard.press("Tab")  # leaving the box saves it
        status = page.locator(".course-activity-reflection .course-status").first
        status.filter(has_text="trying again by itself").wait_for(timeout=WIDGET_TIMEOUT)
        lock.execute("ROLLBACK")  # the lock goes; nobody touches the page
        # (a plain has_text is case-blind: "not saved yet" would match "Saved")
        status.filter(has_text=re.compile(r"Saved")).wait_for(timeout=WIDGET_TIMEOUT)
        saved = lock.execute(
            "SELECT count(*) FROM submissions WHERE response LIKE ?", (f"%{text}%",)
        ).fetchone()[0]
        assert saved == 1
    finally:
        if lock.in_transaction:
            lock.execute("ROLLBACK")
        lock.close()
        trainee.close()

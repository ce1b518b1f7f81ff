"""The live room as a facilitator sees it in real Chromium: a QR code a phone can scan, a
projector view that fits a projector, an End session that asks first.

A session with answers and an approved reflection is written straight into the served
course's store, so each test opens the pages it is about without walking ten trainees first
(``test_facilitator`` does that walk).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from widgets.activities.base import Submission
from widgets.content import load_course

from ..conftest import DATA
from .test_facilitator import KEY, MODULE, live_server, open_facilitator, unlock  # noqa: F401

pytestmark = pytest.mark.browser

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
REFLECTION = "I will ask one open question before I offer any advice."
PROJECTOR_SIZES = [(1920, 1080), (1280, 720)]


def sort_check(content, wrong: set[str]) -> Submission:
    other = {
        i.id: next(c.id for c in content.categories if c.id != i.answer) for i in content.items
    }
    placed = {i.id: other[i.id] if i.id in wrong else i.answer for i in content.items}
    return Submission(
        "m1-sort", "sorting", "check", {"placements": placed},
        items={k: {"response": v, "correct": k not in wrong} for k, v in placed.items()},
        score=float(len(placed) - len(wrong)), max_score=float(len(placed)),
        started_at=T0, submitted_at=T0 + timedelta(minutes=2),
    )  # fmt: skip


@pytest.fixture(scope="module")
def room(live_server):  # noqa: F811 - the fixture imported above
    """A live session: three trainees' sorts (the first statements missed most) and one
    approved reflection. Returns the session code."""
    from widgets.store import ResponseStore

    content = load_course(DATA).activity("m1-sort")
    items = [i.id for i in content.items]
    with ResponseStore(f"sqlite:///{live_server.var_dir / 'course.sqlite'}") as store:
        session = store.create_session("Room test")
        for n in range(3):
            learner = store.create_learner(f"Teacher {n}", session_code=session.code)
            store.save(learner, MODULE, "practice", sort_check(content, set(items[: 3 - n])))
        writer = store.create_learner("Writer", session_code=session.code)
        store.save(
            writer, MODULE, "review",
            Submission(
                "m1-reflection", "reflection", "save", {"text": REFLECTION},
                started_at=T0, submitted_at=T0 + timedelta(minutes=3),
            ),
        )  # fmt: skip
        entry = store.reflections(session.id)[0]
        store.set_reflection_approval(session.id, entry.submission_id, True)
    return session.code


def open_session(browser, server, code: str, page_name: str, viewport=(1366, 768)):
    person = open_facilitator(browser, server, page_name, viewport)
    unlock(person)
    person.page.locator(".facilitator-open-session", has_text=code).click()
    return person


def decoded_qr(page, css: str) -> list[str]:
    """What a real QR decoder reads from a screenshot of the element ``css`` as drawn."""
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(page.locator(css).screenshot()))
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("page_name", ["dashboard", "projector"])
def test_qr_code_scans_to_the_join_link(browser, live_server, room, page_name):  # noqa: F811
    """Does a QR decoder read the join link from the QR code as the page draws it?"""
    person = open_session(browser, live_server, room, page_name)
    try:
        page = person.page
        label = (
            ".live-join-label strong"
            if page_name == "dashboard"
            else ".projector-join-label strong"
        )
        page.locator(label).wait_for()
        link = page.locator(label).inner_text().strip()
        assert link == f"{live_server.url}?code={room}"
        assert decoded_qr(page, ".live-qr svg") == [link]
    finally:
        person.close()


def inside(box, viewport: dict) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


@pytest.mark.parametrize("size", PROJECTOR_SIZES, ids=[f"{w}x{h}" for w, h in PROJECTOR_SIZES])
def test_projector_fits_one_screen(browser, live_server, room, size):  # noqa: F811
    """At a projector's size, are the code, the chart with its legend and the approved
    reflection all on the screen without scrolling, and no facilitator control visible?"""
    person = open_session(browser, live_server, room, "projector", size)
    try:
        page = person.page
        reflection = page.locator(".projector-reflection", has_text=REFLECTION)
        reflection.wait_for()
        page.locator(".facilitator-chart .js-plotly-plot .bars").first.wait_for()
        legend = page.locator(".facilitator-chart .legend")
        legend.wait_for()
        viewport = page.viewport_size
        person.screenshot(f"projector-{size[0]}x{size[1]}")
        for name, locator in (
            ("code", page.locator(".projector-code")),
            ("QR code", page.locator(".projector-qr svg")),
            ("chart", page.locator(".facilitator-chart .js-plotly-plot")),
            ("legend", legend),
            ("reflection", reflection),
        ):
            box = locator.bounding_box()
            assert inside(box, viewport), f"the {name} is off the screen: {box} in {viewport}"
        legend_text = legend.text_content()
        assert "Coaching" in legend_text and "Mentoring" in legend_text
        scrolling = page.evaluate(
            "(() => { const r = document.getElementById('rendered_cells');"
            " return [r.scrollHeight - r.clientHeight,"
            " document.documentElement.scrollHeight - innerHeight]; })()"
        )
        assert max(scrolling) <= 0, f"the projector scrolls: {scrolling}"
        # nothing for the facilitator's hands on the projected screen (the way back is a
        # 1 px box until the keyboard focuses it; 1.5 px once the page is scaled up)
        for button in page.locator(".jupyter-button, button").all():
            box = button.bounding_box()
            assert box is None or max(box["width"], box["height"]) <= 2, (
                f"a control shows: {button.inner_text()!r} {box}"
            )
        assert "Unlocked" not in page.locator("body").inner_text()
    finally:
        person.close()

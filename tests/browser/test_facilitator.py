"""A live session in real Chromium: one facilitator, a projector and ten trainee pages.

The facilitator unlocks the dashboard with the key, starts a session and hides the answers;
ten trainees join with the code (each in their own browser context, so their own kernel) and
submit the coaching-or-mentoring sort; the dashboard counts them and puts the most-missed
statements first; two write reflections, one approved, and the projector shows that one only;
revealing the answers shows every trainee their feedback without a reload; locking Module 1
sends trainees back to a map where it is locked; the responses download as CSV.

Waits are generous (a busy 2-core CI machine): how fast a change travels is measured in
``bench/``, never asserted here.
"""

from __future__ import annotations

import csv
import io

import pytest

from widgets.content import load_course

from ..conftest import DATA
from .conftest import Server, Trainee
from .test_trainee import tab_to

pytestmark = pytest.mark.browser

KEY = "staffroom-key-42"
MODULE = "coaching-and-mentoring"
TRAINEES = 10
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
JUDGED = ".sort-entry[data-result='correct'], .sort-entry[data-result='wrong']"
LIVE = 20_000  # ms for a change to show up: the pages poll every second


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    srv = Server(
        tmp_path_factory.mktemp("live") / "var",
        extra_env={"COURSE_FACILITATOR_KEY": KEY},
        pool_size=4,
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def sort_content():
    return load_course(DATA).activity("m1-sort")


def open_facilitator(browser, server, page_name="dashboard", viewport=(1280, 900)) -> Trainee:
    person = Trainee(browser, server, viewport)
    person.page.goto(f"{server.url}voila/render/facilitator/{page_name}.ipynb", wait_until="commit")
    person.page.locator(".facilitator-key input").wait_for()
    return person


def unlock(person: Trainee, key: str = KEY) -> None:
    page = person.page
    page.locator(".facilitator-key input").fill(key)
    page.locator(".facilitator-unlock").click()


def page_text(person: Trainee) -> str:
    return person.page.locator("body").inner_text()


def join_session(trainee: Trainee, code: str, name: str) -> None:
    trainee.open(f"code={code}")
    page = trainee.page
    assert page.locator(".course-join-code input").input_value() == code
    page.locator(".course-join-name input").fill(name)
    page.locator(".course-join-start").click()
    page.locator(f".course-module-{MODULE}").wait_for()


def sort_and_submit(trainee: Trainee, sort_content, wrong: set[str]) -> None:
    """Place every statement with the keyboard (those in ``wrong`` elsewhere), then submit."""
    page = trainee.page
    page.locator(f".course-module-{MODULE} .course-part-practice").click()
    board = page.locator(".sort-board").first  # the page's second sort is not this one
    board.wait_for()
    numbers = {c.id: str(n) for n, c in enumerate(sort_content.categories, start=1)}
    answers = {i.id: i.answer for i in sort_content.items}
    board.locator(".sort-pile .sort-card").first.wait_for()
    # the app moves focus to the new part's heading just after drawing it; start from there,
    # as a keyboard user does (tabbing before that move lost the focus on a busy machine)
    page.wait_for_function(
        "document.activeElement && document.activeElement.matches('.course-view h1')"
    )
    tab_to(page, "sort-card")
    for _ in range(len(answers)):
        # the board moves focus to the next card once it has redrawn: wait for it (busy CI)
        page.wait_for_function(
            "document.activeElement && document.activeElement.hasAttribute('data-item-id')"
        )
        item_id = page.evaluate("document.activeElement.getAttribute('data-item-id')")
        answer = answers[item_id]
        if item_id in wrong:
            answer = next(c for c in numbers if c != answer)
        page.keyboard.press(numbers[answer])
        board.locator(
            f".sort-column[data-category-id='{answer}'] .sort-card[data-item-id='{item_id}']"
        ).wait_for()
    check = board.locator(".sort-check")
    assert check.inner_text().strip() == "Submit"  # the answers are hidden
    check.click()
    board.locator(".sort-live", has_text="Your facilitator will reveal the answers").wait_for()


def test_live_session_end_to_end(browser, live_server, sort_content):
    items = [i.id for i in sort_content.items]
    most_missed, second = items[0], items[1]
    misses = {most_missed: 4, second: 2}  # trainees 0-3 miss the first, 0-1 the second too

    facilitator = open_facilitator(browser, live_server)
    fpage = facilitator.page
    unlock(facilitator)
    fpage.locator(".facilitator-title input").fill("Twilight INSET <b>day</b>")
    fpage.locator(".facilitator-create").click()
    code = fpage.locator(".live-code").inner_text().strip()
    assert len(code) == 6
    assert fpage.locator(".live-qr svg").count() == 1
    fpage.locator(".facilitator-hide-answers input").check()
    fpage.locator(".course-status", has_text="Changed for every trainee").wait_for()

    trainees: list[Trainee] = []
    try:
        for n in range(TRAINEES):
            trainee = Trainee(browser, live_server)
            trainees.append(trainee)
            join_session(trainee, code, HOSTILE if n == 5 else f"Teacher {n}")
            wrong = {i for i, k in misses.items() if n < k}
            sort_and_submit(trainee, sort_content, wrong)
            # hidden: no right/wrong on any statement
            assert trainee.page.locator(JUDGED).count() == 0

        # the dashboard: who is here, and the class's sort, most missed first
        fpage.locator(".facilitator-count", has_text=f"{TRAINEES} trainees joined").wait_for(
            timeout=LIVE
        )
        roster = fpage.locator(".facilitator-roster").inner_text()
        assert "Teacher 0" not in roster and "Trainee 10" in roster  # names are off by default
        assert roster.count("Module 1 · Practice") == TRAINEES
        picker = fpage.locator(".facilitator-activity select")
        fpage.wait_for_function(
            "t => [...document.querySelectorAll('.facilitator-activity option')]"  # nbsp: ipywidgets
            ".some(o => o.textContent.replace(/\\u00a0/g, ' ').includes(t))",
            arg=f"{sort_content.title} ({TRAINEES} answered)",
            timeout=LIVE,
        )
        label = next(
            o
            for o in picker.locator("option").all_inner_texts()
            if sort_content.title in o.replace("\u00a0", " ")
        )
        picker.select_option(label=label)
        table = fpage.locator(".facilitator-chart-table")
        table.locator("caption", has_text=f"{TRAINEES} learners answered").wait_for(timeout=LIVE)
        rows = table.locator("tbody tr")
        assert rows.nth(0).get_attribute("data-item") == most_missed
        assert rows.nth(1).get_attribute("data-item") == second
        assert rows.nth(0).locator(".live-missed").inner_text() == "4"
        assert rows.nth(0).locator(".live-right").inner_text() == str(TRAINEES - 4)
        assert rows.nth(2).locator(".live-missed").inner_text() == "0"
        assert fpage.locator(".facilitator-chart .js-plotly-plot").count() == 1
        fpage.locator(".facilitator-chart .js-plotly-plot .bars").first.wait_for()
        # the empty chart drawn before (the first activity, unanswered) leaves nothing behind
        assert "No answers yet" not in fpage.locator(".facilitator-chart").inner_text()
        facilitator.screenshot("facilitator-dashboard")

        # two reflections arrive; the facilitator approves the hostile one only
        private = "Only for the facilitator: I was nervous about being observed."
        for trainee, text in ((trainees[0], private), (trainees[1], HOSTILE + " Listening more.")):
            page = trainee.page
            page.locator(".course-tab-review").click()
            box = page.locator(".course-reflection-text textarea").first
            box.fill(text)
            page.keyboard.press("Tab")
            page.locator(
                ".course-activity-reflection .course-status", has_text="Saved"
            ).first.wait_for()
        reflections = fpage.locator(".facilitator-reflection")
        fpage.locator(".facilitator-reflection", has_text="Listening more.").wait_for(timeout=LIVE)
        assert reflections.count() == 2
        assert HOSTILE in fpage.locator(".facilitator-reflections").inner_text()  # shown as text
        fpage.locator(".facilitator-reflection", has_text="Listening more.").locator(
            ".facilitator-approve"
        ).click()
        fpage.locator(".facilitator-reflection.approved", has_text="Listening more.").wait_for()

        # the projector, on a second screen: the approved reflection, nothing else, no names
        projector = open_facilitator(browser, live_server, "projector")
        try:
            unlock(projector)
            projector.page.locator(".facilitator-open-session", has_text=code).click()
            projector.page.locator(".projector-code", has_text=code).wait_for()
            projector.page.locator(".projector-reflection", has_text="Listening more.").wait_for(
                timeout=LIVE
            )
            shown = page_text(projector)
            assert HOSTILE in shown  # escaped: visible as text, never run
            assert "nervous about being observed" not in shown
            for n in range(TRAINEES):
                assert f"Teacher {n}" not in shown
            assert projector.page.locator(".projector-reflection img").count() == 0
            projector.screenshot("facilitator-projector")
        finally:
            projector.close()
        assert projector.dialogs == [] and projector.outside_requests == []

        # reveal: trainees on the sort see their feedback without reloading
        fpage.locator(".facilitator-hide-answers input").uncheck()
        for n, trainee in enumerate(trainees[2:], start=2):
            page = trainee.page
            page.locator(
                f".sort-entry[data-item-id='{most_missed}'][data-result='correct'], "
                f".sort-entry[data-item-id='{most_missed}'][data-result='wrong']"
            ).wait_for(timeout=LIVE)
            expected = "wrong" if n < misses[most_missed] else "correct"
            result = page.locator(f".sort-entry[data-item-id='{most_missed}']")
            assert result.get_attribute("data-result") == expected
            assert page.locator(".sort-check").first.inner_text().startswith("Check")
        trainees[2].screenshot("facilitator-trainee-revealed")

        # lock Module 1: everyone in it goes back to the map, where it is locked
        fpage.locator(f".facilitator-lock-{MODULE} input").check()
        for trainee in trainees:
            page = trainee.page
            page.locator(".course-alert", has_text="paused").wait_for(timeout=LIVE)
            buttons = page.locator(f".course-module-{MODULE} .course-part-button")
            assert buttons.count() == 3
            for i in range(3):
                assert buttons.nth(i).is_disabled()
                assert "locked by your facilitator" in buttons.nth(i).inner_text()
        trainees[0].screenshot("facilitator-trainee-locked")

        # bring everyone to Module 2's theory: every trainee's page goes there and says why
        fpage.locator(".facilitator-gather-part select").select_option(index=3)  # M2 theory
        fpage.locator(".facilitator-gather").click()
        fpage.locator(".facilitator-gather-state", has_text="Module 2 Theory").wait_for()
        for trainee in trainees:
            page = trainee.page
            page.locator(".course-crumbs", has_text="Module 2").wait_for(timeout=LIVE)
            assert "Theory" in page.locator(".course-crumbs").inner_text()
            page.locator(
                ".course-status", has_text="brought the group to Theory of Module 2"
            ).wait_for(timeout=LIVE)
            assert page.locator(".course-notice", has_text="brought the group").is_visible()
        trainees[1].screenshot("facilitator-trainee-gathered")
        # on the map, the trainee sees where the group is and can go back there
        page = trainees[0].page
        page.locator(".course-home-button").click()
        banner = page.locator(".course-gather")
        banner.wait_for()
        assert "Theory of Module 2" in banner.inner_text()
        trainees[0].screenshot("facilitator-trainee-map-gathered")
        banner.locator(".course-gather-go").click()
        page.locator(".course-crumbs", has_text="Module 2").wait_for()

        # end the session and download its responses
        fpage.locator(".facilitator-end").click()
        question = fpage.locator(".facilitator-end-question")
        question.wait_for()  # End session asks first, offering the CSV
        assert question.locator(".facilitator-download button").count() == 1
        assert "Live session" in fpage.locator("h1").first.inner_text()  # not ended yet
        question.locator(".facilitator-end-confirm").click()
        fpage.locator(".facilitator-ended").wait_for()
        with fpage.expect_download() as download_info:
            fpage.locator(".facilitator-download button").click()
        text = download_info.value.path().read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        sorts = [r for r in rows if r["activity"] == "m1-sort" and r["item"] == most_missed]
        assert len(sorts) == TRAINEES
        assert sum(r["correct"] == "False" for r in sorts) == 4
        names = {r["name"] for r in rows}
        assert HOSTILE in names  # the facilitator's own record keeps what trainees typed
        for trainee in trainees:
            assert trainee.dialogs == [] and trainee.outside_requests == []
        assert facilitator.dialogs == [] and facilitator.outside_requests == []
    finally:
        for trainee in trainees:
            trainee.close()
        facilitator.close()


def test_without_the_key_nothing_is_shown(browser, live_server):
    """Does the facilitator page reveal no code, name, count or text without the key, and
    refuse a wrong key?"""
    from widgets.store import ResponseStore

    url = f"sqlite:///{live_server.var_dir / 'course.sqlite'}"
    with ResponseStore(url) as store:
        session = store.create_session("Secret session title")
        learner = store.create_learner(display_name="Ms Secretname", session_code=session.code)
    secrets = [session.code, "Secret session title", "Ms Secretname", "trainee joined"]

    for page_name in ("dashboard", "projector"):
        person = open_facilitator(browser, live_server, page_name)
        try:
            page = person.page
            html = page.content()
            for secret in secrets:
                assert secret not in html, f"{secret!r} shown before the key on {page_name}"
            unlock(person, "not-the-key")
            page.locator(".course-status", has_text="That key is not right").wait_for()
            assert page.locator(".facilitator-key input").input_value() == ""
            html = page.content()
            for secret in secrets:
                assert secret not in html, f"{secret!r} shown after a wrong key on {page_name}"
            assert page.locator(".facilitator-title, .live-code, .facilitator-roster").count() == 0
        finally:
            person.close()
    assert learner.session_code == session.code

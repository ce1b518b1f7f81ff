"""A trainee in a real Chromium against the served course: join, sort by keyboard, reload.

Every test here also fails if the page asked anything of the internet or opened a dialog
(see the ``trainee`` fixture).
"""

from __future__ import annotations

import pytest

from widgets.content import load_course

from ..conftest import DATA

pytestmark = pytest.mark.browser

MODULE = "coaching-and-mentoring"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def sort_content():
    return load_course(DATA).activity("m1-sort")


PARTS = 3 * len(load_course(DATA).modules)


def join(trainee, name="Sam"):
    trainee.open()
    page = trainee.page
    page.locator(".course-join-name input").fill(name)
    page.locator(".course-join-start").click()
    page.locator(f".course-module-{MODULE}").wait_for()
    assert "learner=" in page.url
    return page.url.split("learner=")[1].split("&")[0]


def focused(page, attribute: str = "class") -> str:
    return page.evaluate(
        f"document.activeElement && (document.activeElement.getAttribute('{attribute}') || '')"
    )


def tab_to(page, css_class: str, limit: int = 80) -> None:
    """Press Tab until the focused element has ``css_class`` (as a keyboard user would)."""
    for _ in range(limit):
        if css_class in focused(page).split():
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached .{css_class}; stuck on {focused(page)!r}")


def test_join_shows_module_map_with_progress(trainee):
    """Does joining show the module map, the resume code and progress, with the token in the URL?"""
    token = join(trainee)
    page = trainee.page
    assert page.locator(".course-token").inner_text().replace("-", "") == token
    assert f"0 of {PARTS} parts done" in page.locator(".course-progress-text").inner_text()
    assert page.locator(".course-part-button").count() == PARTS
    assert page.locator(".course-module-card").count() == PARTS // 3
    trainee.screenshot("home-module-map")


def test_keyboard_only_sort_check_and_reload(trainee, sort_content):
    """Can a trainee complete the sort with the keyboard only, see why, and find it all after a reload?"""
    token = join(trainee)
    page = trainee.page
    trainee.open(f"learner={token}&module={MODULE}&part=practice")
    page.locator(".sort-board").first.wait_for()
    numbers = {c.id: str(n) for n, c in enumerate(sort_content.categories, start=1)}
    answers = {i.id: i.answer for i in sort_content.items}
    wrong_on_purpose = None

    page.locator("body").focus()
    tab_to(page, "sort-card")
    for _ in range(len(answers)):
        item_id = focused(page, "data-item-id")
        assert item_id in answers, f"focus left the cards: {focused(page)!r}"
        answer = answers[item_id]
        if wrong_on_purpose is None:
            wrong_on_purpose = item_id
            answer = next(c for c in numbers if c != answer)
        page.keyboard.press(numbers[answer])
        page.locator(
            f".sort-column[data-category-id='{answer}'] .sort-card[data-item-id='{item_id}']"
        ).wait_for()
    assert page.locator(".sort-board").first.locator(".sort-pile .sort-card").count() == 0

    tab_to(page, "sort-check")
    page.keyboard.press("Enter")
    live = page.locator(".sort-live").first
    page.wait_for_function("document.querySelector('.sort-live').textContent.includes('of 24')")
    assert "23 of 24" in live.inner_text()
    wrong = page.locator(f".sort-entry[data-item-id='{wrong_on_purpose}']")
    assert wrong.get_attribute("data-result") == "wrong"
    assert "Not quite" in wrong.inner_text()
    explanation = next(i.explanation for i in sort_content.items if i.id == wrong_on_purpose)
    assert explanation[:40] in wrong.inner_text()
    page.locator(".course-activity-sorting .course-status", has_text="Saved").wait_for()
    trainee.screenshot("practice-checked")

    trainee.reload()
    page.locator(".sort-board").first.wait_for()
    for item_id, answer in answers.items():
        placed = "mentoring" if item_id == wrong_on_purpose and answer != "mentoring" else None
        column = page.locator(f".sort-card[data-item-id='{item_id}']").locator(
            "xpath=ancestor::*[@data-category-id][1]"
        )
        if item_id != wrong_on_purpose:
            assert column.get_attribute("data-category-id") == answer
        elif placed:
            assert column.get_attribute("data-category-id") != answer
    assert (
        page.locator(f".sort-entry[data-item-id='{wrong_on_purpose}']").get_attribute("data-result")
        == "wrong"
    )


def test_reflection_is_text_not_code_and_survives_reload(trainee):
    """Is hostile markup in a reflection saved, shown as text, never run, and restored after reload?"""
    token = join(trainee, name=HOSTILE)
    page = trainee.page
    assert HOSTILE in page.locator(".course-greeting").inner_text()
    trainee.open(f"learner={token}&module={MODULE}&part=review")
    box = page.locator(".course-reflection-text textarea")
    box.fill(HOSTILE + "\nI was mentored in my first year.")
    page.keyboard.press("Tab")  # leaving the box saves it
    page.locator(".course-activity-reflection .course-status", has_text="Saved").wait_for()
    trainee.reload()
    box = page.locator(".course-reflection-text textarea")
    page.wait_for_function(
        "document.querySelector('.course-reflection-text textarea').value.length > 0"
    )
    assert box.input_value().startswith(HOSTILE)
    assert page.locator("img[src=x]").count() == 0
    assert trainee.dialogs == []


def test_oversized_reflection_is_refused_and_kept(trainee):
    """Is a reflection over the limit refused with the limit stated, the text left in the box?"""
    token = join(trainee)
    page = trainee.page
    trainee.open(f"learner={token}&module={MODULE}&part=review")
    long_text = "This is far too long. " * 300
    box = page.locator(".course-reflection-text textarea")
    box.fill(long_text)
    page.keyboard.press("Tab")
    page.locator(".course-activity-reflection .course-status", has_text="limit is 5,000").wait_for()
    assert box.input_value() == long_text


def test_progress_map_reflects_work(trainee):
    """After the knowledge check and a visit, does the map show Theory done and Practice started?"""
    token = join(trainee)
    page = trainee.page
    trainee.open(f"learner={token}&module={MODULE}&part=theory")
    check = page.locator(".course-activity-choice")
    check.wait_for()
    for question in check.locator(".course-choice-question").all():
        question.locator("input").first.check()
    check.locator(".course-check").click()
    check.locator(".course-status", has_text="Saved").wait_for()
    page.locator(".course-tab-practice").click()
    page.locator(".sort-board").first.wait_for()
    page.locator(".course-home-button").click()
    card = page.locator(f".course-module-{MODULE}")
    card.locator(".course-part-theory", has_text="Done").wait_for()
    assert "Started" in card.locator(".course-part-practice").inner_text()
    assert f"1 of {PARTS} parts done" in page.locator(".course-progress-text").inner_text()


def test_a_part_opened_from_far_down_the_map_starts_at_its_top(trainee):
    """Opening a part from the bottom of the module map: is its heading on screen, focused
    (Voilà scrolls #rendered_cells, not the window, and the map's offset used to carry over)?"""
    join(trainee)
    page = trainee.page
    last = page.locator(".course-module-mentoring-leaders-and-schools .course-part-review")
    last.scroll_into_view_if_needed()
    scrolled = page.evaluate("document.getElementById('rendered_cells').scrollTop")
    assert scrolled > 300  # the map really was scrolled down
    last.click()
    heading = page.locator(".course-view h1")
    page.wait_for_function("document.activeElement && document.activeElement.tagName === 'H1'")
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, box
    assert page.evaluate("document.getElementById('rendered_cells').scrollTop") == 0


def test_resume_code_on_another_device(browser, server, trainee):
    """Can the same trainee carry on in a new browser by typing the resume code?"""
    from .conftest import Trainee

    token = join(trainee, name="Device one")
    other = Trainee(browser, server)
    try:
        other.open()
        formatted = "-".join(token[i : i + 4] for i in range(0, 12, 4)).lower()
        other.page.locator(".course-resume-code input").fill(formatted)
        other.page.locator(".course-resume-button").click()
        other.page.locator(".course-greeting", has_text="Device one").wait_for()
        assert f"learner={token}" in other.page.url
    finally:
        other.close()


@pytest.mark.parametrize(
    "query, words",
    [
        ("learner=ZZZZZZZZZZZZ", "not recognised"),
        ("learner=%3Cscript%3E", "wrong format"),
    ],
)
def test_bad_token_goes_home_with_an_explanation(trainee, query, words):
    """Does an unknown or malformed resume code land on the home page with an explanation?"""
    trainee.open(query)
    alert = trainee.page.locator(".course-alert")
    alert.wait_for()
    assert words in alert.inner_text()
    assert trainee.page.locator(".course-join-start").count() == 1
    assert "learner=" not in trainee.page.url


def test_unknown_session_code_is_explained(trainee):
    """Does joining with a session code that does not exist say so and keep the name typed?"""
    trainee.open()
    page = trainee.page
    page.locator(".course-join-name input").fill("Sam")
    page.locator(".course-join-code input").fill("QQQQQQ")
    page.locator(".course-join-start").click()
    page.get_by_text("There is no live session with the code").wait_for()
    assert page.locator(".course-join-name input").input_value() == "Sam"


def test_research_consent_is_asked_and_kept(trainee):
    """Is research consent asked plainly once, recorded, kept after a reload and changeable?"""
    join(trainee)
    page = trainee.page
    page.get_by_text("May your answers be used for research?").wait_for()
    page.locator(".course-consent-yes").click()
    page.locator(".course-consent-now", has_text="You agreed").wait_for()
    trainee.reload()
    page.locator(".course-consent-now", has_text="You agreed").wait_for()
    page.locator(".course-consent-no").click()
    page.locator(".course-consent-now", has_text="keep your answers out").wait_for()

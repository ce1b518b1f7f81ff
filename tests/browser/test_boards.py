"""Sorting boards at real screen sizes: every category column beside the pile on a laptop and
a tablet, and on a phone a stacked board whose "Move to" buttons still place a card."""

from __future__ import annotations

import pytest

from widgets.content import load_course

from ..conftest import DATA
from .conftest import Trainee
from .test_trainee import MODULE, join

pytestmark = pytest.mark.browser

COURSE = load_course(DATA)
SORTS = [
    (m.slug, a.part, a.id) for m in COURSE.modules for a in m.file.activities if a.type == "sorting"
]
SORTS_OF_PART = {(m, p): [a for m2, p2, a in SORTS if (m2, p2) == (m, p)] for m, p, _a in SORTS}
SIZES = [(1366, 768), (820, 1180)]


def open_part(browser, server, module: str, part: str, viewport) -> Trainee:
    person = Trainee(browser, server, viewport)
    token = join(person)
    person.open(f"learner={token}&module={module}&part={part}")
    person.page.locator(".sort-board .sort-pile .sort-card").first.wait_for()
    return person


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize(("module", "part", "activity"), SORTS, ids=[s[2] for s in SORTS])
def test_every_column_is_beside_the_pile(browser, server, module, part, activity, size):
    """Is every category column of the sort beside the pile (to its right, starting within
    its height: not wrapped under the cards, where nobody can drag to it), inside the
    screen's width and wide enough to read?"""
    person = open_part(browser, server, module, part, size)
    try:
        page = person.page
        board = page.locator(".sort-board").nth(SORTS_OF_PART[(module, part)].index(activity))
        expected = len(COURSE.activity(activity).categories)
        person.screenshot(f"board-{activity}-{size[0]}x{size[1]}")
        # every box measured at one moment (the page may still scroll as the part settles)
        pile, *columns = board.evaluate(
            "b => [b.querySelector('.sort-pile'), ...b.querySelectorAll('.sort-column')]"
            ".map(e => { const r = e.getBoundingClientRect();"
            " return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
        )
        assert len(columns) == expected
        pile_right = pile["x"] + pile["width"]
        for n, box in enumerate(columns, start=1):
            assert pile["y"] - 1 <= box["y"] < pile["y"] + min(pile["height"], 800), (
                f"column {n} is not beside the pile: {box}, pile {pile}"
            )
            assert box["x"] >= pile_right - 1, f"column {n} is not right of the pile: {box}"
            assert box["x"] + box["width"] <= size[0], f"column {n} is off the screen: {box}"
            assert box["width"] >= 120, f"column {n} is too narrow to read: {box}"
    finally:
        person.close()


def test_phone_board_stacks_and_move_to_places_a_card(browser, server):
    """On a 390 px phone, do the columns stack under the pile, and does tapping a card then
    a "Move to" button put it in that column?"""
    sort = COURSE.activity("m1-sort")
    person = open_part(browser, server, MODULE, "practice", (390, 844))
    try:
        page = person.page
        board = page.locator(".sort-board").first
        pile = board.locator(".sort-pile").bounding_box()
        first_column = board.locator(".sort-column").first.bounding_box()
        assert first_column["y"] >= pile["y"] + pile["height"] - 1  # stacked below
        assert first_column["x"] + first_column["width"] <= 390
        card = board.locator(".sort-pile .sort-card").first
        item_id = card.get_attribute("data-item-id")
        card.click()
        target = sort.categories[-1]
        move = board.locator(f".sort-movebar .sort-move[data-category-id='{target.id}']")
        move.wait_for()
        box = move.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        person.screenshot("board-phone-move-to")
        move.click()
        board.locator(
            f".sort-column[data-category-id='{target.id}'] .sort-card[data-item-id='{item_id}']"
        ).wait_for()
    finally:
        person.close()

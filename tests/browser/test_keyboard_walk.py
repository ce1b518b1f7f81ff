"""A trainee completes every module's practice part with the keyboard only.

Nothing here clicks: focus moves with Tab and the arrow keys, choices are made with Space,
digits and Enter, exactly as a keyboard or switch user would. Each activity type has a small
driver below; an activity type without one fails the test, so a new type cannot slip in
untested.
"""

from __future__ import annotations

import pytest

from widgets.content import load_course
from widgets.content.notebooks import code_cells, literal_calls

from ..conftest import COURSE, DATA
from .test_trainee import join

pytestmark = pytest.mark.browser

COURSE_CONTENT = load_course(DATA)
MODULES = [m.slug for m in COURSE_CONTENT.modules]
STEP_LIMIT = 60


def shown_activities(module: str, part: str) -> list:
    """The activities of a part in page order (the notebook's order)."""
    ids = []
    for _n, source in code_cells(COURSE / module / f"{part}.ipynb"):
        ids += [args[0] for args in literal_calls(source, "activity")]
    return [COURSE_CONTENT.activity(i) for i in ids]


class Keyboard:
    """Keyboard-only moves, scoped to one activity's root element on the page."""

    def __init__(self, page, index: int):
        self.page = page
        self.root = f"[data-walk='{index}']"

    def focused(self, selector: str) -> bool:
        return self.page.evaluate(
            """([root, selector]) => {
                const el = document.activeElement;
                return !!el && el.matches(selector) && !!el.closest(root);
            }""",
            [self.root, selector],
        )

    def tab_to(self, selector: str, limit: int = 400) -> None:
        """Press Tab until the focused element matches ``selector`` inside this activity."""
        for _ in range(limit):
            if self.focused(selector):
                return
            self.page.keyboard.press("Tab")
        where = self.page.evaluate(
            "document.activeElement && document.activeElement.outerHTML.slice(0, 120)"
        )
        raise AssertionError(f"Tab never reached {selector} in {self.root}; focus on {where!r}")

    def attr(self, name: str) -> str:
        return self.page.evaluate(f"document.activeElement.getAttribute('{name}')")

    def wait(self, selector: str) -> None:
        self.page.locator(f"{self.root} {selector}").first.wait_for()


def do_sorting(kb: Keyboard, activity) -> None:
    numbers = {c.id: str(n) for n, c in enumerate(activity.categories, start=1)}
    answers = {i.id: i.answer for i in activity.items}
    kb.tab_to(".sort-card")
    for _ in range(len(answers)):
        item_id = kb.attr("data-item-id")
        assert item_id in answers, "focus left the cards while sorting"
        kb.page.keyboard.press(numbers[answers[item_id]])
        kb.wait(f".sort-column .sort-card[data-item-id='{item_id}']")
    kb.tab_to(".sort-check")
    kb.page.keyboard.press("Enter")
    kb.wait(".sort-board[data-mode='checked']")


def do_choice(kb: Keyboard, activity) -> None:
    for question in activity.questions:
        kb.tab_to(f"fieldset[data-question-id='{question.id}'] input")
        right = {o.id for o in question.options if o.correct}
        if question.multiple:
            for _ in question.options:
                if kb.attr("value") in right:
                    kb.page.keyboard.press("Space")
                kb.page.keyboard.press("Tab")
            continue
        kb.page.keyboard.press("Space")
        for _ in question.options:
            if kb.attr("value") in right:
                break
            kb.page.keyboard.press("ArrowDown")  # in a radio group, arrows move and choose
    kb.tab_to(".course-check")
    kb.page.keyboard.press("Enter")
    try:
        kb.wait(".course-verdict")
    except Exception as exc:
        status = kb.page.locator(f"{kb.root} .course-status").inner_text()
        ticked = kb.page.evaluate(
            f'[...document.querySelectorAll("{kb.root} input:checked")].map(x => x.value)'
        )
        raise AssertionError(
            f"no feedback after Check; status {status!r}; ticked {ticked}"
        ) from exc


def do_ordering(kb: Keyboard, activity) -> None:
    kb.tab_to(".order-entry")
    kb.page.keyboard.press("Alt+ArrowDown")
    kb.tab_to(".order-check")
    kb.page.keyboard.press("Enter")
    kb.wait(".order-board[data-mode='checked']")


def _walk_graph(kb: Keyboard, prefix: str, board: str) -> None:
    """Choose, then continue, node by node, until the board reaches an ending."""
    board = f"{kb.root} {board}"
    for _ in range(STEP_LIMIT):
        phase = kb.page.locator(board).get_attribute("data-phase")
        if phase == "ended":
            return
        if phase == "choosing" and kb.page.locator(f"{board} .{prefix}-draft-text").count():
            # a rehearsal: write one's own reply first; the replies appear after it
            kb.tab_to(f".{prefix}-draft-text")
            kb.page.keyboard.type("What was different on the days it went well?")
            kb.tab_to(f".{prefix}-draft-submit")
            kb.page.keyboard.press("Enter")
            kb.page.locator(f"{board} .{prefix}-option-input").first.wait_for()
            continue
        if phase == "choosing":
            kb.tab_to(f".{prefix}-option-input")
            kb.page.keyboard.press("Space")
            kb.page.keyboard.press("Enter")
        else:
            kb.tab_to(f".{prefix}-continue")
            kb.page.keyboard.press("Enter")
        # the page redraws when Python answers: wait for that before the next key
        kb.page.locator(f"{board}:not([data-phase='{phase}'])").wait_for()
    raise AssertionError(f"{board} did not reach an ending in {STEP_LIMIT} steps")


def do_scenario(kb: Keyboard, activity) -> None:
    _walk_graph(kb, "scenario", ".scenario-board")


def do_simulator(kb: Keyboard, activity) -> None:
    _walk_graph(kb, "sim", ".sim-board")


def do_reflection(kb: Keyboard, activity) -> None:
    kb.tab_to(".course-reflection-text textarea")
    kb.page.keyboard.type("I noticed that I jump in with advice, because it feels quicker.")
    kb.page.keyboard.press("Tab")  # leaving the box saves it
    kb.page.locator(f"{kb.root} .course-status", has_text="Saved").wait_for()


def do_self_assessment(kb: Keyboard, activity) -> None:
    for statement in activity.statements:
        kb.tab_to(f"fieldset[data-statement-id='{statement.id}'] input")
        kb.page.keyboard.press("Space")
    kb.tab_to(".course-save")
    kb.page.keyboard.press("Enter")
    kb.page.locator(f"{kb.root} .course-status", has_text="Saved").wait_for()


def do_video(kb: Keyboard, activity) -> None:
    kb.tab_to(".scene-all")
    kb.page.keyboard.press("Enter")
    kb.wait(".scene-line")
    for question in activity.questions:
        kb.tab_to(f".course-video-answer-{question.id} textarea")
        kb.page.keyboard.type(
            "The first colleague did the thinking for her, because he told her what to do."
        )
        kb.page.keyboard.press("Tab")  # leaving the box saves the answers
    kb.page.locator(f"{kb.root} .course-video-notice").first.wait_for()


def do_drafting(kb: Keyboard, activity) -> None:
    for n, step in enumerate(activity.steps, start=1):
        kb.tab_to(f".course-draft-text-{step.id} textarea")
        kb.page.keyboard.type("What happens on the days when it goes well?")
        kb.tab_to(f".course-draft-compare-{step.id}")  # leaving the box saves the draft
        kb.page.keyboard.press("Enter")
        kb.page.locator(f"{kb.root} .course-draft-comparison").nth(n - 1).wait_for()
        kb.tab_to(f".course-draft-check-{step.id} input")
        kb.page.keyboard.press("Space")  # a tick saves the self-check
        kb.page.locator(f"{kb.root} .course-draft-check-{step.id} input:checked").first.wait_for()
    kb.page.locator(f"{kb.root} .course-status", has_text="Saved").wait_for()


DRIVERS = {
    "drafting": do_drafting,
    "video": do_video,
    "sorting": do_sorting,
    "choice": do_choice,
    "ordering": do_ordering,
    "scenario": do_scenario,
    "simulator": do_simulator,
    "reflection": do_reflection,
    "self_assessment": do_self_assessment,
}


def test_every_practice_activity_has_a_keyboard_driver():
    """Is there a keyboard driver for every activity type the practice parts use?"""
    used = {a.type for m in MODULES for a in shown_activities(m, "practice")}
    assert used, "no practice activities found"
    assert used <= set(DRIVERS), f"no keyboard driver for {sorted(used - set(DRIVERS))}"


@pytest.mark.parametrize("module", MODULES)
def test_practice_part_with_keyboard_only(trainee, module):
    """Can a trainee complete this module's practice part with the keyboard alone?"""
    activities = shown_activities(module, "practice")
    token = join(trainee)
    page = trainee.page
    trainee.open(f"learner={token}&module={module}&part=practice")
    page.locator(".course-part-body .course-activity").first.wait_for()
    roots = page.locator(".course-part-body .course-activity")
    assert roots.count() == len(activities)
    page.evaluate(
        "document.querySelectorAll('.course-part-body .course-activity')"
        ".forEach((el, i) => el.setAttribute('data-walk', String(i)))"
    )
    page.locator("body").focus()
    for index, activity in enumerate(activities):
        DRIVERS[activity.type](Keyboard(page, index), activity)
    trainee.screenshot(f"keyboard-{module}-practice")
    home = Keyboard(page, 0)
    home.root = "body"
    home.page.keyboard.press("Shift+Tab")
    for _ in range(400):  # back up to the "Module map" button at the top, by keyboard
        if home.focused(".course-home-button"):
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    card = page.locator(f".course-module-{module}")
    card.locator(".course-part-practice", has_text="Done").wait_for()

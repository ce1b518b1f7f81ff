"""Sort statements into categories (Coaching / Mentoring / Both …): the keyboard-first sorter.

Three layers, each testable on its own:

- :class:`SortingLogic` – a plain state machine: the learner's card order, the placements,
  the mode (``sorting`` → ``checked`` → … or ``solution``), scoring and the resume format.
- :class:`SortBoard` – the one anywidget that draws the whole board (voila-notes: one widget
  holding the activity's state sends far fewer messages than one widget per card). It never
  changes state itself: the browser sends requests, Python validates them and sets the traits.
- :class:`SortingView` – the activity: heading, instructions, board and save status; it turns
  requests into logic calls and emits :class:`~widgets.activities.base.Submission` objects.

Keyboard scheme (also shown on screen and in ``aria-describedby``): Tab reaches the cards as
one group, Up/Down (Home/End) move between cards, digits 1..N place the focused card in
category N and 0 sends it back to "Not sorted yet"; Enter/Space picks a card up, Left/Right
choose a category, Enter drops, Escape cancels. A picked-up card also shows real "Move to"
buttons, so screen-reader browse mode and touch screens work without the shortcuts.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
import traitlets

from ..content.models import SortingActivity, SortingItem
from ..escape import escape_text
from ..looks import CourseAnyWidget, html, text_box, vbox
from .base import ActivityView, Submission, heading
from .reflection import length_problem

log = logging.getLogger(__name__)

_STATIC = Path(__file__).parent / "static"

MODES = ("sorting", "checked", "solution")
ACTIONS = ("place", "unplace", "check", "retry", "solution")


class SortingError(ValueError):
    """A request the sorting activity refuses; ``str()`` is written for the learner."""


class NotAllSorted(SortingError):
    """Check was asked for while some statements are still unsorted."""

    def __init__(self, remaining: int, total: int):
        self.remaining = remaining
        self.total = total
        noun = "statement is" if remaining == 1 else "statements are"
        super().__init__(
            f"{remaining} of {total} {noun} not sorted yet. "
            "Place every statement in a category, then check."
        )


SOLUTION_SHOWING = "The solution is showing. Choose Start again to sort the statements yourself."
ANSWERS_HIDDEN = "The answers are hidden until your facilitator reveals them."
HIDDEN_SUBMITTED = "Submitted. Your facilitator will reveal the answers."


@dataclass(frozen=True)
class ItemResult:
    """The outcome for one statement: where the learner put it and where it belongs."""

    item_id: str
    response: str | None
    answer: str
    correct: bool
    explanation: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    """A scored attempt: one :class:`ItemResult` per statement, in the learner's order."""

    items: dict[str, ItemResult]

    @property
    def score(self) -> int:
        return sum(r.correct for r in self.items.values())

    @property
    def max_score(self) -> int:
        return len(self.items)

    @property
    def wrong(self) -> list[str]:
        return [item_id for item_id, r in self.items.items() if not r.correct]


class SortingLogic:
    """The sorting state machine, without widgets.

    ``seed`` fixes this learner's card order (``random.Random(seed)``): the same seed gives
    the same order on every refresh, another learner's seed another order.

    ``feedback`` holds the per-statement results still valid for display: all of them after
    :meth:`check`; a statement moved afterwards loses its own (now stale) result while the
    others keep theirs, and the mode goes back to ``sorting``.
    """

    def __init__(
        self,
        items: Sequence[SortingItem],
        category_ids: Sequence[str],
        seed: int | str | None = None,
        shuffle: bool = True,
    ):
        self._items = {item.id: item for item in items}
        self.category_ids = tuple(category_ids)
        order = [item.id for item in items]
        if shuffle:
            random.Random(seed).shuffle(order)
        self.order: tuple[str, ...] = tuple(order)
        self._placements: dict[str, str] = {}
        self._own_placements: dict[str, str] = {}  # the learner's, while the solution shows
        self.mode = "sorting"
        self.result: CheckResult | None = None
        self.feedback: dict[str, ItemResult] = {}

    @classmethod
    def from_content(cls, content: SortingActivity, seed: int | str | None) -> SortingLogic:
        return cls(content.items, [c.id for c in content.categories], seed, content.shuffle)

    # -- state ---------------------------------------------------------------------

    @property
    def placements(self) -> dict[str, str]:
        """{item_id: category_id} for the placed statements (a copy)."""
        return dict(self._placements)

    @property
    def remaining(self) -> list[str]:
        """Unsorted statements, in the learner's order."""
        return [item_id for item_id in self.order if item_id not in self._placements]

    def item(self, item_id: str) -> SortingItem:
        try:
            return self._items[item_id]
        except KeyError:
            raise SortingError(f"There is no statement {item_id!r} in this activity.") from None

    def _category(self, category_id: str) -> str:
        if category_id not in self.category_ids:
            raise SortingError(f"There is no category {category_id!r} in this activity.")
        return category_id

    # -- transitions ---------------------------------------------------------------

    def place(self, item_id: str, category_id: str) -> None:
        """Put a statement in a category (moving it if it was elsewhere)."""
        self.item(item_id)
        self._category(category_id)
        if self.mode == "solution":
            raise SortingError(SOLUTION_SHOWING)
        if self._placements.get(item_id) == category_id:
            return
        self._placements[item_id] = category_id
        self._moved(item_id)

    def unplace(self, item_id: str) -> None:
        """Send a statement back to the unsorted pile."""
        self.item(item_id)
        if self.mode == "solution":
            raise SortingError(SOLUTION_SHOWING)
        if self._placements.pop(item_id, None) is not None:
            self._moved(item_id)

    def _moved(self, item_id: str) -> None:
        self.feedback.pop(item_id, None)
        self.mode = "sorting"

    def _results(self) -> dict[str, ItemResult]:
        out = {}
        for item_id in self.order:
            item = self._items[item_id]
            response = self._placements.get(item_id)
            out[item_id] = ItemResult(
                item_id=item_id,
                response=response,
                answer=item.answer,
                correct=response == item.answer,
                explanation=item.explanation,
                sources=tuple(item.sources),
            )
        return out

    def check(self) -> CheckResult:
        """Score the sort; refused (:class:`NotAllSorted`) while a statement is unsorted."""
        if self.mode == "solution":
            raise SortingError(SOLUTION_SHOWING)
        remaining = self.remaining
        if remaining:
            raise NotAllSorted(len(remaining), len(self.order))
        self.result = CheckResult(self._results())
        self.feedback = dict(self.result.items)
        self.mode = "checked"
        return self.result

    def retry(self) -> None:
        """Clear the feedback and keep every statement where it is.

        From the solution, "retry" starts again: every statement goes back to the pile, since
        checking the revealed answers would teach nothing.
        """
        if self.mode == "solution":
            self._placements, self._own_placements = {}, {}
        self.feedback = {}
        self.mode = "sorting"

    def show_solution(self) -> dict[str, ItemResult]:
        """Put every statement in its answer; feedback compares with where the learner had it."""
        if self.mode != "solution":
            self._own_placements = dict(self._placements)
            self.feedback = self._results()
        self._placements = {item_id: self._items[item_id].answer for item_id in self.order}
        self.mode = "solution"
        return self.feedback

    # -- resume --------------------------------------------------------------------

    def to_response(self) -> dict[str, Any]:
        """The state as JSON-able data: ``{"order", "placements", "mode"}``.

        While the solution shows, ``placements`` are the learner's own from before the
        reveal (the answers are in the content), so what they knew is kept.
        """
        own = self._own_placements if self.mode == "solution" else self._placements
        return {"order": list(self.order), "placements": dict(own), "mode": self.mode}

    def load_response(self, response: Mapping[str, Any]) -> None:
        """Restore a state saved by :meth:`to_response`.

        Content may have changed since it was saved: statements or categories that no longer
        exist are dropped, a stored order is used only if it still lists exactly the current
        statements, and a "checked" sort that is no longer complete resumes as "sorting".
        """
        if not isinstance(response, Mapping):
            raise TypeError(f"a sorting response must be a mapping, not {type(response).__name__}")
        placements = response.get("placements", {})
        if not isinstance(placements, Mapping):
            raise TypeError("a sorting response's 'placements' must be a mapping")
        mode = response.get("mode", "sorting")
        if mode not in MODES:
            raise ValueError(f"unknown sorting mode {mode!r}; expected one of {MODES}")
        order = response.get("order")
        if isinstance(order, list) and sorted(order, key=str) == sorted(self._items):
            self.order = tuple(order)
        self._placements = {
            str(item_id): str(category_id)
            for item_id, category_id in placements.items()
            if item_id in self._items and category_id in self.category_ids
        }
        self.mode, self.result, self.feedback = "sorting", None, {}
        if mode == "checked" and not self.remaining:
            self.check()
        elif mode == "solution":
            self.show_solution()


class SortBoard(CourseAnyWidget):
    """The whole sorting board: unsorted pile, one column per category, cards, buttons.

    Python is the source of truth. The browser never sets these traits; it sends requests
    (``{"action": "place", "item": …, "category": …}``, ``unplace``, ``check``, ``retry``,
    ``solution``) which reach :meth:`on_request` callbacks. :meth:`request` sends the same
    request from Python, so tests drive the board without a browser.

    ``feedback`` maps a card to ``{correct, explanation, sources_text, answer_label,
    response_label}``; the two labels are filled only while the solution shows.
    """

    _esm = _STATIC / "sorting.js"
    _css = _STATIC / "sorting.css"

    label = traitlets.Unicode("", help="Accessible name: the activity title.").tag(sync=True)
    categories = traitlets.List(help="Columns: [{id, label, description}].").tag(sync=True)
    items = traitlets.List(help="Cards in learner order: [{id, text, contested}].").tag(sync=True)
    placements = traitlets.Dict(help="{item_id: category_id}; unsorted: absent.").tag(sync=True)
    feedback = traitlets.Dict(help="{item_id: {correct, explanation, …}}.").tag(sync=True)
    mode = traitlets.Enum(MODES, "sorting", help="sorting | checked | solution.").tag(sync=True)
    reveal_answers = traitlets.Bool(True, help="False: Submit, no solution.").tag(sync=True)
    status = traitlets.Dict(help="Live region {text, tone, n}; new n repeats.").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._request_handlers = w.CallbackDispatcher()
        self.on_msg(self._handle_board_msg)

    def on_request(self, callback: Callable[[SortBoard, dict], Any], remove: bool = False) -> None:
        """Register (or with ``remove=True`` unregister) ``callback(board, request)``."""
        self._request_handlers.register_callback(callback, remove=remove)

    def request(self, action: str, **fields: str) -> None:
        """Send a request as the browser does: ``request("place", item=…, category=…)``."""
        self._handle_board_msg(self, {"action": action, **fields}, [])

    def _handle_board_msg(self, _, content: Any, buffers) -> None:
        request = _parse_request(content)
        if request is None:
            log.warning("sorting board: ignored malformed request %r", content)
            return
        self._request_handlers(self, request)


def _parse_request(content: Any) -> dict[str, str] | None:
    """Keep only well-formed requests: a known action and the string fields it needs."""
    if not isinstance(content, dict) or content.get("action") not in ACTIONS:
        return None
    action = content["action"]
    needed = {"place": ("item", "category"), "unplace": ("item",)}.get(action, ())
    if not all(isinstance(content.get(name), str) for name in needed):
        return None
    return {"action": action, **{name: content[name] for name in needed}}


def _short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


MAX_REASON = 2000  # characters in one "why?" box


class SortingView(ActivityView):
    """A sorting activity: heading, instructions, the board and the save status.

    ``seed`` fixes this learner's card order (pass a per-learner value so a refresh keeps
    it). ``sources_text(keys)`` turns an item's source keys into the citation text of its
    "Source:" line (the page passes short citations; by default the keys are shown).
    """

    activity_type = "sorting"
    supports_hidden_answers = True

    reveal_answers = traitlets.Bool(True, help="False while a facilitator hides the answers.")

    def __init__(
        self,
        content: SortingActivity,
        seed: int | str,
        *,
        sources_text: Callable[[list[str]], str] | None = None,
        reveal_answers: bool = True,
        **kwargs,
    ):
        self.logic = SortingLogic.from_content(content, seed)
        self._cite = sources_text or (lambda keys: ", ".join(keys))
        self._labels = {c.id: c.label for c in content.categories}
        self._saved_checks = 0
        self._status_n = 0
        by_id = {item.id: item for item in content.items}
        self.board = SortBoard(
            label=content.title,
            categories=[
                {"id": c.id, "label": c.label, "description": c.description or ""}
                for c in content.categories
            ],
            items=[
                {"id": i, "text": by_id[i].text, "contested": by_id[i].contested}
                for i in self.logic.order
            ],
        )
        super().__init__(content, reveal_answers=reveal_answers, **kwargs)
        header = heading(content.title)
        if content.instructions:
            header.value += (
                f"<p class='course-activity-instructions'>{escape_text(content.instructions)}</p>"
            )
        self.reasons: dict[str, str] = {}
        self.why_box = vbox((), "sort-why")
        self.children = [header, self.board, self.why_box, self.status]
        self.board.on_request(self._handle_request)
        self._sync_board()

    # -- public triggers (what the browser's requests call) ------------------------

    def place(self, item_id: str, category_id: str) -> None:
        """Put a statement in a category; unknown ids raise :class:`SortingError`."""
        self.logic.place(item_id, category_id)
        left = len(self.logic.remaining)
        total = len(self.logic.order)
        said = f"Placed '{_short(self.logic.item(item_id).text)}' in {self._labels[category_id]}."
        if left:
            said += f" {left} of {total} left."
        else:
            said += f" All {total} sorted: choose {self._check_word} when you are ready."
        self._sync_board(said)

    def unplace(self, item_id: str) -> None:
        """Send a statement back to "Not sorted yet"."""
        self.logic.unplace(item_id)
        left = len(self.logic.remaining)
        text = _short(self.logic.item(item_id).text)
        self._sync_board(
            f"Moved '{text}' back to Not sorted yet. {left} of {len(self.logic.order)} left."
        )

    def check(self) -> bool:
        """Score the sort, show the feedback and emit a "check" submission.

        Returns True once the attempt is saved. While the sort is incomplete nothing is
        emitted and the status names how many statements are left. The feedback shows
        whether or not saving worked; the save status says which. The scored result is
        ``self.logic.result``.
        """
        try:
            result = self.logic.check()
        except SortingError as exc:
            self._sync_board(str(exc))
            return False
        if self.reveal_answers:
            self._sync_board(*self._result_text(result))
        submission = self.new_submission(
            "check",
            response=self.logic.to_response(),
            items={
                item_id: {"response": r.response, "correct": r.correct}
                for item_id, r in result.items.items()
            },
            score=result.score,
            max_score=result.max_score,
            attempt=self._saved_checks + 1,
        )
        saved = self.emit(submission, saved_message="Saved.")
        if saved:
            self._saved_checks += 1
        self._ask_why()
        if not self.reveal_answers:
            if saved:
                self._sync_board(HIDDEN_SUBMITTED, "ok")
            else:
                self._sync_board("Not submitted yet: see the message below.", "error")
        return saved

    @staticmethod
    def _result_text(result: CheckResult) -> tuple[str, str]:
        """What the board says about a scored sort, and its tone."""
        if result.score == result.max_score:
            return f"All {result.max_score} correct. Read the notes to see why.", "ok"
        said = (
            f"{result.score} of {result.max_score} correct. "
            "Read the notes on the others, move them, then check again."
        )
        return said, "info"

    def submit(self) -> bool:
        """The public trigger every activity has: for sorting, the same as :meth:`check`."""
        return self.check()

    def retry(self) -> None:
        """Clear the feedback and keep the cards where they are; after the solution, start again."""
        starting_again = self.logic.mode == "solution"
        self.logic.retry()
        if starting_again:
            said = "Starting again: every statement is back in Not sorted yet."
        else:
            said = (
                "Feedback cleared. Your statements stay where they are: move the ones you "
                "want to change, then check again."
            )
        self._sync_board(said)

    def show_solution(self) -> bool:
        """Put every statement in its category with its reason; emit a "solution" submission.

        Returns True once that is saved. Refused while the facilitator hides the answers.
        """
        if not self.reveal_answers:
            raise SortingError(ANSWERS_HIDDEN)
        self.logic.show_solution()
        self._sync_board(
            "Solution shown: every statement is now in its category, with the reason and "
            "its source.",
            "ok",
        )
        submission = self.new_submission("solution", response=self.logic.to_response())
        return self.emit(submission, saved_message="Saved.")

    # -- "why?" on contested statements --------------------------------------------

    def contested_disagreements(self) -> list[str]:
        """Contested statements the learner placed elsewhere than the course's answer."""
        result = self.logic.result
        if result is None or not self.reveal_answers:
            return []
        return [
            item_id
            for item_id, r in result.items.items()
            if not r.correct and self.logic.item(item_id).contested
        ]

    def _ask_why(self) -> None:
        """Offer an optional box to explain each contested statement placed differently."""
        ids = self.contested_disagreements()
        if not ids:
            self.why_box.children = []
            return
        rows: list[w.Widget] = [
            html(
                "<h4>Placed it differently? Say why (optional)</h4><p>These statements describe "
                "tendencies, so a good reason can beat the answer key. Your reasons are saved "
                "with your sort; nothing is marked.</p>"
            )
        ]
        for item_id in ids:
            item = self.logic.item(item_id)
            chosen = self._labels[self.logic.result.items[item_id].response]
            answer = self._labels[item.answer]
            box = text_box(
                self.reasons.get(item_id, ""),
                f"Why {chosen} rather than {answer}?",
                "4em",
                "sort-why-text",
            )
            box.item_id = item_id
            box.observe(self._reason_changed, names="value")
            rows.append(
                html(
                    f"<p class='sort-why-item'><strong>{escape_text(item.text)}</strong> You put "
                    f"it in {escape_text(chosen)}; the course says {escape_text(answer)}.</p>"
                )
            )
            rows.append(box)
        self.why_box.children = rows

    def _reason_changed(self, change) -> None:
        self.justify(change["owner"].item_id, change["new"])

    def justify(self, item_id: str, text: str) -> bool:
        """Record the learner's reason for a contested placement (a "justify" submission).

        A reason over :data:`MAX_REASON` characters is refused with the limit stated and stays
        in its box: it is never cut short and then reported saved."""
        text = text.strip()
        problem = length_problem(text, MAX_REASON)
        if problem:
            self.status.say(problem, tone="error")
            return False
        if self.reasons.get(item_id, "") == text:
            return True
        self.reasons[item_id] = text
        submission = self.new_submission("justify", response={"reasons": dict(self.reasons)})
        return self.emit(submission, saved_message="Your reason is saved.")

    # -- resume --------------------------------------------------------------------

    def restore(self, submissions: list[Submission]) -> None:
        """Rebuild placements, mode and feedback from the latest check or solution."""
        mine = [
            s
            for s in submissions
            if s.activity_id == self.content.id and s.action in ("check", "solution")
        ]
        self._saved_checks = sum(s.action == "check" for s in mine)
        if not mine:
            return
        latest = mine[-1]
        mode = "checked" if latest.action == "check" else "solution"
        if mode == "solution" and not self.reveal_answers:
            mode = "sorting"  # answers hidden: the learner's own sort, not the solution
        self.logic.load_response({**latest.response, "mode": mode})
        justified = [s for s in submissions if s.action == "justify"]
        if justified:
            self.reasons = dict(justified[-1].response.get("reasons", {}))
        if mode == "checked":
            self._ask_why()
        said = "Your last sort is back, as you left it."
        if self.logic.result is not None and not self.reveal_answers:
            said += " " + HIDDEN_SUBMITTED
        self._sync_board(said)

    # -- plumbing --------------------------------------------------------------------

    @property
    def _check_word(self) -> str:
        return "Check" if self.reveal_answers else "Submit"

    @traitlets.observe("reveal_answers")
    def _reveal_answers_changed(self, change) -> None:
        if not hasattr(self, "why_box"):
            return  # still in __init__ (which draws the board once it is built)
        result = self.logic.result
        if not change["new"]:
            showed_answers = result is not None or self.logic.mode == "solution"
            if self.logic.mode == "solution":  # the answers go; the learner's own sort is back
                self.logic.load_response({**self.logic.to_response(), "mode": "sorting"})
            self._ask_why()  # hidden: no "why?" boxes, which name the course's answer
            # the marks go, and a status that may hold a score is replaced
            self._sync_board(ANSWERS_HIDDEN if showed_answers else None)
            return
        if result is None or self.logic.mode == "solution" or not self.logic.feedback:
            self._sync_board()
            return
        # the feedback of the last check appears, as if the learner had just checked
        self._ask_why()
        text, tone = self._result_text(result)
        if self.logic.mode == "checked":
            self._sync_board(f"Answers revealed. {text}", tone)
        else:  # statements moved since: those lost their (stale) notes
            self._sync_board(
                f"Answers revealed for the sort you submitted: {result.score} of "
                f"{result.max_score} correct. "
                "Statements you moved since have no notes: check again to mark them.",
                "info",
            )

    def _handle_request(self, board: SortBoard, request: dict[str, str]) -> None:
        action = request["action"]
        try:
            if action == "place":
                self.place(request["item"], request["category"])
            elif action == "unplace":
                self.unplace(request["item"])
            elif action == "check":
                self.check()
            elif action == "retry":
                self.retry()
            elif action == "solution":
                self.show_solution()
        except SortingError as exc:
            self._sync_board(str(exc), "error")
        except Exception:  # Voilà shows no traceback: the learner must hear of it
            log.exception("sorting activity %s: %s failed", self.content.id, action)
            self._sync_board(
                "Something went wrong on the server. Your sort is still here; try again.",
                "error",
            )

    def _sources_text(self, keys: Sequence[str]) -> str:
        return ("Source: " if len(keys) == 1 else "Sources: ") + self._cite(list(keys))

    def _feedback_payload(self) -> dict[str, dict[str, Any]]:
        solution = self.logic.mode == "solution"
        return {
            item_id: {
                "correct": r.correct,
                "explanation": r.explanation,
                "sources_text": self._sources_text(r.sources),
                "answer_label": self._labels[r.answer] if solution else "",
                "response_label": self._labels.get(r.response or "", "") if solution else "",
            }
            for item_id, r in self.logic.feedback.items()
        }

    def _sync_board(self, said: str | None = None, tone: str = "info") -> None:
        """Send the logic's state to the browser in one message."""
        with self.board.hold_sync():
            self.board.placements = self.logic.placements
            self.board.mode = self.logic.mode
            self.board.reveal_answers = self.reveal_answers
            self.board.feedback = self._feedback_payload() if self.reveal_answers else {}
            if said is not None:
                self._status_n += 1
                self.board.status = {"text": said, "tone": tone, "n": self._status_n}

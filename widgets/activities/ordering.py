"""Put steps in order (a GROW conversation's moves …): the keyboard-first ordering list.

Three layers, as in :mod:`~widgets.activities.sorting`:

- :class:`OrderingLogic` – a plain state machine: the learner's order, the mode (``ordering``
  → ``checked`` … or ``solution``), scoring and the resume format.
- :class:`OrderBoard` – the one anywidget that draws the list. It never changes state itself:
  the browser sends requests, Python validates them and sets the traits.
- :class:`OrderingView` – the activity: heading, instructions, board and save status; it turns
  requests into logic calls and emits :class:`~widgets.activities.base.Submission` objects.

Scoring (partial credit): the score is the length of the longest run of steps that are already
in the right order relative to each other (the longest increasing subsequence of their correct
positions), out of the number of steps. Moving one step to a wrong place costs one point, not
every step it pushed along. Those steps are the ones marked "in order"; the others are "out
of order" and their feedback says where they belong. Among several longest runs the one that
leaves most steps at their exact position is chosen, so the marks are deterministic.

Keyboard scheme (shown on screen and in ``aria-describedby``): Tab reaches the steps as one
group; Up/Down (Home/End) move focus between steps; Alt+Up/Alt+Down move the focused step one
place (Alt+Home/Alt+End: to the top/bottom); the focused step's "Move up"/"Move down" buttons
are the next tab stops and do the same for mouse, touch and screen-reader browse mode. Each
move is announced: "Moved 'X' to position 3 of 6."
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

from ..content.models import OrderingActivity, OrderingItem
from ..escape import escape_text
from ..looks import CourseAnyWidget
from .base import ActivityView, Submission, heading

log = logging.getLogger(__name__)

_STATIC = Path(__file__).parent / "static"

MODES = ("ordering", "checked", "solution")
ACTIONS = ("move", "check", "retry", "solution")

SOLUTION_SHOWING = "The solution is showing. Choose Start again to order the steps yourself."
ANSWERS_HIDDEN = "The answers are hidden until your facilitator reveals them."
HIDDEN_SUBMITTED = "Submitted. Your facilitator will reveal the answers."


class OrderingError(ValueError):
    """A request the ordering activity refuses; ``str()`` is written for the learner."""


def in_order_steps(order: Sequence[str], answer: Sequence[str]) -> set[str]:
    """The steps of ``order`` forming its longest correctly ordered subsequence.

    Ties between equally long subsequences go to the one with most steps at their exact
    position, then to the earliest; so the same order always gets the same marks.
    """
    where = {item_id: n for n, item_id in enumerate(answer)}
    pos = [where[item_id] for item_id in order]
    # best[i] = (length, exact) of the best increasing run ending at i; prev[i] its previous
    best: list[tuple[int, int]] = []
    prev: list[int | None] = []
    for i, p in enumerate(pos):
        exact = int(p == i)
        here, back = (1, exact), None
        for j in range(i):
            if pos[j] < p:
                candidate = (best[j][0] + 1, best[j][1] + exact)
                if candidate > here:
                    here, back = candidate, j
        best.append(here)
        prev.append(back)
    if not pos:
        return set()
    end = max(range(len(pos)), key=lambda i: (best[i], -i))
    chosen: set[str] = set()
    at: int | None = end
    while at is not None:
        chosen.add(order[at])
        at = prev[at]
    return chosen


@dataclass(frozen=True)
class StepResult:
    """The outcome for one step: where the learner put it and where it belongs (1-based)."""

    item_id: str
    position: int
    answer_position: int
    in_order: bool
    explanation: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class OrderResult:
    """A scored attempt: one :class:`StepResult` per step, in the learner's order."""

    steps: dict[str, StepResult]

    @property
    def score(self) -> int:
        return sum(r.in_order for r in self.steps.values())

    @property
    def max_score(self) -> int:
        return len(self.steps)

    @property
    def exact(self) -> int:
        return sum(r.position == r.answer_position for r in self.steps.values())


class OrderingLogic:
    """The ordering state machine, without widgets.

    ``seed`` fixes this learner's starting order; the start is never already the answer.
    With ``shuffle=False`` every learner gets the same scrambled start (seed 0), so a class
    can talk about "step 3" together.
    """

    def __init__(self, items: Sequence[OrderingItem], seed: int | str | None, shuffle: bool = True):
        self._items = {item.id: item for item in items}
        self.answer: tuple[str, ...] = tuple(item.id for item in items)
        self.start: tuple[str, ...] = _scrambled(self.answer, seed if shuffle else 0)
        self.order: tuple[str, ...] = self.start
        self._own_order: tuple[str, ...] = self.start  # the learner's, while the solution shows
        self.mode = "ordering"
        self.result: OrderResult | None = None
        self.feedback: dict[str, StepResult] = {}

    @classmethod
    def from_content(cls, content: OrderingActivity, seed: int | str | None) -> OrderingLogic:
        return cls(content.items, seed, content.shuffle)

    def item(self, item_id: str) -> OrderingItem:
        try:
            return self._items[item_id]
        except KeyError:
            raise OrderingError(f"There is no step {item_id!r} in this activity.") from None

    def position(self, item_id: str) -> int:
        """Where the step is now, from 1."""
        self.item(item_id)
        return self.order.index(item_id) + 1

    # -- transitions ---------------------------------------------------------------

    def move(self, item_id: str, to: int) -> int:
        """Move a step to position ``to`` (from 1, clamped to the list); return where it went.

        A move after Check clears the feedback (the marks are relative to the whole order).
        """
        self.item(item_id)
        if self.mode == "solution":
            raise OrderingError(SOLUTION_SHOWING)
        to = min(max(int(to), 1), len(self.order))
        order = [i for i in self.order if i != item_id]
        order.insert(to - 1, item_id)
        if tuple(order) != self.order:
            self.order = tuple(order)
            self.feedback = {}
            self.mode = "ordering"
        return to

    def _results(self, order: Sequence[str]) -> dict[str, StepResult]:
        good = in_order_steps(order, self.answer)
        out = {}
        for n, item_id in enumerate(order, start=1):
            item = self._items[item_id]
            out[item_id] = StepResult(
                item_id=item_id,
                position=n,
                answer_position=self.answer.index(item_id) + 1,
                in_order=item_id in good,
                explanation=item.explanation,
                sources=tuple(item.sources),
            )
        return out

    def check(self) -> OrderResult:
        """Score the order and keep per-step feedback."""
        if self.mode == "solution":
            raise OrderingError(SOLUTION_SHOWING)
        self.result = OrderResult(self._results(self.order))
        self.feedback = dict(self.result.steps)
        self.mode = "checked"
        return self.result

    def retry(self) -> None:
        """Clear the feedback and keep the order; from the solution, back to the start order."""
        if self.mode == "solution":
            self.order = self._own_order = self.start
        self.feedback = {}
        self.mode = "ordering"

    def show_solution(self) -> dict[str, StepResult]:
        """Put every step in place; feedback says where the learner had each."""
        if self.mode != "solution":
            self._own_order = self.order
            self.feedback = self._results(self.order)
        self.order = self.answer
        self.mode = "solution"
        return self.feedback

    # -- resume --------------------------------------------------------------------

    def to_response(self) -> dict[str, Any]:
        """``{"order", "start", "mode"}``; while the solution shows, ``order`` is the learner's."""
        own = self._own_order if self.mode == "solution" else self.order
        return {"order": list(own), "start": list(self.start), "mode": self.mode}

    def load_response(self, response: Mapping[str, Any]) -> None:
        """Restore a state saved by :meth:`to_response`.

        A stored order is used only if it still lists exactly the current steps (content may
        have changed since); otherwise the learner starts from this seed's order.
        """
        if not isinstance(response, Mapping):
            raise TypeError(
                f"an ordering response must be a mapping, not {type(response).__name__}"
            )
        mode = response.get("mode", "ordering")
        if mode not in MODES:
            raise ValueError(f"unknown ordering mode {mode!r}; expected one of {MODES}")
        same = sorted(self.answer)
        start = response.get("start")
        if isinstance(start, list) and sorted(start, key=str) == same:
            self.start = tuple(start)
        order = response.get("order")
        fits = isinstance(order, list) and sorted(order, key=str) == same
        self.order = self._own_order = tuple(order) if fits else self.start
        self.mode, self.result, self.feedback = "ordering", None, {}
        if not fits:
            return
        if mode == "checked":
            self.check()
        elif mode == "solution":
            self.show_solution()


def _scrambled(answer: tuple[str, ...], seed: int | str | None) -> tuple[str, ...]:
    """A seeded shuffle of ``answer`` that is never the answer itself (for two or more steps)."""
    rng = random.Random(seed)
    order = list(answer)
    for _ in range(100):
        rng.shuffle(order)
        if tuple(order) != answer or len(order) < 2:
            break
    if tuple(order) == answer and len(order) >= 2:  # astronomically unlikely; be certain
        order = order[1:] + order[:1]
    return tuple(order)


class OrderBoard(CourseAnyWidget):
    """The whole ordered list: steps, move buttons, Check / Try again / Show solution.

    Python is the source of truth. The browser never sets these traits; it sends requests
    (``{"action": "move", "item": …, "by": ±1}`` or ``"to": n``; ``check``, ``retry``,
    ``solution``) that reach :meth:`on_request` callbacks. :meth:`request` sends the same
    request from Python, so tests drive the board without a browser.
    """

    _esm = _STATIC / "ordering.js"
    _css = _STATIC / "ordering.css"

    label = traitlets.Unicode("", help="Accessible name: the activity title.").tag(sync=True)
    items = traitlets.Dict(help="{item_id: text} for every step.").tag(sync=True)
    order = traitlets.List(help="Step ids in the learner's current order.").tag(sync=True)
    feedback = traitlets.Dict(help="{item_id: {in_order, verdict, explanation, …}}.").tag(sync=True)
    mode = traitlets.Enum(MODES, "ordering", help="ordering | checked | solution.").tag(sync=True)
    reveal_answers = traitlets.Bool(True, help="False: Submit, no solution.").tag(sync=True)
    status = traitlets.Dict(help="Live region {text, tone, n}; new n repeats.").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._request_handlers = w.CallbackDispatcher()
        self.on_msg(self._handle_board_msg)

    def on_request(self, callback: Callable[[OrderBoard, dict], Any], remove: bool = False) -> None:
        """Register (or with ``remove=True`` unregister) ``callback(board, request)``."""
        self._request_handlers.register_callback(callback, remove=remove)

    def request(self, action: str, **fields: Any) -> None:
        """Send a request as the browser does: ``request("move", item=…, by=1)``."""
        self._handle_board_msg(self, {"action": action, **fields}, [])

    def _handle_board_msg(self, _, content: Any, buffers) -> None:
        request = _parse_request(content)
        if request is None:
            log.warning("ordering board: ignored malformed request %r", content)
            return
        self._request_handlers(self, request)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_request(content: Any) -> dict[str, Any] | None:
    """Keep only well-formed requests: a known action and the fields it needs."""
    if not isinstance(content, dict) or content.get("action") not in ACTIONS:
        return None
    action = content["action"]
    if action != "move":
        return {"action": action}
    if not isinstance(content.get("item"), str):
        return None
    if _is_int(content.get("to")):
        return {"action": "move", "item": content["item"], "to": content["to"]}
    if _is_int(content.get("by")):
        return {"action": "move", "item": content["item"], "by": content["by"]}
    return None


def _short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class OrderingView(ActivityView):
    """An ordering activity: heading, instructions, the board and the save status.

    ``seed`` fixes this learner's starting order. ``sources_text(keys)`` turns a step's
    source keys into the citation text of its "Source:" line.

    While ``reveal_answers`` is False (a facilitator holds the answers back) Check becomes
    Submit: the attempt is saved with its score and per-step marks (for the facilitator) but
    the learner sees only "Submitted"; Show solution is refused. When it turns True the
    order of the learner's latest check comes back with its marks, as if they had just checked.
    """

    activity_type = "ordering"
    supports_hidden_answers = True

    reveal_answers = traitlets.Bool(True, help="False while a facilitator hides the answers.")

    def __init__(
        self,
        content: OrderingActivity,
        seed: int | str,
        *,
        sources_text: Callable[[list[str]], str] | None = None,
        reveal_answers: bool = True,
        **kwargs,
    ):
        self.logic = OrderingLogic.from_content(content, seed)
        self._cite = sources_text or (lambda keys: ", ".join(keys))
        self._saved_checks = 0
        self._status_n = 0
        # the order of the latest check: its marks are shown when the answers are revealed
        self._checked: tuple[str, ...] | None = None
        self.board = OrderBoard(label=content.title, items={i.id: i.text for i in content.items})
        super().__init__(content, reveal_answers=reveal_answers, **kwargs)
        header = heading(content.title)
        if content.instructions:
            header.value += (
                f"<p class='course-activity-instructions'>{escape_text(content.instructions)}</p>"
            )
        self.children = [header, self.board, self.status]
        self.board.on_request(self._handle_request)
        self._sync_board()

    # -- public triggers (what the browser's requests call) ------------------------

    def move(self, item_id: str, to: int) -> None:
        """Move a step to position ``to`` (from 1) and announce where it went."""
        before = self.logic.position(item_id)
        at = self.logic.move(item_id, to)
        text = _short(self.logic.item(item_id).text)
        total = len(self.logic.order)
        if at == before:
            edge = "top" if at == 1 else "bottom"
            said = f"'{text}' is already at the {edge}: position {at} of {total}."
        else:
            said = f"Moved '{text}' to position {at} of {total}."
        self._sync_board(said)

    def move_by(self, item_id: str, by: int) -> None:
        """Move a step up (negative) or down (positive) by ``by`` places."""
        self.move(item_id, self.logic.position(item_id) + by)

    def check(self) -> bool:
        """Score the order, show per-step feedback and emit a "check" submission.

        Returns True once the attempt is saved; the feedback shows either way.
        """
        result = self.logic.check()
        self._checked = self.logic.order
        if self.reveal_answers:
            self._sync_board(*self._result_text(result))
        submission = self.new_submission(
            "check",
            response=self.logic.to_response(),
            items={
                item_id: {"response": r.position, "correct": r.in_order}
                for item_id, r in result.steps.items()
            },
            score=result.score,
            max_score=result.max_score,
            attempt=self._saved_checks + 1,
        )
        saved = self.emit(submission, saved_message="Saved.")
        if saved:
            self._saved_checks += 1
        if not self.reveal_answers:
            if saved:
                self._sync_board(HIDDEN_SUBMITTED, "ok")
            else:
                self._sync_board("Not submitted yet: see the message below.", "error")
        return saved

    @staticmethod
    def _result_text(result: OrderResult) -> tuple[str, str]:
        """What the board says about a scored order, and its tone."""
        n = result.max_score
        if result.score == n:
            return f"All {n} steps in order. Read the notes to see why.", "ok"
        said = (
            f"{result.score} of {n} steps in order. Read the notes on the steps out of "
            "order, move them, then check again."
        )
        return said, "info"

    def submit(self) -> bool:
        """The public trigger every activity has: for ordering, the same as :meth:`check`."""
        return self.check()

    def retry(self) -> None:
        """Clear the feedback and keep the order; after the solution, back to the start."""
        starting_again = self.logic.mode == "solution"
        self.logic.retry()
        if starting_again:
            said = "Starting again: the steps are back in their first order."
        else:
            said = "Feedback cleared. Move the steps you want to change, then check again."
        self._sync_board(said)

    def show_solution(self) -> bool:
        """Put the steps in order with their reasons; emit a "solution" submission.

        Refused (:class:`OrderingError`) while the facilitator hides the answers.
        """
        if not self.reveal_answers:
            raise OrderingError(ANSWERS_HIDDEN)
        self.logic.show_solution()
        self._sync_board(
            "Solution shown: the steps are in order, each with the reason and its source.", "ok"
        )
        return self.emit(self.new_submission("solution", response=self.logic.to_response()))

    # -- resume --------------------------------------------------------------------

    def restore(self, submissions: list[Submission]) -> None:
        """Rebuild the order, mode and feedback from the latest check or solution.

        While the answers are hidden the marks stay hidden, and a solution the learner saw
        earlier comes back as their own order (not the answer) until the answers are revealed.
        """
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
            mode = "ordering"
        self.logic.load_response({**latest.response, "mode": mode})
        if self.logic.mode == "checked":
            self._checked = self.logic.order
        said = "Your last order is back, as you left it."
        if self._checked is not None and not self.reveal_answers:
            said += " " + HIDDEN_SUBMITTED
        self._sync_board(said)

    # -- answers hidden / revealed by a facilitator --------------------------------

    @traitlets.observe("reveal_answers")
    def _reveal_answers_changed(self, change) -> None:
        if not hasattr(self, "board"):
            return  # still in __init__
        if not change["new"]:
            showed_answers = self.logic.result is not None or self.logic.mode == "solution"
            if self.logic.mode == "solution":  # the answer goes; the learner's own order is back
                self.logic.load_response({**self.logic.to_response(), "mode": "ordering"})
            # the marks go, and a status that may hold a score is replaced
            self._sync_board(ANSWERS_HIDDEN if showed_answers else None)
            return
        if self._checked is None or self.logic.mode == "solution":
            self._sync_board()
            return
        said = "Answers revealed."
        if self.logic.mode != "checked" or self.logic.order != self._checked:
            # moved since submitting: the marks belong to the submitted order, so it comes back
            self.logic.load_response(
                {"order": list(self._checked), "start": list(self.logic.start), "mode": "checked"}
            )
            said += " Your submitted order is back."
        text, tone = self._result_text(self.logic.result)
        self._sync_board(f"{said} {text}", tone)

    # -- plumbing --------------------------------------------------------------------

    def _handle_request(self, board: OrderBoard, request: dict[str, Any]) -> None:
        action = request["action"]
        try:
            if action == "move" and "to" in request:
                self.move(request["item"], request["to"])
            elif action == "move":
                self.move_by(request["item"], request["by"])
            elif action == "check":
                self.check()
            elif action == "retry":
                self.retry()
            elif action == "solution":
                self.show_solution()
        except OrderingError as exc:
            self._sync_board(str(exc), "error")
        except Exception:  # Voilà shows no traceback: the learner must hear of it
            log.exception("ordering activity %s: %s failed", self.content.id, action)
            self._sync_board(
                "Something went wrong on the server. Your order is still here; try again.",
                "error",
            )

    def _sources_text(self, keys: Sequence[str]) -> str:
        return ("Source: " if len(keys) == 1 else "Sources: ") + self._cite(list(keys))

    def _verdict(self, r: StepResult) -> str:
        total = len(self.logic.answer)
        if self.logic.mode == "solution":
            if r.position == r.answer_position:
                return f"Step {r.answer_position} of {total}. You had it here."
            return f"Step {r.answer_position} of {total}. You had it at position {r.position}."
        if r.in_order:
            return "In order."
        verdict = f"Out of order: this is step {r.answer_position} of {total}"
        if r.answer_position > 1:
            before = self.logic.item(self.logic.answer[r.answer_position - 2]).text
            verdict += f", after '{_short(before, 40)}'"
        return verdict + "."

    def _feedback_payload(self) -> dict[str, dict[str, Any]]:
        return {
            item_id: {
                "in_order": r.in_order,
                "verdict": self._verdict(r),
                "explanation": r.explanation,
                "sources_text": self._sources_text(r.sources),
            }
            for item_id, r in self.logic.feedback.items()
        }

    def _sync_board(self, said: str | None = None, tone: str = "info") -> None:
        """Send the logic's state to the browser in one message."""
        with self.board.hold_sync():
            self.board.order = list(self.logic.order)
            self.board.mode = self.logic.mode
            self.board.reveal_answers = self.reveal_answers
            self.board.feedback = self._feedback_payload() if self.reveal_answers else {}
            if said is not None:
                self._status_n += 1
                self.board.status = {"text": said, "tone": tone, "n": self._status_n}

"""What every activity widget shares: the Submission it emits and the submit plumbing.

An activity widget is handed its content model, never reads files and never touches the
store. It emits a :class:`Submission` through ``on_submit(callback)``; the callback (the
page runtime) commits it and raises if it could not. Only after every callback returned does
the widget say "saved"; on an exception it says so plainly and keeps the learner's answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import ipywidgets as w

from ..looks import html, shared
from .live_status import LiveStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Submission:
    """One attempt at (or one saved state of) an activity, as plain data.

    ``response`` is JSON-serialisable and specific to the activity type; ``items`` holds the
    per-item outcome of scored activities ({item_id: {"response": ..., "correct": bool}}),
    which is what facilitators aggregate and researchers export.
    """

    activity_id: str
    activity_type: str
    action: str
    response: dict[str, Any]
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    score: float | None = None
    max_score: float | None = None
    started_at: datetime = field(default_factory=utcnow)
    submitted_at: datetime = field(default_factory=utcnow)
    attempt: int | None = None

    @property
    def completes(self) -> bool:
        """Does this submission count towards finishing the activity?"""
        return self.action in COMPLETING_ACTIONS


# "check" = a scored attempt; "save" = a reflection or rating saved; "solution" = the learner
# asked to see the answers (recorded, so researchers can tell a checked sort from a revealed one)
# "complete" = a branching activity (scenario, simulator) reached an ending; its earlier
# decisions are "choice" submissions, which are kept (for resuming mid-way) but do not count
COMPLETING_ACTIONS = frozenset({"check", "save", "solution", "complete"})

SubmitCallback = Callable[[Submission], Any]


RETRY_DELAYS = (1.0, 2.0, 4.0, 5.0)  # seconds between tries while the database is busy
log = logging.getLogger(__name__)


class SaveFailed(RuntimeError):
    """Raised by a submit callback when the answer could not be stored."""


class ActivityView(w.VBox):
    """Base class for the composite widget of one activity."""

    activity_type: str = ""
    # True where the view has a ``reveal_answers`` trait: while a facilitator hides the
    # answers it is False (submit, no feedback); turning it True shows the latest feedback
    supports_hidden_answers: bool = False

    def __init__(self, content, **kwargs):
        self.content = content
        self._callbacks: list[SubmitCallback] = []
        self._started_at = utcnow()
        self._waiting: list[tuple[Submission, str]] = []  # saves the busy database refused
        self.status = LiveStatus()
        kwargs.setdefault("layout", shared(w.Layout))
        classes = ("course-activity", f"course-activity-{self.activity_type}")
        super().__init__(_dom_classes=classes, **kwargs)

    # -- events ------------------------------------------------------------------

    def on_submit(self, callback: SubmitCallback, remove: bool = False) -> None:
        """Register (or with ``remove=True`` unregister) a callback for submissions."""
        if remove:
            self._callbacks.remove(callback)
        else:
            self._callbacks.append(callback)

    def emit(self, submission: Submission, saved_message: str = "Saved.") -> bool:
        """Hand ``submission`` to every callback; report the outcome to the learner.

        Returns True when every callback succeeded. A failing callback leaves the widget's
        state (the learner's answer) untouched and shows why nothing was saved. When the
        store was only busy (the error says ``retry_later``), the page tries again by itself,
        a little later each time, until it is saved or the page is gone: nobody has to click.
        """
        self._waiting.append((submission, saved_message))
        if len(self._waiting) == 1:
            return self._save_waiting(attempt=0)
        # an earlier save is waiting for the database: this one is saved after it, in order
        self.status.say(
            "Waiting for the course database; this will be saved too, nothing to do.",
            tone="info",
        )
        return False

    def _save_waiting(self, attempt: int) -> bool:
        while self._waiting:
            submission, saved_message = self._waiting[0]
            try:
                for callback in list(self._callbacks):
                    callback(submission)
            except Exception as exc:  # any store failure must reach the learner (and the log)
                if getattr(exc, "retry_later", False):
                    delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
                    self.status.say(
                        f"{exc}, so this is not saved yet: trying again by itself in "
                        f"{delay:g} s. Your answer is still here; nothing to do.",
                        tone="info",
                    )
                    self.retry_later(delay, lambda: self._save_waiting(attempt + 1))
                    return False
                self._waiting.clear()
                log.warning("saving %s failed", submission.activity_id, exc_info=True)
                reason = str(exc) or exc.__class__.__name__
                self.status.say(
                    f"Not saved: {reason}. Your answer is still here; try again in a moment.",
                    tone="error",
                )
                return False
            self._waiting.pop(0)
            if attempt:
                log.info("saved %s after %d retries", submission.activity_id, attempt)
        self.status.say(saved_message, tone="ok")
        self._started_at = utcnow()
        return True

    @staticmethod
    def retry_later(delay: float, action: Callable[[], object]) -> None:
        """Run ``action`` in ``delay`` seconds on the kernel's event loop (tests replace it)."""
        from tornado.ioloop import IOLoop

        IOLoop.current().call_later(delay, action)

    def new_submission(self, action: str, response: dict, **fields) -> Submission:
        return Submission(
            activity_id=self.content.id,
            activity_type=self.activity_type,
            action=action,
            response=response,
            started_at=self._started_at,
            submitted_at=utcnow(),
            **fields,
        )

    # -- resume --------------------------------------------------------------------

    def restore(self, submissions: list[Submission]) -> None:
        """Rebuild the widget's state from earlier submissions (oldest first)."""
        raise NotImplementedError


def latest(submissions: list[Submission], action: str = "save") -> Submission | None:
    """The latest of ``submissions`` (oldest first) with ``action``, or None."""
    return next((s for s in reversed(submissions) if s.action == action), None)


def heading(text: str, level: int = 3) -> w.HTML:
    from ..escape import escape_text

    return html(f"<h{level} class='course-activity-title'>{escape_text(text)}</h{level}>")

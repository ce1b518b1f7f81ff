"""Self-assessment: Likert self-ratings before (pre) and after (post) the course.

A post self-assessment that names ``compare_with`` (its pre one) is given the learner's latest
pre ratings by the page runtime (:meth:`SelfAssessmentView.set_baseline`); once the post
ratings are saved, the view shows the learner's own change as a light chart: per statement,
two CSS bars (before / now) with the numbers in words, and how many went up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w
import traitlets

from ..content.models import SelfAssessmentActivity
from ..escape import escape_text
from ..looks import CourseAnyWidget, hidden_html, html
from .base import ActivityView, Submission, heading

_STATIC = Path(__file__).parent / "static"


class LikertGrid(CourseAnyWidget):
    """Every statement of a self-assessment as a native radio group, in one widget.

    The Save button is part of the widget's page code and sends
    ``{"action": "save", "values": {statement_id: rating}}`` read from the inputs at the
    moment of the click: a separate button widget's click could reach the kernel before the
    last rating change (ipywidgets holds back a model's state updates while earlier ones are
    unanswered), and the older ratings would be saved.
    """

    _esm = _STATIC / "likert.js"
    scale = traitlets.List(traitlets.Unicode(), help="Labels of the scale, lowest first.").tag(
        sync=True
    )
    statements = traitlets.List(traitlets.Dict(), help="[{id, text}] in display order.").tag(
        sync=True
    )
    values = traitlets.Dict(help="Statement id to rating (1 = first scale label).").tag(sync=True)

    @traitlets.validate("values")
    def _valid_values(self, proposal):
        known = {s["id"] for s in self.statements}
        top = len(self.scale)
        for key, value in proposal["value"].items():
            if key not in known:
                raise traitlets.TraitError(f"unknown statement {key!r}")
            if not isinstance(value, int) or not 1 <= value <= top:
                raise traitlets.TraitError(f"rating for {key!r} must be 1..{top}, got {value!r}")
        return proposal["value"]


def latest_ratings(submissions: Sequence[Submission]) -> dict[str, int]:
    """The ratings of the latest saved self-assessment among ``submissions`` ({} if none)."""
    saves = [s for s in submissions if s.action == "save"]
    if not saves:
        return {}
    ratings = saves[-1].response.get("ratings", {})
    return {k: v for k, v in ratings.items() if isinstance(v, int) and not isinstance(v, bool)}


@dataclass(frozen=True)
class StatementChange:
    """One statement's rating before and now (None where it was not rated)."""

    statement_id: str
    text: str
    before: int | None
    now: int | None

    @property
    def compared(self) -> bool:
        return self.before is not None and self.now is not None


@dataclass(frozen=True)
class RatingChange:
    """A learner's pre/post change over the statements the two self-assessments share."""

    rows: tuple[StatementChange, ...]

    @property
    def compared(self) -> int:
        return sum(r.compared for r in self.rows)

    @property
    def higher(self) -> int:
        return sum(r.compared and r.now > r.before for r in self.rows)

    @property
    def lower(self) -> int:
        return sum(r.compared and r.now < r.before for r in self.rows)

    @property
    def same(self) -> int:
        return sum(r.compared and r.now == r.before for r in self.rows)

    def summary(self) -> str:
        """ "You rated yourself higher on N of M statements", with lower and same in words."""
        if not self.compared:
            return "There are no statements rated both times yet, so there is no change to show."
        text = f"You rated yourself higher on {self.higher} of {self.compared} statements"
        rest = []
        if self.lower:
            rest.append(f"lower on {self.lower}")
        if self.same:
            rest.append(f"the same on {self.same}")
        return text + (f" ({' and '.join(rest)})." if rest else ".")


def rating_change(
    statements: Sequence, before: Mapping[str, int], now: Mapping[str, int]
) -> RatingChange:
    """Pair ``before`` and ``now`` for the ``statements`` (content models) rated before."""
    rows = tuple(
        StatementChange(st.id, st.text, before.get(st.id), now.get(st.id))
        for st in statements
        if st.id in before
    )
    return RatingChange(rows)


def _bar(label: str, value: int | None, top: int, scale: Sequence[str], solid: bool) -> str:
    if value is None:
        words, width = "not rated", 0
    else:
        words, width = f"{value} of {top} ({scale[value - 1]})", round(100 * value / top)
    # "before" is hatched and "now" solid, so the two are told apart without colour
    fill = (
        "background:#1f5fa8"
        if solid
        else "background:repeating-linear-gradient(135deg,#5b6b80 0 4px,#dde3ea 4px 7px)"
    )
    return (
        "<div class='course-change-bar' style='display:flex;flex-wrap:wrap;align-items:center;"
        "gap:0.2em 0.6em;margin:0.15em 0'>"
        f"<span class='course-change-label' style='min-width:14em'>{label}: "
        f"<strong>{escape_text(words)}</strong></span>"
        "<span aria-hidden='true' style='flex:1 1 8em;max-width:20em;height:0.9em;"
        "border:1px solid #5b6b80;border-radius:3px;background:#fff'>"
        f"<span style='display:block;height:100%;width:{width}%;{fill}'></span></span></div>"
    )


def change_chart_html(change: RatingChange, scale: Sequence[str]) -> str:
    """The learner's change as HTML: a summary sentence, then per statement two bars."""
    top = len(scale)
    items = []
    for row in change.rows:
        if row.compared:
            diff = row.now - row.before
            moved = f"up {diff}" if diff > 0 else f"down {-diff}" if diff < 0 else "no change"
        else:
            moved = "rated only once"
        items.append(
            "<li class='course-change-item' style='margin:0.6em 0'>"
            f"<p style='margin:0 0 0.2em'>{escape_text(row.text)} "
            f"<span class='course-change-moved'>({moved})</span></p>"
            + _bar("Before the course", row.before, top, scale, solid=False)
            + _bar("Now", row.now, top, scale, solid=True)
            + "</li>"
        )
    return (
        "<section class='course-change' aria-label='How your ratings changed'>"
        "<h4>How your ratings changed</h4>"
        f"<p class='course-change-summary'><strong>{escape_text(change.summary())}</strong> "
        "This is your own view of yourself, not a score.</p>"
        f"<ul class='course-change-list' style='list-style:none;padding:0'>{''.join(items)}</ul>"
        "</section>"
    )


class SelfAssessmentView(ActivityView):
    """Rate each statement, then save; partial answers are allowed but named."""

    activity_type = "self_assessment"

    def __init__(self, content: SelfAssessmentActivity, **kwargs):
        super().__init__(content, **kwargs)
        self.grid = LikertGrid(
            scale=list(content.scale),
            statements=[{"id": s.id, "text": s.text} for s in content.statements],
        )
        # Save lives in the grid's page code and sends the ratings with the request (see
        # LikertGrid): a separate Button's click could overtake the last rating change.
        self.grid.on_msg(self._on_page_message)
        rows: list[w.Widget] = [heading(content.title)]
        if content.instructions:
            rows.append(html(f"<p>{escape_text(content.instructions)}</p>"))
        self.baseline: dict[str, int] | None = None
        self.change = hidden_html("course-change-box")
        rows += [self.grid, self.status, self.change]
        self.children = rows

    def _on_page_message(self, _widget, content, _buffers) -> None:
        """The page's Save: use the ratings it carries (never older synced ones), then save."""
        if not isinstance(content, dict) or content.get("action") != "save":
            return
        values = content.get("values")
        if isinstance(values, dict):
            try:
                self.grid.values = {str(k): v for k, v in values.items()}
            except traitlets.TraitError as exc:  # a tampered or stale message from the page
                self.status.say(f"Those ratings could not be used: {exc}", tone="error")
                return
        self.submit()

    def set_baseline(self, ratings: Mapping[str, int]) -> None:
        """The learner's latest ratings on the ``compare_with`` self-assessment (the runtime
        passes them; {} when the learner never saved it)."""
        self.baseline = dict(ratings)

    def rate(self, statement_id: str, value: int) -> None:
        """Choose a rating as a learner would."""
        self.grid.values = {**self.grid.values, statement_id: value}

    def submit(self) -> bool:
        values = dict(self.grid.values)
        if not values:
            self.status.say("Choose a rating for at least one statement first.", tone="error")
            return False
        missing = len(self.content.statements) - len(values)
        submission = self.new_submission(
            "save",
            response={"phase": self.content.phase, "ratings": values},
            items={sid: {"response": str(v), "correct": None} for sid, v in values.items()},
        )
        note = (
            f" {missing} statement(s) left unrated; you can come back to them." if missing else ""
        )
        compare = (
            " Your change since the start of the course is shown below."
            if (self.content.compare_with and self.baseline)
            else ""
        )
        if not self.emit(submission, f"Saved {len(values)} rating(s).{note}{compare}"):
            return False
        self._show_change(values)
        return True

    def _show_change(self, values: Mapping[str, int]) -> None:
        if not self.content.compare_with or self.baseline is None:
            return
        if self.baseline:
            change = rating_change(self.content.statements, self.baseline, values)
            self.change.value = change_chart_html(change, self.content.scale)
        else:
            self.change.value = (
                "<p class='course-change-none'>There are no saved ratings from the start of the "
                "course, so there is no change to show. Your ratings here are saved.</p>"
            )
        self.change.layout.display = None

    def restore(self, submissions: list[Submission]) -> None:
        saves = [s for s in submissions if s.action == "save"]
        if saves:
            known = {s.id for s in self.content.statements}
            ratings = saves[-1].response.get("ratings", {})
            self.grid.values = {k: v for k, v in ratings.items() if k in known}
            if self.grid.values:
                self._show_change(self.grid.values)

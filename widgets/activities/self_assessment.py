"""Self-assessment: Likert self-ratings before (pre) and after (post) the course."""

from __future__ import annotations

from pathlib import Path

import anywidget
import ipywidgets as w
import traitlets

from ..content.models import SelfAssessmentActivity
from ..escape import escape_text
from .base import ActivityView, Submission, heading

_STATIC = Path(__file__).parent / "static"


class LikertGrid(anywidget.AnyWidget):
    """Every statement of a self-assessment as a native radio group, in one widget."""

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


class SelfAssessmentView(ActivityView):
    """Rate each statement, then save; partial answers are allowed but named."""

    activity_type = "self_assessment"

    def __init__(self, content: SelfAssessmentActivity, **kwargs):
        super().__init__(content, **kwargs)
        self.grid = LikertGrid(
            scale=list(content.scale),
            statements=[{"id": s.id, "text": s.text} for s in content.statements],
        )
        self.save_button = w.Button(description="Save my ratings", button_style="primary")
        self.save_button.add_class("course-save")
        self.save_button.on_click(lambda _b: self.submit())
        rows: list[w.Widget] = [heading(content.title)]
        if content.instructions:
            rows.append(w.HTML(f"<p>{escape_text(content.instructions)}</p>"))
        rows += [self.grid, self.save_button, self.status]
        self.children = rows

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
        return self.emit(submission, f"Saved {len(values)} rating(s).{note}")

    def restore(self, submissions: list[Submission]) -> None:
        saves = [s for s in submissions if s.action == "save"]
        if saves:
            known = {s.id for s in self.content.statements}
            ratings = saves[-1].response.get("ratings", {})
            self.grid.values = {k: v for k, v in ratings.items() if k in known}

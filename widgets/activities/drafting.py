"""Drafting: the trainee produces first, then compares (rehearsal, not recognition).

Each step shows a situation (what a teacher says, a scenario, or an evidence record) and asks
the trainee to write: their next words to the teacher, a coaching agreement, a sharper goal,
an observation plan, feedback. Only once the draft is saved does the step show what to compare
it with: for a reply, what the wording rules noticed (:mod:`.reply_analysis`, hedged, never a
grade); the worked example and why it works; other replies a coach might give; and the
criteria, which the trainee ticks for their own draft (a self-check, saved with it).

One "save" submission holds every draft and tick so far (``items`` holds one row per drafted
step, the text as its response: free text, exported only on request and with consent). The
boxes sync on blur, never per keystroke; a tick saves at once. Too long a draft is refused
with the limit stated and stays in its box. Keyboard: native text boxes, buttons and
checkboxes in page order; the live region announces each save and what appeared.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from ..content.models import DraftingActivity, DraftingStep
from ..escape import escape_text
from .base import ActivityView, Submission, heading, latest
from .reflection import length_problem
from .reply_analysis import CAVEAT, analyse


class DraftingView(ActivityView):
    """Heading, then per step: situation, prompt, text box, button, and (after saving) the
    comparison with its self-check boxes."""

    activity_type = "drafting"

    def __init__(
        self, content: DraftingActivity, *, sources_text: Callable[[list[str]], str] | None = None
    ):
        super().__init__(content)
        self._cite = sources_text or (lambda keys: ", ".join(keys))
        self._saved: dict[str, str] = {}
        self._checked: dict[str, list[str]] = {}
        self._restoring = False
        self.boxes: dict[str, w.Textarea] = {}
        self.compare: dict[str, w.VBox] = {}
        self.checks: dict[str, dict[str, w.Checkbox]] = {}
        header = heading(content.title)
        if content.instructions:
            header.value += (
                f"<p class='course-activity-instructions'>{escape_text(content.instructions)}</p>"
            )
        rows: list[w.Widget] = [
            header,
            w.HTML(
                "<p class='course-note'>Write first: what to compare it with appears once your "
                "draft is saved. It is never graded. Up to "
                f"{content.max_chars:,} characters each.</p>"
            ),
        ]
        total = len(content.steps)
        for n, step in enumerate(content.steps, start=1):
            rows += self._step_rows(step, n, total)
        rows.append(self.status)
        self.children = rows

    def _step_rows(self, step: DraftingStep, n: int, total: int) -> list[w.Widget]:
        parts = [f"<h4 class='course-draft-step'>Step {n} of {total}</h4>"] if total > 1 else []
        if step.situation:
            who = f"<strong>{escape_text(step.speaker)}:</strong> " if step.speaker else ""
            parts.append(
                f"<blockquote class='course-draft-situation'>{who}{escape_text(step.situation)}"
                "</blockquote>"
            )
        if step.evidence:
            lines = "".join(f"<li>{escape_text(line)}</li>" for line in step.evidence)
            parts.append(
                "<div class='course-draft-evidence'><p><strong>Evidence record</strong></p>"
                f"<ul>{lines}</ul></div>"
            )
        parts.append(f"<p class='course-prompt'>{escape_text(step.prompt)}</p>")
        box = w.Textarea(
            value="",
            placeholder="Your own words first"
            + (", as you would say them." if step.reply else "."),
            continuous_update=False,
            layout=w.Layout(width="100%", height="7em"),
        )
        box.add_class("course-draft-text")
        box.add_class(f"course-draft-text-{step.id}")
        box.observe(self._autosave, names="value")
        button = w.Button(description="Save and compare", button_style="primary")
        button.add_class("course-draft-compare")
        button.add_class(f"course-draft-compare-{step.id}")
        button.on_click(lambda _b, sid=step.id: self.submit(sid))
        compare = w.VBox([])
        compare.add_class("course-draft-comparison-box")
        compare.layout.display = "none"
        self.boxes[step.id] = box
        self.compare[step.id] = compare
        self.checks[step.id] = {}
        for criterion in step.criteria:
            check = w.Checkbox(
                value=False,
                description=criterion.text,
                indent=False,
                layout=w.Layout(width="auto"),
            )
            check.add_class("course-draft-check")
            check.add_class(f"course-draft-check-{step.id}")
            check.observe(self._ticked, names="value")
            self.checks[step.id][criterion.id] = check
        return [w.HTML("".join(parts)), box, button, compare]

    # -- public triggers ---------------------------------------------------------------

    def write(self, step_id: str, text: str) -> None:
        """Type a draft into a step's box as a learner would (this saves, like a blur)."""
        self.boxes[step_id].value = text

    def tick(self, step_id: str, criterion_id: str, value: bool = True) -> None:
        """Tick (or untick) a criterion for the step's draft, as a learner would."""
        self.checks[step_id][criterion_id].value = value

    def drafts(self) -> dict[str, str]:
        """The non-empty drafts in the boxes now, by step id."""
        return {sid: box.value for sid, box in self.boxes.items() if box.value.strip()}

    def submit(self, step_id: str | None = None) -> bool:
        """Save every draft and tick; then show the comparison for each saved draft."""
        drafts = self.drafts()
        if step_id is not None and step_id not in drafts:
            self.status.say(
                "Write your draft first; the comparison appears once it is saved.", tone="error"
            )
            return False
        if not drafts:
            self.status.say("Write a draft first; there is nothing to save yet.", tone="error")
            return False
        for n, step in enumerate(self.content.steps, start=1):
            problem = length_problem(drafts.get(step.id, ""), self.content.max_chars)
            if problem:
                self.status.say(f"Step {n}: {problem}", tone="error")
                return False
        checked = {
            sid: [cid for cid, box in boxes.items() if box.value]
            for sid, boxes in self.checks.items()
            if sid in drafts and any(box.value for box in boxes.values())
        }
        if drafts == self._saved and checked == self._checked:
            self.status.say("Already saved; nothing has changed since.", tone="ok")
            return True
        submission = self.new_submission(
            "save",
            response={"drafts": drafts, "checked": checked, "steps": len(self.content.steps)},
            items={sid: {"response": text, "correct": None} for sid, text in drafts.items()},
        )
        newly = [s for s in self.content.steps if s.id in drafts and s.id not in self._saved]
        message = f"Saved your drafts for {len(drafts)} of {len(self.content.steps)} steps."
        if newly:
            message += " Below your draft: what to compare it with, and a self-check to tick."
        if not self.emit(submission, message):
            return False
        self._saved, self._checked = drafts, checked
        self._reveal()
        return True

    # -- resume --------------------------------------------------------------------------

    def restore(self, submissions: list[Submission]) -> None:
        saved = latest(submissions)
        if saved is None:
            return
        known = {s.id: s for s in self.content.steps}
        response = saved.response
        drafts = response.get("drafts", {}) if isinstance(response, dict) else {}
        ticks = response.get("checked", {}) if isinstance(response, dict) else {}
        self._saved = {k: str(v) for k, v in drafts.items() if k in known and str(v).strip()}
        self._checked = {
            k: [c for c in v if c in self.checks[k]]
            for k, v in ticks.items()
            if k in self._saved and isinstance(v, list)
        }
        self._restoring = True  # filling the boxes one by one must not save half of them
        try:
            for sid, text in self._saved.items():
                self.boxes[sid].value = text
            for sid, ids in self._checked.items():
                for cid in ids:
                    self.checks[sid][cid].value = True
        finally:
            self._restoring = False
        self._reveal()
        self.status.say("Your saved drafts and ticks are back.", tone="info")

    # -- plumbing --------------------------------------------------------------------------

    def _autosave(self, change) -> None:
        if not self._restoring and change["new"].strip() and self.drafts() != self._saved:
            self.submit()

    def _ticked(self, _change) -> None:
        if not self._restoring:
            self.submit()

    def _reveal(self) -> None:
        for step in self.content.steps:
            if step.id not in self._saved:
                continue
            box = self.compare[step.id]
            box.children = [
                w.HTML(self._comparison_html(step, self._saved[step.id])),
                w.HTML(
                    "<p class='course-draft-check-title'><strong>Self-check.</strong> Tick each "
                    "one your draft does (saved as you tick; only you and, in a live session, "
                    "your facilitator see it):</p>"
                ),
                *self.checks[step.id].values(),
                w.HTML(self._criteria_why(step)),
            ]
            box.layout.display = None

    def _comparison_html(self, step: DraftingStep, draft: str) -> str:
        out = [
            "<div class='course-draft-comparison' role='note'>",
            "<p><strong>Your draft</strong></p>",
            f"<blockquote class='course-draft-yours'>{escape_text(draft)}</blockquote>",
        ]
        if step.reply:
            notes = "".join(f"<li>{escape_text(n.said)}</li>" for n in analyse(draft))
            out += [
                "<p><strong>What the wording suggests</strong></p>",
                f"<ul class='course-draft-notes'>{notes}</ul>",
                f"<p class='course-note'>{escape_text(CAVEAT)}</p>",
            ]
        label = "An expert's reply" if step.reply else "A worked example"
        out += [
            f"<p><strong>{label}</strong></p>",
            f"<blockquote class='course-draft-model'>{escape_text(step.model_answer)}</blockquote>",
            f"<p>{escape_text(step.model_why)}</p>",
        ]
        if step.alternatives:
            items = "".join(
                f"<li><em>{escape_text(a.text)}</em> <strong>{escape_text(a.label)}.</strong> "
                f"{escape_text(a.why)}</li>"
                for a in step.alternatives
            )
            out += [
                "<p><strong>Other replies a coach might give</strong></p>",
                f"<ul class='course-draft-alternatives'>{items}</ul>",
            ]
        label = "Source" if len(step.sources) == 1 else "Sources"
        out.append(
            f"<p class='course-source'>{label}: {escape_text(self._cite(list(step.sources)))}</p>"
        )
        out.append("</div>")
        return "".join(out)

    @staticmethod
    def _criteria_why(step: DraftingStep) -> str:
        items = "".join(
            f"<li><strong>{escape_text(c.text)}</strong> {escape_text(c.why)}</li>"
            for c in step.criteria
        )
        return f"<details class='course-draft-why'><summary>Why each matters</summary><ul>{items}</ul></details>"

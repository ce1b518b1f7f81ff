"""Reflection: free text that is saved, never graded.

The text box syncs on blur (``continuous_update=False``), never per keystroke; the text is
saved when the learner leaves the box or presses Save. Too long a text is refused with the
limit stated and stays in the box.
"""

from __future__ import annotations

import ipywidgets as w

from ..content.models import ReflectionActivity
from ..escape import escape_text
from .base import ActivityView, Submission, heading


def length_problem(text: str, max_chars: int) -> str | None:
    """A plain sentence when ``text`` cannot be saved as it is, else None."""
    if len(text) > max_chars:
        return (
            f"Too long to save: {len(text):,} characters, and the limit is {max_chars:,}. "
            "Shorten it and save again; your text is still in the box."
        )
    return None


class ReflectionView(ActivityView):
    """A prompt, optional hints, a text box and a Save button."""

    activity_type = "reflection"

    def __init__(self, content: ReflectionActivity, **kwargs):
        super().__init__(content, **kwargs)
        self._saved_text: str | None = None
        rows: list[w.Widget] = [heading(content.title)]
        rows.append(w.HTML(f"<p class='course-prompt'>{escape_text(content.prompt)}</p>"))
        if content.hints:
            items = "".join(f"<li>{escape_text(h)}</li>" for h in content.hints)
            rows.append(
                w.HTML(
                    f"<div class='course-hints'><p>Prompts if you are stuck:</p><ul>{items}</ul></div>"
                )
            )
        self.text = w.Textarea(
            value="",
            placeholder="Write your reflection here. It is saved when you leave the box or press Save.",
            continuous_update=False,
            layout=w.Layout(width="100%", height="12em"),
        )
        self.text.add_class("course-reflection-text")
        self.text.observe(self._autosave, names="value")
        self.save_button = w.Button(description="Save reflection", button_style="primary")
        self.save_button.add_class("course-save")
        self.save_button.on_click(lambda _b: self.submit())
        limit = w.HTML(
            f"<p class='course-note'>It is never graded. If you joined a live session, your "
            f"facilitator can read it. Up to {content.max_chars:,} characters.</p>"
        )
        rows += [self.text, limit, self.save_button, self.status]
        self.children = rows

    def _autosave(self, change) -> None:
        if change["new"] != self._saved_text and change["new"].strip():
            self.submit()

    def write(self, text: str) -> None:
        """Type ``text`` into the box as a learner would (this autosaves, like a blur)."""
        self.text.value = text

    def submit(self) -> bool:
        text = self.text.value
        if not text.strip():
            self.status.say("Write something first; there is nothing to save yet.", tone="error")
            return False
        problem = length_problem(text, self.content.max_chars)
        if problem:
            self.status.say(problem, tone="error")
            return False
        if text == self._saved_text:
            self.status.say("Already saved; nothing has changed since.", tone="ok")
            return True
        submission = self.new_submission("save", response={"text": text, "chars": len(text)})
        if self.emit(submission, f"Saved ({len(text):,} characters)."):
            self._saved_text = text
            return True
        return False

    def restore(self, submissions: list[Submission]) -> None:
        saves = [s for s in submissions if s.action == "save"]
        if saves:
            self._saved_text = saves[-1].response.get("text", "")
            self.text.value = self._saved_text
            self.status.say("Your saved reflection is back in the box.", tone="info")

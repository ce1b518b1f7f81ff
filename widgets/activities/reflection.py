"""Reflection: free text that is saved, never graded.

The text box syncs on blur (``continuous_update=False``), never per keystroke; the text is
saved when the learner leaves the box or presses Save. Too long a text is refused with the
limit stated and stays in the box.

Gentle prompts: when a saved reflection only describes what happened (see
:func:`only_describes`), the view offers one question to take it further, from the activity's
hints or :data:`DEFAULT_PROMPTS`. It never blocks saving and never grades.
"""

from __future__ import annotations

import re

import ipywidgets as w

from ..content.models import ReflectionActivity
from ..escape import escape_text
from ..looks import hidden_html, html, plain_button, text_box
from .base import ActivityView, Submission, heading, latest


def length_problem(text: str, max_chars: int) -> str | None:
    """A plain sentence when ``text`` cannot be saved as it is, else None."""
    if len(text) > max_chars:
        return (
            f"Too long to save: {len(text):,} characters, and the limit is {max_chars:,}. "
            "Shorten it and save again; your text is still in the box."
        )
    return None


# Words and phrases that usually mark a reason, an interpretation or a next step; a
# reflection containing any of them (or a question) is doing more than describing.
ANALYSIS_MARKERS: tuple[str, ...] = (
    "because",
    "so that",
    "therefore",
    "as a result",
    "which meant",
    "this meant",
    "that meant",
    "it meant",
    "which means",
    "this means",
    "suggests",
    "shows that",
    "showed that",
    "why",
    "i think",
    "i thought",
    "i believe",
    "i realised",
    "i realized",
    "i learned",
    "i learnt",
    "i wonder",
    "i wondered",
    "i noticed that",
    "i felt",
    "perhaps",
    "maybe",
    "might",
    "could have",
    "should have",
    "would have",
    "next time",
    "in future",
    "in the future",
    "instead",
    "if i",
    "i will",
    "i'll",
    "i would",
    "i'd",
)
_MARKER_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(m).replace("'", "['’]") for m in ANALYSIS_MARKERS) + r")\b",
    re.IGNORECASE,
)
MIN_WORDS_FOR_PROMPT = 40

DEFAULT_PROMPTS: tuple[str, ...] = (
    "What do you think made it go the way it did?",
    "What would you keep, and what would you do differently next time? Why?",
    "What did it mean for the colleague or the pupils involved, and how do you know?",
    "What surprised you, and what does that tell you about your own practice?",
)


def only_describes(text: str) -> bool:
    """Does ``text`` (over about 40 words) describe without any sign of analysis?

    The rule is deliberately simple so it can be explained to a learner: no question mark and
    none of the words in :data:`ANALYSIS_MARKERS` ("because", "I think", "next time" …).
    Short texts are left alone: a few lines may be a note, not yet a reflection.
    """
    if len(text.split()) <= MIN_WORDS_FOR_PROMPT:
        return False
    if "?" in text:
        return False
    return _MARKER_RE.search(text) is None


def gentle_prompt(text: str, hints: list[str] | tuple[str, ...], turn: int = 0) -> str | None:
    """One question to take a descriptive reflection further, or None if it is not needed.

    ``turn`` picks the next prompt each time one is offered, so a learner who keeps
    describing sees a different question rather than the same one again.
    """
    if not only_describes(text):
        return None
    prompts = list(hints) or list(DEFAULT_PROMPTS)
    return prompts[turn % len(prompts)]


class ReflectionView(ActivityView):
    """A prompt, optional hints, a text box and a Save button."""

    activity_type = "reflection"

    def __init__(self, content: ReflectionActivity, **kwargs):
        super().__init__(content, **kwargs)
        self._saved_text: str | None = None
        rows: list[w.Widget] = [heading(content.title)]
        rows.append(html(f"<p class='course-prompt'>{escape_text(content.prompt)}</p>"))
        if content.hints:
            items = "".join(f"<li>{escape_text(h)}</li>" for h in content.hints)
            rows.append(
                html(
                    f"<div class='course-hints'><p>Prompts if you are stuck:</p><ul>{items}</ul></div>"
                )
            )
        self.text = text_box(
            "",
            "Write your reflection here. It is saved when you leave the box or press Save.",
            "12em",
            "course-reflection-text",
        )
        self.text.observe(self._autosave, names="value")
        self.save_button = plain_button("Save reflection", "course-save", "primary")
        self.save_button.on_click(lambda _b: self.submit())
        limit = html(
            f"<p class='course-note'>It is never graded. If you joined a live session, your "
            f"facilitator can read it. Up to {content.max_chars:,} characters.</p>"
        )
        self.nudge = hidden_html("course-gentle-prompt-box")
        self._prompts_offered = 0
        rows += [self.text, limit, self.save_button, self.status, self.nudge]
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
        prompt = gentle_prompt(text, self.content.hints, self._prompts_offered)
        said = f"Saved ({len(text):,} characters)."
        if prompt:
            said += " A question below may help you take it further, if you want to."
        if self.emit(submission, said):
            self._saved_text = text
            self._show_prompt(prompt)
            return True
        return False

    def _show_prompt(self, prompt: str | None) -> None:
        """Offer ``prompt`` below the box (or take the last one away when not needed)."""
        if prompt is None:
            self.nudge.value = ""
            self.nudge.layout.display = "none"
            return
        self._prompts_offered += 1
        self.nudge.value = (
            "<div class='course-gentle-prompt' role='note' style='border-left:4px solid #1f5fa8;"
            "background:#eef4fb;padding:0.2em 0.9em;margin:0.4em 0;border-radius:0 6px 6px 0'>"
            "<p><strong>To take it further (optional)</strong></p>"
            "<p>You have described what happened clearly. If you want to go one step further, "
            f"you could add your thoughts on this: <em>{escape_text(prompt)}</em></p></div>"
        )
        self.nudge.layout.display = None

    def restore(self, submissions: list[Submission]) -> None:
        saved = latest(submissions)
        if saved is not None:
            self._saved_text = saved.response.get("text", "")
            self.text.value = self._saved_text
            self.status.say("Your saved reflection is back in the box.", tone="info")

"""Video with guided questions: a scene (a clip if the author has one, its transcript always),
then questions the learner answers in their own words, each with what an expert would notice.

Two layers:

- :class:`ScenePlayer` – the one anywidget holding the player state: the optional HTML5
  ``<video>`` (with a captions ``<track>``) and the transcript played as an animated dialogue,
  line by line. ``shown`` (how many lines are on screen) is its state; the browser sets it
  with Play / Next line / Show all / Start again, Python validates it, and tests drive it with
  :meth:`ScenePlayer.next_line` and :meth:`ScenePlayer.show_all`.
- :class:`VideoView` – the activity: the player, then one text box per question. Answers are
  saved like reflections: when the learner leaves a box (``continuous_update=False``) or
  presses Save, never per keystroke. Once a question's answer is saved its "What to notice"
  note appears below it; nothing is graded.

Keyboard scheme of the player (also on screen): Tab reaches Play, Next line, Show all and
Start again, which Enter or Space press; while focus is anywhere in the player, N (or the
Right arrow on a player button) shows the next line and K plays or pauses. Each new line is
announced politely ("Jo: …"); with ``prefers-reduced-motion`` lines appear without movement.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as w
import traitlets

from ..content.models import VideoActivity
from ..escape import escape_text
from ..looks import CourseAnyWidget, hidden_html, html, plain_button, text_box
from .base import ActivityView, Submission, heading, latest
from .reflection import length_problem

_STATIC = Path(__file__).parent / "static"


class ScenePlayer(CourseAnyWidget):
    """A scene as an optional video plus its transcript, played line by line."""

    _esm = _STATIC / "video.js"
    _css = _STATIC / "video.css"

    label = traitlets.Unicode("", help="Accessible name: the activity title.").tag(sync=True)
    src = traitlets.Unicode("", help="Video file or URL; empty for a transcript-only scene.").tag(
        sync=True
    )
    captions = traitlets.Unicode("", help="WebVTT captions for the video, if any.").tag(sync=True)
    lines = traitlets.List(
        traitlets.Dict(), help="[{speaker, voice, name, role, line, scene}] in order."
    ).tag(sync=True)
    shown = traitlets.Int(0, help="How many transcript lines are on screen (0..len(lines)).").tag(
        sync=True
    )

    @traitlets.validate("shown")
    def _valid_shown(self, proposal):
        value = proposal["value"]
        if not 0 <= value <= len(self.lines):
            raise traitlets.TraitError(f"shown must be 0..{len(self.lines)}, got {value}")
        return value

    def next_line(self) -> None:
        """Show one more line, as the Next line button does."""
        self.shown = min(self.shown + 1, len(self.lines))

    def show_all(self) -> None:
        """Show the whole transcript, as the Show all button does."""
        self.shown = len(self.lines)

    def restart(self) -> None:
        """Hide every line again, as the Start again button does."""
        self.shown = 0


def player_lines(content: VideoActivity) -> list[dict]:
    """The transcript as the player draws it: speaker names resolved, scene headings kept."""
    speakers = {s.id: s for s in content.speakers}
    voices = {s.id: n for n, s in enumerate(content.speakers)}
    out = []
    for entry in content.transcript:
        who = speakers[entry.speaker]
        out.append(
            {
                "speaker": who.id,
                "voice": voices[who.id],
                "name": who.name,
                "role": who.role or "",
                "line": entry.line,
                "scene": entry.scene or "",
            }
        )
    return out


class VideoView(ActivityView):
    """A scene, then guided questions with a Save button; notes appear once answered.

    ``sources_text(keys)`` turns a question's source keys into the citation text shown under
    its "What to notice" note.
    """

    activity_type = "video"

    def __init__(
        self,
        content: VideoActivity,
        *,
        sources_text: Callable[[list[str]], str] | None = None,
        **kwargs,
    ):
        super().__init__(content, **kwargs)
        self._cite = sources_text or (lambda keys: ", ".join(keys))
        self._saved: dict[str, str] = {}
        self._restoring = False
        self.player = ScenePlayer(
            label=content.title,
            src=content.src or "",
            captions=content.captions or "",
            lines=player_lines(content),
        )
        header = heading(content.title)
        if content.instructions:
            header.value += (
                f"<p class='course-activity-instructions'>{escape_text(content.instructions)}</p>"
            )
        total = len(content.questions)
        rows: list[w.Widget] = [
            header,
            self.player,
            html(
                "<h4 class='course-video-questions'>Questions</h4><p class='course-note'>Answer in "
                "your own words. Each answer is saved when you leave its box or press Save, and is "
                f"never graded. Up to {content.max_chars:,} characters each.</p>"
            ),
        ]
        self.boxes: dict[str, w.Textarea] = {}
        self.notices: dict[str, w.HTML] = {}
        for n, question in enumerate(content.questions, start=1):
            prompt = html(
                f"<p class='course-video-prompt'><strong>Question {n} of {total}.</strong> "
                f"{escape_text(question.prompt)}</p>"
            )
            box = text_box(
                "",
                f"Your answer to question {n}",
                "7em",
                "course-video-answer",
                f"course-video-answer-{question.id}",
            )
            box.observe(self._autosave, names="value")
            notice = hidden_html("course-video-notice-box")
            self.boxes[question.id] = box
            self.notices[question.id] = notice
            rows += [prompt, box, notice]
        self.save_button = plain_button("Save my answers", "course-save", "primary")
        self.save_button.on_click(lambda _b: self.submit())
        rows += [self.save_button, self.status]
        self.children = rows

    # -- public triggers ---------------------------------------------------------------

    def answer(self, question_id: str, text: str) -> None:
        """Type into a question's box as a learner would (this autosaves, like a blur)."""
        self.boxes[question_id].value = text

    def answers(self) -> dict[str, str]:
        """The non-empty answers in the boxes now, by question id."""
        return {qid: box.value for qid, box in self.boxes.items() if box.value.strip()}

    def submit(self) -> bool:
        """Save every answer in the boxes; then show "What to notice" for each answered one."""
        answers = self.answers()
        if not answers:
            self.status.say("Write an answer first; there is nothing to save yet.", tone="error")
            return False
        for n, question in enumerate(self.content.questions, start=1):
            problem = length_problem(answers.get(question.id, ""), self.content.max_chars)
            if problem:
                self.status.say(f"Question {n}: {problem}", tone="error")
                return False
        if answers == self._saved:
            self.status.say("Already saved; nothing has changed since.", tone="ok")
            return True
        submission = self.new_submission(
            "save",
            response={"answers": answers, "questions": len(self.content.questions)},
            items={qid: {"response": text, "correct": None} for qid, text in answers.items()},
        )
        newly = [q for q in self.content.questions if q.id in answers and q.id not in self._saved]
        message = (
            f"Saved your answers to {len(answers)} of {len(self.content.questions)} questions."
        )
        revealed = [q for q in newly if q.notice]
        if revealed:
            numbers = [str(self._number(q.id)) for q in revealed]
            which = " and ".join(
                [", ".join(numbers[:-1]), numbers[-1]] if len(numbers) > 1 else numbers
            )
            message += (
                f" “What to notice” is now showing below question{'s' if len(numbers) > 1 else ''} "
                f"{which}: compare it with what you wrote."
            )
        if not self.emit(submission, message):
            return False
        self._saved = answers
        self._reveal()
        return True

    # -- resume --------------------------------------------------------------------------

    def restore(self, submissions: list[Submission]) -> None:
        saved = latest(submissions)
        if saved is None:
            return
        known = {q.id for q in self.content.questions}
        answers = saved.response.get("answers", {})
        self._saved = {k: v for k, v in answers.items() if k in known and str(v).strip()}
        self._restoring = True  # filling the boxes one by one must not save half of them
        try:
            for qid, text in self._saved.items():
                self.boxes[qid].value = text
        finally:
            self._restoring = False
        self.player.show_all()  # they have been through the scene; let them reread it whole
        self._reveal()
        self.status.say("Your saved answers are back in their boxes.", tone="info")

    # -- plumbing --------------------------------------------------------------------------

    def _number(self, question_id: str) -> int:
        return [q.id for q in self.content.questions].index(question_id) + 1

    def _autosave(self, change) -> None:
        if not self._restoring and change["new"].strip() and self.answers() != self._saved:
            self.submit()

    def _reveal(self) -> None:
        for question in self.content.questions:
            box = self.notices[question.id]
            if question.id not in self._saved or not question.notice:
                continue
            sources = ""
            if question.sources:
                label = "Source" if len(question.sources) == 1 else "Sources"
                sources = (
                    f"<p class='course-source'>{label}: "
                    f"{escape_text(self._cite(list(question.sources)))}</p>"
                )
            box.value = (
                "<div class='course-video-notice' role='note'>"
                f"<p class='course-video-notice-title'><strong>What to notice</strong> "
                f"(question {self._number(question.id)})</p>"
                f"<p>{escape_text(question.notice)}</p>{sources}</div>"
            )
            box.layout.display = None

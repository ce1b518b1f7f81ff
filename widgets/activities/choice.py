"""Multiple-choice knowledge checks: single or multiple answers, feedback per option."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w
import traitlets

from ..content.models import ChoiceActivity, ChoiceQuestion
from ..escape import escape_text
from ..looks import CourseAnyWidget, html
from .base import ActivityView, Submission, heading


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    chosen: tuple[str, ...]
    correct: bool


def mark_question(question: ChoiceQuestion, chosen: tuple[str, ...]) -> QuestionResult:
    """Right only when exactly the correct options are chosen."""
    right = {o.id for o in question.options if o.correct}
    return QuestionResult(question.id, tuple(sorted(chosen)), set(chosen) == right)


class ChoiceLogic:
    """The state of a knowledge check without any widget: answers and marking."""

    def __init__(self, content: ChoiceActivity):
        self.content = content
        self.answers: dict[str, tuple[str, ...]] = {q.id: () for q in content.questions}

    def choose(self, question_id: str, option_ids) -> None:
        question = self._question(question_id)
        known = {o.id for o in question.options}
        chosen = tuple(option_ids)
        unknown = [o for o in chosen if o not in known]
        if unknown:
            raise ValueError(f"{question_id}: unknown option(s) {unknown}")
        if len(chosen) > 1 and not question.multiple:
            raise ValueError(f"{question_id}: only one option may be chosen")
        self.answers[question_id] = chosen

    def unanswered(self) -> list[str]:
        return [q for q, chosen in self.answers.items() if not chosen]

    def mark(self) -> list[QuestionResult]:
        return [mark_question(q, self.answers[q.id]) for q in self.content.questions]

    def _question(self, question_id: str) -> ChoiceQuestion:
        for question in self.content.questions:
            if question.id == question_id:
                return question
        raise ValueError(f"unknown question {question_id!r}")


class ChoiceGroup(CourseAnyWidget):
    """Every question of a knowledge check as native fieldsets, in one widget."""

    _esm = Path(__file__).parent / "static" / "choice.js"
    questions = traitlets.List(
        traitlets.Dict(), help="[{id, prompt, hint, multiple, options: [{id, text}]}]."
    ).tag(sync=True)
    values = traitlets.Dict(help="Question id to the list of chosen option ids.").tag(sync=True)
    feedback = traitlets.Dict(
        help="Question id to {correct, explanation, notes, sources}, after Check."
    ).tag(sync=True)
    reveal_answers = traitlets.Bool(
        True, help="False while a facilitator hides the answers: the button says Submit."
    ).tag(sync=True)


def _hint(question: ChoiceQuestion) -> str:
    if question.multiple and "all that apply" not in question.prompt.lower():
        return "Choose all that apply."
    return ""


HIDDEN_SUBMITTED = "Submitted. Your facilitator will reveal the answers."
ANSWERS_HIDDEN = "The answers are hidden until your facilitator reveals them."


class ChoiceView(ActivityView):
    """A knowledge check: every question, a Check button and explained feedback.

    While ``reveal_answers`` is False (a facilitator holds the answers back) the button says
    Submit and a submission is saved as usual (score and per-question correctness included,
    for the facilitator) but the learner sees only "Submitted"; when it turns True the
    feedback for the latest checked answers appears, as if they had just checked.
    """

    activity_type = "choice"
    supports_hidden_answers = True

    reveal_answers = traitlets.Bool(True, help="False while a facilitator hides the answers.")

    def __init__(
        self, content: ChoiceActivity, *, sources_text=None, reveal_answers: bool = True, **kwargs
    ):
        self.logic = ChoiceLogic(content)
        # the marked answers of the latest check: shown when the answers are revealed
        self._checked: list[QuestionResult] | None = None
        super().__init__(content, reveal_answers=reveal_answers, **kwargs)
        self._sources_text = sources_text or (lambda keys: ", ".join(keys))
        self.group = ChoiceGroup(
            questions=[
                {
                    "id": q.id,
                    "prompt": q.prompt,
                    "hint": _hint(q),
                    "multiple": q.multiple,
                    "options": [{"id": o.id, "text": o.text} for o in q.options],
                }
                for q in content.questions
            ],
            reveal_answers=self.reveal_answers,
        )
        self.group.observe(self._sync, names="values")
        rows: list[w.Widget] = [heading(content.title)]
        if content.instructions:
            rows.append(html(f"<p>{escape_text(content.instructions)}</p>"))
        # The Check button lives in the group's own page code and sends the answers with the
        # request: a separate button widget's click could reach the kernel before the last
        # tick (ipywidgets holds back state updates while earlier ones are unanswered).
        self.group.on_msg(self._on_page_message)
        rows += [self.group, self.status]
        self.children = rows

    def _on_page_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or content.get("action") != "check":
            return
        values = content.get("values")
        if isinstance(values, dict):
            self.group.values = {
                str(k): [str(o) for o in v] for k, v in values.items() if isinstance(v, list)
            }
        self.submit()

    def _sync(self, change) -> None:
        for question_id, chosen in change["new"].items():
            try:
                self.logic.choose(question_id, chosen)
            except ValueError as exc:  # a tampered or stale message from the page
                self.status.say(f"That answer could not be used: {exc}", tone="error")

    # -- public triggers (used by the button and by tests) -------------------------

    def choose(self, question_id: str, *option_ids: str) -> None:
        """Select options as a learner would."""
        self.logic.choose(question_id, option_ids)
        self.group.values = {**self.group.values, question_id: list(option_ids)}

    def submit(self) -> bool:
        """Mark every question, show why, and emit one submission."""
        missing = self.logic.unanswered()
        if missing:
            numbers = [str(n) for n, q in enumerate(self.content.questions, 1) if q.id in missing]
            self.status.say(
                f"Answer every question first: question {', '.join(numbers)} still "
                f"{'needs' if len(numbers) == 1 else 'need'} an answer.",
                tone="error",
            )
            return False
        results = self._checked = self.logic.mark()
        if self.reveal_answers:
            self._show(results)
        else:
            self.group.feedback = {}
        score = sum(r.correct for r in results)
        submission = self.new_submission(
            "check",
            response={"answers": {r.question_id: list(r.chosen) for r in results}},
            items={
                r.question_id: {"response": ",".join(r.chosen), "correct": r.correct}
                for r in results
            },
            score=float(score),
            max_score=float(len(results)),
        )
        if self.reveal_answers:
            said = f"Saved. {self._score_text(results)}"
        else:
            said = HIDDEN_SUBMITTED
        return self.emit(submission, said)

    @staticmethod
    def _score_text(results: list[QuestionResult]) -> str:
        score = sum(r.correct for r in results)
        return f"{score} of {len(results)} right; the notes explain each answer."

    def _show(self, results: list[QuestionResult]) -> None:
        feedback = {}
        for question, result in zip(self.content.questions, results):
            notes = [  # lettered as the options and the dashboard letter them
                {
                    "option": o.text,
                    "letter": chr(ord("A") + n),
                    "chosen": o.id in result.chosen,
                    "feedback": o.feedback,
                }
                for n, o in enumerate(question.options)
                if o.id in result.chosen or (o.correct and not result.correct)
            ]
            feedback[question.id] = {
                "correct": result.correct,
                "explanation": question.explanation,
                "notes": notes,
                "sources": self._sources_text(question.sources),
            }
        self.group.feedback = feedback

    def restore(self, submissions: list[Submission]) -> None:
        checks = [s for s in submissions if s.action == "check"]
        if not checks:
            return
        answers = checks[-1].response.get("answers", {})
        for question in self.content.questions:
            try:
                self.choose(question.id, *answers.get(question.id, ()))
            except ValueError:
                continue  # content changed since; leave that question unanswered
        if not self.logic.unanswered():
            self._checked = self.logic.mark()
            if self.reveal_answers:
                self._show(self._checked)
                self.status.say("Your last answers are shown below.", tone="info")
            else:
                self.status.say(f"Your last answers are back. {HIDDEN_SUBMITTED}", tone="info")

    # -- answers hidden / revealed by a facilitator --------------------------------

    @traitlets.observe("reveal_answers")
    def _reveal_answers_changed(self, change) -> None:
        if not hasattr(self, "group"):
            return  # still in __init__
        self.group.reveal_answers = change["new"]
        if not change["new"]:
            self.group.feedback = {}
            if self._checked is not None:  # the status may still hold a score
                self.status.say(ANSWERS_HIDDEN, tone="info")
        elif self._checked is not None:
            self._show(self._checked)
            said = f"Answers revealed. {self._score_text(self._checked)}"
            if [r.chosen for r in self._checked] != [r.chosen for r in self.logic.mark()]:
                said += " They are for the answers you submitted; check again to mark your changes."
            self.status.say(said, tone="info")

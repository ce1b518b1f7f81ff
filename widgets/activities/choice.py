"""Multiple-choice knowledge checks: single or multiple answers, feedback per option."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w

from ..content.models import ChoiceActivity, ChoiceQuestion
from ..escape import escape_text
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


class ChoiceView(ActivityView):
    """A knowledge check: every question, a Check button and explained feedback."""

    activity_type = "choice"

    def __init__(self, content: ChoiceActivity, *, sources_text=None, **kwargs):
        super().__init__(content, **kwargs)
        self.logic = ChoiceLogic(content)
        self._sources_text = sources_text or (lambda keys: ", ".join(keys))
        self._inputs: dict[str, object] = {}
        self._feedback: dict[str, w.HTML] = {}
        rows: list[w.Widget] = [heading(content.title)]
        if content.instructions:
            rows.append(w.HTML(f"<p>{escape_text(content.instructions)}</p>"))
        for number, question in enumerate(content.questions, start=1):
            rows.append(self._question_box(number, question))
        self.check_button = w.Button(description="Check answers", button_style="primary")
        self.check_button.add_class("course-check")
        self.check_button.on_click(lambda _b: self.submit())
        rows += [self.check_button, self.status]
        self.children = rows

    def _question_box(self, number: int, question: ChoiceQuestion) -> w.VBox:
        hint = " (choose all that apply)" if question.multiple else ""
        prompt = w.HTML(
            f"<p class='course-question'><strong>{number}.</strong> "
            f"{escape_text(question.prompt)}{escape_text(hint)}</p>"
        )
        labels = [(o.text, o.id) for o in question.options]
        if question.multiple:
            boxes = [w.Checkbox(value=False, description=o.text, indent=False) for o in question.options]
            for box, option in zip(boxes, question.options):
                box.observe(lambda _c, q=question.id: self._sync(q), names="value")
                box.option_id = option.id
            control = w.VBox(boxes)
            self._inputs[question.id] = boxes
        else:
            control = w.RadioButtons(options=labels, value=None, layout=w.Layout(width="auto"))
            control.observe(lambda _c, q=question.id: self._sync(q), names="value")
            self._inputs[question.id] = control
        feedback = w.HTML("")
        feedback.add_class("course-feedback")
        self._feedback[question.id] = feedback
        box = w.VBox([prompt, control, feedback])
        box.add_class("course-question-box")
        return box

    def _sync(self, question_id: str) -> None:
        self.logic.choose(question_id, self._chosen(question_id))

    def _chosen(self, question_id: str) -> tuple[str, ...]:
        control = self._inputs[question_id]
        if isinstance(control, list):
            return tuple(box.option_id for box in control if box.value)
        return (control.value,) if control.value else ()

    # -- public triggers (used by the button and by tests) -------------------------

    def choose(self, question_id: str, *option_ids: str) -> None:
        """Select options as a learner would."""
        self.logic.choose(question_id, option_ids)
        control = self._inputs[question_id]
        if isinstance(control, list):
            for box in control:
                box.value = box.option_id in option_ids
        else:
            control.value = option_ids[0] if option_ids else None

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
        results = self.logic.mark()
        self._show(results)
        score = sum(r.correct for r in results)
        submission = self.new_submission(
            "check",
            response={"answers": {r.question_id: list(r.chosen) for r in results}},
            items={r.question_id: {"response": ",".join(r.chosen), "correct": r.correct} for r in results},
            score=float(score),
            max_score=float(len(results)),
        )
        return self.emit(submission, f"Saved. {score} of {len(results)} right; the notes explain each answer.")

    def _show(self, results: list[QuestionResult]) -> None:
        for question, result in zip(self.content.questions, results):
            verdict = "✔ Right." if result.correct else "✘ Not quite."
            chosen_notes = "".join(
                f"<li><em>{escape_text(o.text)}</em>: {escape_text(o.feedback)}</li>"
                for o in question.options
                if o.id in result.chosen or (o.correct and not result.correct)
            )
            self._feedback[question.id].value = (
                f"<div class='course-verdict' data-correct='{str(result.correct).lower()}'>"
                f"<strong>{verdict}</strong> {escape_text(question.explanation)}"
                f"<ul>{chosen_notes}</ul>"
                f"<p class='course-source'>Source: {escape_text(self._sources_text(question.sources))}</p></div>"
            )

    def restore(self, submissions: list[Submission]) -> None:
        checks = [s for s in submissions if s.action == "check"]
        if not checks:
            return
        answers = checks[-1].response.get("answers", {})
        for question in self.content.questions:
            chosen = tuple(answers.get(question.id, ()))
            try:
                self.choose(question.id, *chosen)
            except ValueError:
                continue  # content changed since; leave that question unanswered
        if not self.logic.unanswered():
            self._show(self.logic.mark())
            self.status.say("Your last answers are shown below.", tone="info")

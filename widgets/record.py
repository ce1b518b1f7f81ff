"""A trainee's personal learning record: one printable, self-contained HTML page.

:func:`learning_record_html` is a plain function of the course content and the learner's
submissions: inline CSS with print styles, no scripts, no external files, so the page can be
saved, printed or shared as it is. Every learner text is escaped (line breaks kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from .activities.base import Submission
from .activities.self_assessment import latest_ratings, rating_change
from .content import Course
from .content.loader import sources_of
from .content.models import (
    PART_NAMES,
    DraftingActivity,
    ReflectionActivity,
    SelfAssessmentActivity,
    VideoActivity,
)
from .escape import escape_text

ACTION_PLAN_ID = "m6-action-plan"
PART_LABELS = {"theory": "Theory", "practice": "Practice", "review": "Review"}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1d2430; background: #fff; line-height: 1.5; margin: 0; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.2rem 3rem; }
h1 { font-size: 1.7rem; margin: 0 0 0.2rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #c9d2de; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 0.3rem; }
.meta { color: #4a5568; margin: 0.2rem 0; }
.answer { border-left: 4px solid #1f5fa8; background: #f3f6fb; padding: 0.4rem 0.8rem;
  margin: 0.3rem 0 0.8rem; overflow-wrap: anywhere; }
.prompt { color: #4a5568; margin: 0.2rem 0; }
.empty { color: #4a5568; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { border: 1px solid #c9d2de; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
td.n { white-space: nowrap; }
ul.parts { padding-left: 1.2rem; }
.refs li { margin: 0.3rem 0; overflow-wrap: anywhere; }
@media print {
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .answer, tr, li { break-inside: avoid; }
  .answer { background: none; }
  a { color: inherit; }
}
"""


def _latest_saves(submissions: Iterable[Submission]) -> dict[str, Submission]:
    """The latest "save" submission of each activity."""
    out: dict[str, Submission] = {}
    for sub in submissions:
        if sub.action == "save":
            out[sub.activity_id] = sub
    return out


def _activity(course: Course, activity_id: str):
    """The activity's content model, or None if the course no longer has it."""
    try:
        return course.activity(activity_id)
    except KeyError:
        return None


def _text_block(text: str) -> str:
    return f"<div class='answer'>{escape_text(text)}</div>"


def learning_record_html(
    course: Course,
    submissions: Sequence[Submission],
    *,
    display_name: str | None = None,
    parts_done: Iterable[tuple[str, str]] = (),
    today: date | None = None,
) -> str:
    """The learner's record as a complete HTML document (a string; no scripts).

    ``submissions`` are the learner's, oldest first; ``parts_done`` the (module slug, part)
    pairs the course counts as done.
    """
    today = today or date.today()
    saves = _latest_saves(submissions)
    done = set(parts_done)
    title = course.info.title
    out: list[str] = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>My learning record · {escape_text(title)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>My learning record</h1><p class='meta'><strong>{escape_text(title)}</strong></p>",
    ]
    if display_name:
        out.append(f"<p class='meta'>Name: {escape_text(display_name)}</p>")
    out.append(f"<p class='meta'>Date: {today.day} {today:%B %Y}</p>")

    # -- progress --------------------------------------------------------------------------
    out.append("<h2>Modules and parts completed</h2>")
    rows = []
    for module in course.modules:
        finished = [PART_LABELS[p] for p in PART_NAMES if (module.slug, p) in done]
        if finished:
            whole = " (whole module)" if len(finished) == len(PART_NAMES) else ""
            rows.append(
                f"<li>Module {module.entry.number}: {escape_text(module.entry.title)}: "
                f"{', '.join(finished)}{whole}</li>"
            )
    out.append(
        f"<ul class='parts'>{''.join(rows)}</ul>"
        if rows
        else "<p class='empty'>No part completed yet.</p>"
    )

    cited: set[str] = set()

    def note_sources(activity) -> None:
        for _where, keys in sources_of(activity):
            cited.update(keys)

    # -- action plan -------------------------------------------------------------------------
    plan_sub = saves.get(ACTION_PLAN_ID)
    plan = _activity(course, ACTION_PLAN_ID)
    if plan_sub is not None and isinstance(plan, ReflectionActivity):
        out.append("<h2>My action plan</h2>")
        out.append(f"<p class='prompt'>{escape_text(plan.prompt)}</p>")
        out.append(_text_block(plan_sub.response.get("text", "")))

    # -- reflections and video answers, in course order ------------------------------------
    written: list[str] = []
    for module in course.modules:
        for activity in module.file.activities:
            sub = saves.get(activity.id)
            if sub is None or activity.id == ACTION_PLAN_ID:
                continue
            where = f"Module {module.entry.number}, {PART_LABELS[activity.part]}"
            if isinstance(activity, ReflectionActivity):
                written.append(
                    f"<h3>{escape_text(activity.title)}</h3><p class='meta'>{where}</p>"
                    f"<p class='prompt'>{escape_text(activity.prompt)}</p>"
                    + _text_block(sub.response.get("text", ""))
                )
                note_sources(activity)
            elif isinstance(activity, VideoActivity):
                answers = sub.response.get("answers", {})
                block = [f"<h3>{escape_text(activity.title)}</h3><p class='meta'>{where}</p>"]
                for n, question in enumerate(activity.questions, start=1):
                    if answers.get(question.id):
                        block.append(
                            f"<p class='prompt'>Question {n}. {escape_text(question.prompt)}</p>"
                            + _text_block(answers[question.id])
                        )
                written.append("".join(block))
                note_sources(activity)
            elif isinstance(activity, DraftingActivity):
                drafts = sub.response.get("drafts", {})
                ticked = sub.response.get("checked", {})
                block = [f"<h3>{escape_text(activity.title)}</h3><p class='meta'>{where}</p>"]
                for step in activity.steps:
                    if not drafts.get(step.id):
                        continue
                    block.append(
                        f"<p class='prompt'>{escape_text(step.prompt)}</p>"
                        + _text_block(drafts[step.id])
                    )
                    met = [c.text for c in step.criteria if c.id in ticked.get(step.id, [])]
                    if met:
                        items = "".join(f"<li>{escape_text(t)}</li>" for t in met)
                        block.append(f"<p class='meta'>My self-check: my draft</p><ul>{items}</ul>")
                written.append("".join(block))
                note_sources(activity)
    out.append("<h2>My reflections and answers</h2>")
    out.append("".join(written) or "<p class='empty'>No reflection saved yet.</p>")

    # -- self-assessment change ------------------------------------------------------------------
    tables = []
    for module in course.modules:
        for activity in module.file.activities:
            if not (isinstance(activity, SelfAssessmentActivity) and activity.compare_with):
                continue
            if activity.id not in saves or activity.compare_with not in saves:
                continue
            before = latest_ratings([saves[activity.compare_with]])
            now = latest_ratings([saves[activity.id]])
            change = rating_change(activity.statements, before, now)
            top = len(activity.scale)
            body = []
            for row in change.rows:
                diff = "" if not row.compared else f"{row.now - row.before:+d}".replace("+0", "0")
                body.append(
                    f"<tr><td>{escape_text(row.text)}</td>"
                    f"<td class='n'>{row.before if row.before is not None else '–'} of {top}</td>"
                    f"<td class='n'>{row.now if row.now is not None else '–'} of {top}</td>"
                    f"<td class='n'>{diff or '–'}</td></tr>"
                )
            tables.append(
                f"<h3>{escape_text(activity.title)}</h3>"
                f"<p>{escape_text(change.summary())}</p>"
                "<table><thead><tr><th scope='col'>Statement</th><th scope='col'>Before</th>"
                "<th scope='col'>Now</th><th scope='col'>Change</th></tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>"
                f"<p class='meta'>Scale: 1 = {escape_text(activity.scale[0])}, {top} = "
                f"{escape_text(activity.scale[-1])}. Your own view of yourself, not a score.</p>"
            )
    out.append("<h2>How my self-ratings changed</h2>")
    out.append(
        "".join(tables)
        or "<p class='empty'>Rate yourself at the start and at the end of the course to see "
        "the change here.</p>"
    )

    # -- references --------------------------------------------------------------------------------
    for sub in submissions:
        activity = _activity(course, sub.activity_id) if sub.completes else None
        if activity is not None:
            note_sources(activity)
    refs = sorted(
        (course.references[k] for k in cited if k in course.references),
        key=lambda r: r.citation.casefold(),
    )
    out.append("<h2>References</h2>")
    if refs:
        items = []
        for ref in refs:
            url = f" {escape_text(ref.url)}" if ref.url else ""
            items.append(f"<li>{escape_text(ref.citation)}{url}</li>")
        out.append(f"<ul class='refs'>{''.join(items)}</ul>")
    else:
        out.append("<p class='empty'>The sources of the activities you complete appear here.</p>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"

"""The class's answers to one activity, summed up for the facilitator's dashboard.

Pure functions from the store's :class:`~widgets.store.facade.ItemCount` rows and the
activity's content to small tables (dataclasses): no database, no plotly, so they are easy to
test and the charts (:mod:`.charts`) only draw. Every label comes from the content, where each
item lives once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..content.models import (
    ChoiceActivity,
    OrderingActivity,
    ScenarioActivity,
    SelfAssessmentActivity,
    SimulatorActivity,
    SortingActivity,
)
from ..store.facade import ItemCount

# the activity types the dashboard can chart, and how each is counted
CHARTED_TYPES = ("sorting", "choice", "ordering", "scenario", "self_assessment", "simulator")


@dataclass(frozen=True)
class ItemRow:
    """One statement (or question, or step): how the class answered it."""

    item_id: str
    text: str
    answer: str  # the right category / option(s) / position, as a label; "" for ratings
    counts: dict[str, int]  # response label -> learners
    correct: int
    answered: int

    @property
    def missed(self) -> int:
        return self.answered - self.correct

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class ActivitySummary:
    """What the dashboard shows for one activity."""

    activity_id: str
    kind: str  # "scored" (right/wrong per item), "likert" or "stances"
    title: str
    responses: list[str]  # the possible response labels, in display order
    rows: list[ItemRow] = field(default_factory=list)
    learners: int = 0  # learners whose answers are counted

    @property
    def total_answers(self) -> int:
        return sum(row.answered for row in self.rows)


def _tally(counts: Iterable[ItemCount]) -> dict[str, list[ItemCount]]:
    by_item: dict[str, list[ItemCount]] = {}
    for count in counts:
        by_item.setdefault(count.item_id, []).append(count)
    return by_item


def _most_missed_first(rows: list[ItemRow]) -> list[ItemRow]:
    """Unanswered items last; otherwise the lowest share correct first, content order kept."""
    order = {row.item_id: n for n, row in enumerate(rows)}
    return sorted(
        rows,
        key=lambda r: (
            r.share_correct is None,
            r.share_correct if r.share_correct is not None else 0,
            order[r.item_id],
        ),
    )


def _scored_row(
    item_id: str, text: str, answer: str, tally: Counter, found: list[ItemCount]
) -> ItemRow:
    """A right-or-wrong item: its responses tallied by label, and how many got it right."""
    return ItemRow(
        item_id=item_id,
        text=text,
        answer=answer,
        counts=dict(tally),
        correct=sum(c.count for c in found if c.correct),
        answered=sum(c.count for c in found),
    )


def _scored(activity, responses: list[str], rows: list[ItemRow], learners: int) -> ActivitySummary:
    """A right-or-wrong activity's summary, its most-missed items first."""
    return ActivitySummary(
        activity.id, "scored", activity.title, responses, _most_missed_first(rows), learners
    )


def _letters(options) -> dict[str, str]:
    """Options as the learner saw them: A, B, C, … in content order."""
    return {o.id: chr(ord("A") + i) for i, o in enumerate(options)}


def sorting_summary(
    activity: SortingActivity, counts: Iterable[ItemCount], learners: int = 0
) -> ActivitySummary:
    labels = {c.id: c.label for c in activity.categories}
    by_item = _tally(counts)
    rows = []
    for item in activity.items:
        found = by_item.get(item.id, [])
        tally = Counter()
        for c in found:
            tally[labels.get(c.response or "", c.response or "no answer")] += c.count
        rows.append(_scored_row(item.id, item.text, labels[item.answer], tally, found))
    return _scored(activity, list(labels.values()), rows, learners)


def choice_summary(
    activity: ChoiceActivity, counts: Iterable[ItemCount], learners: int = 0
) -> ActivitySummary:
    by_item = _tally(counts)
    rows = []
    for n, question in enumerate(activity.questions, 1):
        letters = _letters(question.options)
        found = by_item.get(question.id, [])
        tally = Counter()
        for c in found:
            chosen = [letters.get(x, x) for x in (c.response or "").split(",") if x]
            tally[" + ".join(chosen) or "no answer"] += c.count
        rows.append(
            _scored_row(
                question.id,
                f"Q{n}. {question.prompt}",
                " + ".join(letters[o.id] for o in question.options if o.correct),
                tally,
                found,
            )
        )
    responses = sorted({label for row in rows for label in row.counts})
    return _scored(activity, responses, rows, learners)


def ordering_summary(
    activity: OrderingActivity, counts: Iterable[ItemCount], learners: int = 0
) -> ActivitySummary:
    by_item = _tally(counts)
    rows = []
    positions = [str(n) for n in range(1, len(activity.items) + 1)]
    for n, item in enumerate(activity.items, 1):
        found = by_item.get(item.id, [])
        tally = Counter()
        for c in found:
            tally[f"placed {c.response}"] += c.count
        rows.append(_scored_row(item.id, item.text, f"placed {n}", tally, found))
    return _scored(activity, [f"placed {p}" for p in positions], rows, learners)


def scenario_summary(
    activity: ScenarioActivity, counts: Iterable[ItemCount], learners: int = 0
) -> ActivitySummary:
    """Per decision the class reached: which option each took (A, B, …), the best one named.

    Every decision counts (one submission each), so a learner who starts the case again is
    counted again at the decisions they revisit."""
    by_item = _tally(counts)
    rows = []
    for node in activity.nodes:
        found = by_item.get(node.id, [])
        if not found:
            continue  # a decision nobody has reached
        letters = _letters(node.options)
        tally = Counter()
        for c in found:
            tally[letters.get(c.response or "", "another option")] += c.count
        heading = node.title or _shortened(node.text)
        rows.append(
            _scored_row(
                node.id,
                heading,
                " or ".join(letters[o.id] for o in node.options if o.quality == "best"),
                tally,
                found,
            )
        )
    responses = sorted({label for row in rows for label in row.counts})
    return _scored(activity, responses, rows, learners)


def _shortened(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def likert_summary(
    activity: SelfAssessmentActivity, counts: Iterable[ItemCount], learners: int = 0
) -> ActivitySummary:
    """Ratings per statement; a stored rating is the scale point's number, from 1."""
    by_item = _tally(counts)
    scale = list(activity.scale)
    rows = []
    for statement in activity.statements:
        found = by_item.get(statement.id, [])
        tally = Counter()
        for c in found:
            try:
                point = int(c.response)
            except (TypeError, ValueError):
                continue  # not a rating at all: left out
            if not 1 <= point <= len(scale):
                continue  # not a rating on this scale (content changed since): left out
            label = scale[point - 1]  # (a plain index would take 0 and -1 from the end)
            tally[label] += c.count
        rows.append(
            ItemRow(
                item_id=statement.id,
                text=statement.text,
                answer="",
                counts=dict(tally),
                correct=0,
                answered=sum(tally.values()),
            )
        )
    return ActivitySummary(activity.id, "likert", activity.title, scale, rows, learners)


def stance_summary(
    activity: SimulatorActivity,
    counts: Iterable[ItemCount],
    stance_labels: dict[str, str],
    learners: int = 0,
) -> ActivitySummary:
    """The mix of stances in the class's replies, per teacher line, in conversation order."""
    stances = {(n.id, o.id): o.stance for n in activity.nodes for o in n.options}
    expert = {(n.id, o.id) for n in activity.nodes for o in n.options if o.expert}
    by_item = _tally(counts)
    rows = []
    for node in activity.nodes:
        found = by_item.get(node.id, [])
        if not found:
            continue  # a line of the conversation nobody has reached
        tally = Counter()
        for c in found:
            stance = stances.get((node.id, c.response or ""))
            if stance is not None:
                tally[stance_labels.get(stance, stance)] += c.count
        rows.append(
            ItemRow(
                item_id=node.id,
                text=node.says,
                answer="",
                counts=dict(tally),
                correct=sum(c.count for c in found if (node.id, c.response) in expert),
                answered=sum(tally.values()),
            )
        )
    return ActivitySummary(
        activity.id, "stances", activity.title, list(stance_labels.values()), rows, learners
    )


def summarise(activity, counts: Iterable[ItemCount], learners: int = 0) -> ActivitySummary:
    """The summary for any charted activity (see :data:`CHARTED_TYPES`)."""
    counts = list(counts)
    if isinstance(activity, SortingActivity):
        return sorting_summary(activity, counts, learners)
    if isinstance(activity, ChoiceActivity):
        return choice_summary(activity, counts, learners)
    if isinstance(activity, OrderingActivity):
        return ordering_summary(activity, counts, learners)
    if isinstance(activity, ScenarioActivity):
        return scenario_summary(activity, counts, learners)
    if isinstance(activity, SelfAssessmentActivity):
        return likert_summary(activity, counts, learners)
    if isinstance(activity, SimulatorActivity):
        from ..activities.simulator import STANCES

        labels = {key: label for key, (label, _meaning) in STANCES.items()}
        return stance_summary(activity, counts, labels, learners)
    raise ValueError(f"activity {activity.id!r} ({activity.type}) has no chart")


def latest_only(activity) -> bool:
    """Count each learner's latest whole answer, except in branching activities (simulator,
    scenario), where every decision is a submission of its own and part of the picture."""
    return not isinstance(activity, SimulatorActivity | ScenarioActivity)

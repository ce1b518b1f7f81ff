"""Summing up the class's answers from the store's counts, with labels from the real content."""

from __future__ import annotations

import pytest

from widgets.activities.simulator import STANCES
from widgets.live.aggregate import (
    CHARTED_TYPES,
    choice_summary,
    latest_only,
    likert_summary,
    ordering_summary,
    scenario_summary,
    sorting_summary,
    stance_summary,
    summarise,
)
from widgets.store.facade import ItemCount

STANCE_LABELS = {key: label for key, (label, _meaning) in STANCES.items()}


def by_id(summary):
    return {row.item_id: row for row in summary.rows}


def test_sorting_most_missed_first_with_labels(course):
    """Are statements ordered by share correct (lowest first), unanswered last, with labels?"""
    sort = course.activity("m1-sort")
    first, second, third = (item.id for item in sort.items[:3])
    assert [i.answer for i in sort.items[:3]] == ["coaching", "mentoring", "mentoring"]
    counts = [
        ItemCount(first, "coaching", True, 3),  # 3 of 4 right
        ItemCount(first, "mentoring", False, 1),
        ItemCount(second, "mentoring", True, 1),  # 1 of 4 right
        ItemCount(second, "both", False, 2),
        ItemCount(second, "coaching", False, 1),
        ItemCount(third, "mentoring", True, 2),  # 2 of 2 right
    ]
    summary = sorting_summary(sort, counts, learners=4)
    assert summary.kind == "scored"
    assert summary.title == sort.title
    assert summary.responses == ["Coaching", "Mentoring", "Both"]
    assert summary.learners == 4
    order = [row.item_id for row in summary.rows]
    assert order[:3] == [second, first, third]
    # every other statement nobody answered comes after, in content order
    assert order[3:] == [item.id for item in sort.items[3:]]
    row = by_id(summary)[second]
    assert row.text == sort.items[1].text
    assert row.answer == "Mentoring"
    assert row.counts == {"Mentoring": 1, "Both": 2, "Coaching": 1}
    assert (row.correct, row.answered, row.missed) == (1, 4, 3)
    assert row.share_correct == pytest.approx(0.25)
    assert by_id(summary)[first].share_correct == pytest.approx(0.75)
    untouched = by_id(summary)[sort.items[5].id]
    assert (untouched.answered, untouched.share_correct, untouched.counts) == (0, None, {})
    assert summary.total_answers == 4 + 4 + 2


def test_sorting_ties_keep_content_order(course):
    """When two statements are missed equally, does the one earlier in the content come first?"""
    sort = course.activity("m1-sort")
    a, b = sort.items[0], sort.items[4]
    counts = [ItemCount(b.id, "both", False, 1), ItemCount(a.id, "both", False, 1)]
    order = [row.item_id for row in sorting_summary(sort, counts).rows]
    assert order[:2] == [a.id, b.id]


def test_sorting_unknown_category_is_shown_as_stored(course):
    """Is a response that is no category (content changed) counted under its own name?"""
    sort = course.activity("m1-sort")
    item = sort.items[0]
    summary = sorting_summary(
        sort, [ItemCount(item.id, "retired-category", False, 2), ItemCount(item.id, None, None, 1)]
    )
    assert by_id(summary)[item.id].counts == {"retired-category": 2, "no answer": 1}


def test_choice_letters_and_answers(course):
    """Are choices shown as letters (A + C …), questions numbered, and the right answer named?"""
    check = course.activity("m1-knowledge-check")
    single, multi = check.questions[0], check.questions[1]
    right_single = next(o.id for o in single.options if o.correct)
    wrong_single = single.options[1].id
    multi_ids = [o.id for o in multi.options]
    counts = [
        ItemCount(single.id, right_single, True, 2),
        ItemCount(single.id, wrong_single, False, 1),
        ItemCount(multi.id, f"{multi_ids[0]},{multi_ids[1]}", False, 2),
        ItemCount(multi.id, "", False, 1),
    ]
    summary = choice_summary(check, counts, learners=3)
    rows = by_id(summary)
    assert rows[single.id].text == f"Q1. {single.prompt}"
    assert rows[multi.id].text == f"Q2. {multi.prompt}"
    letter = chr(ord("A") + [o.id for o in single.options].index(right_single))
    assert rows[single.id].answer == letter
    assert rows[single.id].counts == {letter: 2, "B": 1}
    expected = " + ".join(chr(ord("A") + n) for n, o in enumerate(multi.options) if o.correct)
    assert rows[multi.id].answer == expected
    assert rows[multi.id].counts == {"A + B": 2, "no answer": 1}
    assert (rows[multi.id].correct, rows[multi.id].answered) == (0, 3)
    assert [row.item_id for row in summary.rows][:2] == [multi.id, single.id]  # 0/3 before 2/3
    assert summary.responses == sorted({letter, "B", "A + B", "no answer"})


def test_ordering_positions(course):
    """Is each step's answer its place in the content, and each response 'placed N'?"""
    order = course.activity("m1-continuum")
    first, second = order.items[0], order.items[1]
    counts = [
        ItemCount(first.id, "1", True, 2),
        ItemCount(first.id, "3", False, 2),
        ItemCount(second.id, "2", True, 4),
    ]
    summary = ordering_summary(order, counts)
    rows = by_id(summary)
    assert summary.responses == [f"placed {n}" for n in range(1, len(order.items) + 1)]
    assert rows[first.id].answer == "placed 1"
    assert rows[second.id].answer == "placed 2"
    assert rows[first.id].counts == {"placed 1": 2, "placed 3": 2}
    assert [row.item_id for row in summary.rows][:2] == [first.id, second.id]
    assert (rows[first.id].correct, rows[first.id].missed) == (2, 2)


def test_likert_counts_and_drops_out_of_scale(course):
    """Are ratings 1..5 counted under the scale's labels, and 0, 6, -1, text and None dropped?"""
    rating = course.activity("m1-self-assessment-pre")
    scale = list(rating.scale)
    assert len(scale) == 5
    sid = rating.statements[0].id
    counts = [
        ItemCount(sid, "1", None, 2),
        ItemCount(sid, "5", None, 1),
        ItemCount(sid, "0", None, 7),
        ItemCount(sid, "-1", None, 7),
        ItemCount(sid, "6", None, 7),
        ItemCount(sid, "four", None, 7),
        ItemCount(sid, None, None, 7),
    ]
    summary = likert_summary(rating, counts, learners=3)
    assert summary.kind == "likert"
    assert summary.responses == scale
    row = by_id(summary)[sid]
    assert row.counts == {scale[0]: 2, scale[4]: 1}
    assert row.answered == 3
    assert (row.answer, row.correct) == ("", 0)
    # rows keep the content's order (nothing is "missed" in a rating)
    assert [r.item_id for r in summary.rows] == [s.id for s in rating.statements]


def test_stance_summary(course):
    """Are replies counted by stance label, expert replies counted as right, unreached lines left out?"""
    sim = course.activity("m3-sim-settle")
    node = sim.nodes[0]
    expert = next(o for o in node.options if o.expert)
    other = next(o for o in node.options if not o.expert)
    counts = [
        ItemCount(node.id, expert.id, None, 3),
        ItemCount(node.id, other.id, None, 2),
        ItemCount(node.id, "no-such-option", None, 9),
    ]
    summary = stance_summary(sim, counts, STANCE_LABELS, learners=5)
    assert summary.kind == "stances"
    assert summary.responses == list(STANCE_LABELS.values())
    assert [row.item_id for row in summary.rows] == [node.id]
    row = summary.rows[0]
    assert row.text == node.says
    assert row.counts == {STANCE_LABELS[expert.stance]: 3, STANCE_LABELS[other.stance]: 2}
    assert (row.correct, row.answered) == (3, 5)


def test_summarise_dispatches(course):
    """Does summarise pick the right summary for each charted type, simulator with stance labels?"""
    kinds = {
        "m1-sort": "scored",
        "m1-knowledge-check": "scored",
        "m1-continuum": "scored",
        "m1-self-assessment-pre": "likert",
        "m3-sim-settle": "stances",
        "m5-case-amira": "scored",
    }
    for activity_id, kind in kinds.items():
        activity = course.activity(activity_id)
        assert activity.type in CHARTED_TYPES
        summary = summarise(activity, iter([]), learners=2)
        assert (summary.activity_id, summary.kind, summary.learners) == (activity_id, kind, 2)
    sim = summarise(course.activity("m3-sim-settle"), [])
    assert sim.responses == [label for label, _ in STANCES.values()]


@pytest.mark.parametrize("activity_id", ["m1-reflection", "m2-video-two-approaches"])
def test_summarise_refuses_uncharted_types(course, activity_id):
    """Is an activity without a chart (free text: reflection, video answers) refused by name?"""
    activity = course.activity(activity_id)
    assert activity.type not in CHARTED_TYPES
    with pytest.raises(ValueError, match=activity_id):
        summarise(activity, [])


def test_latest_only_except_simulator(course):
    """Is every decision of a simulator or scenario counted, but only the latest answer of
    the others?"""
    assert latest_only(course.activity("m3-sim-settle")) is False
    assert latest_only(course.activity("m5-case-amira")) is False
    assert latest_only(course.activity("m1-sort")) is True
    assert latest_only(course.activity("m1-self-assessment-pre")) is True


def test_scenario_decisions_with_the_best_option_named(course):
    """Does a case study show, per decision reached, the options taken as letters, the best
    one named, the worst-handled decision first, and nothing for decisions nobody reached?"""
    case = course.activity("m5-case-amira")
    nodes = {n.id: n for n in case.nodes}
    first = nodes[case.start]
    best = next(o for o in first.options if o.quality == "best")
    other = next(o for o in first.options if o.quality != "best")
    second = nodes[best.next]  # Amira's best first choice leads to another decision
    second_best = next(o for o in second.options if o.quality == "best")
    letter = {o.id: chr(ord("A") + i) for i, o in enumerate(first.options)}
    counts = [
        ItemCount(first.id, best.id, True, 3),
        ItemCount(first.id, other.id, False, 2),
        ItemCount(second.id, second_best.id, True, 3),
    ]
    summary = scenario_summary(case, counts, learners=5)
    rows = by_id(summary)
    assert rows[first.id].counts == {letter[best.id]: 3, letter[other.id]: 2}
    assert letter[best.id] in rows[first.id].answer.split(" or ")
    assert (rows[first.id].correct, rows[first.id].answered) == (3, 5)
    assert (rows[second.id].correct, rows[second.id].answered) == (3, 3)
    assert [r.item_id for r in summary.rows] == [first.id, second.id]  # 60 % before 100 %
    assert len(case.nodes) > 2  # so leaving the others out is a real check
    assert rows[first.id].text == first.title

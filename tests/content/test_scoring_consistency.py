"""The course's scoring agrees with itself: one move, one verdict, and the expert never loses."""

from __future__ import annotations

import re

from widgets.content.models import (
    ChoiceActivity,
    ScenarioActivity,
    SimulatorActivity,
    SortingActivity,
)

# A reply that asks before sharing an idea ("Would it help if I shared…", "…with his
# permission…"): the move K1 of issue 13 found keyed best in one place and penalised in another.
OFFER_WITH_PERMISSION = re.compile(
    r"permission|would it help if i (shared|offered|suggested)|would you like (me to share|an "
    r"idea|a suggestion|a couple of ideas)|ask whether (she|he|they) would like",
    re.IGNORECASE,
)


def _activities(course, kind):
    return [a for m in course.modules for a in m.file.activities if isinstance(a, kind)]


def test_the_expert_reply_never_scores_below_an_alternative(course):
    """At every simulator node, does the expert reply move the meter at least as far as every
    other reply offered there?"""
    checked = 0
    for sim in _activities(course, SimulatorActivity):
        for node in sim.nodes:
            expert = next(o for o in node.options if o.expert)
            for option in node.options:
                assert sim.weight(option.stance) <= sim.weight(expert.stance), (
                    f"{sim.id}/{node.id}: {option.id} ({option.stance}, "
                    f"{sim.weight(option.stance):+d}) outscores the expert's {expert.id} "
                    f"({expert.stance}, {sim.weight(expert.stance):+d})"
                )
                checked += 1
    assert checked >= 60


def _best_ending(sim, node_id: str, value: int) -> int:
    """The highest meter value any path from ``node_id`` can end at."""
    nodes = {n.id: n for n in sim.nodes}
    if node_id not in nodes:
        return value
    return max(
        _best_ending(sim, o.next, min(100, max(0, value + sim.weight(o.stance))))
        for o in nodes[node_id].options
    )


def test_the_expert_path_ends_higher_than_any_other_path(course):
    """Does following the expert at every node end the meter at least as high as any path?"""
    for sim in _activities(course, SimulatorActivity):
        nodes = {n.id: n for n in sim.nodes}
        value, at = sim.ownership_start, sim.start
        while at in nodes:
            expert = next(o for o in nodes[at].options if o.expert)
            value = min(100, max(0, value + sim.weight(expert.stance)))
            at = expert.next
        assert value >= _best_ending(sim, sim.start, sim.ownership_start), sim.id


def test_offering_with_permission_is_one_move_with_one_verdict(course):
    """Is an idea offered with permission keyed as sound wherever it appears, and never scored
    as telling in a simulator?"""
    found = {"simulator": 0, "keyed": 0}
    for sim in _activities(course, SimulatorActivity):
        for node in sim.nodes:
            for option in node.options:
                if OFFER_WITH_PERMISSION.search(option.text):
                    found["simulator"] += 1
                    assert option.stance == "offers", f"{sim.id}/{node.id}/{option.id}"
                    assert sim.weight("offers") >= 0, sim.id
    for case in _activities(course, ScenarioActivity):
        for node in case.nodes:
            for option in node.options:
                if OFFER_WITH_PERMISSION.search(option.text):
                    found["keyed"] += 1
                    assert option.quality != "poor", f"{case.id}/{node.id}/{option.id}"
    for check in _activities(course, ChoiceActivity):
        for question in check.questions:
            for option in question.options:
                if OFFER_WITH_PERMISSION.search(option.text):
                    found["keyed"] += 1
                    assert option.correct, f"{check.id}/{question.id}/{option.id}"
    assert found["simulator"] >= 1 and found["keyed"] >= 2, found


# Keys that experts dispute (issue 13): each must be marked a tendency, with the reason in its
# explanation, so the sort asks "why?" instead of marking the learner wrong.
DISPUTED_KEYS = {
    "m1-sort": ["experienced-shares-knowledge", "learn-not-taught"],
    "m2-pd-sort": [
        "video-with-questions",
        "teacher-chooses-focus",
        "sustained-sessions",
        "coaching-as-grading",
    ],
    "m5-feedback-sort": ["same-two-pupils"],
    "m4-grow-sort": ["how-will-you-know"],
}
TENDENCY_WORDS = re.compile(r"tendenc|usually|often|debat|disput|either|could also|can also")


def test_disputed_keys_are_marked_as_tendencies_with_a_reason(course):
    """Is every key the reviewers disputed marked contested, and does its explanation say why
    another answer is defensible?"""
    for activity_id, item_ids in DISPUTED_KEYS.items():
        sort = course.activity(activity_id)
        assert isinstance(sort, SortingActivity)
        items = {i.id: i for i in sort.items}
        for item_id in item_ids:
            item = items[item_id]
            assert item.contested, f"{activity_id}/{item_id} is not marked contested"
            assert TENDENCY_WORDS.search(item.explanation.lower()), f"{activity_id}/{item_id}"


def test_question_sort_does_not_treat_leading_as_a_third_form(course):
    """A leading question can be open or closed in form: does the question sort say so, and
    mark every 'leading' item as a tendency rather than an exclusive category?"""
    sort = course.activity("m3-question-sort")
    leading = next(c for c in sort.categories if c.id == "leading")
    said = " ".join(filter(None, [sort.instructions, leading.description])).lower()
    assert "open or closed" in said
    items = [i for i in sort.items if i.answer == "leading"]
    assert len(items) >= 3
    assert all(i.contested for i in items), [i.id for i in items if not i.contested]

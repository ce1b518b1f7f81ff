"""The rehearsal's reply analyser: transparent rules, measured on a labelled set, never a grade."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from widgets.activities.reply_analysis import CAVEAT, MEASURED, NOTES, analyse, detect, score

LABELLED = Path(__file__).parent / "coach_replies.yaml"


def labelled(part: str) -> list[tuple[str, set[str]]]:
    rows = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))[part]
    return [(r["text"], set(r["labels"])) for r in rows]


def test_the_labelled_set_is_big_enough_and_uses_every_category():
    """Are there at least 150 labelled replies, with every measured category labelled?"""
    rows = labelled("replies") + labelled("held_out")
    assert len(rows) >= 150
    used = set().union(*(labels for _text, labels in rows))
    assert used <= set(MEASURED)
    assert set(MEASURED) <= used


@pytest.mark.parametrize("part", ["replies", "held_out"])
def test_rules_agree_with_people_on_most_replies(part):
    """On each part of the labelled set, is every category found with precision and recall of at
    least 0.8 (the level the hedged wording on screen assumes)?"""
    for s in score(labelled(part)):
        assert s.precision >= 0.8, (s.category, s.precision)
        assert s.recall >= 0.8, (s.category, s.recall)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Have you tried a seating plan?", {"question", "closed", "disguised_advice"}),
        ("What about a starter on the desks?", {"question", "open", "disguised_advice"}),
        ("What have you tried so far?", {"question", "open"}),
        ("Why did you do that?", {"question", "open", "why"}),
        ("It was too long, wasn't it?", {"question", "closed", "leading"}),
        ("You should be more consistent.", {"solution"}),
        ("Would it help if I shared an idea, and you decide?", {"question", "closed", "offers"}),
        ("So the start is the hard part.", {"paraphrase"}),
        ("Tell me about the moment it went wrong.", {"open"}),
        ("Don't worry, you'll be fine.", set()),
    ],
)
def test_each_rule_on_a_plain_example(reply, expected):
    """Does each rule fire on the plain case it is written for, and only there?"""
    assert detect(reply) == expected


def test_a_long_reply_is_noticed_by_its_word_count():
    reply = " ".join(["What do you think about this part of the lesson"] * 6) + "?"
    assert "long" in detect(reply)
    note = next(n for n in analyse(reply) if n.category == "long")
    assert f"({len(reply.split())} words)" in note.said


def test_notes_say_what_was_noticed_and_why_never_a_grade():
    """Is every note that rests on a rule hedged ("looks like", "seems", "may"), and is no note
    a mark or a verdict? (The length note is a word count, so it is stated plainly.)"""
    for key, said in NOTES.items():
        hedged = any(h in said for h in ("looks like", "seems", "may ", "There is no"))
        assert hedged or key == "long", key
        for verdict in ("wrong", "correct", "score", "mark", "grade"):
            assert verdict not in said.lower(), (key, verdict)
    assert "not as a mark" in CAVEAT


def test_a_statement_with_no_question_says_so():
    notes = analyse("Meet them at the door. It works every time.")
    assert [n.category for n in notes] == ["no_question", "solution"]


def test_nothing_to_analyse_in_an_empty_reply():
    assert analyse("   ") == []

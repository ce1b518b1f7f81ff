"""The learning record: a self-contained, printable HTML page of the learner's own work."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from widgets.activities import Submission
from widgets.record import learning_record_html

HOSTILE = "<script>alert(1)</script>"


def save(activity_id: str, kind: str, response: dict) -> Submission:
    return Submission(activity_id, kind, "save", response)


@pytest.fixture(scope="module")
def page(course):
    pre = course.activity("m6-self-assessment-post").compare_with
    subs = [
        save("m1-reflection", "reflection", {"text": "First draft"}),
        save("m1-reflection", "reflection", {"text": f"Line one\nLine two {HOSTILE}"}),
        save("m2-video-two-approaches", "video", {"answers": {"what-each-did": "Mark told."}}),
        save("m6-action-plan", "reflection", {"text": "Goal: ask more, tell less."}),
        save(
            "m4-drafting",
            "drafting",
            {"drafts": {"goal": f"By half-term {HOSTILE}"}, "checked": {"goal": ["date"]}},
        ),
        save(pre, "self_assessment", {"phase": "pre", "ratings": {"explain-difference": 2}}),
        save(
            "m6-self-assessment-post",
            "self_assessment",
            {"phase": "post", "ratings": {"explain-difference": 4, "used-a-technique": 3}},
        ),
    ]
    return learning_record_html(
        course,
        subs,
        display_name=f"Sam {HOSTILE}",
        parts_done=[("coaching-and-mentoring", "theory"), ("coaching-and-mentoring", "review")],
        today=date(2026, 3, 5),
    )


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.srcs += [v for k, v in attrs if k in ("src", "href") and v]


def test_is_a_self_contained_page_without_scripts(page):
    """Is it one HTML document with inline CSS and print styles, no scripts, no files?"""
    assert page.startswith("<!DOCTYPE html>")
    parsed = _Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "link" not in parsed.tags
    assert parsed.srcs == []
    assert "<style>" in page and "@media print" in page
    assert not re.search(r"\son\w+=", page)  # no event-handler attributes


def test_hostile_text_is_escaped_everywhere(page):
    """Is the learner's markup shown as text, in the name, a reflection and a draft alike?"""
    assert HOSTILE not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3


def test_header_has_course_name_and_date(course, page):
    """Does the record name the course, the learner and the date?"""
    assert course.info.title.split()[0] in page
    assert "Name: Sam &lt;script&gt;" in page
    assert "Date: 5 March 2026" in page


def test_completed_parts_are_listed(page):
    """Are the completed parts listed under their module, and nothing else?"""
    section = page.split("Modules and parts completed")[1].split("<h2>")[0]
    assert "Module 1: " in section
    assert "Theory, Review" in section
    assert "Module 2" not in section


def test_latest_reflection_with_line_breaks(page):
    """Is only the latest save of a reflection shown, with its line breaks kept?"""
    assert "First draft" not in page
    assert "Line one<br>Line two" in page


def test_video_answers_and_action_plan(page):
    """Are video answers shown with their question, and the action plan in its own section?"""
    assert "Question 1." in page and "Mark told." in page
    plan = page.split("<h2>My action plan</h2>")[1].split("<h2>")[0]
    assert "Goal: ask more, tell less." in plan
    assert page.count("Goal: ask more, tell less.") == 1


def test_drafts_and_self_checks(course, page):
    """Is a saved draft shown under its prompt, with the criteria the learner ticked?"""
    step = next(s for s in course.activity("m4-drafting").steps if s.id == "goal")
    assert step.prompt.split(".")[0] in page
    assert "By half-term &lt;script&gt;" in page
    ticked = next(c.text for c in step.criteria if c.id == "date")
    unticked = next(c.text for c in step.criteria if c.id == "control")
    assert ticked in page and unticked not in page


def test_self_assessment_change_table(page):
    """Is the pre/post change a table with before, now and the difference?"""
    section = page.split("How my self-ratings changed")[1].split("<h2>")[0]
    assert "<table>" in section
    assert "<td class='n'>2 of 5</td><td class='n'>4 of 5</td><td class='n'>+2</td>" in section
    assert "You rated yourself higher on 1 of 1 statements." in section
    assert "used-a-technique" not in section  # post-only statements are not paired


def test_references_cited_by_saved_work(course, page):
    """Are the sources of the learner's saved activities listed with full citations?"""
    refs = page.split("<h2>References</h2>")[1]
    assert "Lofthouse, R., Leat, D. and Towler, C. (2010)" in refs


def test_empty_record_says_what_will_appear(course):
    """With nothing saved, does each section say so (and no name line appear)?"""
    page = learning_record_html(course, [], today=date(2026, 1, 2))
    assert "No part completed yet." in page
    assert "No reflection saved yet." in page
    assert "Rate yourself at the start" in page
    assert "Name:" not in page
    assert "My action plan" not in page

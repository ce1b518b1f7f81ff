"""Progress is derived from submissions and visits."""

from __future__ import annotations

from pathlib import Path

from widgets.app.progress import course_progress, next_part
from widgets.content import load_course

VALID = Path(__file__).resolve().parents[1] / "content" / "valid"


def states(progress):
    return [p.state for m in progress for p in m.parts]


def test_nothing_done():
    """Is every part 'new' for a new learner, and the first part next?"""
    course = load_course(VALID)
    progress = course_progress(course, set(), set())
    assert states(progress) == ["new", "new", "new"]
    assert (next_part(progress).module, next_part(progress).part) == ("demo", "theory")


def test_opened_is_started_and_all_activities_is_done():
    """Is an opened part 'started', and a part with all its activities done 'done'?"""
    course = load_course(VALID)
    progress = course_progress(course, {"demo-check", "demo-reflect"}, {("demo", "practice")})
    assert states(progress) == ["done", "started", "started"]
    assert progress[0].done_parts == 1
    assert next_part(progress).part == "practice"


def test_everything_done():
    """When every activity is done, is there no next part?"""
    course = load_course(VALID)
    progress = course_progress(
        course, {"demo-check", "demo-sort", "demo-reflect", "demo-rate"}, set()
    )
    assert states(progress) == ["done", "done", "done"]
    assert next_part(progress) is None

"""Self-assessment: ratings validated, saved with partial answers named, restored."""

from __future__ import annotations

import pytest
import traitlets

from widgets.activities.self_assessment import SelfAssessmentView


@pytest.fixture
def view(demo_course):
    return SelfAssessmentView(demo_course.activity("demo-rate"))


def test_nothing_rated_is_not_saved(view, recorder):
    """Is an empty self-assessment refused with a reason?"""
    view.on_submit(recorder)
    assert view.submit() is False
    assert recorder.got == []


def test_ratings_are_saved_per_statement(view, recorder):
    """Are ratings saved with the phase and one item per statement?"""
    view.on_submit(recorder)
    view.rate("r1", 3)
    assert view.submit() is True
    sub = recorder.got[0]
    assert sub.response == {"phase": "pre", "ratings": {"r1": 3}}
    assert sub.items == {"r1": {"response": "3", "correct": None}}


def test_out_of_range_and_unknown_are_refused(view):
    """Does the grid refuse a rating outside the scale or for an unknown statement?"""
    with pytest.raises(traitlets.TraitError):
        view.rate("r1", 4)
    with pytest.raises(traitlets.TraitError):
        view.rate("nope", 1)


def test_restore(demo_course, view, recorder):
    """Does a rebuilt grid show the saved ratings?"""
    view.on_submit(recorder)
    view.rate("r1", 2)
    view.submit()
    again = SelfAssessmentView(demo_course.activity("demo-rate"))
    again.restore(recorder.got)
    assert again.grid.values == {"r1": 2}

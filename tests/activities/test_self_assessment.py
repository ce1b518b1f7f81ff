"""Self-assessment: ratings validated, saved with partial answers named, restored."""

from __future__ import annotations

from pathlib import Path

import ipywidgets
import pytest
import traitlets

from widgets.activities import Submission
from widgets.activities.self_assessment import (
    SelfAssessmentView,
    change_chart_html,
    latest_ratings,
    rating_change,
)
from widgets.content import load_course


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


def test_save_from_the_page_carries_the_ratings(more, recorder):
    """Does the page's Save save the ratings it carries, even if the synced trait is older?"""
    view = SelfAssessmentView(more.activity("more-pre"))
    view.on_submit(recorder)
    view.rate("listen", 1)  # what the kernel last heard; the newer change is still held back
    view.grid._handle_custom_msg({"action": "save", "values": {"listen": 3, "ask": 4}}, [])
    (sub,) = recorder.got
    assert sub.response["ratings"] == {"listen": 3, "ask": 4}
    assert view.grid.values == {"listen": 3, "ask": 4}
    assert view.status.message.startswith("Saved 2 rating(s).")


def test_save_from_the_page_refuses_bad_ratings(more, recorder):
    """Is a tampered Save (rating off the scale) refused with a message and nothing saved?"""
    view = SelfAssessmentView(more.activity("more-pre"))
    view.on_submit(recorder)
    view.rate("listen", 2)
    view.grid._handle_custom_msg({"action": "save", "values": {"listen": 9}}, [])
    view.grid._handle_custom_msg({"action": "explode"}, [])
    assert recorder.got == []
    assert view.status.tone == "error" and "could not be used" in view.status.message
    assert view.grid.values == {"listen": 2}


def test_save_button_is_in_the_grid_page_code(view):
    """Is Save drawn by the grid's own page code (no separate Button widget to overtake it)?"""
    assert not [c for c in view.children if isinstance(c, ipywidgets.Button)]
    assert "course-save" in view.grid._esm and 'action: "save"' in view.grid._esm


def test_restore(demo_course, view, recorder):
    """Does a rebuilt grid show the saved ratings?"""
    view.on_submit(recorder)
    view.rate("r1", 2)
    view.submit()
    again = SelfAssessmentView(demo_course.activity("demo-rate"))
    again.restore(recorder.got)
    assert again.grid.values == {"r1": 2}


# --- pre/post change -------------------------------------------------------------------------

MORE = Path(__file__).resolve().parents[1] / "content" / "valid_more"


@pytest.fixture(scope="module")
def more():
    return load_course(MORE)


@pytest.fixture
def post(more):
    view = SelfAssessmentView(more.activity("more-post"))
    view.set_baseline({"listen": 2, "ask": 3})
    return view


def test_rating_change_counts_pairs_only(more):
    """Are only statements rated before compared, and higher/lower/same counted?"""
    statements = more.activity("more-post").statements
    change = rating_change(statements, {"listen": 2, "ask": 3}, {"listen": 4, "ask": 3, "plan": 4})
    assert [r.statement_id for r in change.rows] == ["listen", "ask"]
    assert (change.compared, change.higher, change.lower, change.same) == (2, 1, 0, 1)
    assert change.summary() == "You rated yourself higher on 1 of 2 statements (the same on 1)."
    lower = rating_change(statements, {"listen": 2, "ask": 3}, {"listen": 1})
    assert lower.summary() == "You rated yourself higher on 0 of 1 statements (lower on 1)."
    none = rating_change(statements, {"listen": 2}, {})
    assert "no statements rated both times" in none.summary()


def test_chart_has_numbers_in_words_and_no_script(more):
    """Does the chart say each rating in words (bars are extra), escaping statement text?"""
    statements = [type("S", (), {"id": "x", "text": "<script>alert(1)</script>"})()]
    html = change_chart_html(rating_change(statements, {"x": 1}, {"x": 3}), ["Low", "Mid", "High"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Before the course: <strong>1 of 3 (Low)</strong>" in html
    assert "Now: <strong>3 of 3 (High)</strong>" in html
    assert "(up 2)" in html
    assert "width:100%" in html and "width:33%" in html
    assert "plotly" not in html.lower()


def test_post_shows_change_after_saving(post, recorder):
    """After saving post ratings, is the change shown with the summary sentence?"""
    post.on_submit(recorder)
    assert post.change.layout.display == "none"
    post.rate("listen", 4)
    post.rate("ask", 3)
    post.rate("plan", 2)
    assert post.submit() is True
    assert recorder.got[0].response["phase"] == "post"
    assert "shown below" in post.status.message
    assert post.change.layout.display is None
    assert "You rated yourself higher on 1 of 2 statements" in post.change.value
    assert "I have a plan" not in post.change.value  # post-only statements are not compared


def test_failed_save_shows_no_change(post):
    """Is the change shown only once the ratings are saved?"""
    post.on_submit(lambda _s: (_ for _ in ()).throw(RuntimeError("disk full")))
    post.rate("listen", 4)
    assert post.submit() is False
    assert post.change.layout.display == "none"


def test_post_without_pre_ratings_says_so(more, recorder):
    """With no saved pre ratings, does the view say there is nothing to compare (and save)?"""
    view = SelfAssessmentView(more.activity("more-post"))
    view.set_baseline({})
    view.on_submit(recorder)
    view.rate("listen", 2)
    assert view.submit() is True
    assert "no saved ratings from the start" in view.change.value


def test_pre_and_module_phases_show_no_change(view, recorder):
    """Does a self-assessment without compare_with never show a change?"""
    view.on_submit(recorder)
    view.rate("r1", 2)
    view.submit()
    assert view.change.layout.display == "none"


def test_restored_post_shows_change(more, post, recorder):
    """Does a rebuilt post view with saved ratings show the change straight away?"""
    post.on_submit(recorder)
    post.rate("listen", 3)
    post.submit()
    again = SelfAssessmentView(more.activity("more-post"))
    again.set_baseline({"listen": 2, "ask": 3})
    again.restore(recorder.got)
    assert "higher on 1 of 1 statements" in again.change.value


def test_latest_ratings_takes_the_last_save():
    """Does latest_ratings return the last saved ratings, ignoring anything malformed?"""
    first = Submission("a", "self_assessment", "save", {"ratings": {"x": 1}})
    last = Submission("a", "self_assessment", "save", {"ratings": {"x": 2, "y": "3", "z": True}})
    assert latest_ratings([first, last]) == {"x": 2}
    assert latest_ratings([]) == {}


def test_page_passes_the_learners_pre_ratings(more, tmp_path):
    """Does the page runtime hand the post view this learner's latest pre ratings?"""
    from widgets.page import PageContext
    from widgets.store import ResponseStore

    with ResponseStore(f"sqlite:///{tmp_path / 'sa.sqlite'}") as store:
        store.upgrade()
        me, other = store.create_learner(), store.create_learner()
        context = PageContext(more, store=store, learner=me)
        pre = context.build("more-pre")
        pre.rate("listen", 1)
        pre.submit()
        pre.rate("listen", 2)
        pre.submit()
        PageContext(more, store=store, learner=other).build("more-pre").rate("listen", 4)
        post = context.build("more-post")
        assert post.baseline == {"listen": 2}
        post.rate("listen", 3)
        assert post.submit() is True
        assert "higher on 1 of 1" in post.change.value
        assert context.build("more-pre").baseline is None

"""The tidy DataFrame: its column contract, pseudonyms, consent, and streaming in chunks."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from widgets.content import cached_course
from widgets.export import COLUMNS, Pseudonymiser, load_responses
from widgets.export.columns import COLUMN_NAMES, DTYPES
from widgets.export.responses import SUBMISSION, ExportRequest, ItemOrderError, load_frame
from widgets.store import ResponseStore

from .conftest import (  # noqa: F401
    DRAFT_MARKER,
    DRAFTING,
    KEY,
    OTHER_KEY,
    REFLECTION_MARKER,
    SIMULATOR,
    VIDEO,
    VIDEO_MARKER,
    db_url,
    plant,
)


@pytest.fixture
def frame(known) -> pd.DataFrame:
    return load_responses(known.url, key=KEY)


def test_columns_and_dtypes(frame):
    """Are the columns exactly the documented ones, in order, with the documented dtypes?"""
    assert len(frame) > 500
    assert list(frame.columns) == [c.name for c in COLUMNS]
    assert {n: str(t) for n, t in frame.dtypes.items()} == DTYPES
    assert str(frame["started_at"].dt.tz) == "UTC"
    assert frame["part"].cat.ordered


def test_one_row_per_learner_item_attempt(frame):
    """Is there one row per learner × activity × item × attempt, with sensible values?"""
    keys = frame[["learner", "activity", "item", "attempt"]].astype(str)
    assert not keys.duplicated().any()
    assert (frame["submitted_at"] >= frame["started_at"]).all()
    assert (frame["duration"] == frame["submitted_at"] - frame["started_at"]).all()
    assert frame["consent"].all()
    scored = frame[frame["correct"].notna()]
    assert set(scored["activity_type"].astype(str)) == {
        "sorting",
        "choice",
        "ordering",
        "scenario",
        "simulator",
    }
    exact = scored[scored["activity_type"] != "ordering"]  # a step can be in order, not in place
    assert (exact["correct"] == (exact["response"] == exact["answer"])).all()
    assert (scored["score"] == scored["correct"].astype(float)).all()
    ratings = frame[frame["activity_type"] == "self_assessment"]["rating"].dropna()
    assert len(ratings) and ratings.between(1, 5).all()
    assert set(frame["item_type"].astype(str)) == {
        "matching",
        "sequencing",
        "choice",
        "likert",
        "long-fill-in",
    }
    assert set(frame["condition"].dropna().astype(str)) == {"A", "B", "planted"}


def test_reflection_text_only_on_request(known):
    """Is reflection text <NA> by default and present with include_text?"""
    without = load_responses(known.url, key=KEY)
    reflections = without[without["activity"] == "m1-reflection"]
    assert len(reflections) and reflections["response"].isna().all()
    with_text = load_responses(known.url, key=KEY, include_text=True)
    texts = with_text[with_text["activity"] == "m1-reflection"]["response"]
    assert texts.str.contains(REFLECTION_MARKER).any()


def test_video_answers_only_on_request(known):
    """Are video answers, free text like reflections, <NA> unless include_text?"""
    without = load_responses(known.url, key=KEY)
    answers = without[without["activity"] == VIDEO]
    assert len(answers) and answers["response"].isna().all()
    assert set(answers["item_type"].astype(str)) == {"long-fill-in"}
    with_text = load_responses(known.url, key=KEY, include_text=True)
    texts = with_text[with_text["activity"] == VIDEO]["response"]
    assert texts.str.startswith(VIDEO_MARKER).any()


def test_rehearsal_drafts_only_on_request_and_only_with_consent(known):
    """Are the trainee's own-words drafts <NA> unless include_text, and then present only for
    learners who consented to research?"""
    without = load_responses(known.url, key=KEY)
    drafts = without[without["activity"] == DRAFTING]
    assert len(drafts) and drafts["response"].isna().all()
    assert set(drafts["item_type"].astype(str)) == {"long-fill-in"}
    with_text = load_responses(known.url, key=KEY, include_text=True)
    texts = with_text[with_text["activity"] == DRAFTING]
    marked = texts[texts["response"].str.startswith(DRAFT_MARKER, na=False)]
    steps = len(cached_course().activity(DRAFTING).steps)
    # each save holds every draft so far, so a step's text recurs in later saves
    assert len(marked[["learner", "item"]].drop_duplicates()) == 2 * steps  # 2 consented
    pseudonyms = Pseudonymiser(KEY)
    allowed = {pseudonyms.learner(known.consenting.id), pseudonyms.learner(known.hub.id)}
    assert set(marked["learner"].astype(str)) == allowed


def test_simulator_own_replies_only_on_request(known):
    """Are the replies a trainee wrote in a rehearsing simulator left out of the export unless
    include_text, and then present (the planted learner who conversed consented)?"""
    without = load_responses(known.url, key=KEY)
    drafts = without[(without["activity"] == SIMULATOR) & (without["action"] == "draft")]
    assert len(drafts) and drafts["response"].isna().all()
    with_text = load_responses(known.url, key=KEY, include_text=True)
    drafts = with_text[(with_text["activity"] == SIMULATOR) & (with_text["action"] == "draft")]
    assert drafts["response"].notna().all()  # the demo class's own replies too
    marked = drafts[drafts["response"].str.startswith(DRAFT_MARKER)]
    assert len(marked)
    assert set(marked["learner"].astype(str)) == {Pseudonymiser(KEY).learner(known.consenting.id)}


def test_rehearsal_drafts_survive_a_reload(known):
    """Read back from the store, as a page does on reload, are the drafts back in their boxes
    and their comparisons showing?"""
    from widgets.activities.drafting import DraftingView

    with ResponseStore(known.url) as store:
        saved = store.submissions(known.refused.id, DRAFTING)
    assert saved
    view = DraftingView(cached_course().activity(DRAFTING))
    view.restore(saved)
    for step in view.content.steps:
        assert view.boxes[step.id].value.startswith(DRAFT_MARKER)
        assert view.compare[step.id].layout.display is None


def test_branching_decisions(known, frame):
    """Is each simulator decision a row with its run, the expert reply as the answer, and
    the ending's score on the decision that reached it?"""
    content = cached_course().activity(SIMULATOR)
    mine = frame[
        (frame["learner"] == Pseudonymiser(KEY).learner(known.consenting.id))
        & (frame["activity"] == SIMULATOR)
    ]
    assert list(mine["run"].unique()) == [1, 2]
    assert (mine["attempt"].diff().dropna() == 1).all()  # one submission per decision
    experts = {n.id: next(o.id for o in n.options if o.expert) for n in content.nodes}
    assert (mine["answer"] == mine["item"].astype(str).map(experts)).all()
    assert (mine["correct"] == (mine["response"] == mine["answer"])).all()
    ends = mine[mine["action"] == "complete"]
    assert list(ends["run"]) == [1, 2]
    assert list(ends["activity_score"]) == [0.0, ends["activity_max_score"].iloc[1]]
    assert frame.loc[~frame["activity_type"].isin(["scenario", "simulator"]), "run"].isna().all()


def test_pseudonyms_stable_and_keyed(known, frame):
    """Same key, same pseudonyms; another key, unrelated ones; never the internal id."""
    again = load_responses(known.url, key=KEY)
    assert frame["learner"].astype(str).equals(again["learner"].astype(str))
    other = load_responses(known.url, key=OTHER_KEY)
    assert set(frame["learner"]).isdisjoint(set(other["learner"]))
    expected = Pseudonymiser(KEY).learner(known.consenting.id)
    assert expected in set(frame["learner"])
    assert Pseudonymiser(OTHER_KEY).learner(known.consenting.id) in set(other["learner"])
    assert all(len(p) == 16 and int(p, 16) >= 0 for p in frame["learner"].cat.categories)


def test_consent_respected(known, frame):
    """Are learners who refused or were never asked left out, and all who said yes in?"""
    pseudo = Pseudonymiser(KEY)
    present = set(frame["learner"].astype(str))
    assert pseudo.learner(known.refused.id) not in present
    assert pseudo.learner(known.unasked.id) not in present
    assert pseudo.learner(known.hub.id) in present
    with ResponseStore(known.url) as store, store.engine.connect() as connection:
        consenting_with_work = connection.execute(
            text(
                "SELECT COUNT(DISTINCT s.learner_id) FROM submissions s "
                "JOIN learners l ON l.id = s.learner_id WHERE l.research_consent"
            )
        ).scalar_one()
    assert len(present) == consenting_with_work


def test_chunks_join_up(known, frame):
    """Does streaming in small chunks give exactly the table read in one go?"""
    with ResponseStore(known.url) as store:
        small = load_frame(ExportRequest(engine=store.engine, key=KEY, chunk_rows=500))
    pd.testing.assert_frame_equal(small, frame)


def test_rows_in_submission_order(known):
    """Are rows ordered by submission, activity-level rows in their place?"""
    with ResponseStore(known.url) as store:
        full = load_frame(ExportRequest(engine=store.engine, key=KEY), with_submission=True)
    assert full[SUBMISSION].is_monotonic_increasing
    assert list(full.columns[1:]) == list(COLUMN_NAMES)


def test_empty_database(db_url):  # noqa: F811
    """Does an empty database give an empty frame with the full contract?"""
    with ResponseStore(db_url) as store:
        store.upgrade()
    empty = load_responses(db_url, key=KEY)
    assert empty.empty
    assert {n: str(t) for n, t in empty.dtypes.items()} == DTYPES


def test_sqlite_item_order_is_checked(tmp_path):
    """SQLite items are read in rowid order (their submission order there); if that ever
    breaks, does the export refuse rather than misplace rows?"""
    url = f"sqlite:///{tmp_path / 'course.sqlite'}"
    plant(url, 2)
    with ResponseStore(url) as store:
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE submission_items SET id = id + 1000000 WHERE submission_id = "
                    "(SELECT MIN(submission_id) FROM submission_items)"
                )
            )
        with pytest.raises(ItemOrderError):
            load_frame(ExportRequest(engine=store.engine, key=KEY))

"""`course erase`: one learner, everywhere, counted."""

from __future__ import annotations

from sqlalchemy import func, select

from widgets.cli import main
from widgets.store import ResponseStore
from widgets.store.models import Learner, SubmissionItem, SubmissionRecord, Visit

from .conftest import db_url  # noqa: F401


def counts(url: str) -> dict[str, int]:
    with ResponseStore(url) as store, store.engine.connect() as connection:
        return {
            model.__tablename__: connection.scalar(select(func.count()).select_from(model))
            for model in (Learner, SubmissionRecord, SubmissionItem, Visit)
        }


def test_erase_by_resume_code(fresh, capsys):
    """Does erasing by resume code remove the learner's rows, and only theirs, and say how many?"""
    before = counts(fresh.url)
    with ResponseStore(fresh.url) as store, store.engine.connect() as connection:
        theirs = select(SubmissionRecord.id).where(
            SubmissionRecord.learner_id == fresh.consenting.id
        )
        own_submissions = connection.scalar(select(func.count()).select_from(theirs.subquery()))
        own_items = connection.scalar(
            select(func.count()).where(SubmissionItem.submission_id.in_(theirs))
        )
    # a reflection, ratings, three video saves, rehearsal drafts, two simulator runs (each
    # line's own reply first) and a scenario (planted)
    assert own_submissions > 5 and own_items > 5
    code = fresh.consenting.token
    typed = f"{code[:4].lower()}-{code[4:]}"  # as a person might type it
    assert main(["erase", "--learner", typed, "--db-url", fresh.url]) == 0
    out = capsys.readouterr().out
    after = counts(fresh.url)
    removed = {t: before[t] - after[t] for t in before}
    assert removed["learners"] == 1
    assert removed["submissions"] == own_submissions
    assert removed["submission_items"] == own_items
    assert f"{sum(removed.values())} rows removed" in out
    with ResponseStore(fresh.url) as store:
        assert store.learner_by_token(code) is None
        assert store.submissions(fresh.consenting.id) == []
        assert store.visits(fresh.consenting.id) == set()
        assert store.learner_by_token(fresh.refused.token) is not None


def test_erase_by_hub_user(fresh, capsys):
    """Does a JupyterHub user name work too?"""
    assert main(["erase", "--learner", "hub-user-barnabas", "--db-url", fresh.url]) == 0
    assert "1 learner" in capsys.readouterr().out
    with ResponseStore(fresh.url) as store:
        assert store.submissions(fresh.hub.id) == []


def test_erase_unknown_learner(fresh, capsys):
    """Does an unknown code erase nothing and exit 1 with a plain message?"""
    before = counts(fresh.url)
    assert main(["erase", "--learner", "nobody-at-all", "--db-url", fresh.url]) == 1
    assert "Nothing erased" in capsys.readouterr().err
    assert counts(fresh.url) == before


def test_demo_data_command(db_url, capsys):  # noqa: F811
    """Does `course demo-data` fill a fresh database through the store?"""
    assert (
        main(["demo-data", "--learners", "6", "--sessions", "2", "--db-url", db_url, "--quiet"])
        == 0
    )
    assert "6 learners" in capsys.readouterr().out
    found = counts(db_url)
    assert found["learners"] == 6 and found["submissions"] > 6

"""`course demo-data` writes through the store in one transaction per simulated learner
(a commit per answer made 200 learners take minutes), and all of a learner or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from widgets.export.demo import generate
from widgets.store import ResponseStore
from widgets.store.models import Learner, SubmissionRecord

from .conftest import db_url  # noqa: F401


def test_one_commit_per_learner(db_url):  # noqa: F811
    """Does a demo class of 12 learners in 2 sessions commit about once per learner, not once
    per answer, and store every answer the summary counts?"""
    with ResponseStore(db_url) as store:
        store.upgrade()
        commits = []
        event.listen(store.engine, "commit", lambda connection: commits.append(1))
        summary = generate(store, learners=12, sessions=2, seed=5)
        with store.engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(SubmissionRecord))
    assert summary.submissions > 200 and stored == summary.submissions
    assert len(commits) <= 12 + 2 * 2  # a learner each, and each session opened and ended


def test_bulk_keeps_nothing_of_a_failed_block(db_url):  # noqa: F811
    """If anything inside ``bulk()`` fails, is none of the block stored?"""
    with ResponseStore(db_url) as store:
        store.upgrade()
        with pytest.raises(RuntimeError), store.bulk():
            learner = store.create_learner("Kept only if all is")
            store.set_research_consent(learner.id, True)
            raise RuntimeError("the disk is full")
        with store.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Learner)) == 0

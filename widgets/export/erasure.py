"""Erasing one learner everywhere on request: every row that is theirs, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from .. import identity
from ..store import ResponseStore
from ..store.models import Learner, SubmissionItem, SubmissionRecord, Visit


class LearnerNotFound(LookupError):
    """No learner has this resume code or JupyterHub user name."""


@dataclass(frozen=True)
class Erased:
    """Rows removed, per table."""

    learners: int
    submissions: int
    submission_items: int
    visits: int

    @property
    def total(self) -> int:
        return self.learners + self.submissions + self.submission_items + self.visits

    def __str__(self) -> str:
        return (
            f"{self.total} rows removed: {self.learners} learner, {self.submissions} "
            f"submissions, {self.submission_items} submission items, {self.visits} visits"
        )


def find_learner_id(store: ResponseStore, who: str) -> int:
    """The learner whose resume code, or else JupyterHub user name, is ``who``."""
    found = store.learner_by_token(who)
    if found is None and who:
        with store.engine.connect() as connection:
            learner_id = connection.scalar(select(Learner.id).where(Learner.hub_user == who))
        if learner_id is not None:
            return learner_id
    if found is None:
        shown = "a resume code" if identity.normalise_token(who) else repr(who[:40])
        raise LearnerNotFound(f"No learner has {shown} as resume code or JupyterHub user")
    return found.id


def erase_learner(store: ResponseStore, who: str) -> Erased:
    """Delete the learner named by ``who`` with their submissions, items and visits.

    Deleted explicitly table by table (not left to ON DELETE CASCADE) so the count is exact
    and nothing depends on SQLite's foreign-key pragma.
    """
    learner_id = find_learner_id(store, who)
    subs = select(SubmissionRecord.id).where(SubmissionRecord.learner_id == learner_id)
    with store.engine.begin() as connection:
        items = connection.execute(
            delete(SubmissionItem).where(SubmissionItem.submission_id.in_(subs))
        ).rowcount
        submissions = connection.execute(
            delete(SubmissionRecord).where(SubmissionRecord.learner_id == learner_id)
        ).rowcount
        visits = connection.execute(delete(Visit).where(Visit.learner_id == learner_id)).rowcount
        learners = connection.execute(delete(Learner).where(Learner.id == learner_id)).rowcount
    return Erased(learners, submissions, items, visits)

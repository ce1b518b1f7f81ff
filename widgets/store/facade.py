"""``ResponseStore``: the one facade every page, the CLI and the exports store through.

A store wraps one engine (see :mod:`widgets.store.engine`) and opens a short transaction per
call, so kernels never hold a connection while a learner is thinking. Database failures
surface as :class:`StoreError` whose message is plain English a page can show as it is;
the SQL and the driver's error stay in ``__cause__`` for the logs.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from .. import identity
from .engine import default_url, make_engine, normalise_url
from .models import (
    DISPLAY_NAME_MAX,
    SCHEMA_REVISION,
    ApprovedReflection,
    CourseSession,
    Learner,
    SubmissionItem,
    SubmissionRecord,
    Visit,
    utcnow,
)

if TYPE_CHECKING:  # the activities import ipywidgets; the CLI and exports need not
    from alembic.config import Config

    from ..activities.base import Submission

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# -- errors ------------------------------------------------------------------------------

NOT_READY_MESSAGE = "The course database is not set up: run `course db upgrade`."


class StoreError(RuntimeError):
    """The course database could not do what was asked. The message is fit for the page."""


class StoreBusy(StoreError):
    """The database was busy (locked by another writer): the same save can simply be tried
    again in a moment. ``retry_later`` lets the activities tell, without importing the store."""

    retry_later = True


class StoreNotReady(StoreError):
    """The database has no tables yet, or an older schema than this code expects."""

    def __init__(self, message: str = NOT_READY_MESSAGE):
        super().__init__(message)


class UnknownSession(StoreError):
    """No live session has this code (it was mistyped, or the session has ended)."""

    def __init__(self, code: str, ended: bool = False):
        self.code = code
        self.ended = ended
        if ended:
            message = f"The session {code} has ended; ask the facilitator for the new code"
        else:
            message = f"There is no session with the code {code!r}; check the code and try again"
        super().__init__(message)


class UnknownLearner(StoreError):
    """No learner has this id (erased, or from another database)."""

    def __init__(self, learner_id: int):
        self.learner_id = learner_id
        super().__init__(f"Learner {learner_id} is not in the course database")


class _Conflict(StoreError):
    """A unique constraint refused a row; callers that drew a random value draw again."""


BUSY_REASON = "The course database is busy"


def _plain_reason(error: sa_exc.SQLAlchemyError) -> str:
    """Say in one sentence what went wrong, without SQL or driver internals."""
    orig = getattr(error, "orig", None)
    detail = str(orig if orig is not None else error).lower()
    if isinstance(error, sa_exc.IntegrityError):
        return "The course database refused the change because it conflicts with stored data"
    missing = "no such table" in detail or "no such column" in detail  # SQLite's words
    if getattr(orig, "sqlstate", None) in ("42P01", "42703") or missing:
        return "The course database is not set up or is out of date: run `course db upgrade`"
    if "locked" in detail or "busy" in detail or isinstance(error, sa_exc.TimeoutError):
        return BUSY_REASON
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)) or getattr(
        error, "connection_invalidated", False
    ):
        return "The course database cannot be reached"
    return "The course database reported an error"


# -- plain records handed to callers --------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    """A facilitator's session as plain data."""

    id: int
    code: str
    title: str
    created_at: datetime
    ended_at: datetime | None
    settings: dict[str, Any]

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class LearnerInfo:
    """Who a page is for, as plain data; ``token`` is the learner's secret resume key."""

    id: int
    token: str
    display_name: str | None
    session_code: str | None
    hub_user: str | None
    research_consent: bool | None = None  # None: not asked yet


@dataclass(frozen=True)
class RosterEntry:
    """One trainee of a live session, for the facilitator: who, and where they are now."""

    learner_id: int
    number: int  # 1 for the first to join, and so on: the anonymous name
    display_name: str | None
    last_seen_at: datetime
    module: str | None  # the part they opened last (None: still on the module map)
    part: str | None
    completed: int  # activities finished


@dataclass(frozen=True)
class ItemCount:
    """How many answers in a session gave ``response`` to one item (and whether it is right)."""

    item_id: str
    response: str | None
    correct: bool | None
    count: int


@dataclass(frozen=True)
class ReflectionEntry:
    """A learner's latest saved reflection in a session, and whether it is approved."""

    submission_id: int
    learner_id: int
    activity_id: str
    text: str
    submitted_at: datetime
    approved: bool


# actions whose submission carries a learner's whole answer (its items) for the dashboard
ANSWER_ACTIONS = ("check", "save")


def _session_info(row: CourseSession) -> SessionInfo:
    return SessionInfo(
        id=row.id,
        code=row.code,
        title=row.title,
        created_at=row.created_at,
        ended_at=row.ended_at,
        settings=dict(row.settings or {}),
    )


def _learner_info(row: Learner) -> LearnerInfo:
    return LearnerInfo(
        id=row.id,
        token=row.token,
        display_name=row.display_name,
        session_code=row.session.code if row.session is not None else None,
        hub_user=row.hub_user,
        research_consent=row.research_consent,
    )


# Characters that change how the text around them is shown, not what it says: bidirectional
# overrides and isolates (U+202E can make "Sam" look like another trainee's name on the
# roster), zero-width marks, and control characters such as NUL. Never part of a name.
_INVISIBLE = re.compile(
    "[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def clean_display_name(raw: str | None) -> str | None:
    """Strip ``raw`` and its invisible controls; empty means no name. Longer than the limit
    is refused, not cut."""
    name = _INVISIBLE.sub("", raw or "").strip()
    if not name:
        return None
    if len(name) > DISPLAY_NAME_MAX:
        raise ValueError(
            f"A display name can have at most {DISPLAY_NAME_MAX} characters; "
            f"this one has {len(name)}."
        )
    return name


def _item_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def alembic_config() -> Config:
    """An Alembic configuration for the package's migrations (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


# -- the facade ------------------------------------------------------------------------------


class ResponseStore:
    """Learners, sessions, submissions and visits in one database.

    ``url`` is a SQLAlchemy URL (``sqlite:///…`` or ``postgresql://…``); ``None`` means
    :func:`widgets.store.engine.default_url`. Use as a context manager, or call
    :meth:`close` when done.
    """

    def __init__(self, url: str | None = None):
        self.url: str = url if url is not None else default_url()
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._bulk: Session | None = None  # the open transaction of a ``bulk()`` block

    @property
    def shown_url(self) -> str:
        """The database URL with any password masked, safe to print or log."""
        return normalise_url(self.url).render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"<ResponseStore {self.shown_url}>"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Every call inside the block in one transaction, committed when it ends (nothing of
        it if anything fails). For filling a database in bulk (demo data), where a commit per
        submission would cost more than the inserts; pages never use it, since a trainee's
        answer must be committed before the page says "saved"."""
        with self._db() as db:
            self._bulk = db
            try:
                yield
            finally:
                self._bulk = None

    @contextmanager
    def _db(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        if self._bulk is not None:  # inside bulk(): its transaction, committed at its end
            yield self._bulk
            return
        try:
            with self._sessions.begin() as db:
                yield db
        except sa_exc.IntegrityError as error:
            raise _Conflict(_plain_reason(error)) from error
        except sa_exc.SQLAlchemyError as error:
            reason = _plain_reason(error)
            raise (StoreBusy if reason == BUSY_REASON else StoreError)(reason) from error

    # -- schema ----------------------------------------------------------------------------

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` (``alembic upgrade head``)."""
        from alembic import command

        config = alembic_config()
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        except sa_exc.SQLAlchemyError as error:
            reason = _plain_reason(error)
            raise (StoreBusy if reason == BUSY_REASON else StoreError)(reason) from error

    def check_ready(self) -> None:
        """Raise :class:`StoreNotReady` unless the schema is at this code's revision.

        One small query, cheap enough for every page load.
        """
        try:
            connection = self.engine.connect()
        except sa_exc.SQLAlchemyError as error:
            reason = _plain_reason(error)
            raise (StoreBusy if reason == BUSY_REASON else StoreError)(reason) from error
        with connection:
            try:
                found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            except sa_exc.DBAPIError as error:
                if _plain_reason(error).startswith("The course database is not set up"):
                    raise StoreNotReady() from error
                raise StoreError(_plain_reason(error)) from error
        if [row[0] for row in found] != [SCHEMA_REVISION]:
            raise StoreNotReady()

    # -- sessions --------------------------------------------------------------------------

    def create_session(self, title: str, settings: dict[str, Any] | None = None) -> SessionInfo:
        """Open a live session under a fresh join code."""
        for _ in range(5):
            try:
                with self._db() as db:
                    row = CourseSession(
                        code=identity.new_session_code(),
                        title=title.strip(),
                        settings=dict(settings or {}),
                    )
                    db.add(row)
                    db.flush()
                    return _session_info(row)
            except _Conflict:
                continue  # the random code was taken: draw another
        raise StoreError("Could not find a free session code; try again")

    def session_by_code(self, code: str | None) -> SessionInfo | None:
        """The session with this code, live or ended; None if there is none."""
        normalised = identity.normalise_session_code(code)
        if normalised is None:
            return None
        with self._db() as db:
            row = db.scalar(select(CourseSession).where(CourseSession.code == normalised))
            return _session_info(row) if row is not None else None

    def end_session(self, code: str) -> SessionInfo:
        """Mark a session ended (once; ending it again changes nothing)."""
        with self._db() as db:
            row = self._find_session(db, code, live=False)
            if row.ended_at is None:
                row.ended_at = utcnow()
            return _session_info(row)

    @staticmethod
    def _find_session(db: Session, raw_code: str, live: bool = True) -> CourseSession:
        code = identity.normalise_session_code(raw_code)
        if code is None:
            raise UnknownSession(str(raw_code)[:20])
        row = db.scalar(select(CourseSession).where(CourseSession.code == code))
        if row is None:
            raise UnknownSession(code)
        if live and row.ended_at is not None:
            raise UnknownSession(code, ended=True)
        return row

    # -- learners --------------------------------------------------------------------------

    def create_learner(
        self,
        display_name: str | None = None,
        session_code: str | None = None,
        hub_user: str | None = None,
    ) -> LearnerInfo:
        """A new learner with a fresh token, in the live session ``session_code`` if given."""
        name = clean_display_name(display_name)
        for _ in range(5):
            try:
                with self._db() as db:
                    session = self._find_session(db, session_code) if session_code else None
                    row = Learner(
                        token=identity.new_learner_token(),
                        display_name=name,
                        hub_user=hub_user,
                        session=session,
                    )
                    db.add(row)
                    db.flush()
                    return _learner_info(row)
            except _Conflict:
                if hub_user is not None:
                    raise
                continue  # the random token was taken: draw another
        raise StoreError("Could not find a free learner token; try again")

    def learner_by_token(self, token: str | None) -> LearnerInfo | None:
        """The learner holding ``token`` as typed or pasted; None if malformed or unknown."""
        normalised = identity.normalise_token(token)
        if normalised is None:
            return None
        return self._learner_where(Learner.token == normalised)

    def learner_for_hub_user(self, name: str) -> LearnerInfo:
        """The learner for a JupyterHub user, created on first use."""
        if not name:
            raise ValueError("A JupyterHub user name is needed")
        for _ in range(3):
            found = self._learner_where(Learner.hub_user == name)
            if found is not None:
                return found
            try:
                return self.create_learner(hub_user=name)
            except _Conflict:
                continue  # another kernel of the same user created it first
        raise StoreError("Could not set up your learner record; try again")

    def _learner_where(self, condition) -> LearnerInfo | None:
        with self._db() as db:
            row = db.scalar(select(Learner).where(condition).options(selectinload(Learner.session)))
            return _learner_info(row) if row is not None else None

    def _update_learner(self, learner_id: int, change) -> LearnerInfo:
        with self._db() as db:
            row = db.get(Learner, learner_id)
            if row is None:
                raise UnknownLearner(learner_id)
            change(db, row)
            db.flush()
            return _learner_info(row)

    def touch(self, learner_id: int) -> None:
        """Note that the learner is active now."""
        with self._db() as db:
            result = db.execute(
                update(Learner)
                .where(Learner.id == learner_id)
                .values(last_seen_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 0:
                raise UnknownLearner(learner_id)

    def set_display_name(self, learner_id: int, display_name: str | None) -> LearnerInfo:
        """Change (or with an empty name, remove) the name shown to the facilitator."""
        name = clean_display_name(display_name)
        return self._update_learner(learner_id, lambda db, row: setattr(row, "display_name", name))

    def join_session(self, learner_id: int, code: str) -> LearnerInfo:
        """Move the learner into the live session ``code``."""

        def join(db: Session, row: Learner) -> None:
            row.session = self._find_session(db, code)

        return self._update_learner(learner_id, join)

    def set_research_consent(self, learner_id: int, consent: bool | None) -> LearnerInfo:
        """Record the learner's answer to the research-consent question (None: not asked)."""
        return self._update_learner(
            learner_id, lambda db, row: setattr(row, "research_consent", consent)
        )

    # -- submissions -----------------------------------------------------------------------

    def save(
        self, learner: LearnerInfo, module: str, part: str, submission: Submission
    ) -> Submission:
        """Store ``submission`` and its items in one transaction; return it with ``attempt``.

        Returns only after the commit, so a caller may tell the learner "saved". Raises
        :class:`StoreError` (nothing stored) if the database fails.
        """
        for moment in (submission.started_at, submission.submitted_at):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"Submission times must carry a timezone, got {moment!r}")
        with self._db() as db:
            # lock the learner's row (PostgreSQL; SQLite locks the whole file on the insert),
            # so two tabs of one learner cannot draw the same attempt number
            found = db.execute(
                select(Learner.session_id).where(Learner.id == learner.id).with_for_update()
            ).one_or_none()
            if found is None:
                raise UnknownLearner(learner.id)
            session_id = found.session_id
            attempt = (
                select(func.count() + 1)
                .select_from(SubmissionRecord)
                .where(
                    SubmissionRecord.learner_id == learner.id,
                    SubmissionRecord.activity_id == submission.activity_id,
                )
                .correlate(None)
                .scalar_subquery()
            )
            stored = db.execute(
                insert(SubmissionRecord)
                .values(
                    learner_id=learner.id,
                    session_id=session_id,
                    module=module,
                    part=part,
                    activity_id=submission.activity_id,
                    activity_type=submission.activity_type,
                    action=submission.action,
                    attempt=attempt,
                    response=submission.response,
                    score=submission.score,
                    max_score=submission.max_score,
                    started_at=submission.started_at,
                    submitted_at=submission.submitted_at,
                )
                .returning(SubmissionRecord.id, SubmissionRecord.attempt)
            ).one()
            if submission.items:
                db.execute(
                    insert(SubmissionItem),
                    [
                        {
                            "submission_id": stored.id,
                            "session_id": session_id,
                            "activity_id": submission.activity_id,
                            "item_id": str(item_id),
                            "response": _item_text(outcome.get("response")),
                            "correct": None
                            if outcome.get("correct") is None
                            else bool(outcome["correct"]),
                        }
                        for item_id, outcome in submission.items.items()
                    ],
                )
        return dataclasses.replace(submission, attempt=stored.attempt)

    def submissions(
        self,
        learner_id: int,
        activity_id: str | None = None,
        activity_ids: Iterable[str] | None = None,
    ) -> list[Submission]:
        """The learner's submissions (of one activity, or of ``activity_ids``, if given), in
        the order they were saved.

        Item responses come back as stored: text, with non-string answers as JSON.
        """
        from ..activities.base import Submission

        query = (
            select(SubmissionRecord)
            .where(SubmissionRecord.learner_id == learner_id)
            .options(selectinload(SubmissionRecord.items))
            .order_by(SubmissionRecord.id)
        )
        if activity_id is not None:
            query = query.where(SubmissionRecord.activity_id == activity_id)
        if activity_ids is not None:
            query = query.where(SubmissionRecord.activity_id.in_(sorted(set(activity_ids))))
        with self._db() as db:
            rows = db.scalars(query).all()
            return [
                Submission(
                    activity_id=row.activity_id,
                    activity_type=row.activity_type,
                    action=row.action,
                    response=row.response,
                    items={
                        item.item_id: {"response": item.response, "correct": item.correct}
                        for item in row.items
                    },
                    score=row.score,
                    max_score=row.max_score,
                    started_at=row.started_at,
                    submitted_at=row.submitted_at,
                    attempt=row.attempt,
                )
                for row in rows
            ]

    def completed_activities(self, learner_id: int) -> set[str]:
        """Ids of the activities the learner has finished (checked, saved or revealed)."""
        from ..activities.base import COMPLETING_ACTIONS

        with self._db() as db:
            return set(
                db.scalars(
                    select(SubmissionRecord.activity_id)
                    .where(
                        SubmissionRecord.learner_id == learner_id,
                        SubmissionRecord.action.in_(sorted(COMPLETING_ACTIONS)),
                    )
                    .distinct()
                )
            )

    # -- visits ----------------------------------------------------------------------------

    def record_visit(self, learner_id: int, module: str, part: str) -> None:
        """Note that the learner opened ``part`` of ``module`` now."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        now = utcnow()
        statement = upsert(Visit).values(
            learner_id=learner_id, module=module, part=part, first_at=now, last_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[Visit.learner_id, Visit.module, Visit.part],
            set_={"last_at": statement.excluded.last_at},
        )
        with self._db() as db:
            db.execute(statement)

    def visits(self, learner_id: int) -> set[tuple[str, str]]:
        """Every (module, part) the learner has opened."""
        with self._db() as db:
            rows = db.execute(
                select(Visit.module, Visit.part).where(Visit.learner_id == learner_id)
            )
            return {(row.module, row.part) for row in rows}

    # -- live sessions: what facilitator pages read and change, and trainee pages poll --------

    def session_by_id(self, session_id: int) -> SessionInfo | None:
        with self._db() as db:
            row = db.get(CourseSession, session_id)
            return _session_info(row) if row is not None else None

    def recent_sessions(self, limit: int = 20) -> list[SessionInfo]:
        """The newest sessions first, live or ended, for a facilitator to reopen."""
        with self._db() as db:
            rows = db.scalars(
                select(CourseSession).order_by(CourseSession.id.desc()).limit(limit)
            ).all()
            return [_session_info(row) for row in rows]

    def session_settings(self, session_id: int) -> dict[str, Any] | None:
        """A session's settings (pacing included): one row by primary key, cheap to poll.

        None if the session is gone; ``{"ended": True, ...}`` once it has ended.
        """
        with self._db() as db:
            row = db.execute(
                select(CourseSession.settings, CourseSession.ended_at).where(
                    CourseSession.id == session_id
                )
            ).one_or_none()
            if row is None:
                return None
            return {**(row.settings or {}), "ended": row.ended_at is not None}

    def update_session_settings(self, session_id: int, changes: dict[str, Any]) -> SessionInfo:
        """Merge ``changes`` into the session's settings in one transaction."""
        with self._db() as db:
            row = db.execute(
                select(CourseSession).where(CourseSession.id == session_id).with_for_update()
            ).scalar_one_or_none()
            if row is None:
                raise StoreError(f"There is no session number {session_id}")
            row.settings = {**(row.settings or {}), **changes}  # a new dict: JSON is not tracked
            db.flush()
            return _session_info(row)

    def roster(self, session_id: int) -> list[RosterEntry]:
        """Everyone who joined the session, first to join first, with where they are now."""
        from ..activities.base import COMPLETING_ACTIONS

        with self._db() as db:
            learners = db.execute(
                select(Learner.id, Learner.display_name, Learner.last_seen_at)
                .where(Learner.session_id == session_id)
                .order_by(Learner.id)
            ).all()
            ids = [row.id for row in learners]
            latest: dict[int, tuple[datetime, str, str]] = {}
            done: dict[int, int] = {}
            if ids:
                for visit in db.execute(
                    select(Visit.learner_id, Visit.module, Visit.part, Visit.last_at).where(
                        Visit.learner_id.in_(ids)
                    )
                ):
                    seen = latest.get(visit.learner_id)
                    if seen is None or visit.last_at > seen[0]:
                        latest[visit.learner_id] = (visit.last_at, visit.module, visit.part)
                done = dict(
                    db.execute(
                        select(
                            SubmissionRecord.learner_id,
                            func.count(SubmissionRecord.activity_id.distinct()),
                        )
                        .where(
                            SubmissionRecord.session_id == session_id,
                            SubmissionRecord.action.in_(sorted(COMPLETING_ACTIONS)),
                        )
                        .group_by(SubmissionRecord.learner_id)
                    ).all()
                )
        return [
            RosterEntry(
                learner_id=row.id,
                number=number,
                display_name=row.display_name,
                last_seen_at=row.last_seen_at,
                module=latest[row.id][1] if row.id in latest else None,
                part=latest[row.id][2] if row.id in latest else None,
                completed=done.get(row.id, 0),
            )
            for number, row in enumerate(learners, 1)
        ]

    def item_counts(
        self, session_id: int, activity_id: str, latest_only: bool = True
    ) -> list[ItemCount]:
        """The session's answers to one activity, counted per item and response.

        ``latest_only``: each learner's latest whole answer (their last check or save), so a
        retry replaces a first try. Otherwise every stored item counts (a simulator's replies).
        """
        query = select(
            SubmissionItem.item_id,
            SubmissionItem.response,
            SubmissionItem.correct,
            func.count().label("n"),
        ).where(SubmissionItem.session_id == session_id, SubmissionItem.activity_id == activity_id)
        if latest_only:
            latest = (
                select(func.max(SubmissionRecord.id))
                .where(
                    SubmissionRecord.session_id == session_id,
                    SubmissionRecord.activity_id == activity_id,
                    SubmissionRecord.action.in_(ANSWER_ACTIONS),
                )
                .group_by(SubmissionRecord.learner_id)
            )
            query = query.where(SubmissionItem.submission_id.in_(latest))
        query = query.group_by(
            SubmissionItem.item_id, SubmissionItem.response, SubmissionItem.correct
        )
        with self._db() as db:
            return [ItemCount(r.item_id, r.response, r.correct, r.n) for r in db.execute(query)]

    def answered_counts(self, session_id: int) -> dict[str, int]:
        """{activity id: how many of the session's learners have answered it}."""
        with self._db() as db:
            rows = db.execute(
                select(
                    SubmissionRecord.activity_id,
                    func.count(SubmissionRecord.learner_id.distinct()),
                )
                .where(SubmissionRecord.session_id == session_id)
                .group_by(SubmissionRecord.activity_id)
            ).all()
            return dict(rows)

    def latest_answered(self, session_id: int) -> list[str]:
        """The activities the session's learners have answered, most recently answered first."""
        with self._db() as db:
            rows = db.execute(
                select(SubmissionRecord.activity_id)
                .where(SubmissionRecord.session_id == session_id)
                .group_by(SubmissionRecord.activity_id)
                .order_by(func.max(SubmissionRecord.id).desc())
            ).all()
            return [row.activity_id for row in rows]

    def reflections(self, session_id: int) -> list[ReflectionEntry]:
        """Each learner's latest saved text of each reflection in the session, newest first."""
        latest = (
            select(func.max(SubmissionRecord.id))
            .where(
                SubmissionRecord.session_id == session_id,
                SubmissionRecord.activity_type == "reflection",
            )
            .group_by(SubmissionRecord.learner_id, SubmissionRecord.activity_id)
        )
        return self._reflection_entries(SubmissionRecord.id.in_(latest))

    def approved_reflections(self, session_id: int) -> list[ReflectionEntry]:
        """The reflection versions a facilitator approved for the projector, oldest first."""
        approved = select(ApprovedReflection.submission_id).where(
            ApprovedReflection.session_id == session_id
        )
        return self._reflection_entries(SubmissionRecord.id.in_(approved))[::-1]

    def _reflection_entries(self, condition) -> list[ReflectionEntry]:
        query = (
            select(
                SubmissionRecord.id,
                SubmissionRecord.learner_id,
                SubmissionRecord.activity_id,
                SubmissionRecord.response,
                SubmissionRecord.submitted_at,
                ApprovedReflection.submission_id.label("approved"),
            )
            .outerjoin(ApprovedReflection, ApprovedReflection.submission_id == SubmissionRecord.id)
            .where(condition)
            .order_by(SubmissionRecord.id.desc())
        )
        with self._db() as db:
            return [
                ReflectionEntry(
                    submission_id=row.id,
                    learner_id=row.learner_id,
                    activity_id=row.activity_id,
                    text=str((row.response or {}).get("text", "")),
                    submitted_at=row.submitted_at,
                    approved=row.approved is not None,
                )
                for row in db.execute(query)
            ]

    def set_reflection_approval(self, session_id: int, submission_id: int, approved: bool) -> None:
        """Approve (or withdraw) one saved reflection of this session for the projector."""
        with self._db() as db:
            found = db.scalar(
                select(SubmissionRecord.id).where(
                    SubmissionRecord.id == submission_id,
                    SubmissionRecord.session_id == session_id,
                    SubmissionRecord.activity_type == "reflection",
                )
            )
            if found is None:
                raise StoreError("That reflection is not part of this session")
            existing = db.get(ApprovedReflection, submission_id)
            if approved and existing is None:
                db.add(ApprovedReflection(submission_id=submission_id, session_id=session_id))
            elif not approved and existing is not None:
                db.delete(existing)

    def session_answers(self, session_id: int) -> Iterator[dict[str, Any]]:
        """Every answer given in the session, one row per item (or per submission without
        items), in the order saved: what a facilitator downloads at the end."""
        query = (
            select(
                SubmissionRecord.id,
                SubmissionRecord.learner_id,
                SubmissionRecord.module,
                SubmissionRecord.part,
                SubmissionRecord.activity_id,
                SubmissionRecord.activity_type,
                SubmissionRecord.action,
                SubmissionRecord.attempt,
                SubmissionRecord.response,
                SubmissionRecord.score,
                SubmissionRecord.max_score,
                SubmissionRecord.submitted_at,
                SubmissionItem.item_id,
                SubmissionItem.response.label("item_response"),
                SubmissionItem.correct,
            )
            .outerjoin(SubmissionItem, SubmissionItem.submission_id == SubmissionRecord.id)
            .where(SubmissionRecord.session_id == session_id)
            .order_by(SubmissionRecord.id, SubmissionItem.id)
        )
        with self._db() as db:
            for row in db.execute(query):
                text_answer = (
                    (row.response or {}).get("text") if row.activity_type == "reflection" else None
                )
                yield {
                    "learner_id": row.learner_id,
                    "module": row.module,
                    "part": row.part,
                    "activity": row.activity_id,
                    "activity_type": row.activity_type,
                    "action": row.action,
                    "attempt": row.attempt,
                    "item": row.item_id,
                    "response": row.item_response if row.item_id is not None else text_answer,
                    "correct": row.correct,
                    "score": row.score,
                    "max_score": row.max_score,
                    "submitted_at": row.submitted_at,
                }

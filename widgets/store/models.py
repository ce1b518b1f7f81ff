"""The database tables, as SQLAlchemy 2 typed declarative models.

The schema itself is created and changed only by the Alembic migrations in ``migrations/``;
``SCHEMA_REVISION`` names the newest one so a page can check the database cheaply without
importing Alembic (a test keeps the two in step).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..identity import SESSION_CODE_LENGTH, TOKEN_LENGTH

SCHEMA_REVISION = "0002"

DISPLAY_NAME_MAX = 60


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite stores text without one, so values are
    converted to UTC on the way in and marked UTC on the way out. Naive datetimes are
    refused: their zone is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give it a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    # named constraints, so later migrations can drop or alter them on every backend
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar = {datetime: UTCDateTime, dict[str, Any]: JSON}


class CourseSession(Base):
    """A facilitator's live session, joined with a short code."""

    __tablename__ = "course_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(SESSION_CODE_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Learner(Base):
    """A trainee: a JupyterHub user or the holder of an unguessable token."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH), unique=True, index=True)
    hub_user: Mapped[str | None] = mapped_column(String, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(DISPLAY_NAME_MAX))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_sessions.id", ondelete="SET NULL"), index=True
    )
    research_consent: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[CourseSession | None] = relationship()


class SubmissionRecord(Base):
    """One stored ``widgets.activities.base.Submission``."""

    __tablename__ = "submissions"
    __table_args__ = (
        # leading learner_id also serves lookups by learner alone
        Index("ix_submissions_learner_activity", "learner_id", "activity_id"),
        Index("ix_submissions_session_activity_time", "session_id", "activity_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_sessions.id", ondelete="SET NULL")
    )
    module: Mapped[str] = mapped_column(String)
    part: Mapped[str] = mapped_column(String)
    activity_id: Mapped[str] = mapped_column(String)
    activity_type: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    # 1 + the learner's earlier submissions of this activity, whatever their action
    attempt: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime]

    items: Mapped[list[SubmissionItem]] = relationship(
        order_by="SubmissionItem.id", cascade="all, delete-orphan", passive_deletes=True
    )


class SubmissionItem(Base):
    """The outcome of one item of a scored submission: what facilitators aggregate."""

    __tablename__ = "submission_items"
    __table_args__ = (
        Index("ix_submission_items_session_activity_item", "session_id", "activity_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    # copied from the submission so a live dashboard aggregates without a join
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_sessions.id", ondelete="SET NULL")
    )
    activity_id: Mapped[str] = mapped_column(String)
    item_id: Mapped[str] = mapped_column(String)
    # the learner's answer as text: strings as they are, anything else as JSON
    response: Mapped[str | None] = mapped_column(String)
    correct: Mapped[bool | None] = mapped_column(Boolean)


class Visit(Base):
    """The first and latest time a learner opened one part of a module."""

    __tablename__ = "visits"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    module: Mapped[str] = mapped_column(String, primary_key=True)
    part: Mapped[str] = mapped_column(String, primary_key=True)
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovedReflection(Base):
    """A reflection a facilitator approved for the projector: exactly that saved version.

    The learner may edit their reflection afterwards; the projector keeps showing the text
    that was approved, never a later, unapproved one.
    """

    __tablename__ = "approved_reflections"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("course_sessions.id", ondelete="CASCADE"), index=True
    )
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Approved reflections (what a facilitator lets the projector show); learners by session.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approved_reflections",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_approved_reflections_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_sessions.id"],
            name=op.f("fk_approved_reflections_session_id_course_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_approved_reflections")),
    )
    op.create_index(
        op.f("ix_approved_reflections_session_id"),
        "approved_reflections",
        ["session_id"],
        unique=False,
    )
    # the facilitator's roster polls learners by session
    op.create_index(op.f("ix_learners_session_id"), "learners", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_learners_session_id"), table_name="learners")
    op.drop_index(op.f("ix_approved_reflections_session_id"), table_name="approved_reflections")
    op.drop_table("approved_reflections")

"""Tests that the Alembic migrations and the models describe the same database."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from widgets.store.facade import alembic_config
from widgets.store.models import SCHEMA_REVISION, Base

TABLES = {
    "course_sessions",
    "learners",
    "submissions",
    "submission_items",
    "visits",
    "approved_reflections",
}


def differences(store) -> list:
    with store.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def test_schema_revision_is_head():
    """Does the revision the code checks for name the newest migration?"""
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [SCHEMA_REVISION]


def test_upgrade_matches_models(store):
    """After upgrade, do the database and the models agree, table for table and index for index?"""
    assert TABLES <= set(inspect(store.engine).get_table_names())
    assert differences(store) == []


def test_expected_indexes(store):
    """Are the indexes the dashboard and resume queries rely on there?"""
    inspector = inspect(store.engine)
    columns = {
        table: {tuple(ix["column_names"]) for ix in inspector.get_indexes(table)}
        for table in ("learners", "submissions", "submission_items", "approved_reflections")
    }
    assert ("session_id",) in columns["learners"]
    assert ("session_id",) in columns["approved_reflections"]
    assert ("token",) in columns["learners"]
    assert ("learner_id", "activity_id") in columns["submissions"]
    assert ("session_id", "activity_id", "submitted_at") in columns["submissions"]
    assert ("session_id", "activity_id", "item_id") in columns["submission_items"]


def test_upgrade_twice(store):
    """Is running upgrade again harmless?"""
    store.upgrade()
    store.check_ready()
    assert differences(store) == []


def test_empty_database_differs(bare_store):
    """Does the comparison notice missing tables (so the agreement test can fail)?"""
    assert differences(bare_store)


def test_downgrade_to_base(store):
    """Does downgrading to base remove every table the migration created?"""
    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not TABLES & set(inspect(store.engine).get_table_names())


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_offline_sql(dialect, capsys):
    """Can the migration be rendered as SQL for a DBA to review (alembic --sql)?"""
    config = alembic_config()
    config.set_main_option("sqlalchemy.url", f"{dialect}://")
    command.upgrade(config, "head", sql=True)
    sql = capsys.readouterr().out
    assert "CREATE TABLE submission_items" in sql
    assert "CREATE INDEX ix_submission_items_session_activity_item" in sql

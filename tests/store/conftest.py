"""Fixtures for the store tests: the same tests on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``COURSE_TEST_PG_URL``, for example::

    COURSE_TEST_PG_URL='postgresql+psycopg://postgres@/coursetest?host=/tmp&port=5433'

The database named there is created if missing; each test gets its own schema (through
``search_path``), dropped afterwards. Without the variable the PostgreSQL runs are skipped,
except under CI (``CI`` set), where they fail: database tests must never silently skip there.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

from widgets.store import ResponseStore
from widgets.store.engine import normalise_url

from ..conftest import prerequisite_missing

PG_ENV = "COURSE_TEST_PG_URL"
PG_EXAMPLE = "postgresql+psycopg://postgres@/coursetest?host=/tmp&port=5433"


def _admin_engine(url: URL):
    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_database_url() -> URL:
    """The PostgreSQL database the tests use, created if it does not exist yet."""
    raw = os.environ.get(PG_ENV)
    if not raw:
        prerequisite_missing(
            f"{PG_ENV} is not set; store tests need a PostgreSQL URL such as {PG_EXAMPLE}",
            "the database tests",
        )
    try:
        url = normalise_url(raw.strip())
    except ArgumentError:
        pytest.fail(
            f"{PG_ENV} is not a database URL: {raw!r} (expected e.g. {PG_EXAMPLE})", pytrace=False
        )
    engine = _admin_engine(url)
    try:
        with engine.connect():
            return url
    except OperationalError:
        pass  # most likely the database does not exist yet: create it below
    finally:
        engine.dispose()
    server = _admin_engine(url.set(database="postgres"))
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        server.dispose()
    return url


@pytest.fixture
def pg_url(pg_database_url: URL):
    """A URL whose connections see only a fresh, empty schema of their own."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(pg_database_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    query = {**pg_database_url.query, "options": f"-csearch_path={schema}"}
    try:
        yield pg_database_url.set(query=query).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'course.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """An empty database: a SQLite file, then a PostgreSQL schema."""
    return request.getfixturevalue(f"{request.param}_url".replace("postgresql", "pg"))


@pytest.fixture
def bare_store(db_url: str):
    """A store on an empty database: no tables yet."""
    with ResponseStore(db_url) as store:
        yield store


@pytest.fixture
def store(bare_store: ResponseStore) -> ResponseStore:
    """A store whose database is migrated to the newest schema."""
    bare_store.upgrade()
    return bare_store

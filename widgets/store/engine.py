"""The one place that knows each database dialect's quirks.

Every trainee kernel is its own process with its own engine, so the PostgreSQL pool is kept
tiny (1 + 2 overflow): 60 kernels must fit under the server's default max_connections=100.
SQLite gets WAL (readers never block the writer), a busy timeout (writers queue instead of
failing) and foreign keys, which it leaves off unless asked on every connection.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, create_engine, make_url
from sqlalchemy.pool import StaticPool

from ..paths import var_dir

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10


def default_url() -> str:
    """``COURSE_DB_URL`` if set, else a SQLite file in the git-ignored var directory.

    The var directory is ``<repo>/var`` unless ``COURSE_VAR_DIR`` names another
    (``widgets.paths``).
    """
    url = os.environ.get("COURSE_DB_URL")
    if url:
        return url
    return f"sqlite:///{(var_dir() / 'course.sqlite').resolve()}"


def normalise_url(url: str | URL) -> URL:
    """Parse ``url``; plain ``postgresql://`` (or ``postgres://``) means the psycopg 3 driver."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL) -> Engine:
    """Create an engine for ``url`` with the settings its dialect needs."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        return _postgresql_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    kwargs: dict = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # one connection, or every checkout would see a different empty database
        kwargs["poolclass"] = StaticPool
    elif not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first: switching to WAL needs a lock another process may hold
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                # synchronous stays FULL: the page says "saved" only after a commit, and
                # that promise should survive a power cut too
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    return engine


def _postgresql_engine(url: URL) -> Engine:
    connect_args: dict = {"application_name": "peer-coaching-course"}
    if "connect_timeout" not in url.query:
        # a page waiting on an unreachable server should fail with a message, not hang
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=1,
        max_overflow=2,
        connect_args=connect_args,
    )

"""tests/start-postgres.sh and tests/stop-postgres.sh: a server of the test run's own, and
nothing left behind, nothing of the machine's PostgreSQL changed."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from .conftest import REPO, prerequisite_missing


def run(script: str, folder, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_TEST_PG_DIR": str(folder)}
    return subprocess.run(
        ["bash", str(REPO / "tests" / script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def clusters() -> str:
    """The machine's own clusters and their state (Debian's pg_lsclusters), if it has any."""
    if not shutil.which("pg_lsclusters"):
        return ""
    done = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    return done.stdout


@pytest.fixture
def server_programs():
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
        prerequisite_missing("PostgreSQL's server programs are not installed", "these tests")


def test_a_private_server_starts_answers_and_is_gone_after_stop(tmp_path, server_programs):
    """Does the start script give a working URL of its own (not the system's user and
    password), the same URL a second time, and does stop leave nothing behind and the
    machine's clusters as they were?"""
    before = clusters()
    folder = tmp_path / "pg"
    url = run("start-postgres.sh", folder).stdout.strip()
    try:
        assert url.startswith("postgresql+psycopg://course:") and "@127.0.0.1:" in url
        assert "postgres:postgres@" not in url
        assert run("start-postgres.sh", folder).stdout.strip() == url
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as connection:
            assert connection.execute(text("select current_user")).scalar() == "course"
        engine.dispose()
    finally:
        run("stop-postgres.sh", folder)
    assert not folder.exists()
    assert clusters() == before


def test_a_start_that_fails_says_why(tmp_path, server_programs):
    """Does the start script fail loudly, printing no URL, where it cannot make its folder?"""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run("start-postgres.sh", blocker / "pg", check=False)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "start-postgres.sh failed" in done.stderr

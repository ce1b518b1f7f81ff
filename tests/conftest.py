"""Fixtures shared by every test: where things are, and isolation from the machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
COURSE = REPO / "course"
OUTPUT = REPO / "test-output"


@pytest.fixture(autouse=True)
def _isolated_runtime(tmp_path, monkeypatch):
    """Never touch the developer's var/ or database: each test gets its own."""
    monkeypatch.setenv("COURSE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COURSE_DB_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setattr("widgets.guessing._LOCAL", None)  # each test guesses afresh


@pytest.fixture(scope="session")
def course():
    """The real course content from data/, loaded once."""
    from widgets.content import load_course

    return load_course(DATA)


@pytest.fixture
def store(tmp_path):
    """An empty SQLite store with the current schema (tests/store/ runs its own on PostgreSQL
    as well)."""
    from widgets.store import ResponseStore

    with ResponseStore(f"sqlite:///{tmp_path / 'test.sqlite'}") as store:
        store.upgrade()
        yield store


@pytest.fixture
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


# -- in CI nothing may skip: a browser or database test that skipped there would pass unseen --


def prerequisite_missing(message: str, what: str) -> None:
    """Something a test needs is missing: fail under CI (``what`` must run there), else skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{message}. CI must run {what}, not skip them.", pytrace=False)
    pytest.skip(message)


_skipped_in_ci: list[str] = []


def pytest_runtest_logreport(report):
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        _skipped_in_ci.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped_in_ci:
        session.exitstatus = 1
        print(f"\nCI: {len(_skipped_in_ci)} test(s) skipped, which CI forbids:")
        for nodeid in _skipped_in_ci:
            print(f"  {nodeid}")

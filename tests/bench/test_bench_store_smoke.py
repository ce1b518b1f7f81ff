"""bench/bench_store.py still runs and counts what it should (no timing is asserted).

A few writer processes save through the real ``ResponseStore.save`` on SQLite and, when
``COURSE_TEST_PG_URL`` is set, on PostgreSQL (in CI a missing URL fails: see
tests/store/conftest.py). Every acknowledged save must be found again: 0 lost.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ..conftest import REPO
from ..store.conftest import pg_database_url  # noqa: F401 - the fixture, CI rule included

pytestmark = pytest.mark.timeout(240)

WRITERS, ROUNDS, SAVES = 3, 2, 3
# each writer: one untimed warm-up save, ROUNDS together, SAVES flat out; writer 0 also
# saves ROUNDS times alone first
EXPECTED_SAVES = WRITERS * (1 + ROUNDS + SAVES) + ROUNDS


def run_bench(tmp_path, *extra: str) -> dict:
    out = tmp_path / "store.json"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "bench_store.py"),
            "--writers",
            str(WRITERS),
            "--rounds",
            str(ROUNDS),
            "--saves",
            str(SAVES),
            "--json",
            str(out),
            *extra,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "lost" in done.stdout, "the table was not printed"
    return json.loads(out.read_text())


def check_run(run: dict) -> None:
    assert "error" not in run, run.get("error")
    assert run["writer_errors"] == []
    assert run["failed_saves"] == 0, run["failed_examples"]
    assert run["acknowledged"] == EXPECTED_SAVES
    assert run["rows"] == EXPECTED_SAVES, "every acknowledged save is one submission row"
    assert run["lost"] == 0, run["lost_examples"]
    assert run["duplicate_attempts"] == 0
    assert run["stored_not_acknowledged"] == 0
    for phase, count in (
        ("alone", ROUNDS),
        ("together", WRITERS * ROUNDS),
        ("flat", WRITERS * SAVES),
    ):
        stats = run[phase]
        assert stats["n"] == count, phase
        assert 0 < stats["p50_ms"] <= stats["p99_ms"] <= stats["max_ms"], (phase, stats)
        assert stats["per_s"] > 0, (phase, stats)


def test_store_bench_on_sqlite(tmp_path):
    """Do writer processes' saves all land in SQLite, with latencies and a rate reported?"""
    report = run_bench(tmp_path, "--backends", "sqlite")
    assert set(report["runs"]) == {"sqlite"}
    check_run(report["runs"]["sqlite"])
    assert any("lost" in row[0] for row in report["table"])


@pytest.mark.postgres
def test_store_bench_on_postgresql(tmp_path, pg_database_url):  # noqa: F811
    """The same on a real PostgreSQL, in a schema of its own that is dropped afterwards."""
    url = pg_database_url.render_as_string(hide_password=False)
    report = run_bench(tmp_path, "--backends", "postgresql", "--pg-url", url)
    assert set(report["runs"]) == {"postgresql"}
    check_run(report["runs"]["postgresql"])

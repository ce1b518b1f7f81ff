"""The research notebook reads the course's own store (the one `course export` reads), says
which and what is in it, uses simulated learners only when asked and then marks everything
DEMO DATA (its HTML export: tests/browser/test_research_export.py)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from sqlalchemy import create_engine, text

from widgets.activities.simulator import STANCES
from widgets.cli import main
from widgets.export import analysis
from widgets.store.engine import default_url

from ..conftest import COURSE
from .conftest import KEY, db_url  # noqa: F401

NOTEBOOK = COURSE / "research" / "analysis.ipynb"
PLOTLY = "application/vnd.plotly.v1+json"
CHARTS = 6  # funnel, items, confusion, self-assessment, time, stances

pytestmark = pytest.mark.notebooks


def outputs(nb, kind: str) -> list:
    return [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if kind in out.get("data", {}) or out.get("output_type") == kind
    ]


def executed(tmp_path: Path) -> nbformat.NotebookNode:
    """The research notebook run top to bottom in a fresh kernel, error-free."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert not outputs(nb, "error")
    return nb


def store_counts(url: str) -> tuple[int, int]:
    """Consenting learners and the live sessions they answered in, counted in SQL."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            learners = connection.scalar(
                text("SELECT count(*) FROM learners WHERE research_consent")
            )
            sessions = connection.scalar(
                text(
                    "SELECT count(DISTINCT s.session_id) FROM submissions s "
                    "JOIN learners l ON l.id = s.learner_id WHERE l.research_consent"
                )
            )
    finally:
        engine.dispose()
    return learners, sessions


def fill_with_cli(url: str | None, monkeypatch) -> tuple[int, int]:
    """`course demo-data` into ``url`` (None: the default store, as a researcher would)."""
    extra = ["--db-url", url] if url else []
    assert main(["demo-data", "--learners", "24", "--sessions", "3", "--quiet", *extra]) == 0
    return store_counts(url or default_url())


@pytest.fixture
def course_store(db_url, monkeypatch):  # noqa: F811
    """The course's store filled by the CLI: the default SQLite file with no COURSE_DB_URL, or
    PostgreSQL through COURSE_DB_URL."""
    monkeypatch.setenv("COURSE_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv(analysis.DEMO_ENV, raising=False)
    if db_url.startswith("sqlite"):
        counts = fill_with_cli(None, monkeypatch)
        return default_url(), counts
    monkeypatch.setenv("COURSE_DB_URL", db_url)
    return db_url, fill_with_cli(db_url, monkeypatch)


def test_notebook_reads_the_course_store(course_store, tmp_path):
    """Does the notebook's first output name the store `course export` reads and count its
    consenting learners and sessions exactly, with no demo data anywhere, and draw every
    chart with titles, not slugs?"""
    url, (learners, sessions) = course_store
    assert learners > 10 and sessions > 1
    nb = executed(tmp_path)
    first = next(o for o in outputs(nb, "text/plain"))["data"]["text/plain"]
    assert f"{learners} consenting learners, {sessions} live sessions" in first
    shown = url.split("@")[-1].split("?")[0]  # whatever the password, the host and name show
    assert shown in first and ":***@" in first if "@" in url else shown in first
    everything = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"])
    assert analysis.DEMO_MARK not in everything
    assert not (Path(default_url().removeprefix("sqlite:///")).parent / "demo.sqlite").exists()

    charts = [o["data"][PLOTLY] for o in outputs(nb, PLOTLY)]
    assert len(charts) == CHARTS
    titles = " ".join(c["layout"]["title"]["text"] for c in charts)
    assert "Misclassification in M1 · Coaching, mentoring or both?" in titles
    assert {t["name"] for t in charts[-1]["data"]} == {label for label, _ in STANCES.values()}
    for chart in charts:
        for annotation in chart["layout"].get("annotations", []):
            assert "=" not in annotation.get("text", "")  # no "module=<slug>" facet labels


def test_demo_data_only_when_asked(tmp_path, monkeypatch):
    """With COURSE_ANALYSIS_DEMO=1, does the notebook read a separate simulated database,
    say DEMO DATA at the top, on every figure and every table, and leave the course's store
    alone?"""
    monkeypatch.setenv("COURSE_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv(analysis.DEMO_ENV, "1")
    nb = executed(tmp_path)
    first = next(o for o in outputs(nb, "text/html"))["data"]
    assert first["text/plain"].startswith(analysis.DEMO_MARK)
    assert analysis.DEMO_MARK in first["text/html"] and "font-size:2.4em" in first["text/html"]
    charts = [o["data"][PLOTLY] for o in outputs(nb, PLOTLY)]
    assert len(charts) == CHARTS
    assert all(c["layout"]["title"]["text"].startswith(analysis.DEMO_MARK) for c in charts)
    tables = [o for o in outputs(nb, "text/html")[1:] if PLOTLY not in o["data"]]
    assert len(tables) == 4 and all(analysis.DEMO_MARK in t["data"]["text/html"] for t in tables)
    var = Path(default_url().removeprefix("sqlite:///")).parent
    assert (var / "demo.sqlite").exists() and not (var / "course.sqlite").exists()


def test_no_store_is_said_plainly(monkeypatch):
    """With no course database yet, does the notebook stop with a message saying what to do,
    without making a database or demo data behind the researcher's back?"""
    monkeypatch.delenv(analysis.DEMO_ENV, raising=False)
    with pytest.raises(analysis.NoResearchData, match="DEMO = True"):
        analysis.open_study()
    var = Path(default_url().removeprefix("sqlite:///")).parent
    assert not (var / "course.sqlite").exists() and not (var / "demo.sqlite").exists()

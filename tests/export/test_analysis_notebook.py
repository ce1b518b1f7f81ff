"""The research notebook runs top to bottom in a fresh kernel on demo data and draws its charts."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from widgets.activities.simulator import STANCES
from widgets.export.demo import generate
from widgets.store import ResponseStore

from ..conftest import COURSE
from .conftest import KEY, db_url  # noqa: F401

NOTEBOOK = COURSE / "research" / "analysis.ipynb"

pytestmark = pytest.mark.notebooks


def outputs(nb, kind: str) -> list:
    return [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if kind in out.get("data", {}) or out.get("output_type") == kind
    ]


def test_analysis_notebook_runs(db_url, monkeypatch):  # noqa: F811
    """Does the notebook read the demo data in COURSE_DB_URL and show every chart, error-free?"""
    with ResponseStore(db_url) as store:
        store.upgrade()
        generate(store, learners=30, sessions=3, seed=3)
    monkeypatch.setenv("COURSE_DB_URL", db_url)
    monkeypatch.setenv("COURSE_PSEUDONYM_KEY", KEY)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    assert not outputs(nb, "error")
    charts = outputs(nb, "application/vnd.plotly.v1+json")
    assert len(charts) == 6  # funnel, items, confusion, self-assessment, time, stances
    titles = " ".join(str(c["data"]["application/vnd.plotly.v1+json"]["layout"]) for c in charts)
    assert "Misclassification in m1-sort" in titles
    assert "Stance profile per simulator conversation" in titles
    traces = charts[-1]["data"]["application/vnd.plotly.v1+json"]["data"]
    assert {t["name"] for t in traces} == {label for label, _ in STANCES.values()}

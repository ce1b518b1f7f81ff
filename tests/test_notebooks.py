"""Every notebook runs top to bottom in a fresh kernel, as an author or nbval would run it."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import COURSE

NOTEBOOKS = sorted(p for p in COURSE.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
# research notebooks show plotly charts, not widgets: tests/export runs them on demo data;
# facilitator pages are not course parts: tested below and in tests/browser/test_facilitator.py
PAGES = [p for p in NOTEBOOKS if p.relative_to(COURSE).parts[0] not in ("research", "facilitator")]
FACILITATOR_PAGES = sorted((COURSE / "facilitator").glob("*.ipynb"))

pytestmark = pytest.mark.notebooks


def test_notebooks_found():
    """Did the glob find the app and every module part (so the run below is not empty)?"""
    assert COURSE / "index.ipynb" in NOTEBOOKS
    assert len(NOTEBOOKS) >= 4


def test_notebooks_are_committed_clean():
    """Are notebooks committed without outputs or execution counts?"""
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                assert not cell["outputs"], f"{path}: outputs committed"
                assert cell["execution_count"] is None, f"{path}: execution count committed"


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """A prepared SQLite store of its own, as ``course serve`` would leave it."""
    from widgets.store import ResponseStore

    url = f"sqlite:///{tmp_path / 'nb.sqlite'}"
    monkeypatch.setenv("COURSE_DB_URL", url)
    with ResponseStore(url) as store:
        store.upgrade()
        learner = store.create_learner(display_name="Notebook test")
    return learner


def run(path, env_query=""):
    nb = nbformat.read(path, as_version=4)
    os.environ["QUERY_STRING"] = env_query
    try:
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    finally:
        os.environ.pop("QUERY_STRING", None)
    return nb


def widget_views(nb) -> int:
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    )


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(COURSE)) for p in PAGES])
def test_notebook_runs_as_preview(path, kernel_env):
    """Does the notebook run without error on its own (no learner: a preview) and show widgets?"""
    nb = run(path)
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors, errors
    assert widget_views(nb) >= 1
    if path.name != "index.ipynb":
        assert "Preview: answers here are not saved" in widget_state(nb)


def widget_state(nb) -> str:
    """The widgets' saved state (their text lives there, not in the cell outputs)."""
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert len(state) > 100, "no widget state was stored"
    return state


@pytest.mark.parametrize(
    "path",
    [p for p in PAGES if p.name != "index.ipynb"],
    ids=lambda p: p.parent.name + "/" + p.name,
)
def test_module_notebook_runs_for_a_learner(path, kernel_env):
    """With a learner's token in the query string, does the part run with saving enabled?"""
    nb = run(path, env_query=f"learner={kernel_env.token}")
    assert "error" not in [
        o.output_type for c in nb.cells if c.cell_type == "code" for o in c.outputs
    ]
    assert "Preview: answers here are not saved" not in widget_state(nb)


@pytest.mark.parametrize("path", FACILITATOR_PAGES, ids=lambda p: p.name)
def test_facilitator_notebook_shows_only_the_key_prompt(path, kernel_env, tmp_path, monkeypatch):
    """Does a facilitator page run and, without the key, show the prompt and nothing of the
    session (its code, title or the trainee's name)?"""
    from widgets.store import ResponseStore

    assert len(FACILITATOR_PAGES) == 2
    monkeypatch.setenv("COURSE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COURSE_FACILITATOR_KEY", "a-test-key")
    with ResponseStore() as store:
        session = store.create_session("Secret afternoon")
        store.join_session(kernel_env.id, session.code)
    nb = run(path)
    state = widget_state(nb)
    assert "Facilitator key" in state
    for secret in (session.code, "Secret afternoon", "Notebook test", "a-test-key"):
        assert secret not in state

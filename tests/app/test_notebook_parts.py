"""Turning a part notebook into widgets inside the app's kernel."""

from __future__ import annotations

import json

import ipywidgets as w

from widgets.app.notebook_parts import build_part, read_cells, render_markdown, run_code, title_of


def write_notebook(path, cells):
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def test_markdown_escapes_raw_html():
    """Is raw HTML in prose escaped rather than passed to the page?"""
    html = render_markdown("Hello <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<table>" in html


def test_run_code_returns_last_expression():
    """Does a code cell give back its last expression, like a notebook's output?"""
    assert run_code("x = 2\nx * 21", "cell") == 42
    assert run_code("y = 1", "cell") is None


def test_build_part(tmp_path):
    """Does a part become prose widgets and the widgets its code cells return?"""
    path = write_notebook(
        tmp_path / "theory.ipynb",
        [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": ["# Theory: a title\n", "Some *prose*."],
            },
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": "import ipywidgets as w\nw.Button(description='hi')",
            },
            {"cell_type": "markdown", "metadata": {}, "source": "   "},
        ],
    )
    children = build_part(path)
    assert len(children) == 2
    assert "<em>prose</em>" in children[0].value
    assert isinstance(children[1], w.Button)
    assert title_of(read_cells(path), "x") == "Theory: a title"


def test_consecutive_markdown_cells_are_one_widget(tmp_path):
    """Does a run of Markdown cells become one HTML widget, each cell still its own blocks?"""
    md = {"cell_type": "markdown", "metadata": {}}
    code = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    path = write_notebook(
        tmp_path / "theory.ipynb",
        [
            {**md, "source": "# Title"},
            {**md, "source": "- a list item"},
            {**code, "source": "import ipywidgets as w\nw.Button(description='hi')"},
            {**md, "source": "After the code."},
        ],
    )
    prose, button, after = build_part(path)
    assert prose.value == render_markdown("# Title") + render_markdown("- a list item")
    assert "course-prose" in prose._dom_classes
    assert isinstance(button, w.Button)
    assert after.value == render_markdown("After the code.")


def test_preload_renders_every_markdown_cell_once(monkeypatch):
    """Does preload() render each Markdown cell of the course once, and a trainee's moves
    through every part render none?"""
    from widgets.app import notebook_parts, preload
    from widgets.app.shell import CourseApp
    from widgets.content import cached_course
    from widgets.identity import RequestIdentity
    from widgets.store import ResponseStore

    from ..conftest import COURSE

    parts = ("theory", "practice", "review")
    notebooks = [COURSE / m.slug / f"{p}.ipynb" for m in cached_course().modules for p in parts]
    assert len(notebooks) >= 18 and all(p.exists() for p in notebooks)
    expected = sum(
        1
        for path in notebooks
        for cell in json.loads(path.read_text())["cells"]
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).strip()
    )
    rendered = []
    real = notebook_parts.render_markdown
    monkeypatch.setattr(notebook_parts, "render_markdown", lambda s: rendered.append(s) or real(s))
    notebook_parts._plan.cache_clear()
    preload(COURSE)
    assert len(rendered) == expected

    with ResponseStore("sqlite://") as store:
        store.upgrade()
        app = CourseApp(cached_course(), store, RequestIdentity(), COURSE)
        app.join("Sam")
        for module in app.course.modules:
            for part in parts:
                app.show_part(module.slug, part)
                assert app._where == (module.slug, part)
    assert len(rendered) == expected

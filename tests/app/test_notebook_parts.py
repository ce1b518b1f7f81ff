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

"""The research notebook executed and exported to HTML (as `jupyter nbconvert --to html
--execute` does) shows every figure in Chromium with the network cut off: plotly.js is in the
page once, no figure needs a CDN, and no course widget state swells the file."""

from __future__ import annotations

import re

import pytest
from nbconvert import HTMLExporter
from plotly.offline import get_plotlyjs

from widgets.cli import main

from ..export.conftest import KEY
from ..export.test_analysis_notebook import CHARTS, executed

# plotly.js once (about 4.8 MB) plus the notebook's figures and tables (about 0.3 MB for 24
# learners, growing with the data); a second copy of plotly.js, or the ~4,000 course widgets'
# state that generating demo data in the kernel left (10.5 MB before), would not fit
HTML_LIMIT = len(get_plotlyjs()) + 1_500_000

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]


def test_exported_html_shows_every_figure_offline(browser, tmp_path, monkeypatch, output_dir):
    """Does the exported page carry plotly.js once and no network script of its own, stay under
    the limit, and draw all six figures with their data in a browser that reaches nothing?"""
    monkeypatch.setenv("COURSE_PSEUDONYM_KEY", KEY)
    assert main(["demo-data", "--learners", "24", "--sessions", "3", "--quiet"]) == 0
    page_html, _ = HTMLExporter().from_notebook_node(executed(tmp_path))
    assert page_html.count("plotly.js v") == 1  # the bundle's banner: embedded once
    ours = page_html[page_html.index("Research analysis") :]  # after nbconvert's own head
    assert not re.findall(r"<script[^>]+src=[\"']https?://", ours)
    assert "application/vnd.jupyter.widget-state+json" not in page_html
    assert len(page_html.encode()) < HTML_LIMIT
    path = tmp_path / "analysis.html"
    path.write_text(page_html, encoding="utf-8")

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(300_000)  # a 5 MB page on a busy 2-core box: wait, never fail early
    asked = []

    def offline(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri(), wait_until="domcontentloaded")
        figures = page.locator(".plotly-graph-div")
        page.wait_for_function(
            f"document.querySelectorAll('.plotly-graph-div .main-svg').length >= {CHARTS}"
        )
        assert figures.count() == CHARTS
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('.plotly-graph-div')).map("
            "d => d.querySelectorAll('.trace, .hm, .heatmaplayer image').length)"
        )
        assert all(n > 0 for n in drawn), drawn  # every figure has marks, not only axes
        assert errors == []
        head = page_html[: page_html.index("Research analysis")]
        assert all(url in head for url in asked)  # only nbconvert's own require.js and MathJax
        for number in range(CHARTS):
            figures.nth(number).scroll_into_view_if_needed()
            figures.nth(number).screenshot(path=output_dir / f"research-figure-{number + 1}.png")
    finally:
        page.close()

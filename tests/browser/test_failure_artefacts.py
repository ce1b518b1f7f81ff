"""A failing browser test leaves its screenshot, console and server log, and names them.

Two tests that fail on purpose run in a pytest of their own (a subprocess, so this run stays
green), with this folder's conftest as their plugin, against a small static page: one leaves
its page open, one closes it in a ``finally`` as the live-session tests do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import uuid

import pytest

from ..conftest import OUTPUT, REPO
from .conftest import FAILURES

pytestmark = pytest.mark.browser

INNER_CONFTEST = """
pytest_plugins = ["tests.browser.conftest"]
"""

INNER_TESTS = """
import http.server
import threading
from functools import partial
from pathlib import Path

import pytest

from tests.browser.conftest import Trainee

PAGE = "<h1>Static</h1><script>console.log('hello from the page')</script>"


class StaticServer:
    def __init__(self, folder: Path):
        (folder / "index.html").write_text(PAGE, encoding="utf-8")
        self.log_path = folder / "serve.log"
        self.log_path.write_text("the static server served index.html\\n", encoding="utf-8")
        handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def static_server(tmp_path):
    server = StaticServer(tmp_path)
    yield server
    server.httpd.shutdown()


def open_page(browser, server):
    person = Trainee(browser, server)
    with person.page.expect_console_message():  # the page's script has run
        person.page.goto(server.url)
    person.page.locator("h1").wait_for()
    return person


def test_left_open(browser, static_server):
    open_page(browser, static_server)
    assert False, "fails on purpose, page open"


def test_closed_in_finally(browser, static_server):
    person = open_page(browser, static_server)
    try:
        assert False, "fails on purpose, page closed in finally"
    finally:
        person.close()
"""


@pytest.fixture
def probe(tmp_path):
    """A folder with the two failing tests; their artefact folders are removed afterwards."""
    name = f"test_probe_{uuid.uuid4().hex[:8]}"
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST, encoding="utf-8")
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(INNER_TESTS), encoding="utf-8")
    yield tmp_path, name
    for folder in FAILURES.glob(f"{name}*"):
        shutil.rmtree(folder)


def test_a_failing_browser_test_keeps_and_names_its_artefacts(probe):
    """Does each failure keep a screenshot, the page's console and the server log under
    test-output/failures/, and does the report name them and the browser that ran?"""
    folder, name = probe
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{name}.py"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "2 failed" in output, output
    assert "browser: /" in output and "Chromium" in output, output
    assert "ms-playwright" not in output, "the report names a browser that did not run"
    for test in ("test_left_open", "test_closed_in_finally"):
        kept = FAILURES / f"{name}.py_{test}"
        for artefact in ("page-1.png", "page-1-console.txt", "server-1.log"):
            path = kept / artefact
            assert path.is_file(), f"{path} missing:\n{output}"
            assert f"kept: {path.relative_to(REPO)}" in output
        assert (kept / "page-1.png").read_bytes().startswith(b"\x89PNG")
        assert "hello from the page" in (kept / "page-1-console.txt").read_text(encoding="utf-8")
        assert "served index.html" in (kept / "server-1.log").read_text(encoding="utf-8")
    assert OUTPUT in FAILURES.parents

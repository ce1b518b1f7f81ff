"""Browser tests: the real served course (``course serve``) driven in a real Chromium.

Chromium is Debian's package, driven through Playwright's Python package with
``executable_path``; Playwright's own browser download is never used. These tests never skip
in CI: a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from ..conftest import OUTPUT, REPO

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDGET_TIMEOUT = 60_000  # ms: a cold kernel on a busy 2-core CI machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(server, url: str, what: str, timeout: float) -> None:
    """Poll ``url`` until it answers; fail with ``server.log()`` if the process ``what`` exits
    or is not serving within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{what} exited:\n{server.log()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not start in {timeout}s:\n{server.log()}")


class Server:
    """A running ``course serve`` with its own database and var dir."""

    def __init__(self, var_dir: Path, extra_env: dict[str, str] | None = None, pool_size: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.var_dir = var_dir
        self.log_path = var_dir / "serve.log"
        var_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "JUPYTERHUB_"))}
        env.update(
            COURSE_VAR_DIR=str(var_dir),
            COURSE_PORT=str(self.port),
            COURSE_POOL_SIZE=str(pool_size),
            # trainee kernels at the server's priority: here Chromium runs on the same two
            # cores (in a room it runs on the trainees' devices) and a niced kernel waited
            # behind it; tests/kernels checks the niceness itself
            COURSE_TRAINEE_NICE="0",
        )
        env.update(extra_env or {})
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "widgets.cli", "serve"],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90) -> None:
        wait_until_serving(self, self.url + "voila/static/voila.js", "course serve", timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("served") / "var")
    yield srv
    srv.stop()


# per module, not per session: a live Playwright (sync API) leaves its asyncio loop current in
# this thread, which broke later in-process tests that start a loop and the JupyterHub test's
# own Playwright ("Sync API inside the asyncio loop")
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Trainee:
    """One trainee's browser page, with what the page asked of the network recorded."""

    def __init__(self, browser, server: Server, viewport=(1280, 900)):
        self.server = server
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.page.set_default_timeout(WIDGET_TIMEOUT)
        self.outside_requests: list[str] = []
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), self._refuse_outside)
        self.page.on("dialog", self._on_dialog)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))

    def _refuse_outside(self, route):
        url = route.request.url
        if urlparse(url).scheme in ("data", "blob"):
            route.continue_()
            return
        self.outside_requests.append(url)
        route.abort()

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, query: str = "") -> None:
        self.page.goto(self.server.url + (f"?{query}" if query else ""), wait_until="commit")
        self.page.locator(".course-app").wait_for()

    def reload(self) -> None:
        self.page.reload(wait_until="commit")
        self.page.locator(".course-app").wait_for()

    def screenshot(self, name: str) -> Path:
        folder = OUTPUT / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        # Voilà scrolls inside #rendered_cells, so grow the viewport to the content's height
        size = self.page.viewport_size
        height = self.page.evaluate("document.querySelector('#rendered_cells').scrollHeight")
        self.page.set_viewport_size(
            {"width": size["width"], "height": min(max(height, 400), 12000)}
        )
        self.page.screenshot(path=str(path))
        self.page.set_viewport_size(size)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def trainee(browser, server):
    person = Trainee(browser, server)
    yield person
    person.close()
    assert person.outside_requests == [], f"requests left 127.0.0.1: {person.outside_requests}"
    assert person.dialogs == [], f"a dialog opened: {person.dialogs}"

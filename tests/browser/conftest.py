"""Browser tests: the real served course (``course serve``) driven in a real Chromium.

Chromium is Debian's package, driven through Playwright's Python package with
``executable_path``; Playwright's own browser download is never used. These tests never skip
in CI: a missing browser is a failure.

A failing test leaves, under ``test-output/failures/<test>/``, a screenshot and the console
of every page it had open, and the log of every course server it used; the failure report
names each file (``pytest_runtest_makereport`` below).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
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
# ms a page may take to show what a test waits for: a bound, never a measurement. A cold
# kernel on a 2-core machine shared with other work took more than 60 s (a sort card, in the
# ten-trainee live session, passed on a quiet rerun).
WIDGET_TIMEOUT = 120_000
FAILURES = OUTPUT / "failures"


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
class LaunchedChromium:
    """The launched browser. Its repr, which a failure shows, names the Chromium that really
    runs: Playwright's own names the download path of its bundled browser, never used here."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def __repr__(self) -> str:
        return f"<Chromium {CHROMIUM} version={self._browser.version}>"


@contextmanager
def launched_chromium():
    """Debian's Chromium at CHROMIUM, driven by Playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield LaunchedChromium(chromium)
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with launched_chromium() as chromium:
        yield chromium


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
        self.console: list[str] = []  # every message, kept for a failure's artefacts
        self.context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), self._refuse_outside)
        self.page.on("dialog", self._on_dialog)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console.append(f"[pageerror] {error}"))
        _open_pages.append(self)

    def _on_console(self, message) -> None:
        self.console.append(f"[{message.type}] {message.text}")
        if message.type == "error":
            self.console_errors.append(message.text)

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
        # a test that fails closes its pages in a `finally`, before pytest reports the
        # failure: keep what the page showed while it is still open
        if sys.exc_info()[1] is not None and _current_test:
            _kept_pages.append((self.server, self.keep_artefacts(_failure_dir(_current_test))))
        if self in _open_pages:
            _open_pages.remove(self)
        self.context.close()

    def keep_artefacts(self, folder: Path) -> list[Path]:
        """Save this page's screenshot and console into ``folder``; return the files."""
        folder.mkdir(parents=True, exist_ok=True)
        number = len(list(folder.glob("page-*-console.txt"))) + 1
        console = folder / f"page-{number}-console.txt"
        address = "(closed)" if self.page.is_closed() else self.page.url
        console.write_text(
            f"address: {address}\n" + "\n".join(self.console) + "\n", encoding="utf-8"
        )
        files = [console]
        screenshot = folder / f"page-{number}.png"
        from playwright.sync_api import Error as PlaywrightError

        try:  # what the trainee saw: the viewport (Voilà scrolls inside #rendered_cells)
            self.page.screenshot(path=str(screenshot), timeout=15_000)
            files.insert(0, screenshot)
        except PlaywrightError as error:  # a crashed or hung page: the console still tells
            console.write_text(
                console.read_text(encoding="utf-8") + f"(no screenshot: {error})\n",
                encoding="utf-8",
            )
        return files


# -- a failing test's artefacts: screenshots, consoles, server logs under test-output/ --------

_open_pages: list[Trainee] = []
_kept_pages: list[tuple[Server, list[Path]]] = []  # pages closed while their test failed
_current_test: str | None = None


def _failure_dir(nodeid: str) -> Path:
    return FAILURES / re.sub(r"[^\w.-]+", "_", nodeid.split("tests/", 1)[-1]).strip("_")


def chromium_version() -> str:
    """What really drives the pages: Debian's Chromium at CHROMIUM, and its version."""
    try:
        done = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
        return f"{CHROMIUM} ({done.stdout.strip() or done.stderr.strip()})"
    except OSError as error:
        return f"{CHROMIUM} (could not be run: {error})"


@pytest.fixture(autouse=True)
def _artefacts_of(request):
    """Name the running test, so pages closed while it fails keep their artefacts."""
    global _current_test
    _current_test = request.node.nodeid
    _kept_pages.clear()
    yield
    _current_test = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.when not in ("setup", "call") or not report.failed:
        return
    folder = _failure_dir(item.nodeid)
    files = [path for _, kept in _kept_pages for path in kept]
    servers = {id(server): server for server, _ in _kept_pages}
    for page in _open_pages:
        files += page.keep_artefacts(folder)
        servers[id(page.server)] = page.server
    for value in item.funcargs.values():
        if isinstance(value, Server):
            servers[id(value)] = value
    for number, server in enumerate(servers.values(), start=1):
        if server.log_path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"server-{number}.log"
            shutil.copy(server.log_path, target)
            files.append(target)
    lines = [f"browser: {chromium_version()}"]
    lines += [f"kept: {path.relative_to(REPO)}" for path in files]
    report.sections.append(("failure artefacts (test-output/failures/)", "\n".join(lines)))


@pytest.fixture
def trainee(browser, server):
    person = Trainee(browser, server)
    yield person
    person.close()
    assert person.outside_requests == [], f"requests left 127.0.0.1: {person.outside_requests}"
    assert person.dialogs == [], f"a dialog opened: {person.dialogs}"

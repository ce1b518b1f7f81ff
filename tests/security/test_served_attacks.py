"""Attacks on the served course, each as a stranger on the room's network would try them.

A victim trainee works in a real Chromium; the attacker is a plain HTTP / websocket client
that has learnt the victim's kernel id (say, from a shared screen or a log)."""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import psutil
import pytest
import websocket

from ..browser.conftest import WIDGET_TIMEOUT, Server, Trainee

pytestmark = pytest.mark.browser
MODULE = "coaching-and-mentoring"


def kernel_id(page) -> str:
    return page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def joined_victim(browser, server, name="Victim Vera") -> Trainee:
    victim = Trainee(browser, server)
    victim.open()
    victim.page.locator(".course-join-name input").fill(name)
    victim.page.locator(".course-join-start").click()
    victim.page.locator(f".course-module-{MODULE}").wait_for()
    return victim


def still_works(victim: Trainee) -> None:
    """The victim's own page still talks to its kernel: a click opens a part."""
    victim.page.locator(f".course-module-{MODULE} .course-part-theory").click()
    victim.page.locator(".course-part-body").first.wait_for()


class Stranger:
    """An HTTP client with its own cookies (as a second browser would have)."""

    def __init__(self, server):
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, path: str, method: str = "GET", data: bytes | None = None, headers=None):
        req = urllib.request.Request(
            self.server.url + path, data=data, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(req, timeout=120) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def websocket(self, kernel: str):
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        url = self.server.url.replace("http", "ws", 1) + f"api/kernels/{kernel}/channels"
        return websocket.create_connection(url, timeout=60, cookie=cookies or None)


def test_a_kernel_id_alone_opens_no_websocket(browser, server):
    """With the victim's kernel id, no cookie or its own: is the websocket refused?"""
    victim = joined_victim(browser, server)
    try:
        kernel = kernel_id(victim.page)
        stranger = Stranger(server)
        for attempt in ("no cookie", "its own cookies"):
            with pytest.raises(websocket.WebSocketBadStatusException) as refused:
                stranger.websocket(kernel)
            assert refused.value.status_code == 404, attempt
            stranger.request("voila/render/index.ipynb")  # now it has a client cookie of its own
        assert stranger.cookie("course_client")
        still_works(victim)
    finally:
        victim.close()


def test_a_kernel_id_alone_cannot_shut_it_down(browser, server):
    """With its own _xsrf cookie, can a stranger stop the victim's kernel? (No.)"""
    victim = joined_victim(browser, server, name="Victim Wyn")
    try:
        kernel = kernel_id(victim.page)
        stranger = Stranger(server)
        stranger.request("")  # GET / gives it an _xsrf cookie, as the attack did
        xsrf = stranger.cookie("_xsrf")
        assert xsrf
        form = urllib.parse.urlencode({"_xsrf": xsrf}).encode()
        status, _ = stranger.request(f"voila/api/shutdown/{kernel}", "POST", form)
        assert status == 404
        status, _ = stranger.request(
            f"api/kernels/{kernel}", "DELETE", headers={"X-XSRFToken": xsrf}
        )
        assert status == 404
        own = victim.context.request.get(f"{server.url}api/kernels/{kernel}")
        assert own.status == 200, "the victim's kernel was shut down"
        still_works(victim)
    finally:
        victim.close()


def test_no_kernel_existence_oracle(browser, server):
    """Does a real kernel id answer a stranger exactly as a made-up one does?"""
    victim = joined_victim(browser, server, name="Victim Xan")
    try:
        stranger = Stranger(server)
        real = stranger.request(f"api/kernels/{kernel_id(victim.page)}")
        made_up = stranger.request(f"api/kernels/{uuid.uuid4()}")
        assert real == made_up
        assert real[0] == 404
    finally:
        victim.close()


def kernels_started(server) -> int:
    return server.log().count("Kernel started:")


@pytest.mark.parametrize(
    "path",
    [
        "voila/render/research/analysis.ipynb",
        "voila/render/coaching-and-mentoring/theory.ipynb",
        "voila/render/nope.ipynb",
        "voila/render/facilitator/../research/analysis.ipynb",
        "voila/render/%2e%2e/pyproject.toml",
    ],
)
def test_only_trainee_and_facilitator_pages_render(server, path):
    """Is every other page a 404 that starts no kernel (the research notebook above all)?"""
    before = kernels_started(server)
    status, body = Stranger(server).request(path)
    assert status == 404
    assert b"Traceback" not in body
    time.sleep(0.5)  # a kernel start would be logged at once; give the log a moment
    assert kernels_started(server) == before


@pytest.mark.parametrize(
    "path",
    [
        "voila/templates/course%2f..%2f..%2fconf.json",
        "voila/templates/..%2f..%2fetc%2fpasswd",
        "voila/templates/course/static/..%2f..%2f..%2findex.html.j2",
        "voila/templates/nostatic",
    ],
)
def test_template_traversal_is_a_plain_404(server, path):
    """Are traversal attempts on template files 404, with no traceback in the log?"""
    tracebacks = server.log().count("Traceback")
    status, body = Stranger(server).request(path)
    assert status == 404
    assert b"Traceback" not in body
    assert server.log().count("Traceback") == tracebacks


# -- a flood of anonymous pages ------------------------------------------------------------

FLOOD = 1000
CAP = 12


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory):
    srv = Server(
        tmp_path_factory.mktemp("capped") / "var",
        extra_env={
            "COURSE_MAX_KERNELS": str(CAP),
            "COURSE_RENDER_BURST": "30",
            "COURSE_RENDER_PER_MINUTE": "30",
            "COURSE_UNCONNECTED_TIMEOUT": "30",
            "COURSE_CULL_INTERVAL": "2",
        },
        pool_size=2,
    )
    yield srv
    srv.stop()


def live_kernels(server) -> int:
    """Kernel processes under the server (forked ones are the template's children)."""
    count = 0
    for proc in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if "ipykernel_launcher" in " ".join(proc.cmdline()):
                count += 1
        except psutil.Error:
            continue
    return count


def test_a_flood_of_anonymous_pages_is_bounded(browser, capped_server):
    """1,000 anonymous page requests: kernels stay under the cap, memory bounded, strangers
    told why, and a trainee already working still moves on and saves."""
    server = capped_server
    victim = joined_victim(browser, server, name="Working Wren")
    statuses: dict[int, int] = {}
    bodies: dict[int, bytes] = {}
    most_kernels = 0
    most_memory = 0.0
    lock = threading.Lock()
    todo = iter(range(FLOOD))
    deadline = time.monotonic() + 300

    def flood():
        stranger = Stranger(server)  # one client, many pages, as a script would
        while time.monotonic() < deadline:
            with lock:
                if next(todo, None) is None:
                    return
            status, body = stranger.request("voila/render/index.ipynb")
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                bodies.setdefault(status, body)

    workers = [threading.Thread(target=flood) for _ in range(8)]
    for worker in workers:
        worker.start()
    try:
        while any(w.is_alive() for w in workers):
            most_kernels = max(most_kernels, live_kernels(server))
            most_memory = max(most_memory, psutil.Process(server.process.pid).memory_info().rss)
            time.sleep(0.2)
        # the trainee who was already working goes on working
        page = victim.page
        page.locator(f".course-module-{MODULE} .course-part-review").click()
        box = page.locator(".course-reflection-text textarea").first
        box.fill("Still here after the flood.")
        page.keyboard.press("Tab")  # leaving the box saves it
        page.locator(".course-activity-reflection .course-status", has_text="Saved").first.wait_for(
            timeout=WIDGET_TIMEOUT
        )
    finally:
        for worker in workers:
            worker.join()
        victim.close()
    assert sum(statuses.values()) == FLOOD, statuses
    assert most_kernels <= CAP, f"{most_kernels} kernels alive (cap {CAP})"
    assert most_memory < 1024**3, f"server RSS {most_memory / 1024**2:.0f} MiB"
    refused = statuses.get(429, 0) + statuses.get(503, 0)
    assert refused >= FLOOD - 40, statuses
    assert b"try again" in bodies.get(429, bodies.get(503, b"")).lower()
    print(
        f"flood: {statuses}, most kernels {most_kernels}, server RSS ≤ {most_memory / 2**20:.0f} MiB"
    )

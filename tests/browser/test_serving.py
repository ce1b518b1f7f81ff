"""How the course is served: what a first visit costs, and requests that must not hang."""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.request

import pytest

from .conftest import WIDGET_TIMEOUT

pytestmark = pytest.mark.browser

MAX_FIRST_VISIT = 3 * 1024 * 1024  # bytes over the wire for a trainee's first visit


def test_first_visit_weight(trainee):
    """Does a first visit pull at most 3 MB, compressed, with no plotly bundle?"""
    cdp = trainee.context.new_cdp_session(trainee.page)
    cdp.send("Network.enable")
    received: dict[str, int] = {}
    urls: dict[str, str] = {}
    encodings: dict[str, str] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]),
    )

    def on_response(event):
        urls[event["requestId"]] = event["response"]["url"]
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        encodings[event["requestId"]] = headers.get("content-encoding", "")

    cdp.on("Network.responseReceived", on_response)
    trainee.open()
    trainee.page.locator(".course-join-start").wait_for()
    # every request of the first visit has finished (not a fixed pause: a busy machine is slow)
    trainee.page.wait_for_load_state("networkidle")
    total = sum(received.values())
    assert len(received) > 20, "the network log caught too little to judge"
    assert total <= MAX_FIRST_VISIT, f"first visit pulled {total / 1e6:.1f} MB"
    assert not [u for u in urls.values() if "plotly" in u], "trainee pages must not load plotly"
    scripts = [r for r, u in urls.items() if u.endswith(".js") and received.get(r, 0) > 20_000]
    assert scripts and all(encodings[r] == "gzip" for r in scripts), (
        "large scripts are not compressed"
    )


@pytest.mark.parametrize("query", ["template=nope", "theme=nope"])
def test_overrides_do_not_hang(server, query):
    """Does an unknown ?template= or ?theme= get an answer instead of a request that hangs?"""
    try:
        with urllib.request.urlopen(
            f"{server.url}voila/render/index.ipynb?{query}", timeout=60
        ) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    assert body


def test_home_address_leads_to_the_app(server):
    """Does the bare address lead to the course app, keeping the query string?"""
    request = urllib.request.Request(server.url + "?code=KX7P2M", method="GET")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request, timeout=30)
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as error:
        assert error.code in (301, 302)
        assert error.headers["Location"].endswith("voila/render/index.ipynb?code=KX7P2M")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_notebook_sources_are_not_served(server):
    """Are the notebooks' files themselves refused (sources stay on the server)?"""
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(server.url + "voila/files/index.ipynb", timeout=30)
    assert caught.value.code in (403, 404)


# -- assets cached, kernels freed (the fast live room) ----------------------------------------

MAX_REPEAT_REQUESTS = 5  # the page itself, its kernel, and next to nothing else


def _network_log(context, page):
    """(all http requests, those that the browser's cache answered)."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sent: dict[str, str] = {}
    from_cache: set[str] = set()
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: (
            e["request"]["url"].startswith("http")
            and sent.__setitem__(e["requestId"], e["request"]["url"])
        ),
    )
    cdp.on("Network.requestServedFromCache", lambda e: from_cache.add(e["requestId"]))
    cdp.on(
        "Network.responseReceived",
        lambda e: e["response"].get("fromDiskCache") and from_cache.add(e["requestId"]),
    )
    return sent, from_cache


def _kernel_id(page) -> str:
    return page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def _kernel_exists(context, server, kernel_id) -> bool:
    status = context.request.get(f"{server.url}api/kernels/{kernel_id}").status
    assert status in (200, 404), f"unexpected answer {status}"
    return status == 200


def _wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s")
        time.sleep(0.25)


def test_repeat_visit_is_served_from_the_cache(browser, server):
    """Does a second visit fetch only the page and its kernel, not ~100 files again?"""
    # a context of its own: Playwright turns the HTTP cache off in a context with routes,
    # and the trainee fixture routes every request to refuse the internet
    context = browser.new_context()
    try:
        visits = []
        for _ in range(2):  # the same browser profile, as a trainee coming back
            page = context.new_page()
            sent, from_cache = _network_log(context, page)
            page.goto(server.url + "voila/render/index.ipynb", wait_until="commit")
            page.locator(".course-join-start").wait_for(timeout=WIDGET_TIMEOUT)
            visits.append((sent, from_cache))
            page.close(run_before_unload=True)
    finally:
        context.close()
    (first, _), (second, cached) = visits
    fetched = [url for request, url in second.items() if request not in cached]
    assert len(first) > 20 and len(second) > 20, "the network log caught too little to judge"
    assert not [u for u in first.values() if not u.startswith(server.url)]
    assert len(fetched) <= MAX_REPEAT_REQUESTS, f"the repeat visit fetched {fetched}"


def test_hashed_assets_are_immutable(trainee):
    """Do versioned and content-hashed files say so, and the page itself never cache?"""
    headers: dict[str, str] = {}
    trainee.page.on(
        "response", lambda r: headers.__setitem__(r.url, r.headers.get("cache-control", ""))
    )
    trainee.open()
    trainee.page.locator(".course-join-start").wait_for()
    static = [u for u in headers if "/voila/static-" in u]
    bundles = [u for u in headers if "/voila/labextensions/" in u and u.endswith(".js")]
    pages = [u for u in headers if "/voila/render/" in u]
    assert static and bundles and pages
    for url in static + bundles:
        assert "immutable" in headers[url], f"{url}: {headers[url]!r}"
    assert all("no-store" in headers[u] for u in pages)


def test_closing_a_tab_frees_its_kernel(trainee, server):
    """Is a trainee's kernel shut down as soon as their tab closes (not 15 minutes later)?"""
    trainee.open()
    trainee.page.locator(".course-join-start").wait_for()
    kernel = _kernel_id(trainee.page)
    assert _kernel_exists(trainee.context, server, kernel)
    trainee.page.close(run_before_unload=True)
    _wait_until(
        lambda: not _kernel_exists(trainee.context, server, kernel),
        60,
        "the closed tab's kernel was not shut down",
    )


# 30 s, not the default 60: short enough for a test, long enough for a busy machine's
# browser to load the page and connect (3 s culled the open tab's own kernel under load)
@pytest.fixture(scope="module")
def quick_culling_server(tmp_path_factory):
    from .conftest import Server

    srv = Server(
        tmp_path_factory.mktemp("culling") / "var",
        extra_env={"COURSE_UNCONNECTED_TIMEOUT": "30", "COURSE_CULL_INTERVAL": "1"},
        pool_size=0,
    )
    yield srv
    srv.stop()


def test_a_kernel_no_browser_connected_to_is_culled(browser, quick_culling_server):
    """A page fetched by a script (no browser) loses its kernel; an open tab keeps its own."""
    from .conftest import Trainee

    server = quick_culling_server
    person = Trainee(browser, server)
    try:
        person.open()
        person.page.locator(".course-join-start").wait_for()
        open_kernel = _kernel_id(person.page)
        script = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )  # a script with its cookies: the page's kernel is bound to them
        with script.open(server.url + "voila/render/index.ipynb", timeout=120) as r:
            body = r.read().decode()
        fetched = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', body).group(1)

        def script_sees_it() -> bool:
            try:
                with script.open(f"{server.url}api/kernels/{fetched}", timeout=60):
                    return True
            except urllib.error.HTTPError as error:
                assert error.code == 404
                return False

        assert script_sees_it()
        _wait_until(
            lambda: not script_sees_it(),
            120,
            "the kernel no browser connected to was not culled",
        )
        assert _kernel_exists(person.context, server, open_kernel), "an open tab lost its kernel"
        person.page.locator(".course-join-start").click()
        person.page.locator(".course-module-coaching-and-mentoring").wait_for()
    finally:
        person.close()

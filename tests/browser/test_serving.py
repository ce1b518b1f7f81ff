"""How the course is served: what a first visit costs, and requests that must not hang."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

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
    trainee.page.wait_for_timeout(1000)
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

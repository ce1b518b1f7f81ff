"""Guessing the facilitator key or a join code is limited per server and per address."""

from __future__ import annotations

import pytest

from widgets.serving.guard import GuessLimiter

from ..browser.conftest import Trainee


def test_a_few_failures_are_free_then_each_waits_longer():
    limiter = GuessLimiter(free=3, window=600, longest=300, server_per_minute=1000)
    for t in range(3):
        assert limiter.wait("key", "10.0.0.7", now=t) == 0
        limiter.failed("key", "10.0.0.7", now=t)
    assert limiter.wait("key", "10.0.0.7", now=2) == 2  # the 4th try waits 2 s
    limiter.failed("key", "10.0.0.7", now=10)
    assert limiter.wait("key", "10.0.0.7", now=10) == 4  # and the 5th twice as long
    assert limiter.wait("key", "10.0.0.8", now=10) == 0  # another address is not punished
    assert limiter.wait("join", "10.0.0.7", now=10) == 0  # nor another kind of guess
    assert limiter.wait("key", "10.0.0.7", now=10 + 601) == 0  # the window passes


def test_the_whole_server_allows_only_so_many_failures_a_minute():
    limiter = GuessLimiter(free=100, server_per_minute=5)
    for i in range(5):
        limiter.failed("join", f"10.0.1.{i}", now=i)  # five different addresses
    assert limiter.wait("join", "10.0.9.9", now=5) > 0  # a sixth address waits too
    assert limiter.wait("join", "10.0.9.9", now=61) == 0


@pytest.mark.browser
def test_wrong_keys_from_several_pages_count_together(browser, server):
    """Three dashboard pages from one address: is the sixth wrong key refused on any page,
    and the right key then too until the wait is over?"""
    pages = [Trainee(browser, server) for _ in range(3)]
    try:
        for person in pages:
            person.page.goto(
                f"{server.url}voila/render/facilitator/dashboard.ipynb", wait_until="commit"
            )
            person.page.locator(".facilitator-key input").wait_for()
        for attempt in range(5):
            page = pages[attempt % 3].page
            page.locator(".facilitator-key input").fill(f"wrong-key-{attempt}")
            page.locator(".facilitator-unlock").click()
            page.locator(".course-status", has_text="not right").wait_for()
            page.locator(".facilitator-key input").fill("")
        last = pages[2].page  # a page that has tried only once itself
        last.locator(".facilitator-key input").fill("wrong-key-5")
        last.locator(".facilitator-unlock").click()
        last.locator(".course-status", has_text="Too many wrong keys").wait_for()
        from widgets.keys import FACILITATOR_KEY_FILE

        key = (server.var_dir / FACILITATOR_KEY_FILE).read_text().strip()
        first = pages[0].page
        first.locator(".facilitator-key input").fill(key)
        first.locator(".facilitator-unlock").click()
        first.locator(".course-status", has_text="Too many wrong keys").wait_for()
        assert first.locator(".facilitator-create").count() == 0
    finally:
        for person in pages:
            person.close()

"""axe-core on the home page and every Module 1 part: no serious or critical violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_trainee import MODULE, join

pytestmark = pytest.mark.browser


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_home_page(trainee):
    """Is the join page free of serious accessibility problems?"""
    trainee.open()
    trainee.page.locator(".course-join-start").wait_for()
    trainee.screenshot("home-join")
    assert serious(trainee.page) == []


@pytest.mark.parametrize("part", ["theory", "practice", "review"])
def test_module_one_parts(trainee, part):
    """Is each part of Module 1 free of serious accessibility problems?"""
    token = join(trainee)
    trainee.open(f"learner={token}&module={MODULE}&part={part}")
    trainee.page.locator(".course-part-body").wait_for()
    trainee.page.locator(".course-activity").first.wait_for()
    trainee.screenshot(f"module-1-{part}")
    assert serious(trainee.page) == []

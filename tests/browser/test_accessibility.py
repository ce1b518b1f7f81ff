"""axe-core on the home page and every Module 1 part: no serious or critical violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from widgets.content import load_course
from widgets.content.models import PART_NAMES

from ..conftest import DATA
from .test_trainee import join

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


PARTS = [(m.slug, p) for m in load_course(DATA).modules for p in PART_NAMES]


@pytest.mark.parametrize(("module", "part"), PARTS, ids=[f"{m}-{p}" for m, p in PARTS])
def test_every_part(trainee, module, part):
    """Is every part of every module free of serious accessibility problems (and pictured)?"""
    token = join(trainee)
    trainee.open(f"learner={token}&module={module}&part={part}")
    trainee.page.locator(".course-part-body").wait_for()
    trainee.page.locator(".course-activity").first.wait_for()
    trainee.screenshot(f"{module}-{part}")
    assert serious(trainee.page) == []


def test_module_map(trainee):
    """Is the module map, with its consent and record cards, free of serious problems?"""
    join(trainee)
    trainee.page.locator(".course-consent").wait_for()
    trainee.screenshot("module-map")
    assert serious(trainee.page) == []

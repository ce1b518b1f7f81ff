"""Content for activity tests, from the small valid course in tests/content/valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.content import load_course

VALID = Path(__file__).resolve().parents[1] / "content" / "valid"


@pytest.fixture(scope="session")
def demo_course():
    return load_course(VALID)


class Recorder:
    """A submit callback that keeps what it was given (or fails, like a broken store)."""

    def __init__(self, fail: Exception | None = None):
        self.got = []
        self.fail = fail

    def __call__(self, submission):
        if self.fail:
            raise self.fail
        self.got.append(submission)


@pytest.fixture
def recorder():
    return Recorder()

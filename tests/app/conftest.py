"""Fixtures shared by the app's tests: the real course content and an empty SQLite store."""

from __future__ import annotations

import pytest

from widgets.content import load_course
from widgets.store import ResponseStore

from ..conftest import DATA


@pytest.fixture(scope="module")
def course():
    return load_course(DATA)


@pytest.fixture
def store(tmp_path):
    with ResponseStore(f"sqlite:///{tmp_path / 'app.sqlite'}") as store:
        store.upgrade()
        yield store

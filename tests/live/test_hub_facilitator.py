"""Under JupyterHub, the facilitators group decides who may open the facilitator pages."""

from __future__ import annotations

import ipywidgets as w
import pytest

from widgets.live.dashboard import FacilitatorApp, facilitator_app, hub_facilitator
from widgets.store import ResponseStore


@pytest.fixture
def hub_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    monkeypatch.setenv("COURSE_DB_URL", url)
    monkeypatch.setenv("COURSE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COURSE_FACILITATOR_KEY", raising=False)
    with ResponseStore(url) as store:
        store.upgrade()
        store.create_session("Hub afternoon")
    return url


def test_hub_facilitator_reads_the_environment():
    assert hub_facilitator({}) is None
    assert hub_facilitator({"JUPYTERHUB_USER": "ana", "COURSE_HUB_FACILITATOR": "1"}) is True
    assert hub_facilitator({"JUPYTERHUB_USER": "ben", "COURSE_HUB_FACILITATOR": "0"}) is False
    assert hub_facilitator({"JUPYTERHUB_USER": "ben"}) is False


def test_group_member_goes_straight_in(hub_store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    monkeypatch.setenv("COURSE_HUB_FACILITATOR", "1")
    app = facilitator_app()
    assert isinstance(app, FacilitatorApp) and app.unlocked
    texts = [c.description for c in _walk(app) if isinstance(c, w.Button)]
    assert any("Hub afternoon" in t for t in texts)  # the running session can be reopened


def test_other_hub_users_see_nothing(hub_store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ben")
    monkeypatch.setenv("COURSE_HUB_FACILITATOR", "0")
    page = facilitator_app()
    assert not isinstance(page, FacilitatorApp)
    assert "facilitators group" in page.value and "Hub afternoon" not in page.value


def test_without_a_hub_the_key_is_asked(hub_store, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    app = facilitator_app()
    assert isinstance(app, FacilitatorApp) and not app.unlocked
    assert app.key_field is not None


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)

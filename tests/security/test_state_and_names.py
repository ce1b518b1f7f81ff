"""What an attacker attached to a kernel could read, and what a name can pretend to be."""

from __future__ import annotations

import json

import ipywidgets
import pytest

from widgets.live.dashboard import FacilitatorApp
from widgets.store.facade import clean_display_name

KEY = "staffroom-key-42"


def every_widget_state() -> str:
    """Every live widget model's state, as a client attached to the kernel would read it."""
    states = []
    for widget in list(ipywidgets.Widget.widgets.values()):
        if widget.comm is not None:  # (a closed widget has no state to read)
            states.append(json.dumps(widget.get_state(), default=str))
    return "\n".join(states)


def test_the_key_leaves_no_trace_in_widget_state(course, store, monkeypatch):
    """After the key is typed and accepted, is it in no widget's state at all?"""
    monkeypatch.setattr("widgets.live.dashboard.time.sleep", lambda _s: None)
    app = FacilitatorApp(course, store, KEY, environ={})
    app.key_field.value = KEY  # typed, then Enter
    assert app.unlocked is True
    assert KEY not in every_widget_state()


def test_a_wrong_key_leaves_no_trace_either(course, store, monkeypatch):
    monkeypatch.setattr("widgets.live.dashboard.time.sleep", lambda _s: None)
    app = FacilitatorApp(course, store, KEY, environ={})
    app.key_field.value = "staffroom-key-41"
    assert app.unlocked is False
    assert "staffroom-key-41" not in every_widget_state()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Sam\u202eevil", "Samevil"),  # right-to-left override: "Sam" + reversed text
        ("Ali\u2066ce\u2069", "Alice"),  # isolates
        ("Jo\u200bnas", "Jonas"),  # zero-width space
        ("Nul\x00l", "Null"),
        ("\u200f\u200e", None),  # nothing visible: no name
        ("  Zoë O'Neill  ", "Zoë O'Neill"),  # ordinary names untouched
        ("محمد", "محمد"),  # right-to-left scripts are names, not tricks
    ],
)
def test_names_lose_their_invisible_controls(typed, kept):
    assert clean_display_name(typed) == kept


def test_a_spoofing_name_is_stored_without_its_controls(store):
    """Through the store (every way a name arrives), is the override gone?"""
    learner = store.create_learner("Sam\u202e\u0000")
    assert store.learner_by_token(learner.token).display_name == "Sam"

"""Widgets born with their CSS classes, sharing one Layout and one Style per look.

Every ipywidgets DOM widget makes its own Layout (and most make a Style) unless handed one:
each is a model of its own, with its own ``comm_open``, and every ``add_class`` or
``layout.width = …`` after construction is one more message. One move to the next part made
75 widgets, 45 of them layouts or styles, and 42 follow-up messages that only added a class
or set a width (../shared/research/move-cost.md). Widgets here get their classes in the
constructor, and widgets that look alike share one Layout and one Style.

A shared Layout or Style must never be changed: a widget whose look changes later (one shown
and hidden through ``layout.display``, say) keeps a layout of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

import anywidget
import ipywidgets as w
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

from .front_end_code import instance_code

W = TypeVar("W", bound=w.Widget)

_SHARED: dict[tuple, w.Widget] = {}


def shared(kind: type[W], **traits: str) -> W:
    """The one ``kind`` (``Layout``, ``ButtonStyle``, ``HTMLStyle`` …) with ``traits`` in
    this kernel, made on first use (never at import: a fork template has no kernel yet)."""
    key = (kind, tuple(sorted(traits.items())))
    found = _SHARED.get(key)
    if found is None or found.comm is None:  # a closed one (Widget.close_all) is replaced
        found = _SHARED[key] = kind(**traits)
    return found


def html(value: str = "", *classes: str) -> w.HTML:
    """An HTML widget (prose, headings, notes) with the shared look."""
    return w.HTML(value, layout=shared(w.Layout), style=shared(HTMLStyle), _dom_classes=classes)


def vbox(children: Sequence[w.Widget] = (), *classes: str, **layout: str) -> w.VBox:
    """A column of widgets; ``layout`` traits pick (and share) the layout."""
    return w.VBox(list(children), layout=shared(w.Layout, **layout), _dom_classes=classes)


def hbox(children: Sequence[w.Widget] = (), *classes: str, **layout: str) -> w.HBox:
    """A row of widgets; ``layout`` traits pick (and share) the layout."""
    return w.HBox(list(children), layout=shared(w.Layout, **layout), _dom_classes=classes)


def action_button(
    description: str,
    css: str,
    style: str = "",
    tooltip: str = "",
    extra_classes: Iterable[str] = (),
    disabled: bool = False,
) -> w.Button:
    """A button as wide as its label, with class ``css`` (what tests and CSS select on)."""
    return w.Button(
        description=description,
        button_style=style,
        tooltip=tooltip or description,
        disabled=disabled,
        layout=shared(w.Layout, width="auto"),
        style=shared(w.ButtonStyle),
        _dom_classes=(css, *extra_classes),
    )


class CourseAnyWidget(anywidget.AnyWidget):
    """An anywidget that shares the plain Layout (every one of ours draws its own look) and,
    inside the course app, sends its class's front-end code to the page once
    (:mod:`widgets.front_end_code`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("layout", shared(w.Layout))
        for key, value in instance_code(type(self)).items():  # in the app: a stub, code once
            kwargs.setdefault(key, value)
        super().__init__(**kwargs)


def text_box(value: str, placeholder: str, height: str, *classes: str) -> w.Textarea:
    """A full-width text area that sends its value when the learner leaves it (not per key)."""
    return w.Textarea(
        value=value,
        placeholder=placeholder,
        continuous_update=False,
        layout=shared(w.Layout, width="100%", height=height),
        style=shared(TextStyle),
        _dom_classes=classes,
    )


def hidden_html(*classes: str) -> w.HTML:
    """An empty HTML widget shown later (``layout.display``): its layout is its own."""
    return w.HTML(
        "", layout=w.Layout(display="none"), style=shared(HTMLStyle), _dom_classes=classes
    )


def plain_button(description: str, css: str, style: str = "") -> w.Button:
    """A button of the default width (the activities' Save buttons)."""
    return w.Button(
        description=description,
        button_style=style,
        layout=shared(w.Layout),
        style=shared(w.ButtonStyle),
        _dom_classes=(css,),
    )


def button_row(buttons: Sequence[w.Widget]) -> w.HBox:
    """Buttons side by side, wrapping onto the next line on a narrow screen."""
    return hbox(buttons, "course-button-row", flex_flow="row wrap")


def text_field(description: str, placeholder: str, css: str) -> w.Text:
    """A one-line labelled text box (join code, name, resume code)."""
    return w.Text(
        placeholder=placeholder,
        description=description,
        style=shared(TextStyle, description_width="9em"),
        layout=shared(w.Layout, width="26em"),
        _dom_classes=(css,),
    )

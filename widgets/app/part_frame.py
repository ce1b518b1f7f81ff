"""The navigation above a part and the footer below it: built once, relabelled on each move.

Rebuilding them on every move made 24 widgets and 44 messages even when going back to a
part already built (../shared/research/move-cost.md); keeping them sends only the labels
that change.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from ..content.models import PART_NAMES
from ..escape import escape_text
from ..looks import action_button, button_row, hbox, html, vbox
from .progress import PART_LABELS


class PartFrame:
    """``nav`` and ``footer`` of the part on screen; :meth:`show` points them at a part.

    ``open_part(module, part)`` and ``go_home()`` are what the buttons do.
    """

    def __init__(self, open_part: Callable[[str, str], None], go_home: Callable[[], None]):
        self._open_part = open_part
        self._go_home = go_home
        self.module: str | None = None
        self.part: str | None = None
        home = action_button("← Module map", "course-home-button")
        home.on_click(lambda _b: go_home())
        self.tabs: dict[str, w.Button] = {}
        for other in PART_NAMES:
            tab = action_button(
                PART_LABELS[other], f"course-tab-{other}", extra_classes=["course-tab"]
            )
            tab.on_click(lambda _b, o=other: self._open_part(self.module, o))
            self.tabs[other] = tab
        self.crumbs = html()
        self.nav = vbox([button_row([home, *self.tabs.values()]), self.crumbs], "course-part-nav")
        self.next = action_button("Next", "course-next", "primary")
        self.next.on_click(lambda _b: self._on_next())
        self.footer = hbox([self.next], "course-part-footer")

    def show(self, module: str, part: str, number: int, title: str) -> None:
        """Label the tabs, crumbs and Next button for ``part`` of module ``number``."""
        self.module, self.part = module, part
        for other, tab in self.tabs.items():
            label = f"{PART_LABELS[other]}{' (you are here)' if other == part else ''}"
            with tab.hold_sync():  # one message for the tabs whose label changes, none else
                tab.description = label
                tab.tooltip = label
                tab.button_style = "info" if other == part else ""
        self.crumbs.value = (
            f"<p class='course-crumbs'>Module {number}: {escape_text(title)} · "
            f"<strong>{PART_LABELS[part]}</strong> (part {PART_NAMES.index(part) + 1} of 3)</p>"
        )
        following = self._following()
        label = f"Next: {PART_LABELS[following]} →" if following else "Back to the module map"
        with self.next.hold_sync():
            self.next.description = label
            self.next.tooltip = label

    def _following(self) -> str | None:
        index = PART_NAMES.index(self.part)
        return PART_NAMES[index + 1] if index + 1 < len(PART_NAMES) else None

    def _on_next(self) -> None:
        following = self._following()
        if following:
            self._open_part(self.module, following)
        else:
            self._go_home()

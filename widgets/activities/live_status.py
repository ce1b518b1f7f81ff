"""An aria-live status line: what the page says to the learner after an action.

ipywidgets cannot put ARIA attributes on its controls (ipywidgets #2650), and replacing an
HTML widget's value recreates the element, which screen readers do not announce. This tiny
anywidget keeps one live region in the page and only changes its text.
"""

from __future__ import annotations

from pathlib import Path

import traitlets

from ..looks import CourseAnyWidget

_STATIC = Path(__file__).parent / "static"


class LiveStatus(CourseAnyWidget):
    """A polite live region; ``say()`` updates it and screen readers announce the change."""

    _esm = _STATIC / "live_status.js"
    message = traitlets.Unicode("", help="Plain text announced to the learner.").tag(sync=True)
    tone = traitlets.Enum(
        ["info", "ok", "error"], "info", help="Visual style; text says it too."
    ).tag(sync=True)

    def say(self, message: str, tone: str = "info") -> None:
        self.tone = tone
        self.message = message

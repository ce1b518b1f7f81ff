"""A download button: the browser asks, Python makes the file, the browser saves it as a Blob.

The trainee's learning record is built in the kernel when the button is pressed (so it is
always current) and reaches the browser as a custom message; no file is written on the server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import traitlets

from ..looks import CourseAnyWidget

log = logging.getLogger(__name__)

_STATIC = Path(__file__).parent / "static"


class DownloadButton(CourseAnyWidget):
    """A keyboard-operable button that downloads the text ``make()`` returns as ``filename``."""

    _esm = _STATIC / "download.js"
    label = traitlets.Unicode("Download", help="The button's text.").tag(sync=True)
    filename = traitlets.Unicode("download.html", help="Name of the saved file.").tag(sync=True)
    mime = traitlets.Unicode("text/html", help="MIME type of the file.").tag(sync=True)

    def __init__(self, make: Callable[[], str], **kwargs):
        super().__init__(**kwargs)
        self._make = make
        self.on_msg(self._on_custom_msg)

    def request(self) -> dict[str, Any]:
        """Press the button as the browser does; return the message sent back to it."""
        return self._reply()

    def _on_custom_msg(self, _widget, content: Any, _buffers) -> None:
        # not `_handle_msg`: that is ipywidgets' own handler of every comm message
        if isinstance(content, dict) and content.get("action") == "download":
            self._reply()

    def _reply(self) -> dict[str, Any]:
        try:
            message = {"action": "file", "text": self._make(), "filename": self.filename}
        except Exception:  # Voilà shows no traceback: the learner must hear of it
            log.exception("download %s failed", self.filename)
            message = {
                "action": "error",
                "text": "Your record could not be prepared just now. Please try again.",
            }
        self.send(message)
        return message

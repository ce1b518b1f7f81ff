"""The one escaping helper: every learner-supplied text goes through it before HTML."""

from __future__ import annotations

import html


def escape_text(text: object) -> str:
    """Escape ``text`` for HTML element content and attribute values; newlines become <br>."""
    return html.escape("" if text is None else str(text), quote=True).replace("\n", "<br>")

"""Keeps the page's address in step with where the trainee is.

After joining, the learner token goes into the query string, so a refresh (or a bookmark)
brings the trainee back to the same place without retyping anything. Back/forward buttons
are reported to the kernel, which navigates.
"""

from __future__ import annotations

from pathlib import Path

import traitlets

from ..looks import CourseAnyWidget


class UrlState(CourseAnyWidget):
    """The query string of the page, synced both ways, and the document title."""

    _esm = Path(__file__).parent / "static" / "url_state.js"
    query = traitlets.Unicode("", help="The page's query string without '?'.").tag(sync=True)
    title = traitlets.Unicode("", help="document.title for the current view.").tag(sync=True)
    navigation = traitlets.Int(0, help="Bumped by Python on every new view (focus + scroll).").tag(
        sync=True
    )

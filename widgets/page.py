"""What a notebook's code cells call: ``activity("id")`` and ``references("key", ...)``.

A module notebook stays thin: its code cells only name what to show. The same cells run in
two places:

* inside the course app (``course/index.ipynb``), which renders a part's cells in the
  trainee's one kernel and sets the :class:`PageContext` (learner, store) while it does;
* on their own, in JupyterLab, Voilà or a notebook test. Then the context comes from the
  request: a valid learner token in the URL saves to the store; without one the page is a
  preview that says plainly that nothing is saved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

import ipywidgets as w

from .activities import ActivityView, SaveFailed, Submission, build_view
from .content import Course, cached_course
from .escape import escape_text
from .looks import html, vbox

SavedListener = Callable[[str, Submission], None]


@dataclass
class PageContext:
    """Everything a part's cells need: the course, and where answers go (or why not)."""

    course: Course
    store: object | None = None  # a widgets.store.ResponseStore
    learner: object | None = None  # a widgets.store.LearnerInfo
    preview_reason: str | None = None
    listeners: list[SavedListener] = field(default_factory=list)
    answers_hidden: bool = False  # a facilitator is holding the answers back
    views: list[ActivityView] = field(default_factory=list)  # built so far, for live changes
    # the learner's submissions per activity, read in one query for a part (see prefetch)
    _prefetched: dict[str, list[Submission]] = field(default_factory=dict)

    def prefetch(self, activity_ids: list[str]) -> None:
        """Read the learner's submissions to every one of ``activity_ids`` in one query, for
        the activities about to be built (one store round trip per part, not one each)."""
        if self.store is None or self.learner is None or not activity_ids:
            return
        found: dict[str, list[Submission]] = {i: [] for i in activity_ids}
        for submission in self.store.submissions(self.learner.id, activity_ids=activity_ids):
            found[submission.activity_id].append(submission)
        self._prefetched.update(found)

    def _submissions(self, activity_id: str) -> list[Submission]:
        """The learner's submissions to one activity: prefetched (once) or read now."""
        if activity_id in self._prefetched:
            return self._prefetched.pop(activity_id)
        return self.store.submissions(self.learner.id, activity_id)

    def hide_answers(self, hidden: bool) -> None:
        """Hold back (or reveal) the answers on every activity built so far and from now on."""
        self.answers_hidden = hidden
        for view in self.views:
            if view.supports_hidden_answers:
                view.reveal_answers = not hidden

    def sources_text(self, keys: list[str]) -> str:
        return "; ".join(short_citation(self.course.references[k].citation) for k in keys)

    def seed_for(self, activity_id: str) -> int:
        """Each learner gets their own, stable order of items."""
        who = getattr(self.learner, "token", "preview")
        digest = hashlib.sha256(f"{who}:{activity_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big")

    def build(self, activity_id: str) -> ActivityView:
        """The activity's widget, restored from earlier answers and wired to the store."""
        content = self.course.activity(activity_id)
        module = self.course.module_of(activity_id)
        view = build_view(content, seed=self.seed_for(activity_id), sources_text=self.sources_text)
        self.views.append(view)
        if view.supports_hidden_answers and self.answers_hidden:
            view.reveal_answers = False
        if self.store is None or self.learner is None:
            reason = self.preview_reason or "this page is a preview"

            def refuse(_submission: Submission) -> None:
                raise SaveFailed(reason)

            view.on_submit(refuse)
            return view
        compare_with = getattr(content, "compare_with", None)
        if compare_with:  # a post self-assessment shows the change from the learner's pre one
            from .activities.self_assessment import latest_ratings

            view.set_baseline(latest_ratings(self._submissions(compare_with)))
        view.restore(self._submissions(activity_id))

        def save(submission: Submission) -> None:
            saved = self.store.save(self.learner, module.slug, content.part, submission)
            for listener in list(self.listeners):
                listener(activity_id, saved)

        view.on_submit(save)
        return view


def short_citation(citation: str) -> str:
    """``Whitmore, J. (1995). Coaching…`` -> ``Whitmore, J. (1995)``: enough to find it below."""
    cut = citation.find(")")
    return citation[: cut + 1] if 0 < cut < 120 else citation[:120]


_current: ContextVar[PageContext | None] = ContextVar("course_page_context", default=None)


@contextmanager
def using(context: PageContext) -> Iterator[PageContext]:
    """Run a part's cells with ``context`` (the course app does this)."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@lru_cache(maxsize=1)
def standalone_context() -> PageContext:
    """The context of a module notebook opened on its own (not through the course app)."""
    from .identity import request_identity

    course = cached_course()
    ident = request_identity()
    if not ident.token and not ident.hub_user:
        return PageContext(
            course,
            preview_reason="this page was opened on its own, outside the course home, so it is "
            "only a preview. Open the course home page to save your work",
        )
    from .store import ResponseStore, StoreError

    try:
        store = ResponseStore()
        store.check_ready()
        if ident.hub_user:
            learner = store.learner_for_hub_user(ident.hub_user)
        else:
            learner = store.learner_by_token(ident.token)
    except StoreError as exc:
        return PageContext(course, preview_reason=f"the course database is unavailable ({exc})")
    if learner is None:
        return PageContext(
            course,
            preview_reason="the resume code in this page's address was not recognised. Open "
            "the course home page to start or resume",
        )
    return PageContext(course, store=store, learner=learner)


def current_context() -> PageContext:
    return _current.get() or standalone_context()


def activity(activity_id: str) -> ActivityView:
    """Show one activity from ``data/`` (the only thing a notebook's code cell needs)."""
    context = current_context()
    view = context.build(activity_id)
    if context.preview_reason:
        note = html(
            f"<p class='course-preview-note' role='note'>Preview: answers here are not saved "
            f"because {escape_text(context.preview_reason)}.</p>"
        )
        return vbox([note, view])
    return view


def references(*keys: str) -> w.HTML:
    """The reference list for a part, from ``data/references.yaml``."""
    course = current_context().course
    unknown = [k for k in keys if k not in course.references]
    if unknown:
        raise KeyError(f"unknown reference key(s) {unknown}: add them to data/references.yaml")
    rows = []
    for key in keys:
        ref = course.references[key]
        link = ""
        if ref.url:
            url = escape_text(ref.url)
            link = f" <a href='{url}' target='_blank' rel='noopener noreferrer'>{url}</a>"
        rows.append(f"<li>{escape_text(ref.citation)}{link}</li>")
    return html(
        "<section class='course-references' aria-label='References'>"
        f"<h2>References</h2><ul>{''.join(rows)}</ul></section>",
        "course-references-box",
    )

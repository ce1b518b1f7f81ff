"""The course app: home (join / resume, module map) and every part, in one kernel.

``course/index.ipynb`` calls :func:`preload` (imports and content, done while a preheated
kernel waits for its trainee) and then :func:`course_app`, which reads who the request is
for and returns the app widget.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlencode

import ipywidgets as w

from .. import guessing
from ..activities import import_all
from ..activities.live_status import LiveStatus
from ..content import Course, cached_course
from ..content.models import PART_NAMES
from ..escape import escape_text
from ..front_end_code import code_sent_once
from ..identity import (
    RequestIdentity,
    format_token,
    normalise_session_code,
    request_identity,
)
from ..live.pacing import Pacing
from ..live.poll import Poller
from ..looks import action_button, button_row, hbox, html, text_field, vbox
from ..page import PageContext, using
from ..store import ResponseStore, SessionInfo, StoreError, UnknownSession
from .notebook_parts import build_part, preload_parts, read_cells, title_of
from .part_frame import PartFrame
from .progress import PART_LABELS, STATE_WORDS, course_progress, next_part
from .url_state import UrlState

log = logging.getLogger(__name__)

MAX_NAME = 60
PACING_POLL_SECONDS = 1.0  # a facilitator's lock or reveal reaches the page within ~1 s


def default_course_dir() -> Path:
    env = os.environ.get("COURSE_NOTEBOOK_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "course"


def preload(course_dir: Path | None = None) -> None:
    """Do every learner-independent piece of work before a trainee arrives: parse the
    content, import every activity module and the learning record, read every part notebook
    and render its Markdown. Called once per kernel, or once in the template kernels are
    forked from; it creates no widget (there may be no kernel yet)."""
    course = cached_course()
    import_all()
    from .. import record  # noqa: F401 - the learning record, built on the download button
    from . import download  # noqa: F401

    preload_parts(course_dir or default_course_dir(), [m.slug for m in course.modules])


class CourseApp(w.VBox):
    """The whole trainee-facing course as one widget tree."""

    def __init__(
        self,
        course: Course,
        store: ResponseStore | None,
        identity: RequestIdentity,
        course_dir: Path | None = None,
        store_problem: str | None = None,
    ):
        self.course = course
        self.store = store
        self.course_dir = course_dir or default_course_dir()
        self.learner = None
        self.url = UrlState()
        self.banner = html()
        self.view = vbox((), "course-view")
        self.status = LiveStatus()
        self._parts_cache: dict[tuple[str, str], w.VBox] = {}
        self._context: PageContext | None = None
        self.pacing = Pacing()
        self._session: SessionInfo | None = None  # the learner's session, if they joined one
        self._where: tuple[str, str] | None = None  # the part on screen (None: home)
        self.pacing_poller = Poller(self.follow_pacing, interval=PACING_POLL_SECONDS)
        self.frame = PartFrame(self.show_part, self.show_home)
        super().__init__([self.url, self.banner, self.view, self.status])
        self.add_class("course-app")
        self.url.observe(self._on_address_change, names="query")
        if store_problem:
            self._show_problem(store_problem)
        else:
            self._start(identity)

    # -- identity ------------------------------------------------------------------

    def _start(self, identity: RequestIdentity) -> None:
        if identity.hub_user:
            self._sign_in(self.store.learner_for_hub_user(identity.hub_user))
            if identity.raw_session_code:  # a facilitator's join link, opened through the hub
                self.join_live_session(identity.raw_session_code)
                return
        elif identity.token:
            learner = self.store.learner_by_token(identity.token)
            if learner is None:
                self._go_home_with(
                    "That resume code was not recognised, so we could not bring back your work. "
                    "Check it against the one you noted (it has 12 letters and digits), or start "
                    "afresh below.",
                    identity,
                )
                return
            self._sign_in(learner)
            if identity.raw_session_code:
                self.join_live_session(identity.raw_session_code)
                return
        elif identity.token_was_bad:
            self._go_home_with(
                "The address had a resume code in the wrong format, so we could not bring back "
                "your work. Type your code in the Resume box below, or start afresh.",
                identity,
            )
            return
        if (
            self.learner
            and identity.module
            and identity.part
            and self._part_exists(identity.module, identity.part)
        ):
            self.show_part(identity.module, identity.part)
        else:
            self.show_home(identity=identity)  # a join link's ?code= fills in the session code

    def _sign_in(self, learner) -> None:
        self.learner = learner
        self.store.touch(learner.id)
        self._context = PageContext(self.course, store=self.store, learner=learner)
        self._parts_cache.clear()
        self.pacing_poller.stop()
        self.pacing = Pacing()
        session = self.store.session_by_code(learner.session_code) if learner.session_code else None
        self._session = session
        if session is not None:
            self._apply_pacing(self._read_pacing(), redraw=False)
            self.pacing_poller.start()

    # -- a live session's pacing (locks, hidden answers), polled from the store -----------

    @property
    def _session_id(self) -> int | None:
        return self._session.id if self._session is not None else None

    @property
    def _live_title(self) -> str | None:
        """The title of the learner's session while it runs (None: alone, or it has ended)."""
        live = self._session is not None and self._session.is_live
        return self._session.title if live else None

    def _read_pacing(self) -> Pacing:
        return Pacing.from_settings(self.store.session_settings(self._session_id)).live

    def follow_pacing(self) -> None:
        """Pick up the facilitator's latest pacing (the poller calls this every second)."""
        if self._session_id is None:
            return
        pacing = self._read_pacing()
        if pacing != self.pacing:
            self._apply_pacing(pacing)

    def _apply_pacing(self, pacing: Pacing, redraw: bool = True) -> None:
        before = self.pacing
        self.pacing = pacing
        if self._context is not None:
            self._context.hide_answers(pacing.answers_hidden)
        if not redraw:
            return
        if before.answers_hidden and not pacing.answers_hidden:
            self.status.say("Your facilitator has revealed the answers.")
        if self._where is not None:
            module, part = self._where
            if pacing.is_locked(module, part):
                self.show_home(
                    message=f"Your facilitator has paused “{self._part_name(module, part)}” "
                    "for now. It will open again when they unlock it; your work is saved.",
                    push=True,
                )
        elif (before.locked, before.gather) != (pacing.locked, pacing.gather) and self.learner:
            self.show_home(push=False)  # the map's locks and "the group is on" line change
        target = pacing.newly_gathered(before)
        if target is not None and self.learner is not None and self._can_open(*target):
            said = (
                f"Your facilitator has brought the group to {self._gather_name(*target)}. "
                "Anything you saved elsewhere is kept."
            )
            if self._where != target:
                self.show_part(*target, notice=said)
            self.status.say(said)

    def _can_open(self, module: str, part: str) -> bool:
        return self._part_exists(module, part) and not self.pacing.is_locked(module, part)

    def _gather_name(self, module: str, part: str) -> str:
        entry = self.course.module(module).entry
        return f"{PART_LABELS[part]} of Module {entry.number}, “{entry.title}”"

    def _part_name(self, module: str, part: str) -> str:
        """What is locked, in words: the whole module if that is what the facilitator locked."""
        entry = self.course.module(module).entry
        if module in self.pacing.locked:
            return f"Module {entry.number}: {entry.title}"
        return f"{PART_LABELS[part]} of {entry.title}"

    def _go_home_with(self, message: str, identity: RequestIdentity | None = None) -> None:
        self.learner = None
        self.show_home(message=message, identity=identity)

    def _address(self, module: str | None = None, part: str | None = None) -> str:
        params: dict[str, str] = {}
        if self.learner is not None and not self.learner.hub_user:
            params["learner"] = self.learner.token
        if module and part:
            params.update(module=module, part=part)
        return urlencode(params)

    def _show(
        self,
        children: list,
        title: str,
        module: str | None = None,
        part: str | None = None,
        push: bool = True,
    ) -> None:
        """Swap the view. The address changes first, so a refresh straight after keeps the
        learner; focus moves to the new heading last, once it exists."""
        self._where = (module, part) if module and part else None
        with self.url.hold_sync():  # address and title in one message
            if push:
                self._suppress_address = True
                self.url.query = self._address(module, part)
                self._suppress_address = False
            self.url.title = f"{title} · {self.course.info.title}"
        self.view.children = children
        self.url.navigation += 1

    def _on_address_change(self, change) -> None:
        """Back/forward in the browser: go where the address now says."""
        if getattr(self, "_suppress_address", False):
            return
        from ..identity import parse_query

        wanted = parse_query(change["new"])
        if (
            self.learner
            and wanted.module
            and wanted.part
            and self._part_exists(wanted.module, wanted.part)
        ):
            self.show_part(wanted.module, wanted.part, push=False)
        else:
            self.show_home(push=False)

    # -- views -----------------------------------------------------------------------

    def _show_problem(self, message: str) -> None:
        self.view.children = [
            html(
                "<h1>The course cannot open right now</h1>"
                f"<p class='course-error' role='alert'>{escape_text(message)}</p>"
            )
        ]

    def show_home(
        self, message: str | None = None, identity: RequestIdentity | None = None, push: bool = True
    ) -> None:
        info = self.course.info
        header = html(
            f"<h1>{escape_text(info.title)}</h1>"
            + (
                f"<p class='course-subtitle'>{escape_text(info.subtitle)}</p>"
                if info.subtitle
                else ""
            )
        )
        rows: list[w.Widget] = [header]
        if message:
            alert = html(f"<p class='course-alert' role='alert'>{escape_text(message)}</p>")
            rows.append(alert)
        with code_sent_once():  # status lines and the record button: their code once
            rows += self._join_form(identity) if self.learner is None else self._module_map()
        self._show(rows, "Home", push=push)

    def _join_form(self, identity: RequestIdentity | None) -> list[w.Widget]:
        intro = html(
            "<p>This course helps teachers and school leaders coach and mentor colleagues. "
            "Each module has three parts: <strong>theory</strong> to read, <strong>practice</strong> "
            "with activities, and <strong>review</strong> to reflect. You need no account.</p>"
        )
        name = text_field("Your name", "Optional, e.g. Sam", "course-join-name")
        code = text_field("Session code", "Optional, e.g. KX7P2M", "course-join-code")
        if identity and identity.raw_session_code:
            code.value = identity.raw_session_code[:12]
        start = action_button("Start the course", "course-join-start", "primary")
        join_status = LiveStatus()
        start.on_click(lambda _b: self.join(name.value, code.value, join_status))
        join_box = vbox(
            [
                html(
                    "<h2>Start</h2><p>Your name is optional and only shown to a facilitator "
                    "if you join a live session. Leave the session code empty to work on your own.</p>"
                ),
                name,
                code,
                start,
                join_status,
            ],
            "course-card",
        )
        resume_code = text_field("Resume code", "e.g. ABCD-EFGH-JKMN", "course-resume-code")
        resume = action_button("Resume", "course-resume-button")
        resume_status = LiveStatus()
        resume.on_click(
            lambda _b: self.resume(resume_code.value, resume_status, session_code=code.value)
        )
        resume_box = vbox(
            [
                html(
                    "<h2>Come back to your work</h2><p>Type the resume code you were given, "
                    "or open the link you bookmarked.</p>"
                ),
                resume_code,
                resume,
                resume_status,
            ],
            "course-card",
        )
        return [intro, join_box, resume_box]

    def join(
        self, display_name: str = "", session_code: str = "", status: LiveStatus | None = None
    ) -> bool:
        """Create a learner (the Start button) and open the module map."""
        status = status or self.status
        display_name = (display_name or "").strip()
        if len(display_name) > MAX_NAME:
            status.say(
                f"That name is {len(display_name)} characters long; please keep it to "
                f"{MAX_NAME} or fewer.",
                tone="error",
            )
            return False
        if session_code and (wait := guessing.wait_before_try(guessing.JOIN_CODE)):
            status.say(self._too_many_codes(wait), tone="error")
            return False
        try:
            learner = self.store.create_learner(
                display_name=display_name or None, session_code=(session_code or "").strip() or None
            )
        except UnknownSession:
            guessing.record_failure(guessing.JOIN_CODE)
            status.say(
                f"There is no live session with the code “{session_code.strip()}”. Check the "
                "code on the screen, or leave the box empty to work on your own.",
                tone="error",
            )
            return False
        except (StoreError, ValueError) as exc:
            status.say(f"Could not start: {exc}. Please try again.", tone="error")
            return False
        self._sign_in(learner)
        self.show_home()
        return True

    def resume(self, code: str, status: LiveStatus | None = None, session_code: str = "") -> bool:
        """Find a learner by resume code (the Resume button); join ``session_code`` too, if
        the Session code box above was filled in (a trainee coming back for a live session)."""
        status = status or self.status
        learner = self.store.learner_by_token(code or "")
        if learner is None:
            status.say(
                "That code was not recognised. It has 12 letters and digits, like "
                "ABCD-EFGH-JKMN; check it and try again.",
                tone="error",
            )
            return False
        self._sign_in(learner)
        if (session_code or "").strip():
            self.join_live_session(session_code)
        else:
            self.show_home()
        return True

    @staticmethod
    def _too_many_codes(wait: float) -> str:
        return (
            "Too many codes that match no session have been tried from here. Wait "
            f"{guessing.try_again_in(wait)}, then check the code on the screen and try again."
        )

    def join_live_session(self, code: str, status: LiveStatus | None = None) -> bool:
        """Put the signed-in learner into the live session ``code`` and show the map, saying
        what happened (an unknown or ended code is explained, and nothing changes)."""
        code = (code or "").strip()
        already = self.learner.session_code == normalise_session_code(code)
        if already and self.learner.session_code and self._live_title is not None:
            self.show_home(message=f"You are already in the live session “{self._live_title}”.")
            return True
        wait = guessing.wait_before_try(guessing.JOIN_CODE)
        if wait:
            (status or self.status).say(self._too_many_codes(wait), tone="error")
            return False
        try:
            learner = self.store.join_session(self.learner.id, code)
        except UnknownSession:
            guessing.record_failure(guessing.JOIN_CODE)
            said = (
                f"There is no live session with the code “{code[:12]}” (it may have ended). "
                "Check the code on the screen; your work so far is unchanged."
            )
            if status is not None:
                status.say(said, tone="error")
            else:
                self.show_home(message=said)
            return False
        except (StoreError, ValueError) as exc:
            (status or self.status).say(f"Could not join: {exc}. Please try again.", tone="error")
            return False
        self._sign_in(learner)
        self.show_home(
            message=f"You have joined the live session “{self._live_title}”. Your "
            "facilitator now sees which part you are on and your answers to the activities."
        )
        return True

    def _module_map(self) -> list[w.Widget]:
        progress = course_progress(
            self.course,
            self.store.completed_activities(self.learner.id),
            self.store.visits(self.learner.id),
        )
        total = sum(len(m.parts) for m in progress)
        done = sum(m.done_parts for m in progress)
        percent = round(100 * done / total) if total else 0
        who = escape_text(self.learner.display_name) if self.learner.display_name else "there"
        token_line = ""
        if not self.learner.hub_user:
            token_line = (
                "<p class='course-resume'>Your resume code is "
                f"<strong class='course-token'>{format_token(self.learner.token)}</strong>. "
                "Note it down or bookmark this page to carry on later, on any device.</p>"
            )
        summary = html(
            f"<p class='course-greeting'>Hello {who}.</p>{token_line}"
            f"<div class='course-progress' role='progressbar' aria-valuemin='0' aria-valuemax='{total}' "
            f"aria-valuenow='{done}' aria-label='Course progress'>"
            f"<div class='course-progress-bar' style='width:{percent}%'></div></div>"
            f"<p class='course-progress-text'>{done} of {total} parts done ({percent}%).</p>"
        )
        rows: list[w.Widget] = [summary]
        gathered = self.pacing.gathered_at
        if gathered is not None and self._can_open(*gathered):
            go_there = action_button("Go there", "course-gather-go", "primary")
            go_there.on_click(lambda _b, g=gathered: self.show_part(*g))
            group = vbox(
                [
                    html(
                        "<p class='course-gather-text'><strong>Your group is working on "
                        f"{escape_text(self._gather_name(*gathered))}.</strong></p>"
                    ),
                    button_row([go_there]),
                ],
                "course-gather",
            )
            rows.append(group)
        upcoming = next_part(progress, self.pacing.is_locked)
        if upcoming is not None:
            module_title = self.course.module(upcoming.module).entry.title
            go = action_button(
                f"Continue: {upcoming.label} of “{module_title}”", "course-continue", "primary"
            )
            go.on_click(lambda _b, p=upcoming: self.show_part(p.module, p.part))
            rows.append(go)
        session_card = self._live_session_card()
        if self._live_title is not None:
            rows.append(session_card)  # which session: a line near the top
        consent = self._consent_card()
        if self.learner.research_consent is None:
            rows.append(consent)  # asked once, plainly, before the modules
        rows.append(html("<h2>Modules</h2>"))
        for module in progress:
            card_rows: list[w.Widget] = [
                html(
                    f"<h3>Module {module.number}: {escape_text(module.title)}</h3>"
                    f"<p>{escape_text(module.summary)} <span class='course-minutes'>About {module.minutes} minutes.</span></p>"
                )
            ]
            buttons = []
            for part in module.parts:
                locked = self.pacing.is_locked(part.module, part.part)
                mark = {"done": "✔ ", "started": "◐ ", "new": ""}[part.state]
                said = "locked by your facilitator" if locked else STATE_WORDS[part.state]
                button = action_button(
                    f"{'' if locked else mark}{part.label}: {said}",
                    f"course-part-{part.part}",
                    "success" if part.state == "done" and not locked else "",
                    extra_classes=[
                        "course-part-button",
                        f"course-state-{part.state}",
                        *(["course-locked"] if locked else []),
                    ],
                    disabled=locked,
                )
                button.on_click(lambda _b, p=part: self.show_part(p.module, p.part))
                buttons.append(button)
            card_rows.append(button_row(buttons))
            card = vbox(
                card_rows, "course-card", "course-module-card", f"course-module-{module.slug}"
            )
            rows.append(card)
        if self.learner.research_consent is not None:
            rows.append(consent)  # answered: still there to change, after the modules
        if self._live_title is None:
            rows.append(session_card)  # a box for a session code, out of a solo learner's way
        rows.append(self._record_card())
        return rows

    def _live_session_card(self) -> w.Widget:
        """In a live session: which one. Otherwise: a box for the code a facilitator shows."""
        if self._live_title is not None:
            return html(
                "<p class='course-session-line'>You are in the live session "
                f"“{escape_text(self._live_title)}”.</p>",
                "course-in-session",
            )
        field = text_field("Session code", "e.g. KX7P2M", "course-session-code")
        join = action_button("Join the session", "course-session-join")
        status = LiveStatus()
        join.on_click(lambda _b: self.join_live_session(field.value, status))
        card = vbox(
            [
                html(
                    "<h2>Joining a live session?</h2><p>Type the code your facilitator shows. "
                    "Your work so far stays yours and carries on where it is.</p>"
                ),
                hbox([field, join], flex_flow="row wrap"),
                status,
            ],
            "course-card",
            "course-session-card",
        )
        return card

    # -- the learner's own record (a download; nothing is written on the server) -----------

    def _record_card(self) -> w.Widget:
        from .download import DownloadButton

        button = DownloadButton(
            lambda: self.learning_record(),
            label="Download my learning record",
            filename="learning-record.html",
            _dom_classes=("course-record-download",),
        )
        card = vbox(
            [
                html(
                    "<h2>Your learning record</h2><p>A page to keep, print or share with your "
                    "mentor: the parts you have completed, your reflections and answers, your "
                    "action plan, how your self-ratings changed and the sources cited, made from "
                    "what you have saved when you press the button.</p>"
                ),
                button,
            ],
            "course-card",
            "course-record",
        )
        return card

    def learning_record(self) -> str:
        """The signed-in learner's learning record, as a self-contained HTML page."""
        from ..record import learning_record_html

        progress = course_progress(
            self.course,
            self.store.completed_activities(self.learner.id),
            self.store.visits(self.learner.id),
        )
        return learning_record_html(
            self.course,
            self.store.submissions(self.learner.id),
            display_name=self.learner.display_name,
            parts_done=[(p.module, p.part) for m in progress for p in m.parts if p.state == "done"],
        )

    def _consent_card(self) -> w.Widget:
        answer = self.learner.research_consent
        explain = (
            "People who study teacher training (and your school's professional-development "
            "lead) may look at how trainees answer the activities, to improve the course. If "
            "you agree, your answers are included <strong>without your name or resume code</strong>; "
            "written reflections are left out unless a study asks for them specifically. "
            "Your choice makes no difference to the course, and you can change it here at any time."
        )
        if answer is None:
            head = "<h2>May your answers be used for research?</h2>"
            buttons = [
                action_button("Yes, include my answers", "course-consent-yes", "primary"),
                action_button("No, leave my answers out", "course-consent-no"),
            ]
        else:
            now = (
                "You agreed that your answers may be used, without your name."
                if answer
                else "You chose to keep your answers out of research."
            )
            head = f"<h2>Research</h2><p class='course-consent-now'><strong>{now}</strong></p>"
            buttons = [
                action_button(
                    "Leave my answers out instead" if answer else "Include my answers instead",
                    "course-consent-no" if answer else "course-consent-yes",
                )
            ]
        for button in buttons:
            value = "course-consent-yes" in button._dom_classes
            button.on_click(lambda _b, v=value: self.set_consent(v))
        card = vbox(
            [html(f"{head}<p>{explain}</p>"), button_row(buttons)], "course-card", "course-consent"
        )
        return card

    def set_consent(self, value: bool) -> None:
        """Record the trainee's research-consent answer and redraw the map."""
        try:
            self.learner = self.store.set_research_consent(self.learner.id, value)
        except StoreError as exc:
            self.status.say(f"Your choice was not saved: {exc}. Please try again.", tone="error")
            return
        self.show_home(push=False)

    def _part_exists(self, module: str, part: str) -> bool:
        return (
            part in PART_NAMES
            and any(m.slug == module for m in self.course.modules)
            and self._part_path(module, part).exists()
        )

    def _part_path(self, module: str, part: str) -> Path:
        return self.course_dir / module / f"{part}.ipynb"

    def show_part(
        self, module: str, part: str, push: bool = True, notice: str | None = None
    ) -> None:
        """Render one part of a module from its notebook, inside this kernel (``notice``: a
        line above it saying why the trainee is here, e.g. their facilitator brought them)."""
        if self.learner is None:
            self._go_home_with("Start or resume first; then your work can be saved.")
            return
        if not self._part_exists(module, part):
            self.show_home(
                message="That part of the course does not exist; here is the module map."
            )
            return
        if self.pacing.is_locked(module, part):
            self.show_home(
                message=f"“{self._part_name(module, part)}” is locked by your facilitator for "
                "now. It will open when they unlock it."
            )
            return
        key = (module, part)
        if key not in self._parts_cache:
            with using(self._context), code_sent_once():
                self._context.prefetch(self._activity_ids(module, part))
                body = vbox(build_part(self._part_path(module, part)), "course-part-body")
            self._parts_cache[key] = body
        entry = self.course.module(module).entry
        title = title_of(read_cells(self._part_path(module, part)), PART_LABELS[part])
        self.frame.show(module, part, entry.number, entry.title)
        children = [self.frame.nav, self._parts_cache[key], self.frame.footer]
        if notice:
            note = html(f"<p class='course-notice'>{escape_text(notice)}</p>")
            children.insert(1, note)
        self._show(children, f"{entry.title}: {title}", module, part, push=push)
        # after the part is on its way to the page: a visit only marks the part "started"
        try:
            self.store.record_visit(self.learner.id, module, part)
        except StoreError:
            log.exception("could not record a visit to %s/%s", module, part)

    def _activity_ids(self, module: str, part: str) -> list[str]:
        """The activities of a part and any earlier ones they compare with (one query)."""
        ids = []
        for content in self.course.module(module).activities_in(part):
            ids.append(content.id)
            compare_with = getattr(content, "compare_with", None)
            if compare_with:
                ids.append(compare_with)
        return ids


def course_app(course_dir: Path | None = None) -> CourseApp:
    """Build the app for the request this kernel serves (blocks until it arrives if preheated)."""
    identity = request_identity()
    course = cached_course()
    try:
        store = ResponseStore()
        store.check_ready()
    except StoreError as exc:
        return CourseApp(course, None, identity, course_dir, store_problem=str(exc))
    return CourseApp(course, store, identity, course_dir)

"""The facilitator's pages: key prompt, session, live dashboard and projector view.

``course/facilitator/dashboard.ipynb`` calls :func:`facilitator_app`; ``projector.ipynb`` calls
it with ``mode="projector"``, for a second screen. Nothing about a session (no code, name,
count or text) is built into the page before the right key is typed, and the key never goes
in the address. Everything reaches this kernel from the store, polled once a second; every
learner text is escaped before it is shown.
"""

from __future__ import annotations

import csv
import io
import os
import time
from dataclasses import dataclass
from functools import cache

import ipywidgets as w

from .. import guessing
from ..activities.live_status import LiveStatus
from ..app.download import DownloadButton
from ..app.progress import PART_LABELS
from ..app.shell import action_button
from ..content import Course, cached_course
from ..content.models import PART_NAMES
from ..escape import escape_text
from ..keys import facilitator_key, key_matches
from ..spreadsheet import spreadsheet_safe
from ..store import ResponseStore, SessionInfo, StoreError
from ..store.facade import ReflectionEntry, RosterEntry
from .aggregate import CHARTED_TYPES, ActivitySummary, latest_only, summarise
from .pacing import Pacing
from .poll import Poller

WRONG_KEY_DELAY = 1.5  # seconds; slows guessing to a crawl
POLL_SECONDS = 1.0
TITLE_MAX = 80
PROJECTOR_REFLECTIONS = 3  # the newest approved ones: what fits beside the chart
HUB_COURSE_PATH = "voila/render/index.ipynb"  # the course on a user's server (Spawner.default_url)


def join_link(code: str, environ: dict[str, str] | None = None) -> str:
    """The address trainees open to join: COURSE_PUBLIC_URL if set, else the address this
    page was opened at (Voilà passes the request's host and port to the kernel).

    Under JupyterHub every trainee has a server of their own, so the link goes through the
    hub's ``user-redirect``, which sends each person to the course on their own server."""
    env = os.environ if environ is None else environ
    base = env.get("COURSE_PUBLIC_URL", "").rstrip("/")
    if not base:
        host = env.get("SERVER_NAME") or "127.0.0.1"
        port = env.get("SERVER_PORT") or "8866"
        base = f"http://{host}" + ("" if port in ("80", "") else f":{port}")
    if env.get("JUPYTERHUB_SERVICE_PREFIX"):
        hub_base = "/" + env.get("JUPYTERHUB_BASE_URL", "/").strip("/")
        return f"{base}{hub_base.rstrip('/')}/hub/user-redirect/{HUB_COURSE_PATH}?code={code}"
    return f"{base}/?code={code}"


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as inline SVG (drawn in Python: no network, no image file).

    It carries a ``viewBox`` and no fixed width or height, so the page's CSS scales the whole
    code to the box it draws it in (a fixed 264 px SVG squeezed into 180 px was cropped to one
    finder square, and no phone could scan it). The quiet zone is the standard four modules."""
    import segno

    return segno.make(text, error="m").svg_inline(
        border=4, dark="#111", light="#fff", omitsize=True
    )


def who(entry_number: int, display_name: str | None, show_names: bool) -> str:
    """How a trainee is named on facilitator views (escaped HTML)."""
    if show_names and display_name:
        return escape_text(display_name)
    return f"Trainee {entry_number}"


def session_csv(store: ResponseStore, session: SessionInfo) -> str:
    """Every answer of the session as CSV: trainee number and name, activity, item, answer."""
    numbers = {e.learner_id: e for e in store.roster(session.id)}
    out = io.StringIO()
    columns = [
        "trainee", "name", "module", "part", "activity", "activity_type", "action", "attempt",
        "item", "response", "correct", "score", "max_score", "submitted_at",
    ]  # fmt: skip
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for row in store.session_answers(session.id):
        entry = numbers.get(row.pop("learner_id"))
        row["trainee"] = entry.number if entry else ""
        row["name"] = (entry.display_name or "") if entry else ""
        row["submitted_at"] = row["submitted_at"].isoformat()
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return out.getvalue()


def _checkbox(value: bool, description: str, css: str, changed=None) -> w.Checkbox:
    """A labelled checkbox (its label wraps, never under the next widget), calling
    ``changed(new value)`` when ticked or unticked if given."""
    box = w.Checkbox(
        value=value, description=description, indent=False, layout=w.Layout(width="auto")
    )
    box.add_class(css)
    if changed is not None:
        box.observe(lambda c: changed(c["new"]), names="value")
    return box


@cache
def _filled_figure_widget():
    """FigureWidget opens its comm before it copies its traces into the synced state, and the
    browser's view draws from that first state only (the later copy is ignored): a view drawn
    before the copy arrived showed bare axes from -1 to 6 and no bars. This one opens its
    comm when asked, once the state is whole (plotly is imported here, never on a trainee's
    page)."""
    import plotly.graph_objects as go

    class FilledFigureWidget(go.FigureWidget):
        _whole = False

        def open(self):
            if self._whole:
                super().open()

    return FilledFigureWidget


def _figure_widget(figure):
    """A live plotly figure of ``figure`` (its size comes from :mod:`.charts`), without
    plotly's toolbar, whose first state in the browser already holds its traces."""
    widget = _filled_figure_widget()(figure)
    widget._config = {"displayModeBar": False}  # zoom tools are noise here
    widget._whole = True
    widget.open()
    return widget


def _card(children: list, css: str) -> w.VBox:
    card = w.VBox(children)
    card.add_class("course-card")
    card.add_class(css)
    return card


@dataclass
class _Shown:
    """What the dashboard last drew, so a tick redraws only what changed."""

    roster: tuple = ()
    answered: tuple = ()
    chart: tuple = ()
    reflections: tuple = ()
    approved: tuple | None = ()
    pacing: Pacing | None = None


class FacilitatorApp(w.VBox):
    """Key prompt → sessions → dashboard (or projector view), in one widget tree."""

    def __init__(
        self,
        course: Course,
        store: ResponseStore,
        expected_key: str,
        mode: str = "dashboard",
        environ: dict[str, str] | None = None,
    ):
        self.course = course
        self.store = store
        self._expected_key = expected_key
        self.mode = mode
        self._environ = environ
        self.unlocked = False
        self.session: SessionInfo | None = None
        self.pacing = Pacing()
        self.roster: list[RosterEntry] = []
        self.view = w.VBox()
        self.status = LiveStatus()
        self.poller = Poller(self.refresh, interval=POLL_SECONDS)
        self._shown = _Shown()
        self._charts = {
            a.id: a for m in course.modules for a in m.file.activities if a.type in CHARTED_TYPES
        }
        self._titles = {a.id: a.title for m in course.modules for a in m.file.activities}
        super().__init__([self.view, self.status])
        self.add_class("course-app")
        self.add_class("facilitator-app")
        self.show_key_prompt()

    # -- the key --------------------------------------------------------------------------

    def show_key_prompt(self, message: str = "") -> None:
        heading = "Projector" if self.mode == "projector" else "Facilitator dashboard"
        self.key_field = w.Password(
            description="Facilitator key",
            continuous_update=False,  # the value arrives on Enter or on leaving the box
            style={"description_width": "9em"},
            layout=w.Layout(width="26em"),
        )
        self.key_field.add_class("facilitator-key")
        unlock = action_button("Unlock", "facilitator-unlock", "primary")
        # leaving the box for the button already sent (and tried) the key: try only what is new
        unlock.on_click(
            lambda _b: (
                self.key_field.value and not self.unlocked and self.unlock(self.key_field.value)
            )
        )
        self.key_field.observe(
            lambda c: c["new"] and not self.unlocked and self.unlock(c["new"]), names="value"
        )
        rows = [
            w.HTML(
                f"<h1>{heading}</h1><p>Type the facilitator key to run a live session. "
                "It was printed where the course was started (<code>course serve</code>), "
                "and is kept in <code>var/facilitator-key</code> on that machine.</p>"
            ),
            self.key_field,
            unlock,
        ]
        if message:
            rows.insert(
                1, w.HTML(f"<p class='course-alert' role='alert'>{escape_text(message)}</p>")
            )
        self.view.children = [_card(rows, "facilitator-lock")]

    def unlock(self, key: str) -> bool:
        """Open the sessions view if ``key`` is right; a wrong key waits, then is refused.

        Wrong keys are also counted by the server for every page opened from the same
        address (``widgets/guessing.py``): after a few, each further try must wait longer."""
        wait = guessing.wait_before_try(guessing.KEY, self._environ)
        if wait > 0:
            self.key_field.value = ""
            self.status.say(
                "Too many wrong keys have been tried from here. Wait "
                f"{guessing.try_again_in(wait)}, then type the key again.",
                tone="error",
            )
            return False
        if not key_matches(key, self._expected_key):
            guessing.record_failure(guessing.KEY, self._environ)
            time.sleep(WRONG_KEY_DELAY)
            self.key_field.value = ""
            self.status.say(
                "That key is not right. Check it against the one printed when the course "
                "was started, and try again.",
                tone="error",
            )
            return False
        self.unlocked = True
        self.key_field.value = ""  # the key leaves no trace in any widget's state
        self.status.say("Unlocked.", tone="ok")
        self.show_sessions()
        return True

    def _require_key(self) -> None:
        if not self.unlocked:
            raise PermissionError("the facilitator key has not been given")

    # -- choosing a session ---------------------------------------------------------------

    def show_sessions(self) -> None:
        self._require_key()
        self.poller.stop()
        title = w.Text(
            description="Title",
            placeholder="e.g. Staff training, 14 March",
            style={"description_width": "9em"},
            layout=w.Layout(width="34em"),
        )
        title.add_class("facilitator-title")
        names = _checkbox(
            False, "Show trainees' names (otherwise Trainee 1, 2, …)", "facilitator-show-names"
        )
        create = action_button("Start a live session", "facilitator-create", "primary")
        create.on_click(lambda _b: self.create_session(title.value, names.value))
        rows: list[w.Widget] = [
            w.HTML("<h1>Live sessions</h1>"),
            _card([w.HTML("<h2>New session</h2>"), title, names, create], "facilitator-new"),
        ]
        live = [s for s in self.store.recent_sessions() if s.is_live]
        if live:
            buttons = []
            for session in live:
                button = action_button(
                    f"Open {session.code}: {session.title}"[:90], "facilitator-open-session"
                )
                button.on_click(lambda _b, s=session: self.open_session(s))
                buttons.append(button)
            rows.append(
                _card([w.HTML("<h2>Sessions still running</h2>"), *buttons], "facilitator-running")
            )
        self.view.children = rows

    def create_session(self, title: str, show_names: bool = False) -> SessionInfo | None:
        self._require_key()
        title = (title or "").strip() or "Live session"
        if len(title) > TITLE_MAX:
            self.status.say(
                f"Please keep the title to {TITLE_MAX} characters or fewer.", tone="error"
            )
            return None
        try:
            session = self.store.create_session(
                title, Pacing(show_names=bool(show_names)).to_settings()
            )
        except StoreError as exc:
            self.status.say(f"The session was not created: {exc}. Please try again.", tone="error")
            return None
        self.open_session(session)
        return session

    def open_session(self, session: SessionInfo) -> None:
        self._require_key()
        self.session = session
        self.pacing = Pacing.from_settings(session.settings)
        self._shown = _Shown()
        self.chart_activity = self.pacing.projector_activity or next(iter(self._charts), None)
        self._picked_by_hand = False  # until the facilitator picks, the chart follows answers
        if self.mode == "projector":
            self._build_projector()
        else:
            self._build_dashboard()
        self.refresh()
        self.poller.start()

    # -- the dashboard --------------------------------------------------------------------

    def _build_dashboard(self) -> None:
        session = self.session
        link = join_link(session.code, self._environ)
        self.join_card = _card(
            [
                w.HTML(
                    "<div class='live-join'>"
                    f"<div><p class='live-join-label'>Join at <strong>{escape_text(link)}</strong> "
                    "with the code</p>"
                    f"<p class='live-code' aria-label='Session code'>{escape_text(session.code)}</p>"
                    f"<p>{escape_text(session.title)}</p></div>"
                    f"<div class='live-qr' role='img' aria-label='QR code of the join link'>{qr_svg(link)}</div>"
                    "</div>"
                )
            ],
            "facilitator-join",
        )
        projector = action_button("Projector view", "facilitator-projector", "info")
        projector.on_click(lambda _b: self._switch("projector"))
        download = self._csv_download()
        end = action_button("End session…", "facilitator-end")
        end.on_click(lambda _b: self.ask_to_end())
        back = action_button("All sessions", "facilitator-all-sessions")
        back.on_click(lambda _b: self.show_sessions())
        actions = w.HBox([projector, download, end, back], layout=w.Layout(flex_flow="row wrap"))
        self.end_question = w.VBox()  # filled when End session is pressed

        self.roster_html = w.HTML()
        self.roster_html.add_class("facilitator-roster")
        self.pacing_box = w.VBox()
        self.activity_picker = w.Dropdown(
            description="Activity",
            style={"description_width": "6em"},
            layout=w.Layout(width="40em"),
        )
        self.activity_picker.add_class("facilitator-activity")
        self.activity_picker.observe(self._picked, names="value")
        on_projector = action_button("Show this on the projector", "facilitator-to-projector")
        on_projector.on_click(lambda _b: self.set_pacing(projector_activity=self.chart_activity))
        self.chart = self._new_chart()
        self.chart_table = w.HTML()
        self.chart_table.add_class("facilitator-chart-table")
        self.reflection_box = w.VBox()
        self.reflection_box.add_class("facilitator-reflections")
        self.view.children = [
            w.HTML(f"<h1>Live session: {escape_text(session.title)}</h1>"),
            actions,
            self.end_question,
            self.join_card,
            _card([w.HTML("<h2>Who is here</h2>"), self.roster_html], "facilitator-who"),
            _card([w.HTML("<h2>Pacing</h2>"), self.pacing_box], "facilitator-pacing"),
            _card(
                [
                    w.HTML("<h2>The class's answers</h2>"),
                    w.HBox(
                        [self.activity_picker, on_projector], layout=w.Layout(flex_flow="row wrap")
                    ),
                    self.chart,
                    self.chart_table,
                ],
                "facilitator-answers",
            ),
            _card(
                [
                    w.HTML(
                        "<h2>Reflections</h2><p>Approve a reflection to show it on the projector, "
                        "without a name. Nothing you have not approved is shown there.</p>"
                    ),
                    self.reflection_box,
                ],
                "facilitator-reflections-card",
            ),
        ]
        self._draw_pacing()

    def _new_chart(self) -> w.Widget:
        """The chart's box: a line of text until there are answers to draw (an empty plotly
        figure showed bare axes from −1 to 6)."""
        box = w.Box([w.HTML("<p class='live-no-answers'>No answers yet.</p>")])
        box.add_class("facilitator-chart")
        self._figure = None
        self._figure_shape: str | None = None  # the activity whose figure is drawn
        return box

    def _csv_download(self) -> DownloadButton:
        """The session's responses as CSV, built when pressed (so always up to date)."""
        session = self.session
        button = DownloadButton(
            lambda: session_csv(self.store, session),
            label="Download responses (CSV)",
            filename=f"session-{session.code}.csv",
            mime="text/csv",
        )
        button.add_class("facilitator-download")
        return button

    def _switch(self, mode: str) -> None:
        self.mode = mode
        self.open_session(self.session)

    def _picked(self, change) -> None:
        if change["new"] and not getattr(self, "_relabelling", False):
            self._picked_by_hand = True
            self.chart_activity = change["new"]
            self._shown.chart = ()
            self._draw_chart()

    # pacing controls: a checkbox per module and per part, and the answers switch

    def _draw_pacing(self) -> None:
        pacing = self.pacing
        hide = _checkbox(
            pacing.answers_hidden,
            "Hide answers: trainees submit, and see the solution when you reveal it",
            "facilitator-hide-answers",
            lambda v: self.set_pacing(answers_hidden=v),
        )
        names = _checkbox(
            pacing.show_names,
            "Show trainees' names here (never on the projector)",
            "facilitator-names",
            lambda v: self.set_pacing(show_names=v),
        )
        rows: list[w.Widget] = [hide, names, *self._gather_controls()]
        rows.append(w.HTML("<h3>Lock modules and parts</h3>"))
        for module in self.course.modules:
            entry = module.entry
            name = w.HTML(f"Module {entry.number}: {escape_text(entry.title)}")
            name.add_class("facilitator-module-name")
            whole = _checkbox(
                entry.slug in pacing.locked,
                "Whole module",
                f"facilitator-lock-{entry.slug}",
                lambda v, m=entry.slug: self.lock(m, None, v),
            )
            parts = [
                _checkbox(
                    f"{entry.slug}/{part}" in pacing.locked,
                    PART_LABELS[part],
                    f"facilitator-lock-{entry.slug}-{part}",
                    lambda v, m=entry.slug, p=part: self.lock(m, p, v),
                )
                for part in PART_NAMES
            ]
            row = w.HBox([name, whole, *parts], layout=w.Layout(flex_flow="row wrap"))
            row.add_class("facilitator-lock-row")
            rows.append(row)
        rows.append(
            w.HTML(
                "<p class='course-minutes'>Ticked means locked. Trainees see a locked part on "
                "their map and cannot open it; anyone inside it goes back to the map, with "
                "their work saved.</p>"
            )
        )
        self.pacing_box.children = rows

    def _gather_controls(self) -> list[w.Widget]:
        """Bring everyone to one part now; trainees arriving later get a "Go there" button."""
        options = [
            (f"Module {m.entry.number} {PART_LABELS[part]}: {m.entry.title}", f"{m.slug}/{part}")
            for m in self.course.modules
            for part in PART_NAMES
        ]
        picker = w.Dropdown(
            options=options,
            value=next((v for _, v in options if v == self.pacing.gather), options[0][1]),
            description="Part",
            style={"description_width": "4em"},
            layout=w.Layout(width="30em"),
        )
        picker.add_class("facilitator-gather-part")
        bring = action_button("Bring everyone here", "facilitator-gather", "primary")
        bring.on_click(lambda _b: self.gather(*picker.value.split("/")))
        release = action_button("Let them move freely", "facilitator-release")
        release.on_click(lambda _b: self.release())
        self._release = release
        self._gather_state = w.HTML()
        self._gather_state.add_class("facilitator-gather-state")
        self._show_gather_state()
        return [
            w.HTML("<h3>Bring everyone to one part</h3>"),
            w.HBox([picker, bring, release], layout=w.Layout(flex_flow="row wrap")),
            self._gather_state,
        ]

    def _show_gather_state(self) -> None:
        where = self.pacing.gathered_at
        said = (
            f"Everyone has been brought to {escape_text(self._part_title(*where))}."
            if where
            else "Trainees move through the course freely."
        )
        self._release.disabled = where is None
        self._gather_state.value = (
            f"<p class='course-minutes'>{said} “Bring everyone here” takes every trainee in "
            "the session to the chosen part at once (whatever they saved elsewhere is kept); "
            "anyone who joins later sees a “Go there” button on their map.</p>"
        )

    def _part_title(self, module: str, part: str) -> str:
        entry = self.course.module(module).entry
        return f"Module {entry.number} {PART_LABELS[part]}: {entry.title}"

    def gather(self, module: str, part: str) -> None:
        """Take every trainee in the session to ``module``'s ``part``."""
        self._require_key()
        if self.pacing.is_locked(module, part):
            self.status.say(
                f"{self._part_title(module, part)} is locked: unlock it first, then bring "
                "everyone there.",
                tone="error",
            )
            return
        self._save_pacing(self.pacing.with_gather(module, part))

    def release(self) -> None:
        self._save_pacing(self.pacing.released())

    def lock(self, module: str, part: str | None, locked: bool) -> None:
        self._save_pacing(self.pacing.with_lock(module, part, locked))

    def set_pacing(self, **changes) -> None:
        from dataclasses import replace

        self._save_pacing(replace(self.pacing, **changes))

    def _save_pacing(self, pacing: Pacing) -> None:
        self._require_key()
        try:
            info = self.store.update_session_settings(self.session.id, pacing.to_settings())
        except StoreError as exc:
            self.status.say(f"Not changed: {exc}. Please try again.", tone="error")
            self._draw_pacing()  # put the controls back as they are stored
            return
        self.session = info
        self.pacing = Pacing.from_settings(info.settings)
        self.status.say("Changed for every trainee in the session.", tone="ok")
        self._show_gather_state()
        self._shown.roster = ()  # names may have been switched on or off
        self.refresh()

    def ask_to_end(self) -> None:
        """End session asks first, and offers the responses before the code closes."""
        self._require_key()
        download = self._csv_download()
        end = action_button("Yes, end the session", "facilitator-end-confirm", "danger")
        end.on_click(lambda _b: self.end_session())
        keep = action_button("No, keep it running", "facilitator-end-cancel")
        keep.on_click(lambda _b: setattr(self.end_question, "children", ()))
        question = w.HTML(
            f"<p role='alert'><strong>End session {escape_text(self.session.code)}?</strong> "
            "The code will stop letting anyone join; trainees keep their work. You may want "
            "to download the responses first.</p>"
        )
        card = _card(
            [question, w.HBox([download, end, keep], layout=w.Layout(flex_flow="row wrap"))],
            "facilitator-end-question",
        )
        self.end_question.children = [card]

    def end_session(self) -> None:
        """End the session now (the dashboard's button asks first: :meth:`ask_to_end`)."""
        self._require_key()
        try:
            self.session = self.store.end_session(self.session.code)
        except StoreError as exc:
            self.status.say(f"The session was not ended: {exc}.", tone="error")
            return
        self.poller.stop()
        self.status.say(
            f"Session {self.session.code} has ended. Trainees keep their work; the code no "
            "longer lets anyone join. Its responses can still be downloaded on this page.",
            tone="ok",
        )
        download = self._csv_download()
        back = action_button("All sessions", "facilitator-all-sessions", "primary")
        back.on_click(lambda _b: self.show_sessions())
        self.view.children = [
            w.HTML(
                f"<h1>Session ended: {escape_text(self.session.title)}</h1>"
                f"<p class='facilitator-ended'>Code {escape_text(self.session.code)} is closed.</p>"
            ),
            w.HBox([download, back]),
        ]

    # -- the projector ----------------------------------------------------------------------

    def _build_projector(self) -> None:
        """One screen, read from the back of a room: the join code and QR across the top, the
        chart and the approved reflections side by side below; no control is drawn on it (the
        way back to the dashboard shows only when the keyboard reaches it)."""
        session = self.session
        link = join_link(session.code, self._environ)
        back = action_button("Back to the dashboard", "facilitator-dashboard-view")
        back.add_class("projector-back")
        back.on_click(lambda _b: self._switch("dashboard"))
        self.projector_reflections = w.HTML()
        self.projector_reflections.add_class("projector-reflections")
        self.chart = self._new_chart()
        self.chart_table = w.HTML()
        self.chart_table.add_class("facilitator-chart-table")
        self.chart_table.layout.display = "none"  # the projector shows the chart, big
        body = w.HBox([self.chart, self.projector_reflections])
        body.add_class("projector-body")
        self.view.children = [
            back,
            w.HTML(
                "<div class='projector-join'>"
                f"<div><p class='projector-join-label'>Join at <strong>{escape_text(link)}</strong>"
                " with the code</p>"
                f"<p class='projector-code'>{escape_text(session.code)}</p></div>"
                "<div class='live-qr projector-qr' role='img' aria-label='QR code of the join "
                f"link'>{qr_svg(link)}</div></div>"
            ),
            body,
        ]
        self.add_class("projector")
        self._shown.approved = None  # draw the "none yet" line on the first tick
        self.status.say("")  # "Unlocked." is the facilitator's business, not the room's

    # -- every second -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the session from the store and redraw what changed."""
        if not self.unlocked or self.session is None:
            return
        settings = self.store.session_settings(self.session.id)
        if settings is not None:
            self.pacing = Pacing.from_settings(settings)
        if self.mode == "projector":
            self.chart_activity = self.pacing.projector_activity or self._latest_answered()
            self._draw_chart(projector=True)
            self._draw_approved()
            return
        self.roster = self.store.roster(self.session.id)
        self._draw_roster()
        if not self._picked_by_hand:
            self.chart_activity = self._latest_answered()
        self._draw_picker()
        self._draw_chart()
        self._draw_reflections()

    def _latest_answered(self) -> str | None:
        """The charted activity the class answered last (what the room is doing now), or the
        one already shown while nobody has answered anything."""
        latest = (a for a in self.store.latest_answered(self.session.id) if a in self._charts)
        return next(latest, self.chart_activity)

    def _where(self, entry: RosterEntry) -> str:
        if entry.module is None:
            return "Module map"
        module = self.course.module(entry.module).entry
        return f"Module {module.number} · {PART_LABELS.get(entry.part, entry.part)}"

    def _draw_roster(self) -> None:
        key = (
            self.pacing.show_names,
            tuple(
                (e.learner_id, e.display_name, e.module, e.part, e.completed) for e in self.roster
            ),
        )
        if key == self._shown.roster:
            return
        self._shown.roster = key
        if not self.roster:
            self.roster_html.value = (
                "<p class='facilitator-count'>Nobody has joined yet. Trainees open the join "
                "link and type the code.</p>"
            )
            return
        rows = "".join(
            f"<tr><th scope='row'>{who(e.number, e.display_name, self.pacing.show_names)}</th>"
            f"<td>{escape_text(self._where(e))}</td><td>{e.completed}</td></tr>"
            for e in self.roster
        )
        count = len(self.roster)
        self.roster_html.value = (
            f"<p class='facilitator-count'>{count} trainee{'s' if count != 1 else ''} joined.</p>"
            "<table class='live-table'><thead><tr><th scope='col'>Trainee</th>"
            "<th scope='col'>Where now</th><th scope='col'>Activities done</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def _draw_picker(self) -> None:
        answered = self.store.answered_counts(self.session.id)
        key = tuple(sorted(answered.items()))
        if (
            key == self._shown.answered
            and self.activity_picker.options
            and self.activity_picker.value == self.chart_activity
        ):
            return
        self._shown.answered = key
        options = []
        for activity_id, activity in self._charts.items():
            module = self.course.module_of(activity_id).entry
            n = answered.get(activity_id, 0)
            options.append(
                (
                    f"M{module.number} {PART_LABELS[activity.part]}: {activity.title} ({n} answered)",
                    activity_id,
                )
            )
        current = self.chart_activity
        self._relabelling = True  # new labels, same choice: not a pick
        try:
            self.activity_picker.options = options
            if current in self._charts:
                self.activity_picker.value = current
        finally:
            self._relabelling = False

    def summary(self, activity_id: str) -> ActivitySummary:
        """The class's answers to one activity, from the store, as the chart shows them."""
        activity = self._charts[activity_id]
        counts = self.store.item_counts(self.session.id, activity_id, latest_only(activity))
        summary = summarise(activity, counts)
        learners = (
            max((row.answered for row in summary.rows), default=0)
            if latest_only(activity)
            else self.store.answered_counts(self.session.id).get(activity_id, 0)
        )
        return ActivitySummary(
            summary.activity_id,
            summary.kind,
            summary.title,
            summary.responses,
            summary.rows,
            learners,
        )

    def _draw_chart(self, projector: bool = False) -> None:
        if not self.chart_activity or self.chart_activity not in self._charts:
            return
        from .charts import summary_figure, summary_table

        summary = self.summary(self.chart_activity)
        key = (
            summary.activity_id,
            summary.learners,
            tuple((r.item_id, tuple(sorted(r.counts.items()))) for r in summary.rows),
        )
        if key == self._shown.chart:
            return
        self._shown.chart = key
        self.chart_table.value = summary_table(summary)
        if summary.total_answers == 0:
            self._drop_figure()
            self.chart.children = [
                w.HTML(
                    f"<p class='live-no-answers'>No answers yet to "
                    f"“{escape_text(summary.title)}”.</p>"
                )
            ]
            return
        figure = summary_figure(summary, projector=projector)
        if self._figure is None or self._figure_shape != summary.activity_id:
            # another activity: a new figure (the browser's copy keeps a layout's parts that
            # Python has dropped)
            self._drop_figure()
            self._figure = _figure_widget(figure)
            self.chart.children = [self._figure]
            self._figure_shape = summary.activity_id
        else:  # the same activity with new counts: updated in place, without a flicker
            with self._figure.batch_update():
                self._figure.data = []
                self._figure.add_traces(list(figure.data))
                self._figure.layout = figure.layout

    def _drop_figure(self) -> None:
        if self._figure is not None:
            self._figure.close()
            self._figure = None
            self._figure_shape = None

    def _draw_reflections(self) -> None:
        entries = self.store.reflections(self.session.id)
        key = (self.pacing.show_names, tuple((e.submission_id, e.approved) for e in entries))
        if key == self._shown.reflections:
            return
        self._shown.reflections = key
        numbers = {e.learner_id: e for e in self.roster}
        if not entries:
            self.reflection_box.children = [w.HTML("<p>No reflections yet.</p>")]
            return
        rows = []
        for entry in entries:
            rows.append(self._reflection_row(entry, numbers.get(entry.learner_id)))
        self.reflection_box.children = rows

    def _reflection_row(self, entry: ReflectionEntry, person: RosterEntry | None) -> w.Widget:
        name = (
            who(person.number, person.display_name, self.pacing.show_names) if person else "Trainee"
        )
        text = w.HTML(
            f"<p class='facilitator-reflection-meta'>{name} · "
            f"{escape_text(self._titles.get(entry.activity_id, entry.activity_id))}</p>"
            f"<blockquote class='facilitator-reflection-text'>{escape_text(entry.text)}</blockquote>"
        )
        toggle = w.ToggleButton(
            value=entry.approved,
            description="Approved for the projector ✓"
            if entry.approved
            else "Approve for the projector",
            button_style="success" if entry.approved else "",
            layout=w.Layout(width="auto"),
        )
        toggle.add_class("facilitator-approve")
        toggle.observe(lambda c, e=entry: self.approve(e.submission_id, c["new"]), names="value")
        row = w.VBox([text, toggle])
        row.add_class("facilitator-reflection")
        row.add_class("approved" if entry.approved else "not-approved")
        return row

    def approve(self, submission_id: int, approved: bool = True) -> None:
        self._require_key()
        try:
            self.store.set_reflection_approval(self.session.id, submission_id, approved)
        except StoreError as exc:
            self.status.say(f"Not changed: {exc}.", tone="error")
        else:
            self.status.say(
                "Shown on the projector, without a name."
                if approved
                else "Taken off the projector.",
                tone="ok",
            )
        self._shown.reflections = ()
        self._draw_reflections()

    def _draw_approved(self) -> None:
        approved = self.store.approved_reflections(self.session.id)
        key = tuple(e.submission_id for e in approved)
        if key == self._shown.approved:
            return
        self._shown.approved = key
        newest = approved[-PROJECTOR_REFLECTIONS:][::-1]
        cards = "".join(
            f"<blockquote class='projector-reflection'>{escape_text(e.text)}</blockquote>"
            for e in newest
        )
        self.projector_reflections.value = (
            f"<h2>Reflections</h2>{cards}"
            if approved
            else "<h2>Reflections</h2><p class='projector-none'>Reflections you approve on the "
            "dashboard appear here, without names.</p>"
        )


def hub_facilitator(environ: dict[str, str] | None = None) -> bool | None:
    """Under JupyterHub, whether this user is in the facilitators group (the hub config sets
    COURSE_HUB_FACILITATOR when it starts their server); None outside a hub."""
    env = os.environ if environ is None else environ
    if not env.get("JUPYTERHUB_USER"):
        return None
    return env.get("COURSE_HUB_FACILITATOR") == "1"


def facilitator_app(mode: str = "dashboard") -> w.Widget:
    """The facilitator page for this kernel's request (``mode``: dashboard or projector).

    With ``course serve`` it asks for the facilitator key. Under JupyterHub the hub has
    already signed the person in: members of the facilitators group go straight in, anyone
    else is told the page is not theirs (and sees nothing of any session).
    """
    in_group = hub_facilitator()
    if in_group is False:
        return w.HTML(
            "<h1>Facilitators only</h1><p class='course-alert' role='alert'>This page is for "
            "members of the hub's facilitators group. If you run sessions, ask the hub's "
            "administrator to add you, then restart your server from the hub's home page.</p>"
        )
    course = cached_course()
    try:
        store = ResponseStore()
        store.check_ready()
    except StoreError as exc:
        return w.HTML(
            "<h1>The facilitator page cannot open right now</h1>"
            f"<p class='course-error' role='alert'>{escape_text(str(exc))}</p>"
        )
    if in_group:
        app = FacilitatorApp(course, store, "", mode=mode)
        app.unlocked = True  # the hub signed them in and vouches for the group
        app.show_sessions()
        return app
    return FacilitatorApp(course, store, facilitator_key(), mode=mode)

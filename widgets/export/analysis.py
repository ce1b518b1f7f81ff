"""What the research notebook shows: each function returns a DataFrame and a plotly figure.

The notebook stays thin (prose and one call per cell); everything it computes is here, on the
tidy table from :func:`widgets.export.load_responses`, so it can be tested and reused.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from sqlalchemy import distinct, func, select
from sqlalchemy.engine import make_url

from ..activities.base import COMPLETING_ACTIONS
from ..activities.simulator import STANCES
from ..content.loader import Course, cached_course
from ..content.models import PART_NAMES, SelfAssessmentActivity, SimulatorActivity
from ..store import ResponseStore
from ..store.engine import default_url
from ..store.models import Learner, SubmissionRecord, Visit
from .pseudonym import Pseudonymiser, pseudonym_key
from .responses import consenting, load_responses

DEMO_ENV = "COURSE_ANALYSIS_DEMO"  # "1": the notebook reads simulated learners
DEMO_LEARNERS = 80
DEMO_SESSIONS = 6
DEMO_MARK = "DEMO DATA"
# 24 colours that stay apart, so the 16 activities of a chart each keep their own
ACTIVITY_COLOURS = px.colors.qualitative.Dark24


# plotly.js inline; a page with require.js (nbconvert's templates load it) would take the
# bundle as an anonymous AMD module and leave window.Plotly unset, so ``define`` is hidden
# while it loads
PLOTLY_SCRIPT = (
    '<script type="text/javascript">window.PlotlyConfig = {{MathJaxConfig: "local"}};'
    "if (window.define && window.define.amd) {{ window._amdDefine = window.define; "
    "window.define = undefined; }}</script>"
    '<script type="text/javascript">{plotlyjs}</script>'
    '<script type="text/javascript">if (window._amdDefine) {{ window.define = '
    "window._amdDefine; delete window._amdDefine; }}</script>"
)


def activity_labels(course: Course | None = None) -> dict[str, str]:
    """{activity id: "M3 · its title"}: what a chart calls an activity (titles repeat across
    modules, so the module number comes first)."""
    course = course or cached_course()
    return {
        a.id: f"M{number} · {getattr(a, 'title', None) or a.id}"
        for number, module in enumerate(course.modules, start=1)
        for a in module.file.activities
    }


def module_labels(course: Course | None = None) -> dict[str, str]:
    """{module slug: "M3 · its title"}."""
    course = course or cached_course()
    return {
        m.slug: f"M{number} · {m.entry.title}" for number, m in enumerate(course.modules, start=1)
    }


def _wrap(text: str, width: int = 34) -> str:
    """A long label over several lines (plotly breaks lines at <br> only)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


class NoResearchData(Exception):
    """The store named cannot be analysed (missing, not migrated, or nobody consented)."""


def demo_database(var_dir: Path | None = None) -> str:
    """The simulated class's own SQLite file (never the course's store), filled on first use
    by ``course demo-data`` in a separate process, so no course widget lives in this kernel."""
    if var_dir is None:
        from ..paths import var_dir as default_var_dir

        var_dir = default_var_dir()
    path = Path(var_dir) / "demo.sqlite"
    url = f"sqlite:///{path.resolve()}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "widgets.cli", "demo-data", "--db-url", url, "--quiet"]
        command += ["--learners", str(DEMO_LEARNERS), "--sessions", str(DEMO_SESSIONS)]
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        if done.returncode:
            path.unlink(missing_ok=True)
            raise NoResearchData(f"Could not make the demo data: {done.stderr.strip()}")
    return url


@dataclass(frozen=True)
class Study:
    """The data a notebook analyses: which store, whether it is simulated, and what is in it
    (consenting learners, the live sessions they answered in, the first and last answer).
    Shown at the top of the notebook; ``show`` marks every figure and table of demo data."""

    url: str
    shown_url: str
    demo: bool
    learners: int
    sessions: int
    first: datetime | None
    last: datetime | None

    def responses(self) -> pd.DataFrame:
        """The tidy responses table (pseudonymised, consenting learners, no reflection text)."""
        return load_responses(self.url)

    def opened(self) -> pd.DataFrame:
        return load_opened(self.url)

    def describe(self) -> str:
        span = (
            f"answers from {self.first:%d %b %Y} to {self.last:%d %b %Y}"
            if self.first and self.last
            else "no answers yet"
        )
        what = "SIMULATED learners (demo data, not a study)" if self.demo else "the course's store"
        return (
            f"{what}: {self.shown_url}\n"
            f"{self.learners} consenting learners, {self.sessions} live sessions, {span}"
        )

    def __repr__(self) -> str:
        text = self.describe()
        return f"{DEMO_MARK}\n{text}" if self.demo else text

    def _repr_html_(self) -> str:
        # plotly.js rides here, once, for every figure below (an exported page is offline)
        script = PLOTLY_SCRIPT.format(plotlyjs=get_plotlyjs())
        lines = html.escape(self.describe()).replace("\n", "<br>")
        if not self.demo:
            return f'{script}<p style="font-size:1.1em">Reading {lines}</p>'
        return (
            f'{script}<div style="border:4px solid #b00020;padding:12px;margin:8px 0">'
            f'<p style="font-size:2.4em;font-weight:bold;color:#b00020;margin:0">{DEMO_MARK}</p>'
            f'<p style="font-size:1.2em;margin:4px 0 0">{lines}<br>Every figure and table '
            "below is about simulated people. Set DEMO = False for the course's store.</p></div>"
        )

    def show(self, thing):
        """A figure or table ready to display: figures carry plotly.js once (offline, so the
        HTML export keeps them), and with demo data every title or caption says so."""
        if isinstance(thing, go.Figure):
            if self.demo:
                thing.update_layout(title_text=f"{DEMO_MARK} · {thing.layout.title.text or ''}")
            return OfflineFigure(thing)
        if isinstance(thing, pd.DataFrame) and self.demo:
            return thing.style.set_caption(f"{DEMO_MARK}: simulated learners")
        return thing


class OfflineFigure:
    """A plotly figure shown as JupyterLab's interactive chart and, for exports, as an HTML
    div that needs no network: it draws with the plotly.js the study's summary at the top of
    the notebook carries (once), never with a CDN."""

    def __init__(self, figure: go.Figure):
        self.figure = figure

    def _repr_mimebundle_(self, include=None, exclude=None):
        div = self.figure.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, default_width="100%"
        )
        return {"application/vnd.plotly.v1+json": self.figure.to_plotly_json(), "text/html": div}


def open_study(demo: bool | None = None) -> Study:
    """The store a researcher analyses: the course's own (``COURSE_DB_URL``, else the SQLite
    file ``course serve`` uses), or, only when asked (``demo=True`` or ``COURSE_ANALYSIS_DEMO=1``),
    a separate database of simulated learners."""
    if demo is None:
        demo = os.environ.get(DEMO_ENV, "").lower() in ("1", "true", "yes")
    url = demo_database() if demo else default_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        raise NoResearchData(
            f"No course database at {parsed.database}: serve the course first "
            "(`course serve`), set COURSE_DB_URL to the study's database, or set DEMO = True "
            "to try the notebook on simulated learners."
        )
    with ResponseStore(url) as store:
        try:
            store.check_ready()
        except Exception as exc:
            raise NoResearchData(f"{store.shown_url} is not a course database: {exc}") from exc
        query = (
            select(
                func.count(distinct(Learner.id)),
                func.count(distinct(SubmissionRecord.session_id)),
                func.min(SubmissionRecord.submitted_at),
                func.max(SubmissionRecord.submitted_at),
            )
            .select_from(Learner)
            .outerjoin(SubmissionRecord, SubmissionRecord.learner_id == Learner.id)
            .where(consenting())
        )
        with store.engine.connect() as connection:
            learners, sessions, first, last = connection.execute(query).one()
        study = Study(url, store.shown_url, demo, learners, sessions, first, last)
    if not learners:
        raise NoResearchData(
            f"No learner in {study.shown_url} has consented to research yet, so there is "
            "nothing to analyse."
        )
    return study


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """Learners, sessions, submissions and item rows in the data, in one small table."""
    attempts = df.drop_duplicates(["learner", "activity", "attempt"])
    return pd.DataFrame(
        {
            "learners": [df["learner"].nunique()],
            "sessions": [df["session"].nunique()],
            "conditions": [df["condition"].nunique()],
            "submissions": [len(attempts)],
            "rows": [len(df)],
            "first": [df["submitted_at"].min()],
            "last": [df["submitted_at"].max()],
        }
    )


# -- completion funnel -------------------------------------------------------------------------


def load_opened(url: str) -> pd.DataFrame:
    """Which consenting learner opened which (module, part): learner pseudonym, module, part."""
    pseudo = Pseudonymiser(pseudonym_key())
    query = (
        select(Visit.learner_id, Visit.module, Visit.part)
        .join(Learner, Learner.id == Visit.learner_id)
        .where(consenting())
    )
    with ResponseStore(url) as store, store.engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(
        [(pseudo.learner(r.learner_id), r.module, r.part) for r in rows],
        columns=["learner", "module", "part"],
    )


def completion_funnel(
    df: pd.DataFrame, opened: pd.DataFrame, course: Course | None = None
) -> tuple[pd.DataFrame, go.Figure]:
    """Learners who opened, answered and completed each part, module by module (a scenario or
    simulator counts once a run reached an ending)."""
    course = course or cached_course()
    done = df[df["action"].isin(sorted(COMPLETING_ACTIONS))]
    rows = []
    for module in course.modules:
        for part in PART_NAMES:
            needed = {a.id for a in module.activities_in(part)}
            here = done[(done["module"] == module.slug) & (done["part"] == part)]
            per_learner = here.groupby("learner", observed=True)["activity"].agg(
                lambda s: set(s.astype(str))
            )
            seen = opened[(opened["module"] == module.slug) & (opened["part"] == part)]
            stages = {
                "opened": seen["learner"].nunique(),
                "answered": len(per_learner),
                "completed": int(sum(needed <= got for got in per_learner)) if needed else 0,
            }
            for stage, learners in stages.items():
                rows.append((module.slug, part, stage, learners))
    table = pd.DataFrame(rows, columns=["module", "part", "stage", "learners"])
    titles = module_labels(course)
    shown = table.assign(module=table["module"].map(lambda m: _wrap(titles.get(m, m))))
    figure = px.bar(
        shown,
        x="part",
        y="learners",
        color="stage",
        barmode="group",
        facet_col="module",
        facet_col_wrap=3,
        facet_row_spacing=0.2,
        category_orders={
            "part": list(PART_NAMES),
            "stage": ["opened", "answered", "completed"],
            "module": [_wrap(titles[m.slug]) for m in course.modules],
        },
        title="Completion funnel: learners per part",
        height=720,
    )
    # facet titles: the module's own words, not "module=<label>"
    figure.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    figure.update_layout(margin={"t": 140})
    return table, figure


# -- items ---------------------------------------------------------------------------------------


def first_attempts(df: pd.DataFrame) -> pd.DataFrame:
    """Scored item rows of each learner's first checked attempt at each activity."""
    scored = df[(df["action"] == "check") & df["correct"].notna()]
    first = scored.groupby(["learner", "activity"], observed=True)["attempt"].transform("min")
    return scored[scored["attempt"] == first]


def item_statistics(df: pd.DataFrame) -> tuple[pd.DataFrame, go.Figure]:
    """Facility (share right at the first attempt) and discrimination (corrected item-rest
    correlation within the activity) for every scored item."""
    first = first_attempts(df)
    rows = []
    for activity, group in first.groupby("activity", observed=True):
        grid = group.pivot_table(
            index="learner", columns="item", values="score", aggfunc="first", observed=True
        ).astype(float)
        total = grid.sum(axis=1)
        for item in grid.columns:
            answered = grid[item].notna()
            x = grid.loc[answered, item]
            rest = total[answered] - x
            discrimination = x.corr(rest) if x.nunique() > 1 and rest.nunique() > 1 else None
            rows.append(
                {
                    "activity": activity,
                    "item": item,
                    "n": int(answered.sum()),
                    "facility": float(x.mean()),
                    "discrimination": discrimination,
                }
            )
    table = pd.DataFrame(rows, columns=["activity", "item", "n", "facility", "discrimination"])
    labels = activity_labels()
    figure = px.scatter(
        table.assign(activity=table["activity"].map(lambda a: labels.get(a, a))),
        x="facility",
        y="discrimination",
        color="activity",
        color_discrete_sequence=ACTIVITY_COLOURS,
        hover_name="item",
        range_x=[0, 1.02],
        title="Item facility and discrimination (first attempts)",
        height=560,
    )
    figure.add_hline(y=0.2, line_dash="dot", annotation_text="0.2: weak discrimination below")
    return table, figure


def sort_confusion(df: pd.DataFrame, activity: str = "m1-sort") -> tuple[pd.DataFrame, go.Figure]:
    """Where each correct category's statements were put at the first attempt (row shares)."""
    first = first_attempts(df)
    sort = first[first["activity"] == activity]
    table = pd.crosstab(
        sort["answer"].astype(str).rename("correct category"),
        sort["response"].astype(str).rename("learners' category"),
        normalize="index",
    )
    figure = px.imshow(
        table,
        text_auto=".0%",
        color_continuous_scale="Blues",
        zmin=0,
        zmax=1,
        title=(
            f"Misclassification in {activity_labels().get(activity, activity)}"
            "<br><sup>first attempts, share of each row</sup>"
        ),
    )
    return table, figure


def sort_statement_errors(df: pd.DataFrame, activity: str = "m1-sort") -> pd.DataFrame:
    """Each statement's most frequent wrong category at the first attempt."""
    first = first_attempts(df)
    wrong = first[(first["activity"] == activity) & first["correct"].eq(False)]
    counts = wrong.groupby(["item", "answer", "response"], observed=True).size()
    counts = counts.rename("learners").reset_index().sort_values("learners", ascending=False)
    return counts.drop_duplicates("item").reset_index(drop=True)


# -- self-assessment -------------------------------------------------------------------------------


def self_assessment_change(
    df: pd.DataFrame, course: Course | None = None
) -> tuple[pd.DataFrame, go.Figure, int]:
    """Pre/post self-ratings per statement, paired by learner; with no post phase yet, the pre
    distribution. Returns the table, a figure and the number of learner × statement pairs."""
    course = course or cached_course()
    phases = {
        a.id: a.phase
        for m in course.modules
        for a in m.file.activities
        if isinstance(a, SelfAssessmentActivity)
    }
    said = {  # a statement's words, shortened, for the chart's axis
        st.id: _wrap(st.text if len(st.text) <= 70 else st.text[:67].rsplit(" ", 1)[0] + " …", 50)
        for m in course.modules
        for a in m.file.activities
        if isinstance(a, SelfAssessmentActivity)
        for st in a.statements
    }
    ratings = df[df["activity"].astype(str).isin(phases) & df["rating"].notna()].copy()
    ratings["phase"] = ratings["activity"].astype(str).map(phases)
    latest = (
        ratings.sort_values("submitted_at")
        .groupby(["learner", "phase", "item"], observed=True)["rating"]
        .last()
        .unstack("phase")
    )
    if "post" in latest and "pre" in latest:
        pairs = latest.dropna(subset=["pre", "post"]).astype(float)
        pairs["change"] = pairs["post"] - pairs["pre"]
        table = (
            pairs.groupby("item", observed=True)
            .agg(
                pairs=("change", "size"),
                pre=("pre", "mean"),
                post=("post", "mean"),
                change=("change", "mean"),
            )
            .reset_index()
        )
        figure = px.bar(
            table.assign(statement=table["item"].map(lambda i: said.get(i, i))),
            y="statement",
            x="change",
            orientation="h",
            hover_data=["pairs", "pre", "post"],
            title="Mean change in self-rating, pre → post (paired by learner and statement)",
            height=900,
        )
        return table, figure, len(pairs)
    pre = ratings[ratings["phase"] == "pre"]
    table = pre.groupby(["item", "rating"], observed=True).size().rename("learners").reset_index()
    table["rating"] = table["rating"].astype(int)
    figure = px.bar(
        table.assign(statement=table["item"].map(lambda i: said.get(i, i))),
        y="statement",
        x="learners",
        color="rating",
        orientation="h",
        color_continuous_scale="RdBu",
        title="Pre-course self-ratings (1 = strongly disagree … 5 = strongly agree)",
        height=900,
    )
    return table, figure, 0


# -- time on task ------------------------------------------------------------------------------------


MINUTE_TICKS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)


def time_on_task(df: pd.DataFrame) -> tuple[pd.DataFrame, go.Figure]:
    """Minutes per submission, by activity and action (one value per attempt, not per item)."""
    attempts = df.drop_duplicates(["learner", "activity", "attempt"]).copy()
    attempts["minutes"] = attempts["duration"].dt.total_seconds() / 60
    attempts["activity"] = attempts["activity"].astype(str)
    attempts["action"] = attempts["action"].astype(str)
    table = (
        attempts.groupby(["activity", "action"])["minutes"]
        .describe(percentiles=[0.25, 0.5, 0.75])[["count", "25%", "50%", "75%"]]
        .rename(columns={"50%": "median"})
        .reset_index()
    )
    labels = activity_labels()
    shown = attempts.assign(activity=attempts["activity"].map(lambda a: labels.get(a, a)))
    order = [label for label in labels.values() if label in set(shown["activity"])]
    figure = px.box(
        shown,
        y="activity",
        x="minutes",
        color="action",
        orientation="h",
        log_x=True,
        points=False,
        category_orders={"activity": order},
        title="Time on task per attempt (minutes, log scale)",
        height=160 + 26 * len(order),
    )
    # plotly's own log ticks read "5, 2, 10, 5, 2"; these read as minutes
    figure.update_xaxes(tickvals=MINUTE_TICKS, ticktext=[f"{t:g}" for t in MINUTE_TICKS])
    figure.update_layout(boxmode="overlay")  # one row per activity, whatever its actions
    return table, figure


# -- simulator stances ---------------------------------------------------------------------------

# replies that leave the thinking with the teacher first, then those that take it over
STANCE_COLOURS = {
    "hands_back": "#1b7837",
    "paraphrase": "#5aae61",
    "open_question": "#a6dba0",
    "offers": "#d9f0d3",
    "leading": "#fdb863",
    "tells": "#e66101",
    "rescues": "#b35806",
    "judges": "#7f3b08",
}


def stance_profile(
    df: pd.DataFrame, course: Course | None = None, first_run: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, go.Figure]:
    """The mix of stances in trainees' replies per simulator conversation, and how often they
    gave the expert reply at each teacher line (node).

    Each decision row (``item`` = node, ``response`` = option) is looked up in the content for
    its stance. With ``first_run`` only each learner's first run counts: the replies given
    before reading the debrief and the expert path. Returns the mix (activity, stance, label,
    replies, share), the per-node table (activity, node, says, decisions, expert share, the
    most frequent other stance) and a stacked bar chart of the mix.
    """
    course = course or cached_course()
    simulators = [
        a for m in course.modules for a in m.file.activities if isinstance(a, SimulatorActivity)
    ]
    options = {
        (a.id, n.id, o.id): (o.stance, o.expert)
        for a in simulators
        for n in a.nodes
        for o in n.options
    }
    decisions = df[(df["activity_type"] == "simulator") & df["item"].notna()]
    if first_run:
        decisions = decisions[decisions["run"] == 1]
    keys = zip(
        decisions["activity"].astype(str),
        decisions["item"].astype(str),
        decisions["response"].astype(str),
        strict=True,
    )
    found = [options.get(k, (None, None)) for k in keys]
    replies = pd.DataFrame(
        {
            "activity": decisions["activity"].astype(str).to_numpy(),
            "node": decisions["item"].astype(str).to_numpy(),
            "stance": [stance for stance, _ in found],
            "expert": [expert for _, expert in found],
        }
    ).dropna(subset=["stance"])  # an option the content no longer has

    order = [a.id for a in simulators]
    counts = replies.groupby(["activity", "stance"]).size()
    grid = pd.MultiIndex.from_product([order, list(STANCES)], names=["activity", "stance"])
    mix = counts.reindex(grid, fill_value=0).rename("replies").reset_index()
    totals = mix.groupby("activity")["replies"].transform("sum")
    mix["share"] = (mix["replies"] / totals.where(totals > 0)).fillna(0.0)
    mix.insert(2, "label", mix["stance"].map(lambda s: STANCES[s][0]))

    rows = []
    for activity in simulators:
        for node in activity.nodes:
            here = replies[(replies["activity"] == activity.id) & (replies["node"] == node.id)]
            others = here.loc[~here["expert"].astype(bool), "stance"]
            rows.append(
                {
                    "activity": activity.id,
                    "node": node.id,
                    "says": " ".join(node.says.split()),
                    "decisions": len(here),
                    "expert_share": float(here["expert"].astype(bool).mean())
                    if len(here)
                    else None,
                    "other_stance": STANCES[others.mode().iloc[0]][0] if len(others) else None,
                }
            )
    experts = pd.DataFrame(
        rows,
        columns=["activity", "node", "says", "decisions", "expert_share", "other_stance"],
    )

    which = "first runs" if first_run else "all runs"
    labels = activity_labels(course)
    figure = px.bar(
        mix.assign(activity=mix["activity"].map(lambda a: _wrap(labels.get(a, a), 40))),
        y="activity",
        x="share",
        color="label",
        orientation="h",
        hover_data=["replies"],
        category_orders={
            "activity": [_wrap(labels.get(a, a), 40) for a in order],
            "label": [v[0] for v in STANCES.values()],
        },
        color_discrete_map={STANCES[k][0]: c for k, c in STANCE_COLOURS.items()},
        title=f"Stance profile per simulator conversation ({which}, share of replies)",
        labels={"share": "share of replies", "label": "stance"},
    )
    figure.update_layout(xaxis_tickformat=".0%", barmode="stack")
    return mix, experts, figure

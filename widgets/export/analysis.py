"""What the research notebook shows: each function returns a DataFrame and a plotly figure.

The notebook stays thin (prose and one call per cell); everything it computes is here, on the
tidy table from :func:`widgets.export.load_responses`, so it can be tested and reused.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..activities.base import COMPLETING_ACTIONS
from ..activities.simulator import STANCES
from ..content.loader import Course, cached_course
from ..content.models import PART_NAMES, SelfAssessmentActivity, SimulatorActivity
from ..store import ResponseStore, StoreError
from ..store.models import Learner, Visit
from .pseudonym import Pseudonymiser, pseudonym_key
from .responses import consenting, load_responses

DEMO_LEARNERS = 80
DEMO_SESSIONS = 6


def research_database(demo_dir: Path | str | None = None) -> str:
    """``COURSE_DB_URL`` when it names a database with consenting learners' responses;
    otherwise a fresh SQLite file of demo data (so the notebook runs on a fresh clone)."""
    url = os.environ.get("COURSE_DB_URL")
    if url:
        with ResponseStore(url) as store, suppress(StoreError, SQLAlchemyError):
            store.check_ready()  # no schema there: fall back to demo data
            with store.engine.connect() as connection:
                if connection.scalar(select(Learner.id).where(consenting()).limit(1)):
                    return url
    from .demo import generate

    folder = Path(demo_dir or tempfile.mkdtemp(prefix="course-demo-"))
    demo_url = f"sqlite:///{folder / 'demo.sqlite'}"
    with ResponseStore(demo_url) as store:
        store.upgrade()
        generate(store, learners=DEMO_LEARNERS, sessions=DEMO_SESSIONS)
    return demo_url


def responses(url: str) -> pd.DataFrame:
    """The tidy responses table (pseudonymised, consenting learners, no reflection text)."""
    return load_responses(url)


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
    figure = px.bar(
        table,
        x="part",
        y="learners",
        color="stage",
        barmode="group",
        facet_col="module",
        category_orders={"part": list(PART_NAMES), "stage": ["opened", "answered", "completed"]},
        title="Completion funnel: learners per part",
    )
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
    figure = px.scatter(
        table,
        x="facility",
        y="discrimination",
        color="activity",
        hover_name="item",
        range_x=[0, 1.02],
        title="Item facility and discrimination (first attempts)",
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
        title=f"Misclassification in {activity} (first attempts, share of each row)",
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
            table,
            y="item",
            x="change",
            orientation="h",
            hover_data=["pairs", "pre", "post"],
            title="Mean change in self-rating, pre → post (paired by learner and statement)",
            height=650,
        )
        return table, figure, len(pairs)
    pre = ratings[ratings["phase"] == "pre"]
    table = pre.groupby(["item", "rating"], observed=True).size().rename("learners").reset_index()
    table["rating"] = table["rating"].astype(int)
    figure = px.bar(
        table,
        y="item",
        x="learners",
        color="rating",
        orientation="h",
        color_continuous_scale="RdBu",
        title="Pre-course self-ratings (1 = strongly disagree … 5 = strongly agree)",
        height=650,
    )
    return table, figure, 0


# -- time on task ------------------------------------------------------------------------------------


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
    figure = px.box(
        attempts,
        x="activity",
        y="minutes",
        color="action",
        log_y=True,
        points=False,
        title="Time on task per attempt (minutes, log scale)",
    )
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
    figure = px.bar(
        mix,
        y="activity",
        x="share",
        color="label",
        orientation="h",
        hover_data=["replies"],
        category_orders={"activity": order, "label": [v[0] for v in STANCES.values()]},
        color_discrete_map={STANCES[k][0]: c for k, c in STANCE_COLOURS.items()},
        title=f"Stance profile per simulator conversation ({which}, share of replies)",
        labels={"share": "share of replies", "label": "stance"},
    )
    figure.update_layout(xaxis_tickformat=".0%", barmode="stack")
    return mix, experts, figure

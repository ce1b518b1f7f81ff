"""The research notebook's calculations, on the planted learners beside the demo class."""

from __future__ import annotations

import pandas as pd
import pytest

from widgets.content import cached_course
from widgets.export import Pseudonymiser, load_responses
from widgets.export.analysis import stance_profile

from .conftest import KEY, SIMULATOR


@pytest.fixture
def frame(known) -> pd.DataFrame:
    return load_responses(known.url, key=KEY)


def test_stance_profile_counts_first_runs(known, frame):
    """Does the mix count each first-run reply once under its content stance, per simulator,
    and the per-node table the share of expert replies?"""
    mix, experts, figure = stance_profile(frame)
    # decisions are the item rows (a rehearsal's own replies are activity-level "draft" rows)
    replies = frame[frame["item"].notna()]
    decisions = replies[(replies["activity_type"] == "simulator") & (replies["run"] == 1)]
    assert len(decisions) and mix["replies"].sum() == len(decisions)
    shares = mix.groupby("activity")["share"].sum()
    assert ((shares - 1).abs() < 1e-9).all()
    assert set(mix["activity"]) == {
        a.id for m in cached_course().modules for a in m.file.activities if a.type == "simulator"
    }
    assert experts["decisions"].sum() == len(decisions)
    assert experts["expert_share"].dropna().between(0, 1).all()
    assert "first runs" in figure.layout.title.text

    # the planted learner's weak first run: one reply per node on their path, none expert
    mine = replies[replies["learner"] == Pseudonymiser(KEY).learner(known.consenting.id)]
    alone = mine[mine["activity"] == SIMULATOR]
    only_mine, only_experts, _ = stance_profile(alone)
    first = alone[alone["run"] == 1]
    assert only_mine["replies"].sum() == len(first)
    walked = only_experts[only_experts["decisions"] > 0]
    assert len(walked) == len(first) and (walked["expert_share"] == 0).all()
    both, _, _ = stance_profile(alone, first_run=False)
    assert both["replies"].sum() == len(alone)


def test_figures_read_as_titles(frame):
    """Do the charts name modules, activities and statements by their titles (no slugs, no
    "module=" facet labels), keep every activity's colour its own, and label log ticks as
    plain minutes?"""
    from widgets.export.analysis import (
        activity_labels,
        completion_funnel,
        item_statistics,
        module_labels,
        self_assessment_change,
        time_on_task,
    )

    course = cached_course()
    opened = pd.DataFrame(columns=["learner", "module", "part"])
    _, funnel = completion_funnel(frame, opened)
    facets = [a.text.replace("<br>", " ") for a in funnel.layout.annotations]
    assert sorted(facets) == sorted(module_labels(course).values())
    assert not any("=" in text for text in facets)

    _, items = item_statistics(frame)
    names = [trace.name for trace in items.data]
    assert len(names) > 10 and set(names) <= set(activity_labels(course).values())
    colours = [trace.marker.color for trace in items.data]
    assert len(set(colours)) == len(colours)  # 16 activities, 16 colours

    _, times = time_on_task(frame)
    assert times.layout.xaxis.type == "log"
    assert list(times.layout.xaxis.ticktext[:4]) == ["0.1", "0.25", "0.5", "1"]
    assert {t.y[0] for t in times.data} <= set(activity_labels(course).values())

    _, ratings, _ = self_assessment_change(frame)
    statements = {
        s.id
        for m in course.modules
        for a in m.file.activities
        if a.type == "self_assessment"
        for s in a.statements
    }
    shown = {y for trace in ratings.data for y in trace.y}
    assert shown and not shown & statements  # the statements' words, not their ids

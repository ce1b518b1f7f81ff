"""Draw an :class:`~.aggregate.ActivitySummary`: a plotly chart and the same figures as a table.

One chart shape serves every activity: a horizontal bar per statement (question, step, line of
the conversation), stacked by response, most-missed first for scored activities. The right
answer's segment carries a tick and each row names the right answer, so nothing rests on
colour alone; the table beside it says the same in words for screen readers.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from ..escape import escape_text
from .aggregate import ActivitySummary

# colour-blind-safe (Okabe-Ito), in response order
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
LIKERT = ["#B2182B", "#EF8A62", "#D9D9D9", "#67A9CF", "#2166AC"]
CHART_WIDTH = 1060  # px: the dashboard's and projector's card (#rendered_cells 1200 px)
PROJECTOR_ROWS = 5  # statements on the projector: what fits at a readable size
PROJECTOR_WIDTH, PROJECTOR_HEIGHT = 760, 500  # px at 1280×720 (course.css scales it up)
PROJECTOR_TITLES = {
    "scored": f"the {PROJECTOR_ROWS} most missed statements",
    "likert": f"ratings of the first {PROJECTOR_ROWS} statements",
    "stances": f"stances in the first {PROJECTOR_ROWS} lines of the conversation",
}
KIND_TITLES = {
    "scored": "answers per statement, most missed first",
    "likert": "ratings per statement",
    "stances": "stances in the class's replies, per line of the conversation",
}


def _label(text: str, width: int) -> str:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return "<br>".join(escape_text(line) for line in lines)


def _colours(summary: ActivitySummary) -> list[str]:
    if summary.kind == "likert" and len(summary.responses) == len(LIKERT):
        return LIKERT
    return [PALETTE[n % len(PALETTE)] for n in range(len(summary.responses))]


def summary_figure(summary: ActivitySummary, projector: bool = False) -> go.Figure:
    """A stacked horizontal bar chart of the summary (the dashboard says "No answers yet" in
    words instead of drawing a chart of nothing).

    ``projector``: type read from the back of a room, the first :data:`PROJECTOR_ROWS` rows
    only (the most missed, for a scored activity) and a fixed size that fits the projector's
    chart box at 1280×720 (the projector page scales the whole view up for 1920×1080), with
    the legend above the bars so it is never below the screen's edge."""
    shown = summary.rows[:PROJECTOR_ROWS] if projector else summary.rows
    rows = list(reversed(shown))  # plotly draws the first category at the bottom
    width = 34 if projector else 48  # characters per label line (projector type is larger)
    labels = []
    for row in rows:
        label = _label(row.text, width)
        if row.answer:
            label += f"<br><b>answer: {escape_text(row.answer)}</b>"
        labels.append(label)
    figure = go.Figure()
    responses = list(summary.responses) + sorted(
        {r for row in rows for r in row.counts} - set(summary.responses)
    )
    for response, colour in zip(responses, _colours(summary) + PALETTE * 4, strict=False):
        values = [row.counts.get(response, 0) for row in rows]
        if not any(values):
            continue
        marks = [
            (f"✓ {v}" if response == row.answer else str(v)) if v else ""
            for v, row in zip(values, rows, strict=True)
        ]
        figure.add_bar(
            name=escape_text(response),
            y=labels,
            x=values,
            orientation="h",
            marker_color=colour,
            text=marks,
            textposition="inside",
            insidetextanchor="middle",
            hovertemplate=f"{escape_text(response)}: %{{x}}<extra></extra>",
        )
    font = 17 if projector else 13
    size = (
        {"width": PROJECTOR_WIDTH, "height": PROJECTOR_HEIGHT}
        if projector
        else {"width": CHART_WIDTH}  # the card's width (plotly's default 700 px wasted half)
    )
    titles = PROJECTOR_TITLES if projector and len(summary.rows) > len(shown) else KIND_TITLES
    title = f"{escape_text(summary.title)} — {titles[summary.kind]}"
    figure.update_layout(
        barmode="stack",
        title={
            "text": title,
            "font": {"size": font + 3},
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 10},
        },
        **size,
        font={"size": font},
        margin={"l": 10, "r": 10, "t": 90 if projector else 70, "b": 40},
        # above the bars: a tall chart's legend below them fell off the projector's screen
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "traceorder": "normal"},
        xaxis={"title": "learners", "dtick": 1 if summary.learners <= 12 else None},
        yaxis={"automargin": True},
        plot_bgcolor="white",
        template="none",
    )
    if not projector:
        figure.update_layout(height=max(320, 64 * max(1, len(rows)) + 160))
    return figure


def summary_table(summary: ActivitySummary) -> str:
    """The chart's figures as an HTML table (escaped), in the chart's order."""
    head = "<th scope='col'>Statement</th>"
    if summary.kind == "scored":
        head += "<th scope='col'>Answer</th><th scope='col'>Right</th><th scope='col'>Missed</th>"
    head += "<th scope='col'>Responses</th>"
    body = []
    for row in summary.rows:
        spread = ", ".join(
            f"{escape_text(label)}: {n}"
            for label, n in sorted(row.counts.items(), key=lambda x: -x[1])
        )
        cells = f"<th scope='row'>{escape_text(row.text)}</th>"
        if summary.kind == "scored":
            cells += (
                f"<td>{escape_text(row.answer)}</td>"
                f"<td class='live-right'>{row.correct}</td>"
                f"<td class='live-missed'>{row.missed}</td>"
            )
        cells += f"<td>{spread or '—'}</td>"
        body.append(f"<tr data-item='{escape_text(row.item_id)}'>{cells}</tr>")
    caption = (
        f"{summary.learners} learner{'s' if summary.learners != 1 else ''} answered"
        if summary.learners
        else "Nobody has answered yet"
    )
    return (
        f"<table class='live-table'><caption>{escape_text(summary.title)}: {caption}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )

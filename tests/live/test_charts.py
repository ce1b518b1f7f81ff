"""Charts and tables of a summary: a bar per statement, the answer ticked, every text escaped."""

from __future__ import annotations

from widgets.live.aggregate import ActivitySummary, ItemRow
from widgets.live.charts import (
    PROJECTOR_HEIGHT,
    PROJECTOR_ROWS,
    PROJECTOR_WIDTH,
    summary_figure,
    summary_table,
)

HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


def scored_summary() -> ActivitySummary:
    rows = [
        ItemRow("s2", "Second statement", "Mentoring", {"Mentoring": 1, "Both": 3}, 1, 4),
        ItemRow("s1", HOSTILE, "Coaching", {"Coaching": 3, "Mentoring": 1}, 3, 4),
    ]
    return ActivitySummary(
        "m1-sort", "scored", "Coaching & <mentoring>", ["Coaching", "Mentoring", "Both"], rows, 4
    )


def test_a_trace_per_response_given():
    """Is there one bar trace per response somebody gave, in the summary's response order?"""
    figure = summary_figure(scored_summary())
    assert [trace.name for trace in figure.data] == ["Coaching", "Mentoring", "Both"]
    assert all(trace.orientation == "h" for trace in figure.data)
    assert figure.layout.barmode == "stack"


def test_unused_response_has_no_trace():
    """Is a response nobody gave left out of the chart?"""
    summary = scored_summary()
    summary = ActivitySummary(
        summary.activity_id, summary.kind, summary.title, [*summary.responses, "Neither"],
        summary.rows, summary.learners,
    )  # fmt: skip
    assert "Neither" not in [trace.name for trace in summary_figure(summary).data]


def test_tick_on_the_right_answer_segment():
    """Does the right answer's segment, and only it, carry a tick on each statement's bar?"""
    figure = summary_figure(scored_summary())
    traces = {trace.name: trace for trace in figure.data}
    # plotly draws the first category at the bottom, so rows come reversed: s1 first, then s2
    assert list(traces["Coaching"].x) == [3, 0]
    assert list(traces["Coaching"].text) == ["✓ 3", ""]
    assert list(traces["Mentoring"].x) == [1, 1]
    assert list(traces["Mentoring"].text) == ["1", "✓ 1"]
    assert list(traces["Both"].text) == ["", "3"]
    assert not any("✓" in t for t in traces["Both"].text)


def test_labels_name_the_answer_and_are_escaped():
    """Does each statement's label say its answer, with the statement's text escaped?"""
    figure = summary_figure(scored_summary())
    labels = list(figure.data[0].y)
    assert labels[1].startswith("Second statement<br><b>answer: Mentoring</b>")
    assert "<script>" not in labels[0]
    assert "&lt;script&gt;" in labels[0]
    assert "answer: Coaching" in labels[0]
    assert "&lt;mentoring&gt;" in figure.layout.title.text
    assert "<mentoring>" not in figure.layout.title.text


def test_projector_shows_the_most_missed_few_large_with_the_legend_on_top():
    """Does the projector chart the first PROJECTOR_ROWS rows only (most missed first, as the
    summary orders them), in larger type, at its fixed size, with the legend above the bars?"""
    rows = [
        ItemRow(f"s{n}", f"Statement {n}", "Coaching", {"Coaching": n, "Mentoring": 1}, n, n + 1)
        for n in range(PROJECTOR_ROWS + 3)
    ]
    summary = ActivitySummary("m1-sort", "scored", "Sort", ["Coaching", "Mentoring"], rows, 9)
    small = summary_figure(summary)
    large = summary_figure(summary, projector=True)
    assert len(small.data[0].y) == PROJECTOR_ROWS + 3
    shown = large.data[0].y
    assert len(shown) == PROJECTOR_ROWS
    assert shown[-1].startswith("Statement 0")  # the first row drawn at the top
    assert not any("Statement 7" in label for label in shown)
    assert f"{PROJECTOR_ROWS} most missed" in large.layout.title.text
    assert large.layout.font.size > small.layout.font.size
    assert (large.layout.width, large.layout.height) == (PROJECTOR_WIDTH, PROJECTOR_HEIGHT)
    assert large.layout.legend.y >= 1 and large.layout.legend.yanchor == "bottom"


def test_table_escapes_and_shows_right_and_missed():
    """Does the table escape statement text and give right, missed and the spread per row?"""
    table = summary_table(scored_summary())
    assert "<script>" not in table and "<b>bold</b>" not in table
    assert (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in table
    )
    assert "Coaching &amp; &lt;mentoring&gt;: 4 learners answered" in table
    assert "<th scope='col'>Right</th><th scope='col'>Missed</th>" in table
    assert (
        "<tr data-item='s2'><th scope='row'>Second statement</th><td>Mentoring</td>"
        "<td class='live-right'>1</td><td class='live-missed'>3</td>"
        "<td>Both: 3, Mentoring: 1</td></tr>"
    ) in table
    assert "<td class='live-right'>3</td><td class='live-missed'>1</td>" in table
    # the chart's order (most missed first) is kept
    assert table.index("data-item='s2'") < table.index("data-item='s1'")


def test_table_escapes_response_labels_and_handles_nobody():
    """Are response labels escaped, and an unanswered likert table without right/missed?"""
    rows = [ItemRow("r1", "Rated", "", {"<i>Agree</i>": 2}, 0, 2)]
    summary = ActivitySummary("m1-self", "likert", "Ratings", ["<i>Agree</i>"], rows, 1)
    table = summary_table(summary)
    assert "&lt;i&gt;Agree&lt;/i&gt;: 2" in table and "<i>" not in table
    assert "Missed" not in table
    assert "1 learner answered" in table
    empty = ActivitySummary(
        "m1-self", "likert", "Ratings", [], [ItemRow("r1", "Rated", "", {}, 0, 0)]
    )
    empty_table = summary_table(empty)
    assert "Nobody has answered yet" in empty_table
    assert "<td>—</td>" in empty_table

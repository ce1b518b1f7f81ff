"""The columns of the research export: names, pandas dtypes and meanings, in one table.

:func:`widgets.export.load_responses` builds its DataFrame from :data:`COLUMNS` and
``docs/data-dictionary.md`` is generated from it (a test keeps the committed file equal to
:func:`data_dictionary`), so the code and the documentation cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

# xAPI 1.0.3 interactionType for each activity type: of its items (a decision of a scenario
# or simulator, a guided question of a video) or of the whole activity (sort, order, reflection)
INTERACTION_TYPES: dict[str, str] = {
    "sorting": "matching",
    "ordering": "sequencing",
    "choice": "choice",
    "self_assessment": "likert",
    "reflection": "long-fill-in",
    "scenario": "choice",
    "simulator": "choice",
    "video": "long-fill-in",
    "drafting": "long-fill-in",
}
# activity types whose responses are the learner's own words: exported only on request
FREE_TEXT_TYPES = frozenset({"reflection", "video", "drafting"})


@dataclass(frozen=True)
class Column:
    """One column of the tidy responses table."""

    name: str
    dtype: str  # as pandas names it (``str(series.dtype)``)
    meaning: str
    csv: str = ""  # how the CSV file writes it, where that differs from the plain value


COLUMNS: tuple[Column, ...] = (
    Column(
        "learner",
        "category",
        "Pseudonymous learner id: a keyed HMAC-SHA256 of the internal id (16 hex digits). "
        "Stable across exports made with the same key, unrelated under another key. Display "
        "names and resume codes are never exported.",
    ),
    Column(
        "session",
        "category",
        "Join code of the facilitator's live session the learner was in when submitting; "
        "<NA> when working alone.",
    ),
    Column(
        "condition",
        "category",
        'Experimental condition label: the session\'s `settings["condition"]`; <NA> when '
        "the session sets none or there is no session.",
    ),
    Column(
        "consent",
        "boolean",
        "The learner's research consent. Always True here: learners without consent are "
        "left out of research exports; kept so a merged file still says so.",
    ),
    Column("module", "category", "Module slug, as in `data/course.yaml`."),
    Column(
        "part",
        "category",
        "Part of the module: theory, practice or review (ordered categories).",
    ),
    Column("activity", "category", "Activity id, as in the module's YAML file."),
    Column(
        "activity_type",
        "category",
        "Activity type: sorting, ordering, choice, reflection, self_assessment, scenario, "
        "simulator or video.",
    ),
    Column(
        "action",
        "category",
        "What the learner did: `check` (a scored attempt), `save` (a reflection, ratings or "
        "video answers saved), `solution` (asked to see the answers of a sort), `choice` (a "
        "decision in a scenario or simulator) or `complete` (the decision that reached an "
        "ending).",
    ),
    Column(
        "attempt",
        "Int32",
        "1 + the learner's earlier submissions of this activity, whatever their action "
        "(in a scenario or simulator every decision is a submission).",
    ),
    Column(
        "run",
        "Int32",
        "Scenario and simulator: which run through the activity this decision belongs to "
        "(1, then 2 after the learner chose Start again …); <NA> for other activity types.",
    ),
    Column(
        "item",
        "category",
        "Item id within the activity: a sorting statement, an ordered step, a question, a "
        "rated statement, a scenario's situation or a simulator's teacher line (node id: one "
        "row per decision), or a video's guided question. <NA> for rows about the whole "
        "activity: a reflection, a revealed solution.",
    ),
    Column(
        "item_type",
        "category",
        "The xAPI 1.0.3 interactionType of the item: matching (sorting), choice (knowledge "
        "checks, scenario and simulator decisions), likert (self-assessment), long-fill-in "
        "(reflection, video question), sequencing (ordering).",
    ),
    Column(
        "response",
        "string",
        "The learner's answer: the category id of a sorted statement, the position (from 1) "
        "of an ordered step, the chosen option ids joined by commas, the option id taken at "
        "a scenario or simulator decision, the rating (1 = first scale label), or the text "
        "of a reflection or a video answer. Free text (reflections, video answers) is <NA> "
        "unless the export was asked for it (`--include-text`).",
    ),
    Column(
        "answer",
        "string",
        "The correct answer from the course content (category id, right position of a "
        "step, correct option ids joined by commas, or the best (scenario) or expert "
        "(simulator) option at a decision); <NA> for items that have none (ratings, "
        "reflections, video answers).",
    ),
    Column(
        "correct",
        "boolean",
        "Was the item right? At a decision: was it the best (scenario) or the expert "
        "(simulator) option. <NA> for items that are not scored.",
    ),
    Column(
        "score",
        "Float64",
        "Item score: 1.0 when correct, 0.0 when not; <NA> for items that are not scored.",
    ),
    Column(
        "rating",
        "Int8",
        "A self-assessment rating as a number (1 = first scale label); <NA> otherwise.",
    ),
    Column(
        "activity_score",
        "Float64",
        "The whole submission's score (items right; at a scenario's or simulator's ending, "
        "the best or expert decisions of the run); <NA> for unscored submissions.",
    ),
    Column(
        "activity_max_score",
        "Float64",
        "The most the submission could score (at an ending: the run's decisions); <NA> for "
        "unscored submissions.",
    ),
    Column(
        "started_at",
        "datetime64[us, UTC]",
        "When the learner started this attempt (UTC).",
        csv="ISO 8601 in UTC, e.g. `2025-03-04T09:15:02.123456Z`",
    ),
    Column(
        "submitted_at",
        "datetime64[us, UTC]",
        "When the learner submitted it (UTC).",
        csv="ISO 8601 in UTC",
    ),
    Column(
        "duration",
        "timedelta64[us]",
        "submitted_at − started_at: time on the attempt (the same on every item row of it).",
        csv="seconds, as a decimal number",
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
DTYPES: dict[str, str] = {c.name: c.dtype for c in COLUMNS}


def data_dictionary() -> str:
    """``docs/data-dictionary.md`` as it should read for this code."""
    lines = [
        "# Data dictionary: research exports",
        "",
        (
            "<!-- Generated from widgets/export/columns.py by `course export --data-dictionary`;"
            " do not edit by hand. -->"
        ),
        "",
        (
            "`widgets.export.load_responses()` returns a tidy pandas DataFrame with one row per "
            "learner × activity item × attempt; `course export` writes the same rows to CSV or "
            "Parquet. Rows are in the order they were submitted."
        ),
        "",
        (
            "Who is in it: only learners whose research consent is True. Learners are "
            "pseudonymised with a keyed HMAC (key from `COURSE_PSEUDONYM_KEY`, else generated once "
            "into the var directory as `pseudonym-key`, never exported). Display names and resume "
            "codes never appear; reflection text appears only with `--include-text`."
        ),
        "",
        (
            "Formula-safe CSV: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a "
            "carriage return is written with a leading apostrophe (`'=HYPERLINK(…)`), so a "
            "spreadsheet shows it as text instead of running it; numbers are written as they "
            "are. Strip one leading `'` from such cells when reading the CSV with code "
            "(Parquet and `load_responses()` keep the text unchanged)."
        ),
        "",
        "| column | dtype | meaning | in CSV |",
        "|---|---|---|---|",
    ]
    for column in COLUMNS:
        meaning = column.meaning.replace("|", "\\|")
        lines.append(f"| `{column.name}` | `{column.dtype}` | {meaning} | {column.csv} |")
    lines += [
        "",
        "## xAPI statements (`course export --format xapi`)",
        "",
        (
            "JSON Lines, one xAPI 1.0.3 statement per line, same learners and pseudonyms. No "
            "`version` field (the LRS sets it); each id is derived with the key from the "
            "submission and everything the statement says (see docs/research.md):"
        ),
        "",
        (
            "- `answered` (`http://adlnet.gov/expapi/verbs/answered`): one per checked sort "
            "(interactionType matching, the whole sort as `item[.]category[,]…`), per checked "
            "ordering (sequencing, the learner's order as `step[,]step[,]…`), per question of "
            "a knowledge check (choice), per rated statement (likert) and per saved reflection "
            "(long-fill-in; `result.response` only with `--include-text`), per decision in a "
            "scenario or simulator (choice: the situation's options as `choices`, the best or "
            "expert option as `correctResponsesPattern`, the run as a context extension) and "
            "per answered guided question of a video (long-fill-in, text only with "
            "`--include-text`). Each carries the "
            "item's definition with `correctResponsesPattern` where there is a right answer, "
            "`result.success`, `result.score`, `result.duration` (ISO 8601; on a "
            "submission's first statement only, so durations add up), `timestamp` "
            "(submitted), and `context.registration` (a UUID derived with the key from the "
            "session; absent when working alone). Revealed solutions are not statements."
        ),
        (
            "- `completed` (`http://adlnet.gov/expapi/verbs/completed`): one per run of a "
            "scenario or simulator that reached an ending (the ending as a result extension, "
            "`result.score` = best or expert decisions of the run, `result.success` when every "
            "decision was), one per part a learner finished (every activity of the part "
            "checked, saved, revealed or taken to an ending, counting the activity types "
            "that store answers in this export) and per module whose parts are all finished, "
            "timestamped when the last one was."
        ),
        "",
    ]
    return "\n".join(lines)

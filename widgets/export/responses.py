"""The tidy responses table, read from the store in chunks.

Two queries: the submissions of consenting learners (one row per attempt, small: a sort of
24 statements is one row) are read whole and typed once; their items (the bulk) are streamed
in chunks ordered by submission, each chunk joined to its submissions by position. Every
chunk already has the final dtypes, so a file writer can stream them one by one and only
:func:`load_responses` holds the whole table.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..content.loader import Course, cached_course
from ..content.models import (
    PART_NAMES,
    ChoiceActivity,
    OrderingActivity,
    ScenarioActivity,
    SelfAssessmentActivity,
    SimulatorActivity,
    SortingActivity,
    VideoActivity,
)
from ..store.models import CourseSession, Learner, SubmissionItem, SubmissionRecord
from .columns import COLUMN_NAMES, DTYPES, FREE_TEXT_TYPES, INTERACTION_TYPES
from .pseudonym import Pseudonymiser, pseudonym_key

CHUNK_ROWS = 250_000
SUBMISSION = "_submission"  # internal column: the stored submission id (never exported)
BRANCHING_TYPES = ("scenario", "simulator")  # one submission per decision, runs in response


@dataclass(frozen=True)
class ExportRequest:
    """What to export and how: the database, the key, and whether text is included."""

    engine: Engine
    key: str
    include_text: bool = False
    course: Course | None = None
    chunk_rows: int = CHUNK_ROWS

    @property
    def content(self) -> Course:
        return self.course if self.course is not None else cached_course()


def consenting() -> ColumnElement[bool]:
    """Only learners who said yes to research take part in an export."""
    return Learner.research_consent.is_(true())


def answer_key(course: Course) -> dict[str, dict[str, str]]:
    """{activity id: {item id: correct answer as exported}} from the course content."""
    answers: dict[str, dict[str, str]] = {}
    for module in course.modules:
        for activity in module.file.activities:
            if isinstance(activity, SortingActivity):
                answers[activity.id] = {i.id: i.answer for i in activity.items}
            elif isinstance(activity, ChoiceActivity):
                answers[activity.id] = {
                    q.id: ",".join(sorted(o.id for o in q.options if o.correct))
                    for q in activity.questions
                }
            elif isinstance(activity, OrderingActivity):  # a step's right position, from 1
                answers[activity.id] = {i.id: str(n) for n, i in enumerate(activity.items, 1)}
            elif isinstance(activity, ScenarioActivity | SimulatorActivity):
                answers[activity.id] = {
                    node.id: ",".join(sorted(o.id for o in node.options if preferred(activity, o)))
                    for node in activity.nodes
                }
    return answers


def preferred(activity: ScenarioActivity | SimulatorActivity, option) -> bool:
    """Is ``option`` the one to take: a scenario's best, a simulator's expert reply?"""
    return option.quality == "best" if isinstance(activity, ScenarioActivity) else option.expert


def _item_categories(course: Course) -> list[str]:
    ids: dict[str, None] = {}
    for module in course.modules:
        for activity in module.file.activities:
            if isinstance(activity, SortingActivity | OrderingActivity):
                ids.update(dict.fromkeys(i.id for i in activity.items))
            elif isinstance(activity, ChoiceActivity):
                ids.update(dict.fromkeys(q.id for q in activity.questions))
            elif isinstance(activity, SelfAssessmentActivity):
                ids.update(dict.fromkeys(s.id for s in activity.statements))
            elif isinstance(activity, ScenarioActivity | SimulatorActivity):
                ids.update(dict.fromkeys(n.id for n in activity.nodes))
            elif isinstance(activity, VideoActivity):
                ids.update(dict.fromkeys(q.id for q in activity.questions))
    return list(ids)


def _category(values, categories: list[str] | None = None, ordered: bool = False) -> pd.Series:
    """Categories in the order given (e.g. the course's), then any others as they come."""
    known = list(categories or [])
    seen = set(known)
    known += [v for v in dict.fromkeys(values) if v is not None and v not in seen]
    categories = known
    return pd.Series(pd.Categorical(values, categories=categories, ordered=ordered))


def _coded(values: list, name: Callable[[object], str]) -> pd.Series:
    """A categorical of ``name(v)`` per value, each distinct value named once (a learner's
    pseudonym is an HMAC: once per learner, not once per submission)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Series(pd.Categorical.from_codes(codes, [name(u) for u in uniques]))


def _utc(values: list) -> pd.Series:
    """Stored timestamps as UTC: SQLite gives ISO text in UTC, PostgreSQL aware datetimes."""
    return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")


@dataclass(frozen=True)
class SubmissionRows:
    """The submissions as read from the store, before typing: column names, rows, sessions."""

    names: list[str]
    rows: list[tuple]
    sessions: dict[int, tuple[str, object]]  # id: (code, condition)


def load_submissions(request: ExportRequest) -> pd.DataFrame:
    """One row per submission of a consenting learner, indexed by the stored id."""
    return submissions_frame(request, read_submissions(request))


def read_submissions(request: ExportRequest) -> SubmissionRows:
    """The submissions of consenting learners, read in one go (the typing comes after)."""
    s = SubmissionRecord
    columns = [
        s.id,
        s.learner_id,
        s.session_id,
        s.module,
        s.part,
        s.activity_id,
        s.activity_type,
        s.action,
        s.attempt,
        s.score,
        s.max_score,
        s.started_at,
        s.submitted_at,
        s.response["run"].as_integer().label("run"),
    ]
    if request.include_text:
        columns.append(s.response["text"].as_string().label("text"))
    query = select(*columns).join(Learner, Learner.id == s.learner_id).where(consenting())
    with request.engine.connect() as connection:
        sessions = {
            row.id: (row.code, (row.settings or {}).get("condition"))
            for row in connection.execute(
                select(CourseSession.id, CourseSession.code, CourseSession.settings)
            )
        }
        rows = [
            row for chunk in raw_rows(connection, query.order_by(s.id), 100_000) for row in chunk
        ]
    names = [c.key if hasattr(c, "key") else c.name for c in columns]
    return SubmissionRows(names, rows, sessions)


def submissions_frame(request: ExportRequest, read: SubmissionRows) -> pd.DataFrame:
    """Type the submissions read by :func:`read_submissions`: one row each, by stored id."""
    pseudo = Pseudonymiser(request.key)
    course = request.content
    names, rows, sessions = read.names, read.rows, read.sessions
    raw = dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)) if rows else {}
    if not rows:
        raw = {name: [] for name in names}
    session_ids = raw["session_id"]
    kinds = raw["activity_type"]
    condition = [sessions.get(i, (None, None))[1] for i in session_ids]
    frame = pd.DataFrame(
        {
            "learner": _coded(raw["learner_id"], pseudo.learner),
            "session": _category([sessions.get(i, (None, None))[0] for i in session_ids]),
            "condition": _category([None if c is None else str(c) for c in condition]),
            "consent": pd.array([True] * len(rows), dtype="boolean"),
            "module": _category(raw["module"], [m.slug for m in course.modules]),
            "part": _category(raw["part"], list(PART_NAMES), ordered=True),
            "activity": _category(
                raw["activity_id"], [a.id for m in course.modules for a in m.file.activities]
            ),
            "activity_type": _category(raw["activity_type"]),
            "action": _category(raw["action"]),
            "attempt": pd.array(raw["attempt"], dtype="Int32"),
            "run": pd.array(
                [r if t in BRANCHING_TYPES else None for r, t in zip(raw["run"], kinds)],
                dtype="Int32",
            ),
            "item_type": _category(
                [INTERACTION_TYPES.get(t) for t in raw["activity_type"]],
                list(dict.fromkeys(INTERACTION_TYPES.values())),
            ),
            "activity_score": pd.array(raw["score"], dtype="Float64"),
            "activity_max_score": pd.array(raw["max_score"], dtype="Float64"),
            "started_at": _utc(raw["started_at"]),
            "submitted_at": _utc(raw["submitted_at"]),
        }
    )
    # (set after building: the columns are Series, which would align to a given index)
    frame.index = pd.Index(raw["id"], dtype="int64", name=SUBMISSION)
    for name in ("started_at", "submitted_at"):
        frame[name] = frame[name].astype(DTYPES[name])
    frame["duration"] = (frame["submitted_at"] - frame["started_at"]).astype(DTYPES["duration"])
    if request.include_text:
        # a reflection's text, and a rehearsing simulator's "draft" (the trainee's own reply)
        text = [
            t if a == "reflection" or act == "draft" else None
            for t, a, act in zip(raw["text"], raw["activity_type"], raw["action"], strict=True)
        ]
        frame["text"] = pd.array(text, dtype="string")
    return frame


def raw_rows(connection: Connection, query, chunk_rows: int) -> Iterator[list[tuple]]:
    """Rows of ``query`` as plain DB-API tuples, ``chunk_rows`` at a time.

    SQLAlchemy's result rows cost about as much again as the database itself at a million
    rows, and these columns need none of its type processing (timestamps are parsed by pandas
    in one go). On PostgreSQL a named (server-side) cursor streams instead of buffering.
    """
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = raw.cursor(name=f"course_export_{id(query):x}")
        cursor.itersize = chunk_rows
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk_rows):
            yield rows
    finally:
        cursor.close()


def count_items(request: ExportRequest) -> int:
    """How many item rows an export will read (for a progress bar; before consent)."""
    query = select(func.count()).select_from(SubmissionItem)
    with request.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


class ItemOrderError(RuntimeError):
    """Item rows came back out of submission order (a broken invariant; please report it)."""


def _stream_items(
    request: ExportRequest,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    i = SubmissionItem
    # no join: items of learners without consent are dropped by the caller, whose submissions
    # frame holds consenting learners only (an index scan instead of a million-row join)
    query = select(i.submission_id, i.item_id, i.response, i.correct)
    with request.engine.connect() as connection:
        # SQLite has one writer at a time and the store inserts a submission and its items in
        # one transaction, so item ids follow submission ids: the table in rowid order is in
        # submission order, read at half the cost of walking the submission_id index (whose
        # every row is a lookup into the table). PostgreSQL writers interleave: sort there.
        by_rowid = connection.dialect.name == "sqlite"
        query = query.order_by(i.id) if by_rowid else query.order_by(i.submission_id, i.id)
        last = -1
        for rows in raw_rows(connection, query, request.chunk_rows):
            columns = np.array(rows, dtype=object)  # the fastest transpose measured
            ids = columns[:, 0].astype(np.int64)
            if by_rowid and (ids[0] < last or (ids[1:] < ids[:-1]).any()):
                raise ItemOrderError(
                    "submission_items rows are not in submission order by id; export from a "
                    "copy after VACUUM, and report this"
                )
            last = int(ids[-1])
            yield ids, columns[:, 1], columns[:, 2], columns[:, 3]


_DONE = object()


def prefetched(iterator: Iterator, depth: int = 2) -> Iterator:
    """``iterator``'s values, produced ``depth`` ahead in a thread of its own.

    An error in the thread is raised here; stopping early (``close``) stops the thread.
    """
    values: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value) -> bool:
        while not stop.is_set():
            try:
                values.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for value in iterator:
                if not put((True, value)):
                    return
            put((True, _DONE))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            put((False, error))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="export-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            ok, value = values.get()
            if not ok:
                raise value
            if value is _DONE:
                return
            yield value
    finally:
        stop.set()
        thread.join()


def iter_response_chunks(
    request: ExportRequest,
    submissions: pd.DataFrame | None = None,
    read: Callable[[int], None] | None = None,
) -> Iterator[pd.DataFrame]:
    """The tidy table in chunks, in submission order, each with the final dtypes.

    Each chunk also carries the internal ``_submission`` column (dropped by every export).
    ``read`` is told how many item rows each chunk read (a progress bar's steps).
    """
    if submissions is None:
        # items are read after the submissions (so an item never lacks its submission) but
        # in a thread of their own, while this one types the submissions and then the chunks:
        # the database driver lets go of the GIL while it reads
        read_subs = read_submissions(request)
        items = prefetched(_stream_items(request))
        subs = submissions_frame(request, read_subs)
    else:
        subs, items = submissions, prefetched(_stream_items(request))
    answers = answer_key(request.content)
    item_categories = _item_categories(request.content)
    known_items = pd.Index(item_categories)
    sub_ids = subs.index.to_numpy()
    itemless = np.ones(len(subs), dtype=bool)
    done_upto = -1  # submissions with a smaller id have been emitted
    activities = list(subs["activity"].cat.categories)
    # the right answer of (activity, item) as a code into answer_values, -1 for none
    answer_values = sorted({a for key in answers.values() for a in key.values()})
    answer_code = {a: n for n, a in enumerate(answer_values)}
    answer_objects = np.array([*answer_values, None], dtype=object)  # -1 takes the None
    free_types = [t for t in subs["activity_type"].cat.categories if t in FREE_TEXT_TYPES]
    likert_types = [t for t in subs["activity_type"].cat.categories if t == "self_assessment"]

    def answer_table(categories: list[str]) -> np.ndarray:
        table = np.full((len(activities) + 1, len(categories) + 1), -1, dtype=np.int32)
        column = {item: n for n, item in enumerate(categories)}
        for row, activity_id in enumerate(activities):
            for item, answer in answers.get(activity_id, {}).items():
                if item in column:
                    table[row, column[item]] = answer_code[answer]
        return table

    base_table = answer_table(item_categories)

    def build(positions: np.ndarray, item_ids, responses, correct) -> pd.DataFrame:
        part = subs.take(positions).reset_index()
        codes = known_items.get_indexer(item_ids)
        categories, table = item_categories, base_table
        unknown = codes < 0
        if unknown.any():  # items the content no longer has (or None: activity-level rows)
            extra = sorted({x for x in item_ids[unknown] if x is not None})
            if extra:
                categories = item_categories + extra
                codes = pd.Index(categories).get_indexer(item_ids)
                table = answer_table(categories)
        part["item"] = pd.Categorical.from_codes(codes, categories)
        # answers in bulk: (activity code, item code) into the table, codes into strings
        answer = answer_objects[table[part["activity"].cat.codes.to_numpy(), codes]]
        response = pd.array(responses, dtype="string")
        if not request.include_text and free_types:  # free text only on request
            free = part["activity_type"].isin(free_types).to_numpy()
            if free.any():
                response[free] = pd.NA
        missing = np.equal(correct, None)
        correct_arr = pd.arrays.BooleanArray(np.equal(correct, 1) & ~missing, missing)
        part["response"] = response
        part["answer"] = pd.array(answer, dtype="string")
        part["correct"] = correct_arr
        part["score"] = pd.array(correct_arr, dtype="Float64")
        rating = np.zeros(len(part), dtype=np.int8)
        unrated = np.ones(len(part), dtype=bool)
        if likert_types:
            likert = (part["activity_type"] == "self_assessment").to_numpy()
            if likert.any():
                values = pd.to_numeric(response[likert], errors="coerce").to_numpy(
                    dtype="float64", na_value=np.nan
                )
                ok = ~np.isnan(values)
                rating[np.flatnonzero(likert)[ok]] = values[ok]
                unrated[np.flatnonzero(likert)[ok]] = False
        part["rating"] = pd.arrays.IntegerArray(rating, unrated)
        return part

    def activity_rows(upto: int) -> pd.DataFrame | None:
        nonlocal done_upto
        mask = itemless & (sub_ids > done_upto) & (sub_ids <= upto)
        done_upto = upto
        positions = np.flatnonzero(mask)
        if not len(positions):
            return None
        n = len(positions)
        nothing = np.full(n, None, dtype=object)
        frame = build(positions, nothing, nothing, nothing)
        if request.include_text:
            frame["response"] = subs["text"].take(positions).to_numpy()
        return frame

    for ids, item_ids, responses, correct in items:
        # submissions and items are both in id order: a binary search, not a hash lookup
        positions = np.searchsorted(sub_ids, ids)
        found = positions < len(sub_ids)
        found[found] = sub_ids[positions[found]] == ids[found]
        positions[~found] = -1
        if read is not None:
            read(len(ids))
        if (positions < 0).any():  # no consent, or saved after the first query
            keep = positions >= 0
            positions, ids = positions[keep], ids[keep]
            item_ids, responses, correct = item_ids[keep], responses[keep], correct[keep]
        itemless[positions] = False
        frames = [build(positions, item_ids, responses, correct)]
        if len(ids):
            extra = activity_rows(int(ids[-1]))
            if extra is not None:
                frames.append(extra)
        yield _finish(frames)
    rest = activity_rows(int(sub_ids.max()) if len(sub_ids) else -1)
    if rest is not None:
        yield _finish([rest])


def _finish(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if len(frames) > 1:
        frame = frame.iloc[np.argsort(frame[SUBMISSION].to_numpy(), kind="stable")]
        frame = frame.reset_index(drop=True)
    frame = frame.drop(columns=[c for c in ("text",) if c in frame])
    return frame[[SUBMISSION, *COLUMN_NAMES]]


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Give every column its documented dtype (after a concat lost a categorical's type)."""
    for name, dtype in DTYPES.items():
        if str(frame[name].dtype) != dtype:
            frame[name] = frame[name].astype(dtype)
    return frame


def load_frame(request: ExportRequest, with_submission: bool = False) -> pd.DataFrame:
    """The whole tidy table in memory."""
    chunks = list(iter_response_chunks(request))
    if not chunks:
        return empty_frame(with_submission)
    frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    frame = conform(frame)
    return frame if with_submission else frame.drop(columns=[SUBMISSION])


def empty_frame(with_submission: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=DTYPES[name]) for name in COLUMN_NAMES})
    if with_submission:
        frame.insert(0, SUBMISSION, pd.Series(dtype="int64"))
    return frame


def load_responses(
    url: str | None = None,
    *,
    include_text: bool = False,
    key: str | None = None,
) -> pd.DataFrame:
    """Every response of consenting learners as a tidy DataFrame (see docs/data-dictionary.md).

    One row per learner × activity item × attempt. ``url`` defaults to ``COURSE_DB_URL`` (or
    the SQLite file in the var directory); ``key`` to the configured pseudonymisation key.
    Reflection text is left out unless ``include_text``.
    """
    from ..store import ResponseStore

    with ResponseStore(url) as store:
        store.check_ready()
        request = ExportRequest(
            engine=store.engine, key=key or pseudonym_key(), include_text=include_text
        )
        return load_frame(request)

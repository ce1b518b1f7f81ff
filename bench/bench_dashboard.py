"""Benchmark: the facilitator dashboard's queries at 10 k, 100 k and 1 M stored responses, and
how long a trainee's submission takes to reach the dashboard.

    python bench/bench_dashboard.py                     # SQLite, 10 k / 100 k / 1 M item rows
    python bench/bench_dashboard.py --quick             # 10 k / 100 k
    python bench/bench_dashboard.py --db-url postgresql+psycopg://...  # an empty PostgreSQL db

**Query time.** The database is filled in the course's shape by ``bench_export.fill`` (checked
sorts, knowledge checks, self-ratings, reflections; classes of 25 learners). One dashboard
tick's queries are what the live dashboard runs every second (``FacilitatorApp.refresh``: the
session's settings, the roster with where everyone is, answered counts, the charted activity's
item counts, the reflections), timed over repeated ticks for one class; the whole tick with
the chart rebuilt (plotly) is shown too. Beside them: the sort's per-item aggregate over every
session, what the dashboard would cost without its session indexes.

**Submit → dashboard.** A separate writer process saves real submissions through
``ResponseStore.save`` (the trainee page's path) into a session, noting when each commit
returned; the real ``FacilitatorApp`` polls on an asyncio loop, as in its kernel, and the
time is taken when its answers table changes. The browser's drawing (one widget message) is
not included. Target ≤ 2 s. Nothing asserts a time; figures are printed beside targets.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from summary import format_rows, write_summary
from summary import row as summary_row

QUERY_TARGET_MS = 100.0
LATENCY_TARGET_S = 2.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def prepare(url: str, responses: int) -> int:
    """Fill the database; copy each item's session from its submission (the store does)."""
    from bench_export import fill
    from sqlalchemy import text

    from widgets.store import ResponseStore

    rows = fill(url, responses)
    with ResponseStore(url) as store, store.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE submission_items SET session_id = (SELECT s.session_id FROM submissions s"
                " WHERE s.id = submission_items.submission_id)"
            )
        )
        if store.engine.dialect.name == "sqlite":
            connection.execute(text("ANALYZE"))
        else:  # the fill set ids itself: move the sequences past them, as the store's inserts would
            for table in ("course_sessions", "learners", "submissions", "submission_items"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )
                )
            connection.execute(text("ANALYZE submission_items"))
            connection.execute(text("ANALYZE submissions"))
    return rows


def dashboard_for(url: str, session_code: str | None = None):
    from widgets.content import cached_course
    from widgets.live.dashboard import FacilitatorApp
    from widgets.store import ResponseStore

    store = ResponseStore(url)
    app = FacilitatorApp(cached_course(), store, "bench-key")
    app.unlock("bench-key")
    session = store.session_by_code(session_code) if session_code else store.recent_sessions()[-1]
    app.open_session(session)
    app.poller.stop()
    app.activity_picker.value = "m1-sort"
    return app, store


def time_ticks(url: str, ticks: int) -> dict:
    """One class's dashboard tick, timed; and the whole-table count beside it."""
    from sqlalchemy import func, select

    from widgets.store.models import SubmissionItem

    app, store = dashboard_for(url)
    times = []
    queries = []
    parts: dict[str, list[float]] = {
        "settings": [], "roster": [], "answered": [], "item counts": [], "reflections": [],
    }  # fmt: skip
    for _ in range(ticks):
        app._shown.chart = ()  # draw as if something changed: the slower, honest path
        app._shown.roster = ()
        app._shown.reflections = ()
        start = time.perf_counter()
        app.refresh()
        times.append(time.perf_counter() - start)
        total = 0.0
        for name, call in (
            ("settings", lambda: store.session_settings(app.session.id)),
            ("roster", lambda: store.roster(app.session.id)),
            ("answered", lambda: store.answered_counts(app.session.id)),
            ("item counts", lambda: store.item_counts(app.session.id, "m1-sort")),
            ("reflections", lambda: store.reflections(app.session.id)),
        ):
            t = time.perf_counter()
            call()
            spent = time.perf_counter() - t
            parts[name].append(spent)
            total += spent
        queries.append(total)
    # beside: the same per-item aggregate over every session (what the session indexes avoid)
    every = (
        select(SubmissionItem.item_id, SubmissionItem.response, func.count())
        .where(SubmissionItem.activity_id == "m1-sort")
        .group_by(SubmissionItem.item_id, SubmissionItem.response)
    )
    scans = []
    for _ in range(3):
        t = time.perf_counter()
        with store.engine.connect() as connection:
            connection.execute(every).all()
        scans.append(time.perf_counter() - t)
    learners = len(app.roster)
    store.close()
    return {
        "queries_p50_ms": 1000 * statistics.median(queries),
        "queries_p95_ms": 1000 * _percentile(queries, 0.95),
        "tick_p50_ms": 1000 * statistics.median(times),
        "tick_p95_ms": 1000 * _percentile(times, 0.95),
        "parts_p50_ms": {k: 1000 * statistics.median(v) for k, v in parts.items()},
        "scan_ms": 1000 * statistics.median(scans),
        "learners": learners,
    }


def _writer(url: str, code: str, count: int, gap: float, commits) -> None:
    """A trainee page's saves, in a process of its own; sends each commit's wall time."""
    from widgets.activities.base import Submission
    from widgets.content import cached_course
    from widgets.store import ResponseStore

    sort = cached_course().activity("m1-sort")
    with ResponseStore(url) as store:
        for n in range(count):
            learner = store.create_learner(display_name=f"Writer {n}", session_code=code)
            time.sleep(gap)
            now = datetime.now(UTC)
            submission = Submission(
                activity_id=sort.id,
                activity_type="sorting",
                action="check",
                response={},
                items={i.id: {"response": i.answer, "correct": True} for i in sort.items},
                score=float(len(sort.items)),
                max_score=float(len(sort.items)),
                started_at=now,
                submitted_at=now,
            )
            store.save(learner, "coaching-and-mentoring", "practice", submission)
            commits.put(time.time())
    commits.put(None)


def submit_to_dashboard(url: str, submissions: int) -> list[float]:
    """Seconds from each commit to the dashboard's answers table showing it."""
    from widgets.store import ResponseStore

    with ResponseStore(url) as store:
        session = store.create_session("Latency bench")
    app, _store = dashboard_for(url, session.code)
    seen: list[float] = []
    app.chart_table.observe(lambda _c: seen.append(time.time()), names="value")
    seen.clear()
    commits = mp.get_context("spawn").Queue()
    writer = mp.get_context("spawn").Process(
        target=_writer, args=(url, session.code, submissions, 1.7, commits)
    )

    async def watch() -> list[float]:
        app.poller.start()
        writer.start()
        latencies = []
        loop = asyncio.get_running_loop()
        while True:
            committed = await loop.run_in_executor(None, commits.get)
            if committed is None:
                break
            before = len(latencies)
            deadline = time.time() + 10
            while time.time() < deadline:
                shown = [t for t in seen if t >= committed]
                if shown:
                    latencies.append(shown[0] - committed)
                    break
                await asyncio.sleep(0.01)
            if len(latencies) == before:
                latencies.append(float("inf"))  # not shown within 10 s
        app.poller.stop()
        return latencies

    try:
        return asyncio.run(watch())
    finally:
        writer.join(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", help="an empty database to fill (default: fresh SQLite files)")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="item rows per run")
    parser.add_argument("--quick", action="store_true", help="10 k and 100 k only, fewer ticks")
    parser.add_argument("--ticks", type=int, default=40)
    parser.add_argument("--submissions", type=int, default=12, help="for the latency part")
    args = parser.parse_args()
    sizes = [int(s) for s in ("10000,100000" if args.quick else args.sizes).split(",")]
    ticks = 15 if args.quick else args.ticks
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        for size in sizes:
            url = args.db_url or f"sqlite:///{Path(tmp) / f'dash-{size}.sqlite'}"
            if args.db_url:
                from sqlalchemy import MetaData, create_engine

                engine = create_engine(url)
                meta = MetaData()
                meta.reflect(engine)
                meta.drop_all(engine)
                engine.dispose()
            t = time.perf_counter()
            rows = prepare(url, size)
            filled = time.perf_counter() - t
            figures = time_ticks(url, ticks)
            figures.update(size=size, rows=rows, fill_s=filled)
            results.append(figures)
            print(
                f"{rows:>9,} item rows (filled in {filled:.0f} s): queries p50 "
                f"{figures['queries_p50_ms']:.1f} ms, p95 {figures['queries_p95_ms']:.1f} ms; "
                f"whole tick with the chart redrawn p50 {figures['tick_p50_ms']:.1f} ms "
                f"({figures['learners']} learners in the class); parts p50 "
                + ", ".join(f"{k} {v:.1f} ms" for k, v in figures["parts_p50_ms"].items())
                + f"; the sort's aggregate over all sessions {figures['scan_ms']:.1f} ms",
                flush=True,
            )
        latencies = submit_to_dashboard(url, 6 if args.quick else args.submissions)
    backend = "PostgreSQL" if args.db_url and args.db_url.startswith("postgres") else "SQLite"
    table = []
    summary = []
    for f in results:
        verdict = "met" if f["queries_p95_ms"] <= QUERY_TARGET_MS else "not met"
        table.append(
            [
                f"{f['rows']:,}",
                f"{f['queries_p50_ms']:.1f}",
                f"{f['queries_p95_ms']:.1f}",
                f"{f['scan_ms']:.1f}",
                f"{f['tick_p50_ms']:.1f}",
                f"≤ {QUERY_TARGET_MS:.0f} ms: {verdict}",
            ]
        )
        summary.append(
            summary_row(
                f"dashboard queries per tick p95, {f['rows']:,} responses ({backend})",
                f"{f['queries_p95_ms']:.1f} ms",
                f"all-sessions aggregate {f['scan_ms']:.1f} ms",
                f"≤ {QUERY_TARGET_MS:.0f} ms",
                verdict,
            )
        )
    finite = [x for x in latencies if x != float("inf")]
    lost = len(latencies) - len(finite)
    worst = max(latencies) if latencies else float("nan")
    p50 = statistics.median(finite) if finite else float("nan")
    verdict = "met" if latencies and worst <= LATENCY_TARGET_S else "not met"
    print()
    print(f"Dashboard queries ({backend}; one class's tick, as FacilitatorApp.refresh runs it)")
    print(
        format_rows(
            [
                "item rows",
                "queries p50 ms",
                "queries p95 ms",
                "all-sessions aggregate ms",
                "tick + chart p50 ms",
                "target (queries)",
            ],
            table,
        )
    )
    print()
    print(
        f"Submit → dashboard over {len(latencies)} saves: p50 {p50:.2f} s, worst {worst:.2f} s "
        f"(poll every 1 s; target ≤ {LATENCY_TARGET_S:.0f} s: {verdict}); not shown: {lost}"
    )
    summary.append(
        summary_row(
            f"submit → dashboard, worst of {len(latencies)} ({backend})",
            f"{worst:.2f} s",
            f"p50 {p50:.2f} s; poll interval 1 s",
            f"≤ {LATENCY_TARGET_S:.0f} s",
            verdict,
        )
    )
    write_summary("dashboard", summary, [f"{lost} saves never shown"] if lost else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())

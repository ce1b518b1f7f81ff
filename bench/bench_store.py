"""Benchmark: 30 trainees' kernels saving answers at once, on SQLite and on PostgreSQL.

    python bench/bench_store.py                       # 30 writers; PostgreSQL too if a URL is set
    python bench/bench_store.py --writers 5 --rounds 3 --saves 5 --backends sqlite

Each writer is its own process with its own ``ResponseStore`` (as each trainee's kernel is)
and a learner of its own, and saves through the real ``ResponseStore.save``: alternately a
checked sort of the course's 24 statements (one submission row + 24 item rows) and a saved
reflection of about 600 characters. Two phases:

* **alone** (the anchor): one writer saves ``--rounds`` times while the others wait.
* **together**: every round, all writers wait at a barrier and save at the same moment (a
  facilitator says "check your answers now"); ``--rounds`` rounds.
* **flat out**: every writer saves ``--saves`` times back to back; submits per second here is
  what the database sustains on this machine, far beyond what a class produces.

Latency is the time ``save`` takes, from the call to the return after the commit (what a
trainee waits for before the page says "Saved"). Afterwards every acknowledged save is looked
up in the database: **lost** counts saves that returned but whose row (or any of whose item
rows) is missing; it must be 0. Saves that raised ``StoreError`` are reported as failed (the
page says so and keeps the answer; nothing is lost).

SQLite is a fresh file in a temporary folder under ``bench/results/`` (the same disk as the
course's ``var/``; the store keeps ``synchronous=FULL``). PostgreSQL comes from
``--pg-url``, ``COURSE_BENCH_PG_URL`` or ``COURSE_TEST_PG_URL`` (``bash tests/start-postgres.sh``
prints one); the run uses a fresh schema in that database and drops it afterwards.

A benchmark, not a test: figures are printed beside their targets ("met" / "not met") and the
run exits 0 either way; 1 only when a backend could not be measured at all.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from summary import format_rows, write_summary
from summary import row as summary_row

RESULTS = BENCH / "results"
PG_ENVS = ("COURSE_BENCH_PG_URL", "COURSE_TEST_PG_URL")
TARGET_P99_MS = 20.0  # 30 writers on SQLite
TARGET_LOST = 0
MODULE = "coaching-and-mentoring"
SORT_ID = "m1-sort"
REFLECTION_ID = "m1-reflection"
REFLECTION_TEXT = (
    "My first mentor never told me what to do with my Year 9 class. She asked what I had "
    "noticed in the lessons that went well and waited while I thought. "
) * 4


# -- what a trainee saves ----------------------------------------------------------------


def sort_shape() -> tuple[list[str], list[str], dict[str, str]]:
    """The course's own sort: statement ids, category ids and the answers."""
    from widgets.content import cached_course

    sort = cached_course().activity(SORT_ID)
    answers = {item.id: item.answer for item in sort.items}
    return list(answers), [c.id for c in sort.categories], answers


def make_submission(kind: str, rng, shape):
    """A submission as the activity widgets emit it (``kind``: "sort" or "reflection")."""
    from widgets.activities.base import Submission

    now = dt.datetime.now(dt.UTC)
    started = now - dt.timedelta(seconds=rng.uniform(30, 300))
    if kind == "sort":
        items, categories, answers = shape
        placed = {item: rng.choice(categories) for item in items}
        outcomes = {
            item: {"response": placed[item], "correct": placed[item] == answers[item]}
            for item in items
        }
        right = sum(1 for o in outcomes.values() if o["correct"])
        return Submission(
            activity_id=SORT_ID,
            activity_type="sorting",
            action="check",
            response={"placements": placed},
            items=outcomes,
            score=float(right),
            max_score=float(len(items)),
            started_at=started,
            submitted_at=now,
        )
    return Submission(
        activity_id=REFLECTION_ID,
        activity_type="reflection",
        action="save",
        response={"text": REFLECTION_TEXT},
        started_at=started,
        submitted_at=now,
    )


# -- one writer process ---------------------------------------------------------------------


def writer(index, url, learner, rounds, saves, ready, barrier, results, shape) -> None:
    """Save as one trainee's kernel would; report every latency and every acknowledged save."""
    import random
    from threading import BrokenBarrierError

    from widgets.store import ResponseStore

    rng = random.Random(index)
    report = {
        "writer": index,
        "learner_id": learner.id,
        "acked": [],  # (activity_id, attempt, items) of every save that returned
        "failed": [],
        "alone": [],  # [number, start, end] per save (monotonic clock, shared by processes)
        "together": [],
        "flat": [],
        "error": None,
    }
    kinds = ("sort", "reflection")
    count = 0

    def save(into: list | None, label) -> None:
        nonlocal count
        submission = make_submission(kinds[count % 2], rng, shape)
        count += 1
        start = time.monotonic()
        try:
            stored = store.save(learner, MODULE, "practice", submission)
        except Exception as exc:  # noqa: BLE001 - a failed save is reported, not fatal
            report["failed"].append(f"{type(exc).__name__}: {exc}"[:200])
            return
        end = time.monotonic()
        report["acked"].append([stored.activity_id, stored.attempt, len(stored.items)])
        if into is not None:
            into.append([label, start, end])

    try:
        with ResponseStore(url) as store:
            save(None, "warm-up")  # connects and fills SQLAlchemy's caches; not timed
            ready.wait(timeout=120)
            if index == 0:  # the anchor: one writer alone, the others waiting
                for number in range(rounds):
                    save(report["alone"], number)
            for number in range(rounds):
                barrier.wait(timeout=300)
                save(report["together"], number)
            barrier.wait(timeout=300)
            for number in range(saves):
                save(report["flat"], number)
    except BrokenBarrierError:
        report["error"] = "another writer failed (barrier broken)"
    except Exception as exc:  # noqa: BLE001
        report["error"] = "".join(traceback.format_exception_only(exc)).strip()[:500]
        with contextlib.suppress(Exception):
            barrier.abort()  # the others stop waiting for this writer
    results.put(report)


# -- one backend ----------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    data = sorted(values)
    pos = (len(data) - 1) * q
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def latency_stats(samples: list[list], by_round: bool) -> dict:
    """p50 / p99 / max of the save times (ms) and submits per second."""
    times = [(end - start) * 1000 for _, start, end in samples]
    if not samples:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None, "per_s": None}
    if by_round:  # busy time: from the first save's start to the last save's end, per round
        spans: dict = {}
        for label, start, end in samples:
            lo, hi = spans.get(label, (start, end))
            spans[label] = (min(lo, start), max(hi, end))
        busy = sum(hi - lo for lo, hi in spans.values())
    else:
        busy = max(e for _, _, e in samples) - min(s for _, s, _ in samples)
    return {
        "n": len(samples),
        "p50_ms": quantile(times, 0.5),
        "p99_ms": quantile(times, 0.99),
        "max_ms": max(times),
        "per_s": len(samples) / busy if busy > 0 else None,
    }


def check_stored(url: str, reports: list[dict]) -> dict:
    """Every acknowledged save must be in the database with all of its item rows."""
    from sqlalchemy import func, select

    from widgets.store import ResponseStore
    from widgets.store.models import SubmissionItem, SubmissionRecord

    learners = [r["learner_id"] for r in reports]
    with ResponseStore(url) as store, store.engine.connect() as db:
        rows = db.execute(
            select(
                SubmissionRecord.learner_id,
                SubmissionRecord.activity_id,
                SubmissionRecord.attempt,
                func.count(SubmissionItem.id),
            )
            .outerjoin(SubmissionItem, SubmissionItem.submission_id == SubmissionRecord.id)
            .where(SubmissionRecord.learner_id.in_(learners))
            .group_by(SubmissionRecord.id)
        ).all()
    stored: dict = {}
    for learner_id, activity_id, attempt, items in rows:
        stored.setdefault((learner_id, activity_id, attempt), []).append(items)
    acked = {
        (r["learner_id"], activity_id, attempt): items
        for r in reports
        for activity_id, attempt, items in r["acked"]
    }
    lost = [key for key in acked if key not in stored]
    short = [key for key, items in acked.items() if key in stored and stored[key][0] < items]
    duplicates = [key for key, found in stored.items() if len(found) > 1]
    unacked = [key for key in stored if key not in acked]
    return {
        "acknowledged": sum(len(r["acked"]) for r in reports),
        "rows": len(rows),
        "lost": len(lost) + len(short),
        "lost_examples": [list(k) for k in (lost + short)[:5]],
        "duplicate_attempts": len(duplicates),
        "stored_not_acknowledged": len(unacked),
    }


def prepare(url: str, writers: int):
    """Migrate an empty database; one session and one learner per writer."""
    from widgets.store import ResponseStore

    with ResponseStore(url) as store:
        store.upgrade()
        session = store.create_session("Store benchmark")
        return [store.create_learner(f"Writer {n}", session.code) for n in range(writers)]


def run_backend(name: str, url: str, args) -> dict:
    """Start the writers, let them save, count what was kept."""
    started = time.monotonic()
    learners = prepare(url, args.writers)
    shape = sort_shape()
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    ready = context.Barrier(args.writers + 1)
    barrier = context.Barrier(args.writers)
    results = context.Queue()
    procs = [
        context.Process(
            target=writer,
            args=(n, url, learners[n], args.rounds, args.saves, ready, barrier, results, shape),
            daemon=True,
        )
        for n in range(args.writers)
    ]
    for proc in procs:
        proc.start()
    try:
        ready.wait(timeout=180)
    except threading.BrokenBarrierError:
        pass  # a writer died before it was ready; its report says why
    began = time.monotonic()
    reports = []
    deadline = began + args.timeout
    while len(reports) < len(procs) and time.monotonic() < deadline:
        try:
            reports.append(results.get(timeout=1))
        except Exception:  # noqa: BLE001 - queue.Empty: check the processes are alive
            if not any(p.is_alive() for p in procs) and results.empty():
                break
    for proc in procs:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
    wall = time.monotonic() - began
    missing = args.writers - len(reports)
    alone = latency_stats([s for r in reports for s in r["alone"]], by_round=False)
    together = latency_stats([s for r in reports for s in r["together"]], by_round=True)
    flat = latency_stats([s for r in reports for s in r["flat"]], by_round=False)
    check = check_stored(url, reports)
    return {
        "backend": name,
        "writers": args.writers,
        "rounds": args.rounds,
        "saves_each": args.saves,
        "alone": alone,
        "together": together,
        "flat": flat,
        "failed_saves": sum(len(r["failed"]) for r in reports),
        "failed_examples": [f for r in reports for f in r["failed"]][:5],
        "writer_errors": [r["error"] for r in reports if r["error"]]
        + ([f"{missing} writer(s) never reported"] if missing else []),
        "writers_wall_s": round(wall, 2),
        "elapsed_s": round(time.monotonic() - started, 2),
        **check,
    }


# -- the databases --------------------------------------------------------------------------


def sqlite_database():
    """A fresh SQLite file on the repository's disk; removed afterwards."""
    RESULTS.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="store-bench-", dir=RESULTS))
    return f"sqlite:///{folder / 'course.sqlite'}", lambda: shutil.rmtree(folder, True)


def pg_database(raw: str):
    """A fresh schema in the PostgreSQL database ``raw`` names; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from widgets.store.engine import normalise_url

    base = normalise_url(raw.strip())
    admin = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.set(query={**base.query, "options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def pg_url_from(args) -> str | None:
    if args.pg_url:
        return args.pg_url
    for name in PG_ENVS:
        if os.environ.get(name):
            return os.environ[name]
    return None


# -- report ---------------------------------------------------------------------------------


def ms(stats: dict) -> str:
    if stats.get("p50_ms") is None:
        return "–"
    return f"{stats['p50_ms']:.1f} / {stats['p99_ms']:.1f} ms"


def rate(stats: dict) -> str:
    return "–" if stats.get("per_s") is None else f"{stats['per_s']:.0f} /s"


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "not met")


def table(runs: dict, args) -> tuple[list[list[str]], list[dict]]:
    names = [n for n in ("sqlite", "postgresql") if n in runs]
    titles = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    header = ["figure", *[titles[n] for n in names], "target"]
    rows: list[list[str]] = []

    def cells(fn) -> list[str]:
        return [fn(runs[n]) if "error" not in runs[n] else "error" for n in names]

    sq = runs.get("sqlite", {})
    p99_target = f"SQLite p99 ≤ {TARGET_P99_MS:g} ms"
    together_ok = None
    if "together" in sq and sq["together"]["p99_ms"] is not None:
        together_ok = sq["together"]["p99_ms"] <= TARGET_P99_MS
    flat_ok = None
    if "flat" in sq and sq["flat"]["p99_ms"] is not None:
        flat_ok = sq["flat"]["p99_ms"] <= TARGET_P99_MS
    w = args.writers
    rows.append(
        [
            f"save p50 / p99, 1 writer alone × {args.rounds} (anchor)",
            *cells(lambda r: ms(r["alone"])),
            "",
        ]
    )
    rows.append(
        [
            f"save p50 / p99, {w} together × {args.rounds} rounds",
            *cells(lambda r: ms(r["together"])),
            f"{p99_target}: {verdict(together_ok)}",
        ]
    )
    rows.append([f"submits per second, {w} together", *cells(lambda r: rate(r["together"])), ""])
    rows.append(
        [
            f"save p50 / p99, {w} flat out × {args.saves} saves",
            *cells(lambda r: ms(r["flat"])),
            f"{p99_target}: {verdict(flat_ok)}",
        ]
    )
    rows.append([f"submits per second, {w} flat out", *cells(lambda r: rate(r["flat"])), ""])
    rows.append([f"save max, {w} flat out", *cells(lambda r: _max(r["flat"])), ""])
    rows.append(
        [
            "saves acknowledged / failed (StoreError)",
            *cells(lambda r: f"{r['acknowledged']} / {r['failed_saves']}"),
            "",
        ]
    )
    lost_ok = {n: runs[n].get("lost") == TARGET_LOST for n in names if "error" not in runs[n]}
    rows.append(
        [
            "lost (acknowledged, not all in the database)",
            *cells(lambda r: str(r["lost"])),
            f"0: {verdict(all(lost_ok.values()) if lost_ok else None)}",
        ]
    )
    rows.append(
        [
            "stored but not acknowledged / duplicate attempts",
            *cells(lambda r: f"{r['stored_not_acknowledged']} / {r['duplicate_attempts']}"),
            "",
        ]
    )
    # the summary for bench/all.py: SQLite measured, PostgreSQL beside it
    pg = runs.get("postgresql")

    def beside(fn) -> str:
        if pg is None:
            return "PostgreSQL not measured"
        return "PostgreSQL " + (fn(pg) if "error" not in pg else "error")

    def value(fn) -> str:
        if not sq:
            return "SQLite not measured"
        return "SQLite " + (fn(sq) if "error" not in sq else "error")

    summary = [
        summary_row(
            "store save p50 / p99, 1 writer alone",
            value(lambda r: ms(r["alone"])),
            beside(lambda r: ms(r["alone"])),
        ),
        summary_row(
            f"store save p50 / p99, {w} writers together",
            value(lambda r: ms(r["together"])),
            beside(lambda r: ms(r["together"])),
            f"p99 ≤ {TARGET_P99_MS:g} ms (SQLite)",
            verdict(together_ok),
        ),
        summary_row(
            f"store save p50 / p99, {w} writers flat out",
            value(lambda r: ms(r["flat"])),
            beside(lambda r: ms(r["flat"])),
            f"p99 ≤ {TARGET_P99_MS:g} ms (SQLite)",
            verdict(flat_ok),
        ),
        summary_row(
            f"store submits per second, {w} writers flat out",
            value(lambda r: rate(r["flat"])),
            beside(lambda r: rate(r["flat"])),
        ),
        summary_row(
            "store lost submissions",
            value(lambda r: f"{r['lost']} of {r['acknowledged']}"),
            beside(lambda r: f"{r['lost']} of {r['acknowledged']}"),
            "0",
            verdict(all(lost_ok.values()) if lost_ok else None),
        ),
    ]
    return [header, *rows], summary


def _max(stats: dict) -> str:
    return "–" if stats.get("max_ms") is None else f"{stats['max_ms']:.0f} ms"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=30, help="writer processes (30)")
    parser.add_argument("--rounds", type=int, default=20, help="rounds of saving together (20)")
    parser.add_argument("--saves", type=int, default=40, help="saves each, flat out (40)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql (both)")
    parser.add_argument(
        "--pg-url", default=None, help="PostgreSQL (else " + " or ".join(PG_ENVS) + ")"
    )
    parser.add_argument("--timeout", type=float, default=600, help="per backend, seconds (600)")
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument("--quick", action="store_true", help="10 writers, 5 rounds, 10 saves")
    args = parser.parse_args(argv)
    if args.quick:
        args.writers, args.rounds, args.saves = 10, 5, 10
    if args.writers < 1 or args.rounds < 0 or args.saves < 0:
        parser.error("--writers must be at least 1, --rounds and --saves at least 0")
    args.backend_list = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backend_list) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    runs: dict = {}
    notes: list[str] = []
    for name in args.backend_list:
        if name == "postgresql":
            raw = pg_url_from(args)
            if not raw:
                notes.append(
                    "PostgreSQL not measured: set COURSE_BENCH_PG_URL "
                    "(as root, `bash tests/start-postgres.sh` starts one and prints its URL)"
                )
                continue
            opener = lambda raw=raw: pg_database(raw)
        else:
            opener = sqlite_database
        print(f"store: {name}, {args.writers} writer processes …", flush=True)
        cleanup = None
        try:
            url, cleanup = opener()
            runs[name] = run_backend(name, url, args)
        except Exception as exc:  # noqa: BLE001 - report, go on with the next backend
            traceback.print_exc()
            runs[name] = {"backend": name, "error": f"{type(exc).__name__}: {exc}"[:500]}
        finally:
            if cleanup is not None:
                try:
                    cleanup()
                except Exception as exc:  # noqa: BLE001
                    print(f"could not clean up {name}: {exc}", file=sys.stderr)
        for problem in runs[name].get("writer_errors", []):
            print(f"  writer error: {problem}", flush=True)
    rows, summary = table(runs, args) if runs else ([["figure", "target"]], [])
    report = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_avg_before": os.getloadavg()[0],
        },
        "args": {k: v for k, v in vars(args).items() if k != "pg_url"},
        "runs": runs,
        "table": rows,
        "notes": notes,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"store-{stamp}.json"
    path.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    write_summary("store (bench/bench_store.py)", summary, notes)
    print()
    print(
        f"{report['date']} · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f} · "
        f"{args.writers} writer processes, each its own ResponseStore"
    )
    print(format_rows(rows[0], rows[1:]))
    for note in notes:
        print(f"note: {note}")
    print(f"\nraw figures: {path.relative_to(REPO)}")
    measured = [r for r in runs.values() if "error" not in r]
    return 0 if measured or not runs else 1


if __name__ == "__main__":
    sys.exit(main())

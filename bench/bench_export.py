"""Benchmark: research exports of one million responses (item rows), figures beside targets.

    python bench/bench_export.py                 # SQLite file in bench/results/ (kept for reruns)
    python bench/bench_export.py --db-url postgresql://...   # an empty PostgreSQL database
    python bench/bench_export.py --responses 200000 --fresh

The database is filled with bulk inserts (the store's one-transaction-per-save path is what a
class uses, not what a benchmark of the export needs), in the shape the course produces:
checked sorts of 24 statements, knowledge checks of 5 questions, self-assessments of 19
statements, and reflections. Each export then runs in a child process of its own, so its
peak memory (max RSS) is its own. Wall time depends on how busy the machine is; CPU time
(user + system of the child) much less, so both are shown. Each figure is printed with "met"
or "not met" beside its target; the run exits 0 either way (a benchmark reports, it does not
fail), and 1 only when an export step itself fails.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from summary import row as summary_row
from summary import write_summary

TARGETS = {  # seconds; and peak memory for every step
    "dataframe": 5.0,
    "parquet": 5.0,
    "xapi": 30.0,
}
PEAK_TARGET_MB = 2048
KEY = "benchmark-key"


def fill(url: str, responses: int, seed: int = 1) -> int:
    """Bulk-insert about ``responses`` item rows; returns the number inserted."""
    from sqlalchemy import insert

    from widgets.content import cached_course
    from widgets.store import ResponseStore
    from widgets.store.models import (
        CourseSession,
        Learner,
        SubmissionItem,
        SubmissionRecord,
    )

    course = cached_course()
    module = course.module("coaching-and-mentoring")
    sort = course.activity("m1-sort")
    check = course.activity("m1-knowledge-check")
    rating = course.activity("m1-self-assessment-pre")
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with ResponseStore(url) as store:
        store.upgrade()
        engine = store.engine
    per_learner = len(sort.items) * 1.5 + len(check.questions) * 1.3 + len(rating.statements)
    learners = max(1, round(responses / per_learner))
    with engine.begin() as connection:
        connection.execute(
            insert(CourseSession),
            [
                {
                    "id": n + 1,
                    "code": f"B{n:05d}",
                    "title": f"Bench {n}",
                    "created_at": now,
                    "settings": {"condition": "AB"[n % 2]},
                }
                for n in range(max(1, learners // 25))
            ],
        )
        connection.execute(
            insert(Learner),
            [
                {
                    "id": n + 1,
                    "token": f"T{n:011d}",
                    "display_name": f"Bench learner {n}",
                    "session_id": n % max(1, learners // 25) + 1,
                    "research_consent": rng.random() < 0.9,
                    "created_at": now,
                    "last_seen_at": now,
                }
                for n in range(learners)
            ],
        )
    sub_id = item_rows = 0
    subs: list[dict] = []
    items: list[dict] = []

    def flush(connection) -> None:
        if subs:
            connection.execute(insert(SubmissionRecord), subs)
        if items:
            connection.execute(insert(SubmissionItem), items)
        subs.clear()
        items.clear()

    def submission(learner: int, activity, kind: str, part: str, attempt: int, outcomes, start):
        nonlocal sub_id, item_rows
        sub_id += 1
        right = sum(1 for _, _, ok in outcomes if ok)
        scored = kind in ("sorting", "choice")
        done = start + timedelta(seconds=rng.uniform(60, 600))
        subs.append(
            {
                "id": sub_id,
                "learner_id": learner,
                "session_id": learner % max(1, learners // 25) + 1,
                "module": module.slug,
                "part": part,
                "activity_id": activity.id,
                "activity_type": kind,
                "action": "save" if kind in ("reflection", "self_assessment") else "check",
                "attempt": attempt,
                "response": {"text": "a reflection " * 40} if kind == "reflection" else {},
                "score": float(right) if scored else None,
                "max_score": float(len(outcomes)) if scored else None,
                "started_at": start,
                "submitted_at": done,
            }
        )
        for item_id, response, ok in outcomes:
            items.append(
                {
                    "submission_id": sub_id,
                    "session_id": None,
                    "activity_id": activity.id,
                    "item_id": item_id,
                    "response": response,
                    "correct": ok,
                }
            )
        item_rows += len(outcomes)
        return done

    with engine.begin() as connection:
        for learner in range(1, learners + 1):
            t = now - timedelta(days=rng.uniform(1, 60))
            for attempt in (1, 2) if rng.random() < 0.3 else (1,):
                outcomes = []
                for q in check.questions:
                    ok = rng.random() < 0.7
                    chosen = next(o.id for o in q.options if o.correct == ok)
                    outcomes.append((q.id, chosen, ok))
                t = submission(learner, check, "choice", "theory", attempt, outcomes, t)
            for attempt in (1, 2) if rng.random() < 0.5 else (1,):
                outcomes = []
                for item in sort.items:
                    ok = rng.random() < 0.7
                    placed = (
                        item.answer if ok else ("both" if item.answer != "both" else "coaching")
                    )
                    outcomes.append((item.id, placed, ok))
                t = submission(learner, sort, "sorting", "practice", attempt, outcomes, t)
            reflection = course.activity("m1-reflection")
            t = submission(learner, reflection, "reflection", "review", 1, [], t)
            outcomes = [(s.id, str(rng.randint(1, 5)), None) for s in rating.statements]
            submission(learner, rating, "self_assessment", "review", 1, outcomes, t)
            if len(items) > 50_000:
                flush(connection)
        flush(connection)
    return item_rows


def child(step: str, url: str, out_dir: str) -> None:
    """Run one export step and print its figures as JSON (in a process of its own)."""
    from widgets.export.files import write_parquet, write_xapi
    from widgets.export.responses import ExportRequest, load_frame
    from widgets.store import ResponseStore

    with ResponseStore(url) as store:
        request = ExportRequest(engine=store.engine, key=KEY)
        request.content  # noqa: B018 - load the course before the clock starts
        started, cpu = time.perf_counter(), time.process_time()
        if step == "dataframe":
            rows = len(load_frame(request))
        elif step == "parquet":
            rows = write_parquet(request, Path(out_dir) / "responses.parquet")
        else:
            rows = write_xapi(request, Path(out_dir) / "statements.jsonl")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps({"step": step, "seconds": seconds, "cpu": cpu, "rows": rows, "peak_mb": peak_mb})
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--db-url", default=None, help="default: a SQLite file in bench/results/")
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite benchmark data")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    url = args.db_url
    if url is None:
        path = REPO / "bench" / "results" / f"export-{args.responses}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        if args.fresh and path.exists():
            path.unlink()
        url = f"sqlite:///{path}"
        if not path.exists():
            started = time.perf_counter()
            rows = fill(url, args.responses)
            print(f"filled {rows:,} item rows in {time.perf_counter() - started:.1f} s")
        else:
            from widgets.store import ResponseStore

            with ResponseStore(url) as store:  # a file kept from an older schema: migrate it
                store.upgrade()
    else:
        started = time.perf_counter()
        rows = fill(url, args.responses)
        print(f"filled {rows:,} item rows in {time.perf_counter() - started:.1f} s")

    print(f"\nexport of ~{args.responses:,} responses ({url.split(':', 1)[0]})")
    print(
        f"{'step':<10} {'rows out':>10} {'seconds':>8} {'cpu s':>6} {'target':>7} {'':<8}"
        f"{'peak MB':>8} {'target':>7}"
    )
    summary: list[dict] = []
    with tempfile.TemporaryDirectory() as out_dir:
        for step, target in TARGETS.items():
            done = subprocess.run(
                [sys.executable, __file__, "--child", step, url, out_dir],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                print(f"{step}: failed\n{done.stderr}", file=sys.stderr)
                summary.append(summary_row(f"export {step}", "failed"))
                write_summary("export (bench/bench_export.py)", summary)
                return 1
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            time_ok = "met" if figures["seconds"] <= target else "not met"
            peak_ok = "met" if figures["peak_mb"] <= PEAK_TARGET_MB else "not met"
            print(
                f"{step:<10} {figures['rows']:>10,} {figures['seconds']:>8.2f} "
                f"{figures['cpu']:>6.2f} {target:>7.0f} {time_ok:<8}"
                f"{figures['peak_mb']:>8.0f} {PEAK_TARGET_MB:>7} {peak_ok}"
            )
            summary.append(
                summary_row(
                    f"export {step}, {figures['rows']:,} rows ({url.split(':', 1)[0]})",
                    f"{figures['seconds']:.2f} s",
                    f"CPU {figures['cpu']:.2f} s · peak {figures['peak_mb']:.0f} MB "
                    f"(≤ {PEAK_TARGET_MB} MB: {peak_ok})",
                    f"≤ {target:g} s at 1 M responses",
                    time_ok if args.responses >= 1_000_000 else "n/a (smaller run)",
                )
            )
    write_summary("export (bench/bench_export.py)", summary)
    return 0  # a benchmark reports its figures beside the targets; it does not fail


if __name__ == "__main__":
    sys.exit(main())

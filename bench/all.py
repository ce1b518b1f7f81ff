"""``make bench``: every benchmark in turn, then one summary table of their headline figures.

    python bench/all.py                  # everything (~25-30 minutes on 2 cores)
    python bench/all.py --quick          # the quick variant of each (~5 minutes)
    python bench/all.py --only store,export

Steps, in order (each prints its own full table as it goes):

* ``tti``       bench/run.py        time to interactive for 1, 10, 30 and 60 trainees: the
                                    course app beside bare Voilà and static HTML; kernel memory
* ``store``     bench/bench_store.py  30 writer processes saving: SQLite beside PostgreSQL
* ``export``    bench/bench_export.py research exports of 1 M responses, beside their targets
* ``dashboard`` bench/bench_dashboard.py  the facilitator dashboard's queries: run **if the file
                                    exists** (with ``--quick`` only if its ``--help`` offers it)

Each step gets a file path in ``COURSE_BENCH_SUMMARY`` and may write its headline rows there
(see bench/summary.py); a step that writes none is still run, and the end of its output is
shown under the table instead. PostgreSQL for the store benchmark comes from
``COURSE_BENCH_PG_URL`` / ``COURSE_TEST_PG_URL``; without either, as root on Debian, the local
cluster is started with tests/start-postgres.sh (``--no-postgres`` skips that).

Nothing here asserts a time: figures are printed beside their anchors and targets. The exit
status is 1 only if a step could not run to the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from summary import COLUMNS, SUMMARY_ENV, format_rows

RESULTS = BENCH / "results"
PG_ENVS = ("COURSE_BENCH_PG_URL", "COURSE_TEST_PG_URL")
DASHBOARD = BENCH / "bench_dashboard.py"  # written separately; run when present

# name → (script, arguments, arguments for --quick)
STEPS: dict[str, tuple[Path, list[str], list[str]]] = {
    "tti": (BENCH / "run.py", [], ["--quick"]),
    "store": (BENCH / "bench_store.py", [], ["--quick"]),
    "export": (BENCH / "bench_export.py", [], ["--responses", "200000"]),
    "dashboard": (DASHBOARD, [], ["--quick"]),
}


def offers(script: Path, flag: str) -> bool:
    """Does ``script --help`` mention ``flag``? (For steps whose options we do not own.)"""
    try:
        done = subprocess.run(
            [sys.executable, str(script), "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return flag in done.stdout


def postgres_url(allowed: bool) -> tuple[str | None, str]:
    """A PostgreSQL URL for the store benchmark, and how it was found."""
    for name in PG_ENVS:
        if os.environ.get(name):
            return os.environ[name], f"from {name}"
    if not allowed:
        return None, "skipped (--no-postgres)"
    script = REPO / "tests" / "start-postgres.sh"
    if os.geteuid() != 0 or not shutil.which("pg_lsclusters") or not script.exists():
        return None, "not measured: set COURSE_BENCH_PG_URL (or run as root with postgresql)"
    done = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, timeout=180, check=False
    )
    url = done.stdout.strip()
    if done.returncode or not url:
        return None, f"tests/start-postgres.sh failed: {done.stderr.strip()[-300:]}"
    return url, "local cluster started by tests/start-postgres.sh"


def run_step(name: str, argv: list[str], env: dict[str, str]) -> dict:
    """Run one benchmark, echoing its output; keep its tail and its summary rows."""
    summary_path = Path(env[SUMMARY_ENV])
    print(f"\n=== {name}: {' '.join(argv[1:])}", flush=True)
    load = os.getloadavg()[0]
    began = time.monotonic()
    tail: deque[str] = deque(maxlen=25)
    with subprocess.Popen(
        argv,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as proc:
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                tail.append(line.rstrip("\n"))
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()  # the step stops its own servers on SIGTERM
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
    summary = None
    if summary_path.exists():
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except ValueError:
            summary = None
    return {
        "step": name,
        "argv": argv[1:],
        "exit": code,
        "seconds": round(time.monotonic() - began, 1),
        "load_before": load,
        "summary": summary,
        "tail": list(tail),
    }


def summary_table(steps: list[dict]) -> str:
    header = ["bench", "figure", "measured", "beside it (same run)", "target", "verdict"]
    rows = []
    for step in steps:
        summary = step["summary"]
        if not summary or not summary.get("rows"):
            status = "no summary rows (output below)" if step["exit"] == 0 else "failed"
            rows.append([step["step"], status, f"exit {step['exit']}", "", "", ""])
            continue
        for index, r in enumerate(summary["rows"]):
            label = step["step"] if index == 0 else ""
            rows.append([label, *[str(r.get(c, "")) for c in COLUMNS]])
    return format_rows(header, rows)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the quick variant of every step")
    parser.add_argument(
        "--only", default=",".join(STEPS), help=f"steps to run (default: {','.join(STEPS)})"
    )
    parser.add_argument(
        "--no-postgres", action="store_true", help="do not start a local PostgreSQL"
    )
    args = parser.parse_args(argv)
    args.steps = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown step(s) {', '.join(sorted(unknown))}; known: {', '.join(STEPS)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    began = time.monotonic()
    notes: list[str] = []
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if "store" in args.steps:
        url, how = postgres_url(not args.no_postgres)
        notes.append(f"PostgreSQL for the store benchmark: {how}")
        if url:
            env["COURSE_BENCH_PG_URL"] = url
    results: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="course-bench-all-"))
    try:
        for name in args.steps:
            script, full, quick = STEPS[name]
            if not script.exists():
                notes.append(f"{name}: {script.relative_to(REPO)} does not exist yet: not run")
                continue
            extra = quick if args.quick else full
            if name == "dashboard" and extra and not offers(script, extra[0]):
                extra = []  # a script we do not own: only pass what it says it takes
            step_env = dict(env, **{SUMMARY_ENV: str(work / f"{name}.json")})
            results.append(run_step(name, [sys.executable, str(script), *extra], step_env))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        notes.append("interrupted: the table holds the steps that finished")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    elapsed = time.monotonic() - began
    print("\n" + "=" * 100)
    print(
        f"SUMMARY · {dt.datetime.now().isoformat(timespec='seconds')} · {os.cpu_count()} CPUs · "
        f"load {os.getloadavg()[0]:.1f} now · {elapsed / 60:.1f} min"
        + (" · quick variants" if args.quick else "")
    )
    print(summary_table(results))
    for step in results:
        for note in (step["summary"] or {}).get("notes", []):
            print(f"{step['step']}: {note}")
    for note in notes:
        print(f"note: {note}")
    print(
        "steps: "
        + ", ".join(
            f"{s['step']} {s['seconds'] / 60:.1f} min (exit {s['exit']}, load before "
            f"{s['load_before']:.1f})"
            for s in results
        )
    )
    for step in results:
        if not (step["summary"] or {}).get("rows"):
            print(f"\n{step['step']} printed (last lines):")
            print("\n".join(f"  {line}" for line in step["tail"]))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"all-{stamp}.json"
    report = {"quick": args.quick, "elapsed_s": round(elapsed, 1), "notes": notes}
    report["steps"] = results
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nsummary kept in {path.relative_to(REPO)}")
    return 0 if all(s["exit"] == 0 for s in results) else 1


if __name__ == "__main__":
    sys.exit(main())

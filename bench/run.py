"""Benchmark: the course app against bare Voilà (page per part) and static HTML.

For each way of serving and each class size N, one real Chromium is timed while N-1
protocol-level trainees (bench/protocol_client.py) do the same at the same moment:

1. first page   (app: navigation → ``.course-join-start`` visible; bare Voilà: theory page →
                 its first activity visible; static: theory.html → load event)
2. untimed      (app: join, open theory; then every trainee waits for the others)
3. next part    (app: click ``.course-tab-practice`` → ``.sort-board`` visible; bare Voilà:
                 open practice.ipynb as a new page → ``.sort-board`` visible; static:
                 practice.html → load event)

Then it reports kernel and server memory. Prints one table; writes the raw samples to
bench/results/<timestamp>.json. A benchmark, never a test: nothing here asserts a time.

    python bench/run.py                     # 1, 10, 30 and 60 trainees, ~20 minutes on 2 cores
    python bench/run.py --quick             # 1 and 5 trainees, one repeat (~3 minutes)
    python bench/run.py --trainees 1,10 --scenarios app
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenarios import (
    BareVoilaPages,
    CourseApp,
    CourseAppOrdinary,
    Scenario,
    StaticPages,
    chromium_bytes,
    chromium_kernel_id,
)
from servers import REPO, new_workdir, stop_all
from summary import row as summary_row
from summary import write_summary

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parent / "results"
BUDGET_MIB = 24 * 1024  # "how many kernels fit in 24 GB"
OS_RESERVE_MIB = 1024  # what the OS and the rest of the machine keep, roughly
TARGET_SECONDS = 1.0  # p95 of 30 trainees moving to the next part together
TARGET_KERNEL_MIB = (
    40.0  # PSS (issue #10): copy-on-write pages shared with the template count in part
)
DEFAULT_SIZES = "1,10,30,60"
LARGE_CLASS = 60  # from this size on, one round by default (a round of 60 takes minutes)
STAMP = dt.datetime.now().strftime("%Y%m%d-%H%M%S")  # names this run's files


# -- statistics ----------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    data = sorted(values)
    pos = (len(data) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": quantile(values, 0.5),
        "p95": quantile(values, 0.95),
        "max": max(values) if values else None,
    }


# -- the machine ---------------------------------------------------------------------


def tree_cpu(proc: psutil.Process, include_self: bool = True) -> float:
    """CPU seconds (user + system) used so far by ``proc``'s children (and ``proc``)."""
    total = 0.0
    procs = proc.children(recursive=True)
    if include_self:
        procs.append(proc)
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def wait_for_quiet_machine(limit: float, threshold: float = 30.0) -> dict:
    """Wait (up to ``limit`` s) until the whole machine is mostly idle; report what was seen.

    Other work on the machine steals the 2 cores this benchmark measures: the figures of a
    busy run are noted as such, not silently mixed with quiet ones.
    """
    began = time.monotonic()
    busy = psutil.cpu_percent(interval=1.0)
    while busy > threshold and time.monotonic() - began < limit:
        busy = psutil.cpu_percent(interval=2.0)
    return {
        "cpu_percent_before": busy,
        "load_avg_before": os.getloadavg()[0],
        "waited_s": round(time.monotonic() - began, 1),
    }


# -- one round: one Chromium and n-1 protocol clients ---------------------------------


def _failure(who: str, phase: str, exc: BaseException) -> dict:
    text = f"{type(exc).__name__}: {exc}".strip()
    return {"who": who, "phase": phase, "error": text.splitlines()[0][:300]}


def run_round(scenario: Scenario, server, browser, n: int) -> dict:
    """Everyone opens the first page at once, gets ready, then moves to the next part at once."""
    start, go = threading.Event(), threading.Event()
    ready = threading.Semaphore(0)
    clients: list[dict] = [{"first": None, "second": None, "kernel": None} for _ in range(n - 1)]
    failures: list[dict] = []
    lock = threading.Lock()

    def protocol_trainee(record: dict, index: int) -> None:
        who = f"protocol-{index}"
        client = scenario.client(server)
        phase = "first"
        try:
            start.wait()
            t0 = time.perf_counter()
            scenario.proto_first(client, server)
            record["first"] = time.perf_counter() - t0
            phase = "prepare"
            scenario.proto_prepare(client, server)
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            with lock:
                failures.append(_failure(who, phase, exc))
            client.close()
            return
        finally:
            ready.release()
        phase = "second"
        try:
            while not go.is_set():  # waiting for the others, the page stays connected
                client.idle(0.5)
            t0 = time.perf_counter()
            scenario.proto_second(client, server)
            record["second"] = time.perf_counter() - t0
            record["kernel"] = scenario.kernel_of(client)
        except Exception as exc:  # noqa: BLE001
            with lock:
                failures.append(_failure(who, phase, exc))
        finally:
            client.close()

    threads = [
        threading.Thread(target=protocol_trainee, args=(rec, i), daemon=True)
        for i, rec in enumerate(clients, start=1)
    ]
    for thread in threads:
        thread.start()

    result: dict = {"n": n, "chromium": {"first": None, "second": None, "bytes": None}}
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # cold HTTP cache
    context.route(
        lambda url: not url.startswith(("http://127.0.0.1", "data:", "blob:")),
        lambda route: route.abort(),  # the room may be offline: no CDN
    )
    page = context.new_page()
    page.set_default_timeout(scenario.timeout_ms)
    chromium = result["chromium"]
    me = psutil.Process()
    # the servers are this process's children too: Chromium = children minus the server
    cpu_before = (me.cpu_times(), tree_cpu(me, include_self=False), tree_cpu(server.ps))
    wall = time.perf_counter()
    try:
        phase = "first"
        try:
            start.set()
            chromium["first"] = scenario.chromium_first(page, server)
            chromium["bytes"] = chromium_bytes(page)
            phase = "prepare"
            scenario.chromium_prepare(page, server)
        except Exception as exc:  # noqa: BLE001
            failures.append(_failure("chromium", phase, exc))
            phase = None
        # barrier: wait for every protocol trainee to be ready (or to have failed)
        deadline = time.monotonic() + scenario.timeout
        for _ in threads:
            if not ready.acquire(timeout=max(0.1, deadline - time.monotonic())):
                break
        go.set()
        if phase is not None:
            try:
                chromium["second"] = scenario.chromium_second(page, server)
                chromium["kernel"] = chromium_kernel_id(page)
            except Exception as exc:  # noqa: BLE001
                failures.append(_failure("chromium", "second", exc))
    finally:
        start.set()
        go.set()
        context.close()
        for thread in threads:
            thread.join(timeout=scenario.timeout + 15)
        own = me.cpu_times()
        server_cpu = tree_cpu(server.ps)
        children_cpu = tree_cpu(me, include_self=False)
        result["cpu_s"] = {
            # who used the 2 cores during the round: the protocol clients (this process),
            # Chromium (with Playwright's driver), the server with its kernels
            "protocol_clients_and_driver": round(
                own.user + own.system - cpu_before[0].user - cpu_before[0].system, 2
            ),
            "chromium": round((children_cpu - server_cpu) - (cpu_before[1] - cpu_before[2]), 2),
            "server_and_kernels": round(server_cpu - cpu_before[2], 2),
            "wall": round(time.perf_counter() - wall, 2),
            "machine_load_avg_after": os.getloadavg()[0],
        }
    for index, thread in enumerate(threads, start=1):
        if thread.is_alive():
            failures.append({"who": f"protocol-{index}", "phase": "?", "error": "still running"})
    result["protocol"] = clients
    result["failures"] = failures
    result["trainees"] = n
    return result


# -- a scenario at one class size ------------------------------------------------------


def run_scenario(
    scenario: Scenario, browser, n: int, rounds: int, measure_memory: bool, quiet_wait: float
) -> dict:
    workdir = new_workdir(scenario.key)
    out: dict = {"scenario": scenario.key, "n": n, "rounds": []}
    out["machine_before"] = wait_for_quiet_machine(quiet_wait)
    server = None
    try:
        t0 = time.monotonic()
        server = scenario.start(workdir)
        out["server_start_s"] = time.monotonic() - t0
        server.settle(timeout=90)
        try:
            scenario.warm_up(server)
        except Exception as exc:  # noqa: BLE001
            out["warm_up_error"] = _failure("warm-up", "warm-up", exc)
        for index in range(rounds):
            out["settled"] = server.settle(timeout=90)
            print(f"  {scenario.key}: {n} trainee(s), round {index + 1}/{rounds} …", flush=True)
            result = run_round(scenario, server, browser, n)
            out["rounds"].append(result)
            for failure in result["failures"]:
                print(f"    failure: {failure}", flush=True)
        if measure_memory and scenario.key != "static":
            server.settle(timeout=60)
            last = out["rounds"][-1]
            kernels = [c["kernel"] for c in last["protocol"] if c["kernel"]]
            if last["chromium"].get("kernel"):
                kernels.append(last["chromium"]["kernel"])
            rss = server.kernel_pss(kernels)
            out["memory"] = {
                "kernel_pss_mib": rss,
                "kernels_asked": len(kernels),
                "kernels_running": len(server.kernels()),
                "server_rss_mib": server.server_rss(),
            }
    finally:
        if server is not None:
            server.stop()
            failed = any(r["failures"] for r in out["rounds"]) or "warm_up_error" in out
            if failed and server.log_path.exists():  # keep the server's log to read later
                RESULTS.mkdir(exist_ok=True)
                kept = RESULTS / f"{STAMP}-{scenario.key}-{n}.log"
                shutil.copy(server.log_path, kept)
                out["server_log"] = str(kept.relative_to(REPO))
        shutil.rmtree(workdir, ignore_errors=True)
    return out


# -- report --------------------------------------------------------------------------


def seconds(summ: dict) -> str:
    if not summ or summ["p50"] is None:
        return "–"
    if summ["n"] == 1:
        return f"{summ['p50']:.2f} s"
    return f"{summ['p50']:.2f} / {summ['p95']:.2f} s"


def collect(run: dict) -> dict:
    """Samples of one scenario × class size."""
    chromium_first, chromium_second, proto_first, proto_second, sizes = [], [], [], [], []
    failures, failed, attempts = [], 0, 0
    for rnd in run["rounds"]:
        c = rnd["chromium"]
        if c["first"] is not None:
            chromium_first.append(c["first"])
        if c["second"] is not None:
            chromium_second.append(c["second"])
        if c["bytes"]:
            sizes.append(c["bytes"])
        proto_first += [p["first"] for p in rnd["protocol"] if p["first"] is not None]
        proto_second += [p["second"] for p in rnd["protocol"] if p["second"] is not None]
        failures += rnd["failures"]
        failed += len({f["who"] for f in rnd["failures"]})
        attempts += rnd["trainees"]
    return {
        "chromium_first": summary(chromium_first),
        "chromium_second": summary(chromium_second),
        "protocol_first": summary(proto_first),
        "protocol_second": summary(proto_second),
        # the whole class: Chromium's samples and the protocol clients' together
        "all_first": summary(chromium_first + proto_first),
        "all_second": summary(chromium_second + proto_second),
        "bytes": summary(sizes),
        "failures": failed,
        "attempts": attempts,
        "failure_details": failures,
    }


def verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= limit else "not met"


def build_table(results: dict, sizes: list[int], keys: list[str]) -> tuple[list[list[str]], dict]:
    titles = {
        "app": "course app",
        "ordinary": "course app, ordinary kernel starts",
        "bare": "bare Voilà (page per part)",
        "static": "static HTML",
    }
    header = ["scenario (p50 / p95)", *[titles[k] for k in keys], "target"]
    rows = [header]
    stats = {
        (k, n): collect(results[k][str(n)])
        for k in keys
        for n in sizes
        if str(n) in results.get(k, {})
    }
    verdicts: dict = {}

    def row(label: str, key: str, n: int, target: str = "") -> None:
        rows.append([label, *[seconds(stats.get((k, n), {}).get(key)) for k in keys], target])

    for n in sizes:
        who = "1 trainee" if n == 1 else f"{n} together"
        row(f"first page, {who}, Chromium", "chromium_first", n)
        if n > 1:
            row(f"first page, {who}, {n - 1} protocol clients", "protocol_first", n)
    for n in sizes:
        who = "1 trainee" if n == 1 else f"{n} together"
        target = ""
        if n > 1 and ("app", n) in stats:
            chrom = stats[("app", n)]["chromium_second"]["p95"]
            prot = stats[("app", n)]["protocol_second"]["p95"]
            verdicts[f"theory_to_practice_{n}_chromium_p95"] = verdict(chrom, TARGET_SECONDS)
            verdicts[f"theory_to_practice_{n}_protocol_p95"] = verdict(prot, TARGET_SECONDS)
            target = f"app p95 ≤ {TARGET_SECONDS:g} s: {verdicts[f'theory_to_practice_{n}_chromium_p95']}"
        row(f"theory→practice, {who}, Chromium", "chromium_second", n, target)
        if n > 1:
            target = ""
            if ("app", n) in stats:
                target = f"app p95 ≤ {TARGET_SECONDS:g} s: {verdicts[f'theory_to_practice_{n}_protocol_p95']}"
            row(f"theory→practice, {who}, {n - 1} protocol clients", "protocol_second", n, target)
    for n in sizes:
        rows.append(
            [
                f"trainees failed (any phase), {n}",
                *[
                    f"{stats[(k, n)]['failures']} of {stats[(k, n)]['attempts']}"
                    if (k, n) in stats
                    else "–"
                    for k in keys
                ],
                "",
            ]
        )
    for phase, label in (("first", "first page"), ("second", "theory→practice")):
        cells = []
        for k in keys:
            largest = largest_class(stats, k, sizes, phase)
            cells.append(largest["text"])
            if k == "app":
                verdicts[f"largest_class_{phase}_p95_le_1s"] = largest["largest"]
        rows.append(
            [f"largest class with {label} p95 ≤ {TARGET_SECONDS:g} s (all trainees)", *cells, ""]
        )
    rows.append(
        [
            "first page bytes (Chromium)",
            *[
                f"{stats[(k, sizes[0])]['bytes']['p50'] / 1e6:.2f} MB"
                if (k, sizes[0]) in stats and stats[(k, sizes[0])]["bytes"]["p50"]
                else "–"
                for k in keys
            ],
            "",
        ]
    )
    # memory after the largest class
    biggest = max(sizes)
    cpu_cells = []
    for k in keys:
        rounds = results.get(k, {}).get(str(biggest), {}).get("rounds") or []
        cpus = [r["cpu_s"] for r in rounds if "cpu_s" in r]
        if not cpus:
            cpu_cells.append("–")
            continue
        last = cpus[-1]
        cpu_cells.append(
            f"{last['server_and_kernels']:.0f} / {last['chromium']:.0f} / "
            f"{last['protocol_clients_and_driver']:.0f} s in {last['wall']:.0f} s"
        )
    rows.append([f"CPU server / Chromium / clients, {biggest}", *cpu_cells, ""])
    loads = []
    for k in keys:
        before = results.get(k, {}).get(str(biggest), {}).get("machine_before") or {}
        loads.append(
            f"{before['cpu_percent_before']:.0f} % busy, load {before['load_avg_before']:.1f}"
            if before
            else "–"
        )
    rows.append(["machine before the run of " + str(biggest), *loads, "quiet: < 30 % busy"])
    mem_cells, rss_cells, fit_cells, server_cells = [], [], [], []
    for k in keys:
        memory = results.get(k, {}).get(str(biggest), {}).get("memory")
        if not memory or not memory["kernel_pss_mib"]:
            mem_cells.append("–")
            rss_cells.append("–")
            fit_cells.append("–")
            server_cells.append("–")
            continue
        values = list(memory["kernel_pss_mib"].values())
        median = quantile(values, 0.5)
        mem_cells.append(f"{median:.0f} MiB")
        rss_cells.append(f"{max(values):.0f} MiB (n={len(values)})")
        fit_cells.append(f"{int(BUDGET_MIB // median)}")
        server_cells.append(f"{memory['server_rss_mib']:.0f} MiB")
        if k == "app":
            verdicts["kernel_pss_median"] = verdict(median, TARGET_KERNEL_MIB)
    kernel_target = (
        f"app ≤ {TARGET_KERNEL_MIB:g} MiB: {verdicts['kernel_pss_median']}"
        if "kernel_pss_median" in verdicts
        else ""
    )
    rows.append([f"kernel PSS median (after {biggest})", *mem_cells, kernel_target])
    rows.append([f"kernel PSS max (after {biggest})", *rss_cells, ""])
    rows.append([f"server process RSS (after {biggest})", *server_cells, ""])
    rows.append(["kernels in 24 GiB at the median", *fit_cells, ""])
    return rows, verdicts


def class_verdict(largest: int | None, wanted: int = 30) -> str:
    return "met" if largest is not None and largest >= wanted else "not met"


def largest_class(stats: dict, key: str, sizes: list[int], phase: str) -> dict:
    """The largest measured class whose p95 (all its trainees) stayed ≤ the target, no failures.

    Sizes are measured at a few points only: the text names the next size that missed, so
    the true limit lies between the two.
    """
    met, missed = [], []
    for n in sizes:
        st = stats.get((key, n))
        if not st or st["all_" + phase]["p95"] is None:
            continue
        p95 = st["all_" + phase]["p95"]
        if p95 <= TARGET_SECONDS and st["failures"] == 0:
            met.append(n)
        else:
            missed.append((n, p95, st["failures"]))
    if not met and not missed:
        return {"largest": None, "text": "–"}
    largest = max(met) if met else None
    above = [m for m in missed if largest is None or m[0] > largest]
    text = "none" if largest is None else f"{largest}"
    if above:
        n, p95, failed = min(above)
        text += f" ({n}: {p95:.2f} s" + (f", {failed} failed)" if failed else ")")
    elif largest is not None and largest == max(sizes):
        text += " (largest measured)"
    return {"largest": largest, "text": text}


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for index, r in enumerate(rows):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip())
        if index == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_rows(results: dict, sizes: list[int], keys: list[str]) -> list[dict]:
    """The headline figures for bench/all.py: the app, with bare Voilà and static beside it."""
    stats = {
        (k, n): collect(results[k][str(n)])
        for k in keys
        for n in sizes
        if str(n) in results.get(k, {})
    }
    short = {"ordinary": "app unforked", "bare": "bare Voilà", "static": "static"}
    anchors = [k for k in keys if k != "app"]

    def p95(k: str, n: int, key: str) -> str:
        st = stats.get((k, n))
        if not st or st[key]["p95"] is None:
            return "–"
        return f"{st[key]['p95']:.2f} s"

    def beside(cell) -> str:
        return " · ".join(f"{short[k]} {cell(k)}" for k in anchors)

    out = []
    for phase, label in (("first", "first page"), ("second", "theory→practice")):
        for n in sizes:
            who = "1 trainee" if n == 1 else f"{n} together (all trainees)"
            target, verdict_text = "", ""
            if phase == "second" and ("app", n) in stats:
                value = stats[("app", n)]["all_second"]["p95"]
                target = f"p95 ≤ {TARGET_SECONDS:g} s"
                verdict_text = verdict(value, TARGET_SECONDS)
            out.append(
                summary_row(
                    f"{label} p95, {who}",
                    f"app {p95('app', n, 'all_' + phase)}",
                    beside(lambda k, n=n, phase=phase: p95(k, n, "all_" + phase)),
                    target,
                    verdict_text,
                )
            )
    for phase, label in (("second", "theory→practice"), ("first", "first page")):
        app_largest = largest_class(stats, "app", sizes, phase)
        out.append(
            summary_row(
                f"largest class with {label} p95 ≤ {TARGET_SECONDS:g} s",
                f"app {app_largest['text']}",
                beside(lambda k, phase=phase: largest_class(stats, k, sizes, phase)["text"]),
                "30 or more",
                "" if app_largest["text"] == "–" else class_verdict(app_largest["largest"]),
            )
        )

    def failed(k: str) -> str:
        cells = [stats[(k, n)] for n in sizes if (k, n) in stats]
        if not cells:
            return "–"
        return f"{sum(c['failures'] for c in cells)} of {sum(c['attempts'] for c in cells)}"

    out.append(summary_row("trainees failed (all sizes)", f"app {failed('app')}", beside(failed)))
    biggest = max(sizes)

    def memory(k: str) -> dict | None:
        mem = results.get(k, {}).get(str(biggest), {}).get("memory")
        if not mem or not mem["kernel_pss_mib"]:
            return None
        values = list(mem["kernel_pss_mib"].values())
        return {"median": quantile(values, 0.5), "server": mem["server_rss_mib"], "n": len(values)}

    app_mem = memory("app")
    if app_mem or any(memory(k) for k in anchors):

        def rss(k: str) -> str:
            m = memory(k)
            return f"{m['median']:.0f} MiB" if m else "–"

        def fits(k: str) -> str:
            m = memory(k)
            return f"{int(BUDGET_MIB // m['median'])}" if m else "–"

        out.append(
            summary_row(
                f"trainee kernel PSS, median after {biggest}",
                f"app {rss('app')}",
                " · ".join(f"{short[k]} {rss(k)}" for k in anchors if k == "bare"),
                f"≤ {TARGET_KERNEL_MIB:g} MiB",
                verdict(app_mem["median"] if app_mem else None, TARGET_KERNEL_MIB),
            )
        )
        out.append(
            summary_row(
                "trainee kernels in 24 GiB (at that median)",
                f"app {fits('app')}",
                " · ".join(f"{short[k]} {fits(k)}" for k in anchors if k == "bare"),
            )
        )
        if app_mem:
            pool = results.get("pool_size", 0)
            spare = BUDGET_MIB - app_mem["server"] - pool * app_mem["median"] - OS_RESERVE_MIB
            out.append(
                summary_row(
                    "trainees in 24 GiB after server, pool and OS",
                    f"app {int(spare // app_mem['median'])}",
                    f"server {app_mem['server']:.0f} MiB, pool {pool}, OS {OS_RESERVE_MIB} MiB",
                )
            )
    loads = [results.get(k, {}).get(str(n), {}).get("machine_before") for k in keys for n in sizes]
    loads = [x for x in loads if x]
    if loads:
        out.append(
            summary_row(
                "machine before each scenario (others' work)",
                f"up to {max(x['cpu_percent_before'] for x in loads):.0f} % busy, "
                f"load ≤ {max(x['load_avg_before'] for x in loads):.1f}",
                "",
                "quiet: < 30 % busy",
                "met" if max(x["cpu_percent_before"] for x in loads) < 30 else "not met",
            )
        )
    return out


# -- main ----------------------------------------------------------------------------


def machine() -> dict:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if dirty:
            commit += "+uncommitted changes"  # the run measured the working tree
    except OSError:
        commit = ""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu_model": _cpu_model(),
        "commit": commit,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", default=None, help=f"class sizes (default {DEFAULT_SIZES})")
    parser.add_argument("--repeats", type=int, default=None, help="rounds for 1 trainee (3)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help=f"rounds for every N > 1 (default: 2, and 1 from {LARGE_CLASS} trainees on)",
    )
    parser.add_argument(
        "--pool-size", type=int, default=32, help="course app kernel pool (32, as served)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="per phase, seconds (default: the larger of 120 and 6 s per trainee)",
    )
    parser.add_argument(
        "--scenarios",
        default="app,ordinary,bare,static",
        help="any of app,ordinary,bare,static (all); ordinary: the course app with "
        "COURSE_FORK_KERNELS=0",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=10,
        help="seconds to wait for other work on the machine to calm down before each "
        "scenario (10); the load seen is recorded either way",
    )
    parser.add_argument("--quick", action="store_true", help="1 and 5 trainees, one repeat")
    args = parser.parse_args(argv)
    args.trainees = args.trainees or ("1,5" if args.quick else DEFAULT_SIZES)
    args.repeats = args.repeats or (1 if args.quick else 3)
    if args.rounds is None and args.quick:
        args.rounds = 1
    args.sizes = sorted({int(x) for x in args.trainees.split(",") if x.strip()})
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--trainees takes class sizes of 1 or more, e.g. 1,10,30")
    args.keys = [k for k in ("app", "ordinary", "bare", "static") if k in args.scenarios.split(",")]
    return args


def rounds_for(args: argparse.Namespace, n: int) -> int:
    """Rounds at class size ``n``: the repeats alone, else --rounds, else 2 (1 when large)."""
    if n == 1:
        return args.repeats
    if args.rounds is not None:
        return args.rounds
    return 1 if n >= LARGE_CLASS else 2


def timeout_for(args: argparse.Namespace, n: int) -> float:
    """Seconds a trainee may take per phase: 60 arriving at once on 2 cores take minutes."""
    return args.timeout if args.timeout is not None else max(120.0, 6.0 * n)


def _on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (set COURSE_CHROMIUM)", file=sys.stderr)
        return 2
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
    from playwright.sync_api import sync_playwright

    first_timeout = timeout_for(args, min(args.sizes))
    scenarios = {
        "app": CourseApp(first_timeout, args.pool_size),
        "ordinary": CourseAppOrdinary(first_timeout, args.pool_size),
        "bare": BareVoilaPages(first_timeout),
        "static": StaticPages(first_timeout),
    }
    began = time.monotonic()
    results: dict = {}
    report: dict = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "args": {k: v for k, v in vars(args).items()},
        "results": results,
    }
    interrupted = False
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            report["machine"]["chromium"] = browser.version
            try:
                for key in args.keys:
                    for n in args.sizes:
                        rounds = rounds_for(args, n)
                        scenarios[key].set_timeout(timeout_for(args, n))
                        try:
                            results.setdefault(key, {})[str(n)] = run_scenario(
                                scenarios[key],
                                browser,
                                n,
                                rounds,
                                n == max(args.sizes),
                                args.quiet_wait,
                            )
                        except KeyboardInterrupt:
                            raise
                        except Exception as exc:  # noqa: BLE001 - report, go on
                            traceback.print_exc()
                            results.setdefault(key, {})[str(n)] = {
                                "rounds": [],
                                "error": _failure(key, "server", exc),
                            }
            finally:
                browser.close()
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted: stopping servers", file=sys.stderr)
    finally:
        stop_all()
    report["elapsed_s"] = round(time.monotonic() - began, 1)
    report["interrupted"] = interrupted
    measured = [k for k in args.keys if k in results]
    rows, verdicts = build_table(results, args.sizes, measured)
    report["table"] = rows
    report["verdicts"] = verdicts
    report["summary"] = summary_rows({**results, "pool_size": args.pool_size}, args.sizes, measured)
    write_summary(
        "time to interactive (bench/run.py)",
        report["summary"],
        [
            f"{report['date']}, {report['machine']['cpus']} CPUs, commit {report['machine']['commit']}"
            f", pool {args.pool_size}, rounds per size "
            + ", ".join(f"{n}: {rounds_for(args, n)}" for n in args.sizes)
        ],
    )
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{STAMP}.json"
    path.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    info = report["machine"]
    print()
    print(
        f"{report['date']} · {info['cpus']} CPUs ({info['cpu_model']}) · "
        f"{info['memory_gib']} GiB · Chromium {info.get('chromium', '?')} · "
        f"pool {args.pool_size} · commit {info['commit']} · {report['elapsed_s']:.0f} s"
    )
    print(format_table(rows))
    print(f"\nraw samples: {path.relative_to(REPO)}")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())

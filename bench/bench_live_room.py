"""Benchmark: the live room's figures that ``run.py`` does not time (issue #10).

Each figure is measured for the course app with forked kernels (``app``), the same app with
ordinary kernel starts (``ordinary``, ``COURSE_FORK_KERNELS=0``), and where it means anything
the anchors, bare Voilà (a kernel per page) and static HTML, in the same run:

- **kernel start**: seconds to ready, CPU-s of the kernel process and its PSS, for kernels
  started one after the other through jupyter_client with the course's kernelspec;
- **facilitator while a class arrives**: one real Chromium opens the dashboard while N−1
  protocol trainees open the app at the same moment: key box visible, dashboard after the
  key, a session started (its code shown); beside the same three steps on the idle server;
- **tabs closed**: N Chromium tabs opened, then closed as a trainee closes them; kernels of
  theirs still alive 60 s later;
- **kernel memory after a whole module**: a protocol trainee joins, works through Module 1's
  theory, practice (the sort, checked) and review; the PSS of its kernel;
- **repeat visit**: HTTP requests that reach the server on a second visit from the same
  browser profile.

Figures, not assertions; nothing here runs in ``make test``. ``--quick``: class of 10,
10 tabs, 3 kernel starts.

    .venv/bin/python bench/bench_live_room.py [--class-size 30] [--tabs 30] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time

import psutil
from protocol_client import ProtocolTrainee
from run import CHROMIUM, LAUNCH_ARGS
from scenarios import CourseApp
from servers import (
    REPO,
    BareVoila,
    CourseServer,
    StaticServer,
    new_workdir,
    stop_all,
)

MIB = 1024 * 1024
TIMEOUT_MS = 240_000
SHARE = REPO / "widgets" / "serving" / "share"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} / {five:.1f}, CPU {psutil.cpu_percent(interval=1):.0f} % busy"


# -- kernel starts --------------------------------------------------------------------------


async def _kernel_starts(count: int, fork: bool) -> list[dict]:
    from jupyter_client.manager import AsyncKernelManager
    from traitlets.config import Config

    c = Config()
    c.ForkProvisioner.enabled = fork
    out = []
    managers = []
    if fork:  # the template is started once per server, before any trainee arrives
        from widgets.kernels.provisioner import warm_template

        class Log:
            def info(self, *a):
                pass

            warning = info

        await warm_template(Log())
    for _ in range(count):
        km = AsyncKernelManager(kernel_name="python3", config=c)
        began = time.monotonic()
        await km.start_kernel(cwd=str(REPO / "course"))
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=240)
        ready = time.monotonic() - began
        proc = psutil.Process(km.provisioner.pid)
        cpu = proc.cpu_times()
        out.append(
            {
                "ready_s": ready,
                "cpu_s": cpu.user + cpu.system,
                "pss_mib": proc.memory_full_info().pss / MIB,
                "forked": bool(getattr(km.provisioner, "forked", False)),
            }
        )
        managers.append((km, kc))
    for km, kc in managers:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
    return out


def kernel_starts(count: int) -> dict:
    os.environ["JUPYTER_PATH"] = str(SHARE)
    results = {}
    for key, fork in (("app", True), ("ordinary", False)):
        rows = asyncio.run(_kernel_starts(count, fork))
        results[key] = {
            k: statistics.median(r[k] for r in rows) for k in ("ready_s", "cpu_s", "pss_mib")
        }
        results[key]["forked"] = all(r["forked"] for r in rows)
    return results


# -- the facilitator while a class arrives ------------------------------------------------


def facilitator_key(server) -> str:
    from widgets.keys import FACILITATOR_KEY_FILE

    return (server.workdir / "var" / FACILITATOR_KEY_FILE).read_text().strip()


def facilitator_steps(browser, server) -> dict:
    """Seconds to the key box, to the dashboard after the key, to a started session."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    steps = {}
    try:
        began = time.monotonic()
        page.goto(f"{server.url}voila/render/facilitator/dashboard.ipynb", wait_until="commit")
        page.locator(".facilitator-key input").wait_for(state="visible")
        steps["key_box_s"] = time.monotonic() - began
        page.locator(".facilitator-key input").fill(facilitator_key(server))
        began = time.monotonic()
        page.locator(".facilitator-unlock").click()
        page.locator(".facilitator-create").wait_for(state="visible")
        steps["dashboard_s"] = time.monotonic() - began
        page.locator(".facilitator-title input").fill("Bench twilight")
        began = time.monotonic()
        page.locator(".facilitator-create").click()
        page.locator(".live-code").wait_for(state="visible")
        steps["start_session_s"] = time.monotonic() - began
    finally:
        context.close()
    return steps


def class_arrives(server, count: int, timeout: float) -> tuple[threading.Thread, list]:
    """Start ``count`` protocol trainees opening the app at once; returns (thread, errors)."""
    errors: list[str] = []
    barrier = threading.Barrier(count + 1)
    scenario = CourseApp(timeout, 0)

    def one():
        client = ProtocolTrainee(server.url, timeout)
        try:
            barrier.wait()
            scenario.proto_first(client, server)
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            client.close()

    threads = [threading.Thread(target=one, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()

    def join_all():
        for t in threads:
            t.join()

    barrier.wait()
    waiter = threading.Thread(target=join_all, daemon=True)
    waiter.start()
    return waiter, errors


def facilitator_during_arrival(browser, fork: bool, class_size: int, pool: int) -> dict:
    server = CourseServer(new_workdir(f"live-room-{fork}"), pool, fork=fork)
    try:
        server.settle(timeout=180)
        idle = facilitator_steps(browser, server)
        server.settle(timeout=120)
        waiter, errors = class_arrives(server, class_size - 1, timeout=max(240, 6 * class_size))
        busy = facilitator_steps(browser, server)
        waiter.join()
        return {"idle": idle, "while_class_arrives": busy, "trainee_errors": errors}
    finally:
        server.stop()


# -- tabs closed, memory after a module, repeat visit --------------------------------------


def tabs_closed(browser, server, tabs: int, path: str, selector: str) -> dict:
    context = browser.new_context()
    kernels = []
    try:
        pages = []
        for _ in range(tabs):
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(server.url + path, wait_until="commit")
            page.locator(selector).first.wait_for(state="visible")
            kernels.append(
                page.evaluate(
                    "JSON.parse(document.getElementById('jupyter-config-data')"
                    ".textContent).kernelId"
                )
            )
            pages.append(page)
        for page in pages:
            page.close(run_before_unload=True)
        time.sleep(60)  # the figure is "alive 60 s after the tabs closed"
        alive = set(server.kernels())
        return {"tabs": tabs, "alive_after_60s": sum(k in alive for k in kernels)}
    finally:
        context.close()


def module_walk_pss(server, bare: bool) -> dict:
    """PSS of the kernel after one trainee worked through Module 1."""
    client = ProtocolTrainee(server.url, 240)
    try:
        if bare:
            for part in ("theory", "practice", "review"):
                client.load_page(server.part_path(part))
            client.connect()
        else:
            scenario = CourseApp(240, 0)
            scenario.proto_first(client, server)
            scenario.proto_prepare(client, server)
            scenario.proto_second(client, server)
            client.click("course-tab-review")
            client.wait_for_class("course-reflection-text")
        server.settle(timeout=60)
        pss = server.kernel_pss([client.kernel_id])
        return {"pss_mib": pss.get(client.kernel_id)}
    finally:
        client.close()


def repeat_visit(browser, url: str, wait) -> dict:
    context = browser.new_context()
    counts = []
    try:
        for _ in range(2):
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            sent, cached = {}, set()
            cdp.on(
                "Network.requestWillBeSent",
                lambda e, sent=sent: (
                    e["request"]["url"].startswith("http")
                    and sent.__setitem__(e["requestId"], e["request"]["url"])
                ),
            )
            cdp.on("Network.requestServedFromCache", lambda e, c=cached: c.add(e["requestId"]))
            cdp.on(
                "Network.responseReceived",
                lambda e, c=cached: e["response"].get("fromDiskCache") and c.add(e["requestId"]),
            )
            page.goto(url, wait_until="commit")
            wait(page)
            page.wait_for_timeout(1000)  # late requests (kernel info, fonts) counted too
            counts.append(len([r for r in sent if r not in cached]))
            page.close(run_before_unload=True)
    finally:
        context.close()
    return {"first": counts[0], "repeat": counts[1]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=30)
    parser.add_argument("--tabs", type=int, default=30)
    parser.add_argument("--starts", type=int, default=5, help="kernel starts per kind (5)")
    parser.add_argument("--pool-size", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="class of 10, 10 tabs, 3 starts")
    args = parser.parse_args(argv)
    if args.quick:
        args.class_size, args.tabs, args.starts = 10, 10, 3
    report: dict = {"args": vars(args), "machine_before": load()}
    print(f"bench_live_room: {report['machine_before']}", flush=True)
    from playwright.sync_api import sync_playwright

    try:
        report["kernel_start"] = kernel_starts(args.starts)
        print("kernel start", json.dumps(report["kernel_start"]), flush=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                for key, fork in (("app", True), ("ordinary", False)):
                    report.setdefault("facilitator", {})[key] = facilitator_during_arrival(
                        browser, fork, args.class_size, args.pool_size
                    )
                    print("facilitator", key, report["facilitator"][key], flush=True)
                for key, fork in (("app", True), ("ordinary", False)):
                    server = CourseServer(new_workdir(f"tabs-{key}"), 4, fork=fork)
                    try:
                        server.settle(timeout=120)
                        report.setdefault("tabs", {})[key] = tabs_closed(
                            browser, server, args.tabs, server.app_path, ".course-join-start"
                        )
                        report.setdefault("module_pss", {})[key] = module_walk_pss(server, False)
                        report.setdefault("repeat", {})[key] = repeat_visit(
                            browser,
                            server.url + server.app_path,
                            lambda p: p.locator(".course-join-start").wait_for(),
                        )
                    finally:
                        server.stop()
                    print(key, report["tabs"][key], report["module_pss"][key], flush=True)
                bare = BareVoila(new_workdir("tabs-bare"))
                try:
                    theory = bare.part_path("theory")
                    report["tabs"]["bare"] = tabs_closed(
                        browser, bare, args.tabs, theory, ".course-activity"
                    )
                    report["module_pss"]["bare"] = module_walk_pss(bare, True)
                    report["repeat"]["bare"] = repeat_visit(
                        browser,
                        bare.url + theory,
                        lambda p: p.locator(".course-activity").first.wait_for(),
                    )
                finally:
                    bare.stop()
                static = StaticServer(new_workdir("repeat-static"))
                try:
                    report["repeat"]["static"] = repeat_visit(
                        browser, static.url + "theory.html", lambda p: None
                    )
                finally:
                    static.stop()
            finally:
                browser.close()
    finally:
        stop_all()
    report["machine_after"] = load()
    print_table(report)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"live-room-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=1, default=str))
    print(f"\nraw: {path.relative_to(REPO)}")
    return 0


def _s(value) -> str:
    return "–" if value is None else f"{value:.2f} s"


def print_table(report: dict) -> None:
    ks = report["kernel_start"]
    fac = report.get("facilitator", {})
    rows = [
        ("figure", "course app (forked)", "course app (ordinary starts)", "bare Voilà", "static"),
        (
            "kernel start: ready / CPU-s / PSS (median)",
            *[
                f"{ks[k]['ready_s']:.2f} s / {ks[k]['cpu_s']:.2f} / {ks[k]['pss_mib']:.0f} MiB"
                for k in ("app", "ordinary")
            ],
            "(as ordinary)",
            "–",
        ),
    ]
    n = report["args"]["class_size"]
    for step, label in (
        ("key_box_s", "key box"),
        ("dashboard_s", "dashboard after the key"),
        ("start_session_s", "session started"),
    ):
        rows.append(
            (
                f"facilitator {label}: idle / while {n} arrive",
                *[
                    f"{_s(fac[k]['idle'].get(step))} / {_s(fac[k]['while_class_arrives'].get(step))}"
                    if k in fac
                    else "–"
                    for k in ("app", "ordinary")
                ],
                "no facilitator",
                "–",
            )
        )
    rows.append(
        (
            f"trainees failed while {n} arrived",
            *[str(len(fac[k]["trainee_errors"])) if k in fac else "–" for k in ("app", "ordinary")],
            "–",
            "–",
        )
    )
    tabs = report.get("tabs", {})
    rows.append(
        (
            f"kernels alive 60 s after {report['args']['tabs']} tabs closed",
            *[str(tabs[k]["alive_after_60s"]) if k in tabs else "–" for k in ("app", "ordinary")],
            str(tabs["bare"]["alive_after_60s"]) if "bare" in tabs else "–",
            "no kernels",
        )
    )
    pss = report.get("module_pss", {})
    rows.append(
        (
            "kernel PSS after Module 1 (theory, practice, review)",
            *[
                f"{pss[k]['pss_mib']:.0f} MiB" if pss.get(k, {}).get("pss_mib") else "–"
                for k in ("app", "ordinary", "bare")
            ],
            "–",
        )
    )
    if pss.get("app", {}).get("pss_mib"):
        rows.append(
            (
                "trainee kernels per 24 GiB (at that PSS)",
                *[
                    f"{int(24 * 1024 // pss[k]['pss_mib'])}"
                    if pss.get(k, {}).get("pss_mib")
                    else "–"
                    for k in ("app", "ordinary", "bare")
                ],
                "–",
            )
        )
    rep = report.get("repeat", {})
    rows.append(
        (
            "HTTP requests: first visit / repeat visit",
            *[
                f"{rep[k]['first']} / {rep[k]['repeat']}" if k in rep else "–"
                for k in ("app", "ordinary", "bare", "static")
            ],
        )
    )
    rows.append(
        ("machine before / after", report["machine_before"], report["machine_after"], "", "")
    )
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    for i, row in enumerate(rows):
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))


if __name__ == "__main__":
    sys.exit(main())

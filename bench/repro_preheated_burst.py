"""Diagnostic (not a benchmark): does a browser given a preheated kernel during a burst see the app?

Seen in ``make bench`` (2026-11-23): the one Chromium among 60 (and, here, 30) arriving
together was served one of the pool's preheated kernels, connected its websocket, and the
page stayed blank (no ``.course-join-start``) for minutes, while protocol-level clients on the
other preheated kernels reported the app's widget models within 15–40 s. A trainee alone on
a preheated kernel sees the app in ~4 s. This script reproduces it: Chromium asks first (so it
gets a preheated kernel), N-1 protocol clients follow at once, and for every protocol client
it notes whether its page HTML holds a widget view (what a browser draws) or only the models.

    python bench/repro_preheated_burst.py 30          # ~5 minutes on 2 cores
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from protocol_client import ProtocolTrainee
from servers import CourseServer, stop_all

VIEW = "application/vnd.jupyter.widget-view+json"  # what a browser draws


def main(n: int = 30, timeout: float = 300) -> int:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="course-bench-repro-"))
    server = CourseServer(work, pool_size=4)
    results: list[dict] = []
    try:
        server.settle(timeout=90)

        def proto() -> None:
            client = ProtocolTrainee(server.url, timeout)
            began = time.perf_counter()
            try:
                client.load_page(server.app_path)
                client.connect()
                results.append(
                    {
                        "s": round(time.perf_counter() - began, 1),
                        "view_in_html": VIEW in client.html,
                        "kernel": client.kernel_id,
                    }
                )
            except Exception as exc:  # noqa: BLE001 - reported below
                results.append({"error": repr(exc)[:120]})
            finally:
                client.close()

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_context().new_page()
            page.set_default_timeout(timeout * 1000)
            began = time.perf_counter()
            page.goto(server.url + server.app_path, wait_until="commit")
            threads = [threading.Thread(target=proto, daemon=True) for _ in range(n - 1)]
            for thread in threads:
                thread.start()
            try:
                page.locator(".course-join-start").wait_for(state="visible")
                print(f"Chromium: first page in {time.perf_counter() - began:.1f} s")
            except Exception as exc:  # noqa: BLE001
                print(
                    f"Chromium: no join button after {time.perf_counter() - began:.0f} s ({exc!r:.60})"
                )
            html = page.content()
            print(f"Chromium page holds a widget view: {VIEW in html}")
            for thread in threads:
                thread.join(timeout + 30)
            browser.close()
        preheated = {
            line.split("kernel: ")[1].split()[0]
            for line in server.log().splitlines()
            if "Using pre-heated kernel" in line
        }
        for r in sorted(results, key=lambda r: r.get("s", 1e9)):
            tag = "preheated" if r.get("kernel") in preheated else "cold"
            print(f"  protocol {tag:9} {r}")
    finally:
        stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))

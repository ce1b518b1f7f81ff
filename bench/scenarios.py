"""The three ways of serving a part, each driven by one Chromium and N-1 protocol clients.

A scenario knows how to start its server and how one trainee, in Chromium or at the protocol
level, (1) opens the first page, (2) gets ready for the next part, (3) moves to the next
part. Phases 1 and 3 are timed; phase 2 is not.
"""

from __future__ import annotations

import time
from pathlib import Path

from protocol_client import ProtocolTrainee, fetch, page_config
from servers import MODULE, BareVoila, CourseServer, Server, StaticServer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # an output a browser draws
CONFIG_JS = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
BYTES_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return (nav ? nav.transferSize : 0) + res.reduce((sum, r) => sum + (r.transferSize || 0), 0);
}"""


class Scenario:
    key = ""
    title = ""
    first_label = "first page"
    second_label = "next part"

    def __init__(self, timeout: float):
        self.set_timeout(timeout)

    def set_timeout(self, timeout: float) -> None:
        """Seconds one trainee may take per phase (larger classes need longer)."""
        self.timeout = timeout
        self.timeout_ms = timeout * 1000

    def start(self, workdir: Path) -> Server:
        raise NotImplementedError

    def warm_up(self, server: Server) -> None:
        """One untimed trainee, so that the first timed one does not pay for cold files."""

    # Chromium: each returns seconds (timed phases) and may note a kernel id
    def chromium_first(self, page, server) -> float:
        raise NotImplementedError

    def chromium_prepare(self, page, server) -> None:
        pass

    def chromium_second(self, page, server) -> float:
        raise NotImplementedError

    # protocol clients
    def client(self, server) -> ProtocolTrainee:
        return ProtocolTrainee(server.url, self.timeout)

    def proto_first(self, client: ProtocolTrainee, server) -> None:
        raise NotImplementedError

    def proto_prepare(self, client: ProtocolTrainee, server) -> None:
        pass

    def proto_second(self, client: ProtocolTrainee, server) -> None:
        raise NotImplementedError

    def kernel_of(self, client: ProtocolTrainee) -> str | None:
        """The kernel whose memory counts for this trainee after the run."""
        return client.kernel_id


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


class CourseApp(Scenario):
    """``course serve``: one kernel per trainee visit, parts rendered inside it."""

    key = "app"
    title = "course app"
    second_label = "theory→practice"

    def __init__(self, timeout: float, pool_size: int):
        super().__init__(timeout)
        self.pool_size = pool_size
        self.card = f"course-module-{MODULE}"  # the module's card on the module map

    def start(self, workdir):
        return CourseServer(workdir, self.pool_size)

    def warm_up(self, server):
        client = self.client(server)
        try:
            self.proto_first(client, server)
            self.proto_prepare(client, server)
            self.proto_second(client, server)
        finally:
            client.close()

    def chromium_first(self, page, server):
        def go():
            page.goto(server.url + server.app_path, wait_until="commit")
            page.locator(".course-join-start").wait_for(state="visible")

        return _timed(go)

    def chromium_prepare(self, page, server):
        page.locator(".course-join-start").click()
        page.locator(".course-module-card").first.wait_for(state="visible")
        page.locator(f".{self.card} .course-part-theory").click()
        page.locator(".course-part-body").first.wait_for(state="visible")

    def chromium_second(self, page, server):
        def go():
            page.locator(".course-tab-practice").first.click()
            page.locator(".sort-board").first.wait_for(state="visible")

        return _timed(go)

    def proto_first(self, client, server):
        client.load_page(server.app_path)
        if WIDGET_VIEW not in client.html:
            # the kernel holds the app's widgets but the page shows none of them: a browser
            # stays blank (seen with preheated kernels handed out during a burst; see
            # bench/repro_preheated_burst.py). Not a success, whatever the models say.
            raise RuntimeError("the app's page has no widget view: a browser shows a blank page")
        client.connect()
        if not client.find("course-join-start"):
            raise RuntimeError("the app's first page has no .course-join-start")

    def proto_prepare(self, client, server):
        client.click("course-join-start")
        client.wait_for_class("course-module-card")
        client.click("course-part-theory", inside=self.card)
        client.wait_for_class("course-part-body")

    def proto_second(self, client, server):
        client.click("course-tab-practice")
        client.wait_for_sort_board()


class CourseAppOrdinary(CourseApp):
    """The same course app with ``COURSE_FORK_KERNELS=0``: every kernel a new process."""

    key = "ordinary"
    title = "course app, ordinary kernel starts"

    def start(self, workdir):
        return CourseServer(workdir, self.pool_size, fork=False)


class BareVoilaPages(Scenario):
    """Plain ``voila course/``: theory and practice as two pages, a new kernel each."""

    key = "bare"
    title = "bare Voilà (page per part)"
    second_label = "theory→practice (new page)"

    def start(self, workdir):
        return BareVoila(workdir)

    def warm_up(self, server):
        for part in ("theory", "practice"):
            fetch(server.url + server.part_path(part), self.timeout)

    def chromium_first(self, page, server):
        def go():
            page.goto(server.url + server.part_path("theory"), wait_until="commit")
            page.locator(".course-activity").first.wait_for(state="visible")

        return _timed(go)

    def chromium_second(self, page, server):
        def go():
            page.goto(server.url + server.part_path("practice"), wait_until="commit")
            page.locator(".sort-board").first.wait_for(state="visible")

        return _timed(go)

    def proto_first(self, client, server):
        client.load_page(server.part_path("theory"))

    def proto_second(self, client, server):
        # a whole page: it ends when the kernel has run every cell; its kernel is the one
        # whose memory is reported for this scenario
        client.load_page(server.part_path("practice"))


class StaticPages(Scenario):
    """The same parts exported once with nbconvert, served as files: the floor."""

    key = "static"
    title = "static HTML"
    second_label = "theory→practice (new page)"

    def start(self, workdir):
        return StaticServer(workdir)

    def warm_up(self, server):
        for name in ("theory.html", "practice.html"):
            fetch(server.url + name, self.timeout)

    def chromium_first(self, page, server):
        return _timed(lambda: page.goto(server.url + "theory.html", wait_until="load"))

    def chromium_second(self, page, server):
        return _timed(lambda: page.goto(server.url + "practice.html", wait_until="load"))

    def proto_first(self, client, server):
        fetch(server.url + "theory.html", self.timeout)

    def proto_second(self, client, server):
        fetch(server.url + "practice.html", self.timeout)

    def kernel_of(self, client):
        return None


def chromium_kernel_id(page) -> str | None:
    try:
        return page.evaluate(CONFIG_JS)
    except Exception:  # noqa: BLE001 - static pages have none
        return None


def chromium_bytes(page) -> int:
    return int(page.evaluate(BYTES_JS))


__all__ = [
    "BareVoilaPages",
    "CourseApp",
    "Scenario",
    "StaticPages",
    "chromium_bytes",
    "chromium_kernel_id",
    "page_config",
]

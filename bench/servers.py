"""Servers the benchmark starts: the course app, bare Voilà, a static file server.

Every server runs in its own process group and is registered in ``RUNNING`` so that
:func:`stop_all` (called on exit, on Ctrl+C and on errors) ends it with all of its kernels.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "course"
MODULE = "coaching-and-mentoring"
MIB = 1024 * 1024

RUNNING: list[Server] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without course or hub variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "JUPYTERHUB_"))}
    env.update(extra)
    return env


class Server:
    """A subprocess in its own process group, waited on until ``ready_path`` answers."""

    name = "server"
    ready_path = ""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        workdir: Path,
        timeout: float = 120,
        repo: Path = REPO,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.workdir = workdir
        self.log_path = workdir / f"{self.name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        env = {k: v.replace("{port}", str(self.port)) for k, v in env.items()}
        self.process = subprocess.Popen(
            argv,
            cwd=repo,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop() ends kernels too
        )
        RUNNING.append(self)
        self.ps = psutil.Process(self.process.pid)
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=5):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start in {timeout}s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self in RUNNING:
            RUNNING.remove(self)
        # remember the whole tree first: kernels may sit in their own sessions
        try:
            tree = [self.ps, *self.ps.children(recursive=True)]
        except psutil.Error:
            tree = []
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        _, alive = psutil.wait_procs([p for p in tree if p.is_running()], timeout=10)
        for proc in alive:
            try:
                proc.kill()
            except psutil.Error:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self._log.close()

    # -- measuring -----------------------------------------------------------------

    def kernels(self) -> dict[str, list[psutil.Process]]:
        """Kernel id → the kernel's processes (the kernel and anything it started)."""
        found: dict[str, list[psutil.Process]] = {}
        for proc in self.ps.children(recursive=True):
            try:
                cmd = proc.cmdline()
            except psutil.Error:
                continue
            for arg in cmd:
                base = os.path.basename(arg)
                if base.startswith("kernel-") and base.endswith(".json"):
                    kid = base[len("kernel-") : -len(".json")]
                    try:
                        found[kid] = [proc, *proc.children(recursive=True)]
                    except psutil.Error:
                        pass
        return found

    def kernel_pss(self, kernel_ids) -> dict[str, float]:
        """PSS in MiB of each given kernel (summed over its processes) that is still running.

        PSS, not RSS: a forked kernel shares most of its pages with the template (and with
        its siblings) until it writes to them, and RSS would count them once per kernel."""
        table = self.kernels()
        out = {}
        for kid in kernel_ids:
            procs = table.get(kid)
            if not procs:
                continue
            total = 0
            for proc in procs:
                try:
                    total += proc.memory_full_info().pss
                except psutil.Error:
                    pass
            out[kid] = total / MIB
        return out

    def server_rss(self) -> float:
        """RSS in MiB of the server process itself (no kernels)."""
        return self.ps.memory_info().rss / MIB

    def settle(self, timeout: float = 60, threshold: float = 15.0) -> bool:
        """Wait until the server and its kernels are idle (e.g. a kernel pool refilled)."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            procs = [self.ps, *self.ps.children(recursive=True)]
            for proc in procs:
                try:
                    proc.cpu_percent(None)
                except psutil.Error:
                    pass
            time.sleep(0.5)
            busy = 0.0
            for proc in procs:
                try:
                    busy += proc.cpu_percent(None)
                except psutil.Error:
                    pass
            quiet = quiet + 1 if busy < threshold else 0
            if quiet >= 3:
                return True
        return False


class CourseServer(Server):
    """``course serve`` (the trainee app) with SQLite in its own var dir.

    ``repo``: another checkout of the course to serve (its own ``widgets`` package is put
    first on the server's and kernels' ``PYTHONPATH``), e.g. the base commit of a change."""

    name = "course-serve"
    ready_path = "voila/static/voila.js"
    app_path = "voila/render/index.ipynb"

    def __init__(self, workdir: Path, pool_size: int, fork: bool = True, repo: Path = REPO):
        var_dir = workdir / "var"
        var_dir.mkdir(parents=True, exist_ok=True)
        env = clean_env(
            COURSE_VAR_DIR=str(var_dir),
            COURSE_PORT="{port}",
            COURSE_POOL_SIZE=str(pool_size),
            COURSE_FORK_KERNELS="1" if fork else "0",
        )
        if repo != REPO:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), env.get("PYTHONPATH")]))
        self.pool_size = pool_size
        argv = [sys.executable, "-m", "widgets.cli", "serve"]
        super().__init__(argv, env, workdir, repo=repo)


class BareVoila(Server):
    """Plain ``voila course/``: a kernel per page, no pool, the default template."""

    name = "bare-voila"
    ready_path = "voila/static/voila.js"

    def __init__(self, workdir: Path):
        var_dir = workdir / "var"
        var_dir.mkdir(parents=True, exist_ok=True)
        # the part notebooks still need somewhere to keep their (preview) SQLite store
        env = clean_env(COURSE_VAR_DIR=str(var_dir), PYDEVD_DISABLE_FILE_VALIDATION="1")
        argv = [sys.executable, "-m", "voila", str(COURSE), "--no-browser", "--port", "{port}"]
        super().__init__(argv, env, workdir)

    @staticmethod
    def part_path(part: str) -> str:
        return f"voila/render/{MODULE}/{part}.ipynb"


class StaticServer(Server):
    """Plain HTTP file serving of the part notebooks exported once with nbconvert."""

    name = "static-html"
    ready_path = "theory.html"

    def __init__(self, workdir: Path):
        site = workdir / "site"
        export_parts(site, workdir / "var")
        # http.server with a backlog of 128 instead of 5 (see static_server.py)
        argv = [sys.executable, str(Path(__file__).with_name("static_server.py")), "{port}"]
        argv += [str(site)]
        super().__init__(argv, clean_env(), workdir)


_EXPORTED: dict[str, Path] = {}  # the parts exported once per run, reused for every class size


def export_parts(site: Path, var_dir: Path) -> None:
    """Execute theory and practice with nbconvert and write ``<part>.html`` into ``site``.

    The first export of a run is kept and copied for later class sizes (the pages are the
    same; executing them again only cost time).
    """
    kept = _EXPORTED.get("site")
    if kept is not None and all((kept / f"{p}.html").exists() for p in ("theory", "practice")):
        shutil.copytree(kept, site, dirs_exist_ok=True)
        return
    site.mkdir(parents=True, exist_ok=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    env = clean_env(COURSE_VAR_DIR=str(var_dir), PYDEVD_DISABLE_FILE_VALIDATION="1")
    for part in ("theory", "practice"):
        src = COURSE / MODULE / f"{part}.ipynb"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "nbconvert",
                "--to",
                "html",
                "--execute",
                "--output-dir",
                str(site),
                "--output",
                part,
                str(src),
            ],
            cwd=src.parent,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )
    cache = Path(tempfile.mkdtemp(prefix="course-bench-static-"))
    shutil.copytree(site, cache, dirs_exist_ok=True)
    _EXPORTED["site"] = cache
    atexit.register(shutil.rmtree, cache, True)


def stop_all() -> None:
    while RUNNING:
        server = RUNNING[-1]  # stop() takes it off the list
        try:
            server.stop()
        except Exception as exc:  # noqa: BLE001 - keep stopping the others
            print(f"could not stop {server.name}: {exc}", file=sys.stderr)
            if server in RUNNING:
                RUNNING.remove(server)


def new_workdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"course-bench-{prefix}-"))

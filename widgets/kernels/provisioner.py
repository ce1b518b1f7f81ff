"""A jupyter_client kernel provisioner that forks kernels from the warm template.

Registered under the ``jupyter_client.kernel_provisioners`` entry point as ``course-fork``
and named in the course's kernelspec (``widgets/serving/share/kernels/python3``, found
through ``JUPYTER_PATH`` by ``course serve`` and by each JupyterHub user server). Voilà, its
preheated pool and culling sit above it unchanged: they ask the kernel manager for a kernel,
the kernel manager asks this provisioner, and this provisioner asks the one template process
of this server (``template.py``) to fork a child. Each kernel is then watched and signalled
by PID (and its start time, so a reused PID is never mistaken for it).

Where fork is not available (not Linux), turned off (``COURSE_FORK_KERNELS=0``) or the
template cannot start, the ordinary start (``LocalProvisioner``) is used, and the server log
says which is in force.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, Integer, List, Unicode, default

TEMPLATE_START_TIMEOUT = 180.0  # a busy two-core machine took up to ~20 s (measured)
FORK_REPLY_TIMEOUT = 30.0


def fork_supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def fork_enabled_by_env() -> bool:
    return os.environ.get("COURSE_FORK_KERNELS", "1").strip().lower() not in ("0", "false", "no")


def process_start_time(pid: int) -> int | None:
    """The kernel's start time in clock ticks since boot, or None if it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    state, start = fields[0], fields[19]
    return None if state in ("Z", "X") else int(start)


class KernelTemplate:
    """The one template process of this server: started on first use, restarted if it dies."""

    def __init__(self, python: str, log):
        self.python = python
        self.log = log
        self.process: subprocess.Popen | None = None
        self.socket_path: str | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self.starts = 0

    @property
    def _lock(self) -> asyncio.Lock:
        """One lock per event loop (a server has one; a test suite starts several)."""
        loop = id(asyncio.get_running_loop())
        if loop not in self._locks:
            self._locks = {loop: asyncio.Lock()}
        return self._locks[loop]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def ensure_running(self) -> None:
        async with self._lock:
            if self.alive and self.socket_path and os.path.exists(self.socket_path):
                return
            await self._start()

    async def _start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.log.warning("[course kernels] the kernel template stopped; starting it again")
        folder = tempfile.mkdtemp(prefix="course-kernels-")  # 0700: only this user connects
        self.socket_path = os.path.join(folder, "template.sock")
        started = time.monotonic()
        self.process = subprocess.Popen(  # noqa: ASYNC220 - fork+exec returns at once
            [
                self.python,
                "-m",
                "widgets.kernels.template",
                "--socket",
                self.socket_path,
                "--parent-pid",
                str(os.getpid()),
            ],
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl+C on the server is the server's to handle
            env=template_environment(),
        )
        self.starts += 1
        while not os.path.exists(self.socket_path):
            if self.process.poll() is not None:
                raise RuntimeError(f"the kernel template exited with {self.process.returncode}")
            if time.monotonic() - started > TEMPLATE_START_TIMEOUT:
                self.process.kill()
                raise RuntimeError("the kernel template did not get ready in time")
            await asyncio.sleep(0.05)
        self.log.info(
            "[course kernels] kernels are forked from template pid %s (ready in %.1f s)",
            self.process.pid,
            time.monotonic() - started,
        )

    async def fork(
        self, argv: list[str], env: dict[str, str], cwd: str | None, nice: int = 0
    ) -> int:
        """Ask the template for a new kernel process; returns its PID."""
        request = {"argv": argv, "env": env, "cwd": cwd, "nice": nice, "watch_pid": os.getpid()}
        for attempt in (1, 2):
            await self.ensure_running()
            try:
                return await self._request(request)
            except (ConnectionError, FileNotFoundError, asyncio.IncompleteReadError) as exc:
                if attempt == 2:
                    raise RuntimeError(f"the kernel template did not answer: {exc}") from exc
                async with self._lock:  # it died between requests: restart it and try again
                    if not self.alive or not os.path.exists(self.socket_path or ""):
                        await self._start()
        raise AssertionError("unreachable")

    async def _request(self, request: dict) -> int:
        reader, writer = await asyncio.open_unix_connection(self.socket_path)
        try:
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), FORK_REPLY_TIMEOUT)
        finally:
            writer.close()
        if not line:
            raise ConnectionError("the template closed the connection")
        reply = json.loads(line)
        if "pid" not in reply:
            raise RuntimeError(reply.get("error", "the template refused"))
        return int(reply["pid"])

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()


def template_environment() -> dict[str, str]:
    """The template's own environment: the server's, less what belongs to one request."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("VOILA_") or key in ("QUERY_STRING", "SCRIPT_NAME", "PATH_INFO"):
            env.pop(key)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


_templates: dict[str, KernelTemplate] = {}


def template_for(python: str, log) -> KernelTemplate:
    """One template per Python executable in this server (normally exactly one)."""
    if python not in _templates:
        _templates[python] = KernelTemplate(python, log)
    return _templates[python]


async def warm_template(log) -> None:
    """Start this server's template now, so the first trainee does not wait for its imports."""
    if not (fork_supported() and fork_enabled_by_env()):
        return
    try:
        await template_for(sys.executable, log).ensure_running()
    except Exception as exc:  # noqa: BLE001 - each kernel then falls back on its own
        log.warning("[course kernels] the kernel template did not start (%s)", exc)


class ForkProvisioner(LocalProvisioner):
    """Kernels forked from a warm template; the ordinary start where that is not possible."""

    enabled = Bool(
        help="Fork kernels from a pre-imported template process (COURSE_FORK_KERNELS; Linux "
        "only). Off: every kernel is started as a new Python process, as Jupyter does by default."
    ).tag(config=True)

    trainee_niceness = Integer(
        help="How much lower than the server's the CPU priority of trainee kernels is "
        "(COURSE_TRAINEE_NICE, 0-19): while a class arrives, the server that relays every "
        "page's messages and the facilitator's kernel go first."
    ).tag(config=True)
    priority_folders = List(
        Unicode(),
        ["facilitator"],
        help="Kernels whose notebook lies in a folder of one of these names keep the server's "
        "priority (the facilitator's dashboard and projector).",
    ).tag(config=True)

    @default("enabled")
    def _enabled_default(self):
        return fork_enabled_by_env()

    @default("trainee_niceness")
    def _niceness_default(self):
        try:
            return max(0, min(19, int(os.environ.get("COURSE_TRAINEE_NICE", "5"))))
        except ValueError:
            return 5

    def niceness_for(self, cwd: str) -> int:
        """0 for the facilitator's pages, ``trainee_niceness`` for everyone else's."""
        return 0 if set(Path(cwd).parts) & set(self.priority_folders) else self.trainee_niceness

    _fork_pid: int | None = None
    _fork_start: int | None = None
    _announced: ClassVar[set[str]] = set()  # one log line per reason, not per kernel

    @property
    def forked(self) -> bool:
        return self._fork_pid is not None

    @property
    def has_process(self) -> bool:
        return self.forked or super().has_process

    def _announce(self, message: str, *args) -> None:
        text = message % args if args else message
        if text not in ForkProvisioner._announced:
            ForkProvisioner._announced.add(text)
            self.log.info(text)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if not (self.enabled and fork_supported()):
            reason = "not Linux" if not fork_supported() else "COURSE_FORK_KERNELS=0"
            self._announce("[course kernels] ordinary kernel starts (%s)", reason)
            return await super().launch_kernel(cmd, **kwargs)
        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            pid = await template_for(cmd[0], self.log).fork(cmd, env, cwd, self.niceness_for(cwd))
        except Exception as exc:  # noqa: BLE001 - any failure: start it the ordinary way
            self.log.warning("[course kernels] fork failed (%s); ordinary start instead", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self._announce("[course kernels] kernels are forked from the warm template")
        self._fork_pid = self.pid = self.pgid = pid
        self._fork_start = process_start_time(pid)
        self.cwd = cwd
        return self.connection_info

    def _fork_alive(self) -> bool:
        start = process_start_time(self._fork_pid)
        return start is not None and (self._fork_start is None or start == self._fork_start)

    async def poll(self) -> int | None:
        if not self.forked:
            return await super().poll()
        return None if self._fork_alive() else 1

    async def wait(self) -> int | None:
        if not self.forked:
            return await super().wait()
        while self._fork_alive():
            await asyncio.sleep(0.05)
        self._fork_pid = None
        return 0

    async def send_signal(self, signum: int) -> None:
        if not self.forked:
            return await super().send_signal(signum)
        if not self._fork_alive():
            return
        try:
            os.killpg(self._fork_pid, signum)  # the kernel and anything it started
        except OSError:
            os.kill(self._fork_pid, signum)

    async def kill(self, restart: bool = False) -> None:
        if not self.forked:
            return await super().kill(restart)
        try:
            await self.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass

    async def terminate(self, restart: bool = False) -> None:
        if not self.forked:
            return await super().terminate(restart)
        try:
            await self.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass

    async def get_provisioner_info(self) -> dict:
        info = await super().get_provisioner_info()
        info.update({"fork_pid": self._fork_pid, "fork_start": self._fork_start})
        return info

    async def load_provisioner_info(self, provisioner_info: dict) -> None:
        await super().load_provisioner_info(provisioner_info)
        self._fork_pid = provisioner_info.get("fork_pid")
        self._fork_start = provisioner_info.get("fork_start")

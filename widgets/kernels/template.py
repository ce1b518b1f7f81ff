"""The kernel template: one warm process that forks a trainee kernel per request.

Every trainee kernel used to import the same Python again (ipykernel, IPython, the debugger,
ipywidgets, anywidget, SQLAlchemy, pydantic, the course and its parsed content): about
1–2.5 CPU-s and 90 MiB each, so 30 arriving together queued on two cores. This process
imports all of that once, freezes the garbage collector (so the inherited objects stay
shared between children, copy-on-write), and then forks one child per kernel. A child costs
~0.1–0.2 CPU-s and ~22 MiB of its own (../shared/research/fork-kernels.md).

The rule that makes forking safe: **nothing here creates a zmq context, a socket other than
the Unix listening socket, a thread or an asyncio loop before forking**. The child creates
all of those itself when it runs ``IPKernelApp`` exactly as ``python -m ipykernel_launcher``
would, with its own argv, environment and working directory.

Protocol (one request per connection on the Unix socket): the provisioner sends one JSON
line ``{"argv": [...], "env": {...}, "cwd": "...", "nice": N, "watch_pid": N}`` and reads back one
JSON line, ``{"pid": child}`` or ``{"error": "..."}``. The template reaps its children;
the provisioner watches each kernel by PID and start time.

Run as ``python -m widgets.kernels.template --socket PATH``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import socket
import sys
import threading
import time

# What a trainee (or facilitator) kernel imports, imported here once. Order matters only
# for speed; each is an ordinary import the child would otherwise do itself.
WARM_IMPORTS = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",  # else each child spends ~0.3 s importing debugpy (measured)
    "ipykernel.comm",
    "IPython",
    "IPython.core.interactiveshell",
    "ipywidgets",
    "anywidget",
    "sqlalchemy.orm",
    "pydantic",
    "markdown_it",
    "widgets.app",
    "widgets.store",
    "setproctitle",
)
MAX_REQUEST = 4 * 1024 * 1024  # an environment is a few kB; refuse anything absurd
PARENT_CHECK_SECONDS = 2.0


def warm_up() -> dict[str, float]:
    """Import everything a kernel needs and load what is the same for every trainee."""
    import importlib

    timings: dict[str, float] = {}
    for name in WARM_IMPORTS:
        started = time.perf_counter()
        importlib.import_module(name)
        timings[name] = time.perf_counter() - started
    started = time.perf_counter()
    from widgets.app import preload

    preload()  # the parsed course, notebook parts, activity modules
    timings["preload()"] = time.perf_counter() - started
    return timings


def _reap_children(_signum=None, _frame=None) -> None:
    """Collect every finished child so none lingers as a zombie."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _read_request(conn: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ValueError("request too large")
    request = json.loads(data)
    if not isinstance(request.get("argv"), list) or not isinstance(request.get("env"), dict):
        raise TypeError("a request needs argv (list) and env (object)")
    return request


def run_child(request: dict) -> None:
    """In the forked child: become the kernel that ``ipykernel_launcher`` would have started."""
    os.setsid()  # its own process group, so signals reach the kernel and its children only
    _show_as([str(a) for a in request["argv"]])  # (before the environment changes: it needs it)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request["env"].items()})
    if request.get("cwd"):
        os.chdir(request["cwd"])
    if request.get("nice"):
        os.nice(int(request["nice"]))
    argv = [str(a) for a in request["argv"]]
    sys.argv = argv
    # (no gc.unfreeze(): a full collection would then walk, and so un-share, every
    # inherited object; the child's own objects are collected as usual)

    from ipykernel.kernelapp import IPKernelApp

    watch_pid = int(request.get("watch_pid") or 0)

    class ForkedKernelApp(IPKernelApp):
        """IPKernelApp, watching the Jupyter server rather than its parent (the template).

        ipykernel's own poller exits when the parent changes; a forked kernel's parent is the
        template, which may be restarted while its kernels keep running.
        """

        def init_poller(self):
            self.poller = ServerWatch(watch_pid) if watch_pid else None

        def init_kernel(self):
            super().init_kernel()
            # ipywidgets registers its comm targets when it is imported inside a running
            # IPython; the template imported it before any kernel existed, so register them
            # now (without this the page's widget manager got no answer to request_states)
            import ipywidgets

            ipywidgets.register_comm_target()

    # parent_handle's default was read from JPY_PARENT_PID when the template imported
    # ipykernel, before this child had its environment: give it the server's pid again
    args = _kernel_args(argv)
    if watch_pid:
        args = [*args, f"--IPKernelApp.parent_handle={watch_pid}"]
    ForkedKernelApp.launch_instance(argv=args)


def _show_as(argv: list[str]) -> None:
    """Show the kernel's own command line in ``ps`` (and to tools that find a kernel by its
    connection file), not the template's."""
    try:
        from setproctitle import setproctitle
    except ImportError:
        return
    setproctitle(" ".join(argv))


def _kernel_args(argv: list[str]) -> list[str]:
    """The ipykernel arguments of a kernelspec command (what follows ``-m ipykernel_launcher``)."""
    for marker in ("ipykernel_launcher", "ipykernel"):
        if marker in argv:
            return argv[argv.index(marker) + 1 :]
    return argv[1:]


class ServerWatch(threading.Thread):
    """Ends the kernel when the Jupyter server that asked for it is gone (no orphans)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True, name="course-server-watch")
        self.pid = pid

    def run(self) -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, another user's: cannot be ours, but it exists
                pass


def serve(socket_path: str, parent_pid: int) -> None:
    """Answer fork requests until the server that started the template is gone."""
    if threading.active_count() != 1:
        # a thread would be copied half-way through whatever it was doing: refuse to fork
        raise RuntimeError(f"template has {threading.active_count()} threads; cannot fork")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    listener.bind(socket_path)
    os.chmod(socket_path, 0o600)
    listener.listen(128)
    listener.settimeout(PARENT_CHECK_SECONDS)
    signal.signal(signal.SIGCHLD, _reap_children)
    while True:
        if os.getppid() != parent_pid:
            break  # the Jupyter server went away: so does its template
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        with conn:
            conn.settimeout(10)
            try:
                request = _read_request(conn)
            except (ValueError, TypeError, OSError) as exc:
                _reply(conn, {"error": f"bad request: {exc}"})
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                try:
                    run_child(request)
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                except BaseException:  # noqa: BLE001 - report, then leave without cleanup
                    import traceback

                    traceback.print_exc()
                    code = 1
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
            _reply(conn, {"pid": pid})
    listener.close()
    if os.path.exists(socket_path):
        os.unlink(socket_path)


def _reply(conn: socket.socket, message: dict) -> None:
    try:
        conn.sendall(json.dumps(message).encode() + b"\n")
    except OSError:
        pass  # the provisioner gave up waiting; it will not use this child


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True, help="Unix socket path to listen on")
    parser.add_argument("--parent-pid", type=int, default=os.getppid())
    args = parser.parse_args(argv)
    started = time.perf_counter()
    timings = warm_up()
    gc.collect()
    gc.freeze()  # keep the collector off the inherited objects, so they stay shared
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])[:3]
    print(
        f"[course kernels] template {os.getpid()} warm in {time.perf_counter() - started:.1f} s "
        f"(slowest: {', '.join(f'{k} {v:.2f} s' for k, v in slowest)})",
        file=sys.stderr,
        flush=True,
    )
    serve(args.socket, args.parent_pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())

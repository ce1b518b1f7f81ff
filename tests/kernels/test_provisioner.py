"""Kernels forked from the warm template: are they real kernels, each with its own identity?

These start real kernels through jupyter_client with the course's kernelspec (the one
``course serve`` puts on ``JUPYTER_PATH``), exactly as Voilà does.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from widgets.kernels import provisioner as fork
from widgets.serving import SHARE_DIR


@pytest.fixture(autouse=True)
def fork_available():
    """Fork is Linux-only: elsewhere these skip, but under CI (Linux) a skip is a failure."""
    if not fork.fork_supported():
        from ..conftest import prerequisite_missing

        prerequisite_missing("fork is Linux-only", "the forked-kernel tests")


READY_TIMEOUT = 180  # a cold template on a busy two-core machine


@pytest.fixture(autouse=True)
def course_kernelspec(monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(SHARE_DIR))
    monkeypatch.delenv("COURSE_FORK_KERNELS", raising=False)


def run(coro):
    return asyncio.run(coro)


async def start(env: dict[str, str] | None = None, cwd: str = "/", **config):
    from jupyter_client.manager import AsyncKernelManager
    from traitlets.config import Config

    c = Config()
    for key, value in config.items():
        setattr(c.ForkProvisioner, key, value)
    km = AsyncKernelManager(kernel_name="python3", config=c)
    await km.start_kernel(env={**os.environ, **(env or {})}, cwd=cwd)
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=READY_TIMEOUT)
    return km, kc


async def evaluate(kc, code: str, timeout: float = 60) -> str:
    """Run ``code`` in the kernel and return what it printed."""
    out: list[str] = []

    def on_output(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("ERROR " + msg["content"]["ename"])

    await kc.execute_interactive(code, timeout=timeout, output_hook=on_output)
    return "".join(out).strip()


async def stop(km, kc) -> None:
    kc.stop_channels()
    await km.shutdown_kernel(now=True)


def template_process() -> psutil.Process:
    (tpl,) = {t.process.pid for t in fork._templates.values() if t.alive}
    return psutil.Process(tpl)


def test_kernelspec_names_the_fork_provisioner():
    """Does the kernelspec course serve installs ask for the course-fork provisioner?"""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert Path(spec.resource_dir).is_relative_to(SHARE_DIR)
    assert spec.metadata["kernel_provisioner"]["provisioner_name"] == "course-fork"


def test_two_trainees_forked_from_one_template_keep_their_own_identity(tmp_path):
    """Two kernels from one template: own pid, environment, working directory, identity?"""

    async def scenario():
        one, two = tmp_path / "one", tmp_path / "two"
        one.mkdir()
        two.mkdir()
        a = await start({"QUERY_STRING": "learner=AAAABBBBCCCC"}, cwd=str(one))
        b = await start({"QUERY_STRING": "learner=DDDDEEEEFFFF"}, cwd=str(two))
        code = (
            "import os, sys\n"
            "from widgets.identity import request_identity\n"
            "print(os.getpid(), os.getcwd(), request_identity().token,"
            " 'widgets.app' in sys.modules)"
        )
        try:
            seen = [(await evaluate(kc, code)).split() for _, kc in (a, b)]
            providers = [(km.provisioner.forked, km.provisioner.pid) for km, _ in (a, b)]
            titles = [
                (" ".join(psutil.Process(km.provisioner.pid).cmdline()), km.connection_file)
                for km, _ in (a, b)
            ]
            assert all(title.rstrip().endswith(f"-f {conn}") for title, conn in titles), titles
            return seen, providers, template_process()
        finally:
            for km, kc in (a, b):
                await stop(km, kc)

    seen, providers, template = run(scenario())
    assert all(forked for forked, _ in providers), "kernels were not forked"
    (pid_a, cwd_a, token_a, warm_a), (pid_b, cwd_b, token_b, warm_b) = seen
    assert (token_a, token_b) == ("AAAABBBBCCCC", "DDDDEEEEFFFF")
    assert cwd_a.endswith("/one") and cwd_b.endswith("/two")
    assert pid_a != pid_b
    assert {int(pid_a), int(pid_b)} == {pid for _, pid in providers}
    # both children of the one template, which had already imported the course app
    assert warm_a == warm_b == "True"
    assert template.cmdline()[1:3] == ["-m", "widgets.kernels.template"]


def test_a_forked_kernel_can_be_interrupted_and_killed():
    """Interrupt stops a running cell; shutdown with now=True kills the process."""

    async def scenario():
        km, kc = await start()
        pid = km.provisioner.pid
        msg_id = kc.execute("import time; time.sleep(120)")
        await asyncio.sleep(0.5)
        await km.interrupt_kernel()
        reply = await kc.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = await kc.get_shell_msg(timeout=60)
        still_there = await evaluate(kc, "print('alive')")
        await stop(km, kc)
        return pid, reply["content"], still_there, await km.is_alive()

    pid, content, still_there, alive = run(scenario())
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
    assert still_there == "alive"
    assert not alive
    assert fork.process_start_time(pid) is None, "the kernel process outlived its shutdown"


def test_a_dead_template_is_restarted_and_running_kernels_keep_working():
    """Kill -9 the template: the kernel already running still answers; the next one forks."""

    async def scenario():
        first = await start()
        old_template = template_process()
        old_template.send_signal(signal.SIGKILL)
        old_template.wait(timeout=30)
        survived = await evaluate(first[1], "print(6 * 7)")
        second = await start()
        new_template = template_process()
        answer = await evaluate(second[1], "print('second')")
        forked = second[0].provisioner.forked
        for km, kc in (first, second):
            await stop(km, kc)
        return old_template.pid, new_template.pid, survived, answer, forked

    old, new, survived, answer, forked = run(scenario())
    assert survived == "42"
    assert old != new
    assert (answer, forked) == ("second", True)


def test_fork_turned_off_starts_kernels_the_ordinary_way():
    """With the setting off, the kernel is a new Python process started by this one."""

    async def scenario():
        km, kc = await start(enabled=False)
        forked, pid = km.provisioner.forked, km.provisioner.pid
        parent = psutil.Process(pid).ppid()
        answer = await evaluate(kc, "print('ordinary')")
        await stop(km, kc)
        return forked, parent, answer

    forked, parent, answer = run(scenario())
    assert forked is False
    assert parent == os.getpid()
    assert answer == "ordinary"


def test_the_environment_switch_turns_fork_off(monkeypatch):
    monkeypatch.setenv("COURSE_FORK_KERNELS", "0")
    assert fork.ForkProvisioner().enabled is False
    monkeypatch.setenv("COURSE_FORK_KERNELS", "1")
    assert fork.ForkProvisioner().enabled is True


SERVER_SCRIPT = """
import asyncio, os, sys
from jupyter_client.manager import AsyncKernelManager
async def main():
    km = AsyncKernelManager(kernel_name="python3")
    await km.start_kernel()
    kc = km.client(); kc.start_channels(); await kc.wait_for_ready(timeout=%d)
    print(km.provisioner.pid, km.provisioner.forked, flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
"""


def test_a_kernel_whose_server_died_exits_by_itself():
    """No orphans: kill -9 the process that asked for a kernel; the kernel goes too."""
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT % READY_TIMEOUT],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "JUPYTER_PATH": str(SHARE_DIR)},
    )
    try:
        pid, forked = server.stdout.readline().split()
    finally:
        server.kill()
        server.wait()
    assert forked == "True"
    deadline = time.monotonic() + 60
    while fork.process_start_time(int(pid)) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert fork.process_start_time(int(pid)) is None, "the orphaned kernel is still running"


def test_process_start_time_tells_a_reused_pid_apart():
    """A live process has a start time; a gone one none (so a reused PID is not 'alive')."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    started = fork.process_start_time(child.pid)
    child.kill()
    child.wait()
    assert started is not None and started > 0
    assert fork.process_start_time(child.pid) is None


def test_trainee_kernels_yield_the_cpu_to_the_facilitator(tmp_path):
    """Are trainee kernels niced and a facilitator page's kernel not?"""
    facilitator = tmp_path / "course" / "facilitator"
    facilitator.mkdir(parents=True)

    async def scenario():
        trainee = await start(cwd=str(tmp_path / "course"), trainee_niceness=7)
        leader = await start(cwd=str(facilitator), trainee_niceness=7)
        try:
            return [psutil.Process(km.provisioner.pid).nice() for km, _ in (trainee, leader)]
        finally:
            for km, kc in (trainee, leader):
                await stop(km, kc)

    base = psutil.Process().nice()
    assert run(scenario()) == [min(19, base + 7), base]


def test_a_forked_kernel_answers_the_widget_protocol():
    """Does a forked kernel know ipywidgets' comm targets, as a browser's widget manager needs?

    ipywidgets registers them only when imported inside a running IPython, and the template
    imports it before any kernel exists."""

    async def scenario():
        km, kc = await start()
        try:
            await evaluate(kc, "import ipywidgets as w; b = w.Button(description='hi')")
            msg = kc.session.msg(
                "comm_open",
                {"comm_id": "control-1", "target_name": "jupyter.widget.control", "data": {}},
                metadata={"version": "1.0.0"},
            )
            kc.shell_channel.send(msg)
            request = kc.session.msg(
                "comm_msg", {"comm_id": "control-1", "data": {"method": "request_states"}}
            )
            kc.shell_channel.send(request)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                reply = await kc.get_iopub_msg(timeout=60)
                data = reply["content"].get("data", {})
                if reply["msg_type"] == "comm_msg" and data.get("method") == "update_states":
                    return data["states"]
                if reply["msg_type"] == "comm_close":
                    return None
            return None
        finally:
            await stop(km, kc)

    states = run(scenario())
    assert states, "the kernel did not answer request_states"
    assert any(s["state"].get("description") == "hi" for s in states.values())

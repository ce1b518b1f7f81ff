"""Benchmark: what one move inside the course app costs the server, per trainee.

A real ``course serve`` (pool of 1, SQLite) and one protocol-level trainee at a time
(bench/protocol_client.py): join, open a module's theory, then the moves measured:

* theory → practice  (a part not built yet: click ``.course-tab-practice``, the sorting
                      board arrives)
* practice → review  (a part not built yet)
* review → theory    (a part already built: its body comes back, nothing is rebuilt)

For each move: CPU seconds of the trainee's kernel and of the Jupyter server process
(psutil, from the click until the kernel reports idle for it), and the websocket messages
and bytes the trainee's page receives. Every repeat is a new trainee in a new kernel, so a
new part is really built each time. Medians [min–max] over the repeats; figures, not
assertions.

Kernels are ordinary starts unless ``--fork``: what a move costs does not depend on how
its kernel started, and at this commit a forked kernel has no ``jupyter.widget.control``
comm target (ipywidgets registers it on import only when a kernel already exists), so a
protocol client cannot fetch its widget states.

``--base REV`` measures the same on ``git archive REV`` (say the commit before a change) and
prints it beside this tree, from the same run.

    python bench/bench_move_cost.py                       # this tree, 5 trainees
    python bench/bench_move_cost.py --base main --repeats 7
    python bench/bench_move_cost.py --base fb5459a --head ab5ca63   # two commits
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from protocol_client import ProtocolTrainee
from servers import MODULE, REPO, CourseServer, new_workdir, stop_all

MOVES = ("theory→practice", "practice→review", "review→theory (built)")
FIGURES = ("kernel ms", "server ms", "messages", "kB")


class CountingTrainee(ProtocolTrainee):
    """A protocol trainee that counts what its page receives and knows its last request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frames = 0
        self.received_bytes = 0
        self.last_msg_id: str | None = None

    def connect(self) -> None:
        super().connect()
        receive, send = self.ws.recv_data, self.ws.send

        def counted(*args, **kwargs):
            opcode, frame = receive(*args, **kwargs)
            self.frames += 1
            self.received_bytes += len(frame)
            return opcode, frame

        def remembered(text):
            self.last_msg_id = json.loads(text)["header"]["msg_id"]
            return send(text)

        self.ws.recv_data, self.ws.send = counted, remembered

    def wait_idle(self) -> None:
        """Read until the kernel says it is idle after handling the last request."""
        wanted = self.last_msg_id

        def idle(msg: dict) -> bool:
            return (
                msg.get("msg_type") == "status"
                and msg.get("content", {}).get("execution_state") == "idle"
                and msg.get("parent_header", {}).get("msg_id") == wanted
            )

        self.wait(idle, "the kernel to be idle after the click")

    def wait_shown(self, model_id: str) -> None:
        """Wait until the app's view holds ``model_id`` again (a part already built)."""
        views = self.find("course-view")
        if not views:
            raise RuntimeError("no .course-view in the page")
        ref = f"IPY_MODEL_{model_id}"
        self.wait(
            lambda _m: ref in (self.models[views[0]].get("children") or ()),
            "the built part to come back",
        )


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def measure(trainee: CountingTrainee, server: CourseServer, kernel: list[psutil.Process], act):
    """Run ``act`` (a click and what it waits for) and what it cost until the kernel idles."""
    frames, received = trainee.frames, trainee.received_bytes
    kernel_before, server_before = cpu_seconds(kernel), cpu_seconds([server.ps])
    act()
    trainee.wait_idle()
    return {
        "kernel ms": 1000 * (cpu_seconds(kernel) - kernel_before),
        "server ms": 1000 * (cpu_seconds([server.ps]) - server_before),
        "messages": trainee.frames - frames,
        "kB": (trainee.received_bytes - received) / 1000,
    }


def one_trainee(server: CourseServer, timeout: float) -> dict[str, dict[str, float]]:
    trainee = CountingTrainee(server.url, timeout)
    try:
        trainee.load_page(server.app_path)
        trainee.connect()
        kernel = server.kernels().get(trainee.kernel_id)
        if not kernel:
            raise RuntimeError(f"kernel {trainee.kernel_id} not found among the server's children")
        trainee.click("course-join-start")
        trainee.wait_for_class("course-module-card")
        trainee.wait_idle()
        trainee.click("course-part-theory", inside=f"course-module-{MODULE}")
        theory = trainee.wait_for_class("course-part-body")
        trainee.wait_idle()
        time.sleep(0.5)  # let the server finish forwarding before the first measured move
        out = {}

        def practice():
            trainee.click("course-tab-practice")
            trainee.wait_for_sort_board()

        def review():
            trainee.click("course-tab-review")
            trainee.wait_for_class("course-part-body")

        def back():
            trainee.click("course-tab-theory")
            trainee.wait_shown(theory)

        for name, act in zip(MOVES, (practice, review, back)):
            out[name] = measure(trainee, server, kernel, act)
        return out
    finally:
        trainee.close()


def run_tree(label: str, repo: Path, repeats: int, timeout: float, fork: bool) -> list[dict]:
    workdir = new_workdir(f"moves-{label}")
    server = CourseServer(workdir, pool_size=1, fork=fork, repo=repo)
    samples = []
    try:
        one_trainee(server, timeout)  # warm-up: cold files, first imports in the server
        for n in range(repeats):
            server.settle(timeout=60)
            samples.append(one_trainee(server, timeout))
            print(f"  {label}: trainee {n + 1}/{repeats} done", flush=True)
    finally:
        server.stop()
    return samples


def export_tree(rev: str) -> Path:
    """The files of commit ``rev`` in a fresh temporary directory (no worktree, no checkout)."""
    target = Path(tempfile.mkdtemp(prefix="course-bench-base-"))
    atexit.register(shutil.rmtree, target, True)
    archive = subprocess.run(
        ["git", "archive", rev], cwd=REPO, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def summary(samples: list[dict], move: str, figure: str) -> str:
    values = [s[move][figure] for s in samples]
    if not values:
        return "–"
    digits = 1 if figure == "kB" else 0
    med = statistics.median(values)
    return f"{med:.{digits}f} [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def print_table(results: dict[str, list[dict]]) -> None:
    labels = list(results)
    width = max(28, *(len(label) + 20 for label in labels))
    print()
    print(f"{'move / figure':34s}" + "".join(f"{label:>{width}s}" for label in labels))
    for move in MOVES:
        print(move)
        for figure in FIGURES:
            cells = "".join(
                f"{summary(results[label], move, figure):>{width}s}" for label in labels
            )
            print(f"  {figure:32s}{cells}")
    print()
    print("kernel/server ms: CPU from the click until the kernel is idle again; messages / kB:")
    print("websocket frames the trainee's page received. Median [min–max] over the trainees.")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="trainees measured per tree (5)")
    parser.add_argument("--base", default=None, help="also measure this git revision")
    parser.add_argument("--head", default=None, help="measure this revision, not this tree")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per step (180)")
    parser.add_argument("--json", default=None, help="also write the raw samples here")
    parser.add_argument(
        "--fork",
        action="store_true",
        help="forked kernels (COURSE_FORK_KERNELS=1); off by default: a move costs the same "
        "either way, and a protocol client cannot yet fetch a forked kernel's widget states",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    trees = {}
    if args.base:
        trees[f"base {args.base}"] = export_tree(args.base)
    trees[f"head {args.head}" if args.head else "this tree"] = (
        export_tree(args.head) if args.head else REPO
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    results = {}
    try:
        for label, repo in trees.items():
            slug = label.replace(" ", "-")
            results[label] = run_tree(slug, repo, args.repeats, args.timeout, args.fork)
    finally:
        stop_all()
    print_table(results)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The dashboard benchmark still runs end to end on a tiny database (no timing asserted)."""

from __future__ import annotations

import re
import subprocess
import sys

from ..conftest import REPO


def test_bench_dashboard_smoke(tmp_path):
    """Does bench_dashboard.py time the dashboard's queries and see every save reach it?"""
    done = subprocess.run(
        [sys.executable, "bench/bench_dashboard.py", "--sizes", "3000", "--ticks", "3",
         "--submissions", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"queries p50 [\d.]+ ms", out), out
    found = re.search(r"Submit → dashboard over (\d+) saves: .* not shown: (\d+)", out)
    assert found, out
    assert found.group(1) == "2" and found.group(2) == "0", out

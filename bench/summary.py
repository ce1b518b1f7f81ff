"""The summary rows each benchmark hands to ``bench/all.py`` (the driver behind ``make bench``).

A benchmark run by ``all.py`` finds a file path in ``COURSE_BENCH_SUMMARY`` and writes its
headline figures there as JSON::

    {"bench": "store", "rows": [{"figure": ..., "value": ..., "beside": ..., "target": ...,
                                 "verdict": ...}], "notes": ["..."]}

``value`` is the figure measured; ``beside`` what it is compared with, measured in the same
run (the anchor); ``target`` and ``verdict`` ("met" / "not met" / "") the goal, if any.
Run on its own (no variable), a benchmark writes nothing and prints only its own table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SUMMARY_ENV = "COURSE_BENCH_SUMMARY"
COLUMNS = ("figure", "value", "beside", "target", "verdict")


def row(figure: str, value: str, beside: str = "", target: str = "", verdict: str = "") -> dict:
    return {
        "figure": figure,
        "value": value,
        "beside": beside,
        "target": target,
        "verdict": verdict,
    }


def write_summary(bench: str, rows: list[dict], notes: list[str] | tuple = ()) -> Path | None:
    """Write the rows where ``COURSE_BENCH_SUMMARY`` says; nothing when it is unset."""
    target = os.environ.get(SUMMARY_ENV)
    if not target:
        return None
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"bench": bench, "rows": rows, "notes": list(notes)}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def format_rows(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table: columns padded, a rule under the header."""
    table = [header, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for index, r in enumerate(table):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip())
        if index == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)

"""Cross-check the course notebooks against the content in ``data/``.

Every module needs a theory, a practice and a review notebook; every ``activity("id")`` in a
notebook must name an activity of that module and part; every activity must be shown exactly
once; every ``references(...)`` key must exist. Errors name the notebook and the cell.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from .loader import ContentError, Course
from .models import PART_NAMES


def literal_calls(source: str, name: str) -> list[list[object]]:
    """The literal arguments of every call to ``name(...)`` in a code cell."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
            found.append([a.value if isinstance(a, ast.Constant) else None for a in node.args])
    return found


def code_cells(path: Path) -> list[tuple[int, str]]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ContentError(path, "", f"not a valid notebook (JSON error: {exc.msg})") from None
    cells = []
    for n, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append((n, "".join(source) if isinstance(source, list) else source))
            if cell.get("outputs"):
                raise ContentError(path, f"cells[{n}]", "has outputs: strip them before committing")
    return cells


def check_notebooks(course: Course, course_dir: Path | str) -> None:
    """Raise :class:`ContentError` on the first mismatch between notebooks and data."""
    course_dir = Path(course_dir)
    shown: dict[str, Path] = {}
    for module in course.modules:
        for part in PART_NAMES:
            path = course_dir / module.slug / f"{part}.ipynb"
            if not path.exists():
                raise ContentError(path, "", f"missing: every module needs a {part} notebook")
            for n, source in code_cells(path):
                try:
                    activity_calls = literal_calls(source, "activity")
                    reference_calls = literal_calls(source, "references")
                except SyntaxError as exc:
                    raise ContentError(
                        path, f"cells[{n}]", f"Python syntax error: {exc.msg}"
                    ) from None
                for args in activity_calls:
                    if len(args) != 1 or not isinstance(args[0], str):
                        raise ContentError(path, f"cells[{n}]", "activity() takes one literal id")
                    activity_id = args[0]
                    try:
                        activity = course.activity(activity_id)
                    except KeyError:
                        raise ContentError(
                            path,
                            f"cells[{n}]",
                            f"unknown activity {activity_id!r} (not in data/modules)",
                        ) from None
                    owner = course.module_of(activity_id)
                    if owner.slug != module.slug or activity.part != part:
                        raise ContentError(
                            path,
                            f"cells[{n}]",
                            f"activity {activity_id!r} belongs to {owner.slug}/{activity.part}, "
                            f"not {module.slug}/{part}",
                        )
                    if activity_id in shown:
                        raise ContentError(
                            path,
                            f"cells[{n}]",
                            f"activity {activity_id!r} is already shown in {shown[activity_id]}",
                        )
                    shown[activity_id] = path
                for args in reference_calls:
                    for key in args:
                        if key not in course.references:
                            raise ContentError(
                                path,
                                f"cells[{n}]",
                                f"unknown reference {key!r}: add it to references.yaml",
                            )
        for activity in module.file.activities:
            if activity.id not in shown:
                raise ContentError(
                    module.path,
                    "activities",
                    f"{activity.id!r} is never shown: add activity({activity.id!r}) to "
                    f"course/{module.slug}/{activity.part}.ipynb",
                )

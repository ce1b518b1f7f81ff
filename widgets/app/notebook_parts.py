"""Read a module notebook's cells and turn them into widgets inside the app's kernel.

Notebooks are read as plain JSON: ``import nbformat`` costs about a second of CPU per kernel
(it pulls in jsonschema), measured in ../shared/research/voila-notes.md.

Everything about a part that is the same for every trainee (its cells, its Markdown as
HTML, its compiled code) is worked out once per notebook file and kept (:func:`part_plan`);
:func:`preload_parts` does it for the whole course before a trainee arrives, so a kernel
forked from a warm template inherits it and a move only builds the trainee's own widgets.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Any

import ipywidgets as w
from markdown_it import MarkdownIt

from ..content.models import PART_NAMES
from ..looks import html

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable("table")


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" | "code"
    source: str


@dataclass(frozen=True)
class CompiledCell:
    """A code cell compiled once: its statements, and its last expression (the output)."""

    body: CodeType
    last: CodeType | None


@dataclass(frozen=True)
class PartPlan:
    """A part notebook ready to show: runs of prose as HTML strings, code cells compiled."""

    blocks: tuple[str | CompiledCell, ...]


def render_markdown(source: str) -> str:
    """CommonMark + tables to HTML; raw HTML in the source is escaped, never passed on."""
    return _MARKDOWN.render(source)


@lru_cache(maxsize=64)
def _cells(path: str, mtime: float) -> tuple[Cell, ...]:
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        if cell.get("cell_type") in ("markdown", "code") and source.strip():
            cells.append(Cell(cell["cell_type"], source))
    return tuple(cells)


def read_cells(path: Path) -> tuple[Cell, ...]:
    return _cells(str(path), path.stat().st_mtime)


def compile_cell(source: str, filename: str) -> CompiledCell:
    tree = ast.parse(source, filename=filename, mode="exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = compile(tree, filename, "exec")
    if last is None:
        return CompiledCell(body, None)
    return CompiledCell(body, compile(ast.Expression(last.value), filename, "eval"))


def run_compiled(cell: CompiledCell) -> Any:
    """Execute a code cell; return the value of its last expression, as a notebook would."""
    namespace: dict[str, Any] = {"__name__": "__course_part__"}
    exec(cell.body, namespace)  # noqa: S102 - authored course content
    return None if cell.last is None else eval(cell.last, namespace)


def run_code(source: str, filename: str) -> Any:
    """Compile and execute a code cell's ``source`` (see :func:`run_compiled`)."""
    return run_compiled(compile_cell(source, filename))


def title_of(cells: tuple[Cell, ...], fallback: str) -> str:
    """The first Markdown heading's text: what the part calls itself."""
    for cell in cells:
        if cell.kind == "markdown":
            first = cell.source.lstrip().splitlines()[0]
            if first.startswith("#"):
                return first.lstrip("#").strip()
    return fallback


@lru_cache(maxsize=64)
def _plan(path: str, mtime: float) -> PartPlan:
    blocks: list[str | CompiledCell] = []
    name = Path(path).name
    for n, cell in enumerate(_cells(path, mtime)):
        if cell.kind == "code":
            blocks.append(compile_cell(cell.source, f"{name}[{n}]"))
        elif blocks and isinstance(blocks[-1], str):  # consecutive prose: one HTML widget
            blocks[-1] += render_markdown(cell.source)
        else:
            blocks.append(render_markdown(cell.source))
    return PartPlan(tuple(blocks))


def part_plan(path: Path) -> PartPlan:
    """The part notebook at ``path``, prepared once (again only if the file changes)."""
    return _plan(str(path), path.stat().st_mtime)


def preload_parts(course_dir: Path, modules: list[str]) -> int:
    """Prepare every part notebook of ``modules`` under ``course_dir``; how many there were."""
    found = 0
    for module in modules:
        for part in PART_NAMES:
            path = course_dir / module / f"{part}.ipynb"
            if path.exists():
                part_plan(path)
                found += 1
    return found


def build_part(path: Path) -> list[w.Widget]:
    """Every cell of a part notebook as widgets: each run of prose one HTML, code cells run."""
    children: list[w.Widget] = []
    for block in part_plan(path).blocks:
        if isinstance(block, str):
            children.append(html(block, "course-prose"))
            continue
        value = run_compiled(block)
        if isinstance(value, w.Widget):
            children.append(value)
    return children

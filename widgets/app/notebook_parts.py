"""Read a module notebook's cells and turn them into widgets inside the app's kernel.

Notebooks are read as plain JSON: ``import nbformat`` costs about a second of CPU per kernel
(it pulls in jsonschema), measured in ../shared/research/voila-notes.md.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ipywidgets as w
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable("table")


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" | "code"
    source: str


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


def run_code(source: str, filename: str) -> Any:
    """Execute a code cell; return the value of its last expression, as a notebook would."""
    tree = ast.parse(source, filename=filename, mode="exec")
    namespace: dict[str, Any] = {"__name__": "__course_part__"}
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 - authored course content
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)


def title_of(cells: tuple[Cell, ...], fallback: str) -> str:
    """The first Markdown heading's text: what the part calls itself."""
    for cell in cells:
        if cell.kind == "markdown":
            first = cell.source.lstrip().splitlines()[0]
            if first.startswith("#"):
                return first.lstrip("#").strip()
    return fallback


def build_part(path: Path) -> list[w.Widget]:
    """Every cell of a part notebook as widgets: prose as HTML, code cells run."""
    children: list[w.Widget] = []
    for n, cell in enumerate(read_cells(path)):
        if cell.kind == "markdown":
            prose = w.HTML(render_markdown(cell.source))
            prose.add_class("course-prose")
            children.append(prose)
            continue
        value = run_code(cell.source, f"{path.name}[{n}]")
        if isinstance(value, w.Widget):
            children.append(value)
    return children

"""A trainee's progress, derived from the store (nothing is stored twice).

A part is *done* when every activity in it has a completing submission (a checked sort, a
saved reflection …); a part without activities is done once opened. *Started* means opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..content import Course
from ..content.models import PART_NAMES

PART_LABELS = {"theory": "Theory", "practice": "Practice", "review": "Review"}
STATE_WORDS = {"done": "Done", "started": "Started", "new": "Not started"}


@dataclass(frozen=True)
class PartProgress:
    module: str
    part: str
    state: str  # "done" | "started" | "new"
    done_activities: int
    total_activities: int

    @property
    def label(self) -> str:
        return PART_LABELS[self.part]


@dataclass(frozen=True)
class ModuleProgress:
    slug: str
    number: int
    title: str
    summary: str
    minutes: int
    parts: tuple[PartProgress, ...]

    @property
    def done_parts(self) -> int:
        return sum(p.state == "done" for p in self.parts)


def course_progress(
    course: Course, completed: set[str], visited: set[tuple[str, str]]
) -> list[ModuleProgress]:
    modules = []
    for module in course.modules:
        parts = []
        for part in PART_NAMES:
            ids = [a.id for a in module.activities_in(part)]
            done = sum(i in completed for i in ids)
            opened = (module.slug, part) in visited
            if (ids and done == len(ids)) or (not ids and opened):
                state = "done"
            elif opened or done:
                state = "started"
            else:
                state = "new"
            parts.append(PartProgress(module.slug, part, state, done, len(ids)))
        entry = module.entry
        modules.append(
            ModuleProgress(
                entry.slug, entry.number, entry.title, entry.summary, entry.minutes, tuple(parts)
            )
        )
    return modules


def next_part(
    progress: list[ModuleProgress], locked: Callable[[str, str], bool] | None = None
) -> PartProgress | None:
    """Where to continue: the first part in course order that is not done (nor locked)."""
    for module in progress:
        for part in module.parts:
            if part.state != "done" and not (locked and locked(part.module, part.part)):
                return part
    return None

"""Load and validate the course content in ``data/``.

There is one loader. Every error it raises is a :class:`ContentError` that names the
file and the path of the field inside it (``activities[2].items[5].answer``), so an
author can go straight to the mistake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .models import (
    PART_NAMES,
    ChoiceActivity,
    CourseFile,
    DraftingActivity,
    ModuleEntry,
    ModuleFile,
    OrderingActivity,
    Reference,
    ReferencesFile,
    ScenarioActivity,
    SelfAssessmentActivity,
    SimulatorActivity,
    SortingActivity,
    VideoActivity,
)

_DISCRIMINATORS = {
    "sorting",
    "choice",
    "reflection",
    "self_assessment",
    "ordering",
    "scenario",
    "simulator",
    "video",
}


class ContentError(ValueError):
    """Invalid course content; ``str()`` names the file and the field."""

    def __init__(self, file: Path | str, field_path: str, message: str):
        self.file = str(file)
        self.field_path = field_path
        self.message = message
        where = f"{self.file}: {field_path}" if field_path else self.file
        super().__init__(f"{where}: {message}")


def yaml_path(loc: Iterable[Any]) -> str:
    """Turn a pydantic error location into a YAML path such as ``items[3].answer``."""
    out = ""
    previous_was_index = False
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            previous_was_index = True
            continue
        if previous_was_index and part in _DISCRIMINATORS:
            # pydantic adds the union member's tag after the list index; YAML has no such level
            previous_was_index = False
            continue
        out += f".{part}" if out else str(part)
        previous_was_index = False
    return out


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, "", "file not found") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ContentError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None


def _parse(path: Path, model: type[BaseModel]) -> Any:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(path, "", "expected a mapping at the top of the file")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise ContentError(path, yaml_path(first["loc"]), message) from None


@dataclass(frozen=True)
class Module:
    """A module's entry in course.yaml together with its activities."""

    entry: ModuleEntry
    file: ModuleFile
    path: Path

    @property
    def slug(self) -> str:
        return self.entry.slug

    def activities_in(self, part: str) -> list:
        return [a for a in self.file.activities if a.part == part]


@dataclass(frozen=True)
class Course:
    """All validated content of the course."""

    data_dir: Path
    info: CourseFile
    modules: tuple[Module, ...]
    references: dict[str, Reference]
    _activities: dict[str, tuple[Module, Any]] = field(repr=False)

    def module(self, slug: str) -> Module:
        for module in self.modules:
            if module.slug == slug:
                return module
        raise KeyError(slug)

    def activity(self, activity_id: str):
        return self._activities[activity_id][1]

    def module_of(self, activity_id: str) -> Module:
        return self._activities[activity_id][0]

    def parts(self) -> list[tuple[str, str]]:
        """Every (module slug, part) in course order."""
        return [(m.slug, p) for m in self.modules for p in PART_NAMES]


def sources_of(activity) -> list[tuple[str, list[str]]]:
    if isinstance(activity, SortingActivity | OrderingActivity):
        return [(f"items[{n}].sources", i.sources) for n, i in enumerate(activity.items)]
    if isinstance(activity, ChoiceActivity | VideoActivity):
        return [(f"questions[{n}].sources", q.sources) for n, q in enumerate(activity.questions)]
    if isinstance(activity, DraftingActivity):
        return [(f"steps[{n}].sources", s.sources) for n, s in enumerate(activity.steps)]
    if isinstance(activity, ScenarioActivity | SimulatorActivity):
        return [
            (f"nodes[{n}].options[{k}].sources", o.sources)
            for n, node in enumerate(activity.nodes)
            for k, o in enumerate(node.options)
        ]
    return []


def _comparison_problem(post: SelfAssessmentActivity, found) -> str | None:
    """Why ``post.compare_with`` cannot be paired with ``post``, or None when it can.

    The pre self-assessment's statements must all appear in the post one with the same ids
    (the post may add statements of its own), on a scale of the same length.
    """
    name = post.compare_with
    if found is None:
        return f"{name!r} is not an activity in the course"
    pre = found[1]
    if not isinstance(pre, SelfAssessmentActivity) or pre.phase != "pre":
        kind = pre.phase if isinstance(pre, SelfAssessmentActivity) else pre.type
        return f"{name!r} is not a pre self-assessment (it is {kind!r})"
    mine = {s.id for s in post.statements}
    missing = [s.id for s in pre.statements if s.id not in mine]
    if missing:
        return (
            f"{name!r} has statement(s) {missing} that this self-assessment lacks; use the "
            "same statement ids so the ratings can be paired"
        )
    if len(pre.scale) != len(post.scale):
        return f"{name!r} has a {len(pre.scale)}-point scale and this one {len(post.scale)}"
    return None


def load_course(data_dir: Path | str) -> Course:
    """Load ``course.yaml``, ``references.yaml`` and every module file, cross-checked."""
    data_dir = Path(data_dir)
    info: CourseFile = _parse(data_dir / "course.yaml", CourseFile)
    refs: ReferencesFile = _parse(data_dir / "references.yaml", ReferencesFile)
    references = {r.key: r for r in refs.references}

    modules: list[Module] = []
    activities: dict[str, tuple[Module, Any]] = {}
    for n, entry in enumerate(info.modules):
        path = data_dir / "modules" / f"{entry.slug}.yaml"
        if not path.exists():
            raise ContentError(
                data_dir / "course.yaml", f"modules[{n}].slug", f"no module file {path.name}"
            )
        file: ModuleFile = _parse(path, ModuleFile)
        if file.module != entry.slug:
            raise ContentError(path, "module", f"is {file.module!r}, expected {entry.slug!r}")
        module = Module(entry=entry, file=file, path=path)
        for a_n, activity in enumerate(file.activities):
            if activity.id in activities:
                other = activities[activity.id][0].path.name
                raise ContentError(
                    path, f"activities[{a_n}].id", f"{activity.id!r} is already used in {other}"
                )
            for where, keys in sources_of(activity):
                for key in keys:
                    if key not in references:
                        raise ContentError(
                            path,
                            f"activities[{a_n}].{where}",
                            f"unknown source {key!r}: add it to references.yaml",
                        )
                    if references[key].kind not in refs.citable_kinds:
                        raise ContentError(
                            path,
                            f"activities[{a_n}].{where}",
                            f"source {key!r} is a {references[key].kind} page, which "
                            "references.yaml's allowed_kinds does not allow as evidence: cite "
                            "research or practice guidance instead",
                        )
            activities[activity.id] = (module, activity)
        modules.append(module)
    for module in modules:
        for a_n, activity in enumerate(module.file.activities):
            if isinstance(activity, SelfAssessmentActivity) and activity.compare_with:
                problem = _comparison_problem(activity, activities.get(activity.compare_with))
                if problem:
                    raise ContentError(module.path, f"activities[{a_n}].compare_with", problem)
    return Course(
        data_dir=data_dir,
        info=info,
        modules=tuple(modules),
        references=references,
        _activities=activities,
    )


def default_data_dir() -> Path:
    """``data/`` beside the package (a source checkout), or ``COURSE_DATA_DIR``."""
    import os

    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data"


@lru_cache(maxsize=4)
def cached_course(data_dir: str | None = None) -> Course:
    """The course loaded once per process (a trainee kernel loads it once)."""
    return load_course(data_dir or default_data_dir())

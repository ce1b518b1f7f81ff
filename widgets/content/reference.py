"""The authors' content reference, generated from the models (so it is never out of date).

``course reference`` prints it; ``docs/content-reference.md`` is its committed copy, and a
test checks that the copy matches what the models say today.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import yaml
from pydantic import BaseModel

from .loader import Course
from .models import Activity, CourseFile, ModuleFile, ReferencesFile

MAX_EXAMPLE_ITEMS = 2


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Literal:
        return " or ".join(repr(a) for a in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args]
        optional = len(args) < len(typing.get_args(annotation))
        return " or ".join(names) + (" (optional)" if optional else "")
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation)


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in typing.get_args(annotation):
        found += _nested_models(arg)
    return found


def _fields_table(model: type[BaseModel], seen: set) -> list[str]:
    lines = [
        f"**{model.__name__}**"
        + (f": {model.__doc__.strip().splitlines()[0]}" if model.__doc__ else ""),
        "",
        "| field | type | required | default |",
        "|---|---|---|---|",
    ]
    nested: list[type[BaseModel]] = []
    for name, info in model.model_fields.items():
        required = "yes" if info.is_required() else "no"
        default = "" if info.is_required() else f"`{info.default!r}`"
        lines.append(f"| `{name}` | {_type_name(info.annotation)} | {required} | {default} |")
        nested += [m for m in _nested_models(info.annotation) if m not in seen]
    lines.append("")
    for sub in nested:
        if sub not in seen:
            seen.add(sub)
            lines += _fields_table(sub, seen)
    return lines


def _trim(value: Any) -> Any:
    if isinstance(value, list):
        return [_trim(v) for v in value[:MAX_EXAMPLE_ITEMS]]
    if isinstance(value, dict):
        return {k: _trim(v) for k, v in value.items()}
    return value


def activity_models() -> list[type[BaseModel]]:
    union = typing.get_args(Activity)[0]
    return list(typing.get_args(union))


def render_reference(course: Course | None = None) -> str:
    """Markdown: every file and activity type's fields, with an example from the course."""
    out = [
        "# Content reference",
        "",
        "Generated from `widgets/content/models.py` by `course reference`; do not edit by hand.",
        "Every file starts with `schema_version: 1`. Unknown fields are errors, and",
        "`course validate` names the file and the field of any mistake. Lists in the examples",
        f"are cut to {MAX_EXAMPLE_ITEMS} entries.",
        "",
        "## Files",
        "",
    ]
    seen: set = set()
    for title, model in (
        ("`data/course.yaml`", CourseFile),
        ("`data/references.yaml`", ReferencesFile),
        ("`data/modules/<slug>.yaml`", ModuleFile),
    ):
        out += [f"### {title}", ""]
        seen.add(model)
        out += _fields_table(model, seen)
    out += ["## Activity types", ""]
    for model in activity_models():
        kind = typing.get_args(model.model_fields["type"].annotation)[0]
        out += [f"### `{kind}`", ""]
        seen.add(model)
        out += _fields_table(model, seen)
        example = _example(course, kind)
        if example:
            out += ["Example (from the course):", "", "```yaml", example.rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _example(course: Course | None, kind: str) -> str | None:
    if course is None:
        return None
    for module in course.modules:
        for activity in module.file.activities:
            if activity.type == kind:
                data = _trim(activity.model_dump(mode="json", exclude_defaults=True))
                data = {"type": kind, **{k: v for k, v in data.items() if k != "type"}}
                return yaml.safe_dump([data], sort_keys=False, allow_unicode=True, width=100)
    return None

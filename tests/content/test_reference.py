"""The authors' content reference is generated from the models and kept in docs/."""

from __future__ import annotations

from widgets.content import load_course
from widgets.content.reference import activity_models, render_reference

from ..conftest import DATA, REPO


def test_committed_reference_is_current():
    """Does docs/content-reference.md match what the models say now (run `course reference`)?"""
    generated = render_reference(load_course(DATA))
    committed = (REPO / "docs" / "content-reference.md").read_text(encoding="utf-8")
    assert committed == generated, (
        "docs/content-reference.md is stale: run `course reference > docs/content-reference.md`"
    )


def test_every_activity_type_is_documented_with_an_example():
    """Has every activity type a section with its fields and an example from the course?"""
    text = render_reference(load_course(DATA))
    kinds = [m.model_fields["type"].annotation.__args__[0] for m in activity_models()]
    assert len(kinds) >= 4
    for kind in kinds:
        section = text.split(f"### `{kind}`")[1].split("\n### ")[0]
        assert "| field | type | required | default |" in section
    used = {a.type for m in load_course(DATA).modules for a in m.file.activities}
    for kind in used:
        assert "```yaml" in text.split(f"### `{kind}`")[1].split("\n### ")[0], kind

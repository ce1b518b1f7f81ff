"""The content loader: valid content loads; every broken file names its file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from widgets.content import ContentError, load_course
from widgets.content.loader import yaml_path

HERE = Path(__file__).parent
INVALID = sorted((HERE / "invalid").glob("*.yaml"))


@pytest.fixture
def data_dir(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(HERE / "valid", target)
    return target


def expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    field, message = first.removeprefix("# expect: ").split(" :: ")
    return field, message


def test_failure_fixtures_exist():
    """Is there a failure fixture for each rule (so the parametrised test is not empty)?"""
    assert len(INVALID) >= 12


def test_valid_content_loads(data_dir):
    """Does the minimal valid course load, with its activities reachable by id?"""
    course = load_course(data_dir)
    assert [m.slug for m in course.modules] == ["demo"]
    assert course.activity("demo-sort").items[1].answer == "mentoring"
    assert course.module_of("demo-rate").slug == "demo"
    assert [a.id for a in course.module("demo").activities_in("review")] == [
        "demo-reflect",
        "demo-rate",
    ]
    assert course.parts()[:2] == [("demo", "theory"), ("demo", "practice")]


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_content_names_file_and_field(data_dir, fixture):
    """Does each kind of broken module file give an error naming the file and the field?"""
    shutil.copy(fixture, data_dir / "modules" / "demo.yaml")
    field, message = expectation(fixture)
    with pytest.raises(ContentError, match=message) as caught:
        load_course(data_dir)
    assert caught.value.file.endswith("modules/demo.yaml")
    assert caught.value.field_path == field
    assert str(caught.value).startswith(str(data_dir / "modules" / "demo.yaml"))


def test_missing_module_file_names_course_yaml(data_dir):
    """Does a module listed in course.yaml without its file point at course.yaml?"""
    (data_dir / "modules" / "demo.yaml").unlink()
    with pytest.raises(ContentError, match="no module file demo.yaml") as caught:
        load_course(data_dir)
    assert caught.value.file.endswith("course.yaml")
    assert caught.value.field_path == "modules[0].slug"


def test_duplicate_reference_key(data_dir):
    """Is a reference key used twice refused?"""
    refs = data_dir / "references.yaml"
    refs.write_text(
        refs.read_text() + "  - key: whitmore-1995\n    kind: book\n    citation: Again.\n"
    )
    with pytest.raises(ContentError, match="duplicate reference id 'whitmore-1995'"):
        load_course(data_dir)


def test_modules_numbered_in_order(data_dir):
    """Is a module whose number does not match its position refused?"""
    course = data_dir / "course.yaml"
    course.write_text(course.read_text().replace("number: 1", "number: 2"))
    with pytest.raises(ContentError, match="expected 1") as caught:
        load_course(data_dir)
    assert caught.value.field_path == "modules"


def test_yaml_path_drops_union_tags():
    """Does the YAML path leave out pydantic's union tag, which authors never write?"""
    assert (
        yaml_path(("activities", 2, "sorting", "items", 5, "answer"))
        == "activities[2].items[5].answer"
    )
    assert yaml_path(("modules", 0, "slug")) == "modules[0].slug"


def test_a_vendor_page_cannot_back_an_activity_item(data_dir):
    """Is an item citing a kind of source that allowed_kinds leaves out (a provider's page)
    refused, naming the item's sources field?"""
    refs = data_dir / "references.yaml"
    text = refs.read_text().replace(
        "  - key: clutterbuck-1991\n    kind: book", "  - key: clutterbuck-1991\n    kind: vendor"
    )
    refs.write_text(text)
    with pytest.raises(ContentError, match="'clutterbuck-1991' is a vendor page") as caught:
        load_course(data_dir)
    assert caught.value.field_path.endswith(".sources")


def test_references_name_the_kinds_each_claim_may_cite(data_dir):
    """Is a references file without the allowed kinds per claim type refused?"""
    refs = data_dir / "references.yaml"
    text = refs.read_text()
    refs.write_text(text.replace("  empirical: [research, review, official]\n", ""))
    with pytest.raises(ContentError, match="allowed_kinds"):
        load_course(data_dir)

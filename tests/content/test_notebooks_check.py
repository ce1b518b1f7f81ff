"""check_notebooks: mismatches between notebooks and data name the notebook and the cell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from widgets.content import ContentError, load_course
from widgets.content.notebooks import check_notebooks

VALID = Path(__file__).parent / "valid"


def notebook(*sources: str, outputs=None) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Title"}]
    for source in sources:
        cells.append(
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": outputs or [],
                "source": source,
            }
        )
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def course_dir(tmp_path):
    folder = tmp_path / "course" / "demo"
    folder.mkdir(parents=True)
    (folder / "theory.ipynb").write_text(
        notebook('activity("demo-check")', 'references("whitmore-1995")')
    )
    (folder / "practice.ipynb").write_text(notebook('activity("demo-sort")'))
    (folder / "review.ipynb").write_text(
        notebook('activity("demo-reflect")\n', 'activity("demo-rate")')
    )
    return tmp_path / "course"


@pytest.fixture
def course():
    return load_course(VALID)


def test_consistent_notebooks_pass(course, course_dir):
    """Do notebooks that show each activity once, in its part, pass?"""
    check_notebooks(course, course_dir)


@pytest.mark.parametrize(
    ("part", "cells", "message"),
    [
        ("practice", ['activity("nope")'], "unknown activity 'nope'"),
        ("practice", ['activity("demo-check")'], "belongs to demo/theory"),
        (
            "practice",
            ['activity("demo-sort")', 'references("knight-2007")'],
            "unknown reference 'knight-2007'",
        ),
        ("practice", ["activity(name)"], "one literal id"),
        ("practice", ["activity("], "syntax error"),
        ("practice", [], "'demo-sort' is never shown"),
    ],
)
def test_mismatches_are_named(course, course_dir, part, cells, message):
    """Is each kind of notebook mistake reported with the notebook and the cell?"""
    (course_dir / "demo" / f"{part}.ipynb").write_text(notebook(*cells))
    with pytest.raises(ContentError, match=message) as caught:
        check_notebooks(course, course_dir)
    assert caught.value.file.endswith(".ipynb") or caught.value.file.endswith(".yaml")


def test_missing_part_notebook(course, course_dir):
    """Is a missing review notebook named?"""
    (course_dir / "demo" / "review.ipynb").unlink()
    with pytest.raises(ContentError, match="needs a review notebook"):
        check_notebooks(course, course_dir)


def test_outputs_are_refused(course, course_dir):
    """Is a notebook committed with outputs refused?"""
    out = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    (course_dir / "demo" / "practice.ipynb").write_text(
        notebook('activity("demo-sort")', outputs=out)
    )
    with pytest.raises(ContentError, match="has outputs"):
        check_notebooks(course, course_dir)


def test_shown_twice(course, course_dir):
    """Is an activity shown in two cells refused?"""
    (course_dir / "demo" / "practice.ipynb").write_text(
        notebook('activity("demo-sort")', 'activity("demo-sort")')
    )
    with pytest.raises(ContentError, match="already shown"):
        check_notebooks(course, course_dir)

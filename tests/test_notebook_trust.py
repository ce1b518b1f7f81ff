"""The course's own notebooks are trusted by the server that serves them, and only those."""

from __future__ import annotations

import shutil

import nbformat
from nbformat.sign import NotebookNotary

from widgets.notebook_trust import notebooks_in, trust_notebooks

from .conftest import COURSE


def test_every_served_notebook_is_signed_into_the_runtime_folder(tmp_path):
    """After signing, does a notary reading the returned store trust every course notebook,
    and not a notebook from elsewhere?"""
    config = trust_notebooks(COURSE, tmp_path / "var")
    data_dir = config.NotebookNotary.data_dir
    assert data_dir == str(tmp_path / "var" / "notary")
    notebooks = notebooks_in(COURSE)
    assert len(notebooks) >= 10, "the course notebooks were not found"
    stranger = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hi')")])
    with NotebookNotary(data_dir=data_dir) as notary:
        untrusted = [p for p in notebooks if not notary.check_signature(nbformat.read(p, 4))]
        assert untrusted == []
        assert not notary.check_signature(stranger)


def test_an_edited_notebook_is_trusted_after_the_next_start(tmp_path):
    """Does a notebook an author changed get signed again at the next start (not left
    untrusted by the old signature)?"""
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    trust_notebooks(course, tmp_path / "var")
    edited = notebooks_in(course)[0]
    notebook = nbformat.read(edited, 4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("An author's new paragraph."))
    nbformat.write(notebook, edited)
    data_dir = trust_notebooks(course, tmp_path / "var").NotebookNotary.data_dir
    with NotebookNotary(data_dir=data_dir) as notary:
        assert notary.check_signature(nbformat.read(edited, 4))

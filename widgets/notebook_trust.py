"""Trust the course's own notebooks, so Voilà does not log "Notebook … is not trusted".

Jupyter trusts a notebook whose signature is in the notary's store (what ``jupyter trust``
does). ``course serve`` signs every notebook of the folder it serves, at each start (an
author's edit changes the signature), into a store of its own in the runtime folder, and
points Voilà's notary at that store. Nothing is written to the user's Jupyter data folder,
and a notebook that is not in the served folder stays untrusted.
"""

from __future__ import annotations

from pathlib import Path

NOTARY_DIR = "notary"


def notebooks_in(course_dir: Path) -> list[Path]:
    """Every notebook Voilà may serve from ``course_dir`` (checkpoints left out)."""
    return sorted(
        path for path in course_dir.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts
    )


def trust_notebooks(course_dir: Path, var_dir: Path):
    """Sign the notebooks in ``course_dir`` into a store under ``var_dir``; return the
    traitlets Config that makes Voilà's notary use that store."""
    import nbformat
    from nbformat.sign import NotebookNotary
    from traitlets.config import Config

    data_dir = var_dir / NOTARY_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    with NotebookNotary(data_dir=str(data_dir)) as notary:
        for path in notebooks_in(course_dir):
            notary.sign(nbformat.read(path, as_version=4))
    config = Config()
    config.NotebookNotary.data_dir = str(data_dir)
    return config

"""Where the course keeps its runtime files: the one place every other module asks.

Runtime files are what the course makes as it runs (the SQLite database, the facilitator and
pseudonymisation keys, the notebook trust store), never content. They go to ``COURSE_VAR_DIR``
when it is set, else to the git-ignored ``var/`` of the checkout. This module imports nothing
of the package, so the console script, the store and the keys can all import it.
"""

from __future__ import annotations

import os
from pathlib import Path

VAR_DIR_ENV = "COURSE_VAR_DIR"
CHECKOUT_DIR = Path(__file__).resolve().parents[1]


def var_dir() -> Path:
    """The folder for runtime files: ``COURSE_VAR_DIR``, else ``var/`` in the checkout."""
    configured = os.environ.get(VAR_DIR_ENV)
    return Path(configured) if configured else CHECKOUT_DIR / "var"

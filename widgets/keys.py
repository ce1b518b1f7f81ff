"""Secrets the course keeps for itself: taken from the environment, else generated once.

The facilitator key and the pseudonymisation key both live here so there is one way to make,
keep and read such a file (owner-only permissions, never printed by this module).
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from . import paths


def kept_secret(path: Path, configured: str = "", nbytes: int = 12) -> str:
    """``configured`` if not empty; else the key in ``path``, written once if it is missing."""
    if configured:
        return configured
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(nbytes)
    try:
        # created owner-only from the start: chmod after writing would leave a readable moment
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_written(path)  # made already, perhaps by another kernel this instant
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    path.chmod(0o600)
    return key


def _read_written(path: Path, wait: float = 2.0) -> str:
    """The key in ``path``, waiting briefly if its writer has not finished writing it."""
    import time

    deadline = time.monotonic() + wait
    while True:
        key = path.read_text(encoding="utf-8").strip()
        if key or time.monotonic() > deadline:
            return key
        time.sleep(0.02)


FACILITATOR_KEY_ENV = "COURSE_FACILITATOR_KEY"
FACILITATOR_KEY_FILE = "facilitator-key"


def facilitator_key(var_dir: Path | None = None) -> str:
    """The key that unlocks facilitator pages: COURSE_FACILITATOR_KEY, else the one kept in
    ``var_dir`` (``course serve`` makes it on first start and prints it)."""
    folder = paths.var_dir() if var_dir is None else var_dir
    return kept_secret(folder / FACILITATOR_KEY_FILE, os.environ.get(FACILITATOR_KEY_ENV, ""))


def key_matches(given: str, expected: str) -> bool:
    """Compare a typed key with the real one in constant time (no early exit on a mismatch).

    Surrounding spaces are forgiven (a key pasted from a terminal); an empty key never matches.
    """
    given_bytes = (given or "").strip().encode("utf-8")
    expected_bytes = (expected or "").encode("utf-8")
    return bool(expected_bytes) and hmac.compare_digest(given_bytes, expected_bytes)

"""Secrets the course keeps for itself: taken from the environment, else generated once.

The facilitator key and the pseudonymisation key both live here so there is one way to make,
keep and read such a file (owner-only permissions, never printed by this module).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def kept_secret(path: Path, configured: str = "", nbytes: int = 12) -> str:
    """``configured`` if not empty; else the key in ``path``, written once if it is missing."""
    if configured:
        return configured
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(nbytes)
    # created owner-only from the start: chmod after writing would leave a readable moment
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    path.chmod(0o600)
    return key

"""Pseudonyms for research exports: a keyed HMAC of internal ids.

The key comes from ``COURSE_PSEUDONYM_KEY``, else it is generated once into the var directory
(``pseudonym-key``, owner-only) by the same helper that keeps the facilitator key. Without
the key nobody can link a pseudonym back to a learner; with another key the same learner gets
an unrelated pseudonym. The key itself is never written to an export.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from pathlib import Path

from .. import paths
from ..keys import kept_secret

KEY_ENV = "COURSE_PSEUDONYM_KEY"
KEY_FILE = "pseudonym-key"
PSEUDONYM_HEX = 16  # 64 bits: collisions are negligible for millions of learners


def pseudonym_key(var_dir: Path | None = None) -> str:
    """The configured key, or the one kept in ``var_dir`` (generated on first use)."""
    folder = paths.var_dir() if var_dir is None else var_dir
    return kept_secret(folder / KEY_FILE, os.environ.get(KEY_ENV, ""), nbytes=32)


class Pseudonymiser:
    """Turns internal ids into stable, keyed, one-way identifiers."""

    def __init__(self, key: str | bytes):
        if not key:
            raise ValueError("A pseudonymisation key is needed")
        self._key = key.encode() if isinstance(key, str) else key
        self._learners: dict[int, str] = {}

    def _digest(self, kind: str, value: object) -> bytes:
        return hmac.digest(self._key, f"{kind}:{value}".encode(), hashlib.sha256)

    def learner(self, learner_id: int) -> str:
        """The learner's pseudonym: 16 hex digits."""
        found = self._learners.get(learner_id)
        if found is None:
            found = self._digest("learner", learner_id).hex()[:PSEUDONYM_HEX]
            self._learners[learner_id] = found
        return found

    def uuid(self, kind: str, value: object) -> str:
        """A UUID (version 4 layout) derived from the key, e.g. an xAPI registration or id."""
        return str(uuid.UUID(bytes=self._digest(kind, value)[:16], version=4))

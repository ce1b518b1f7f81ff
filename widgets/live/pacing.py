"""A session's pacing: which modules and parts are locked, and whether answers are hidden.

It lives in the session's ``settings`` (JSON) in the store; the facilitator's page changes
it and every trainee page in the session polls it. Values that do not make sense (a hand
edited database, an older version) are ignored rather than trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


def lock_key(module: str, part: str | None = None) -> str:
    """``"module"`` locks a whole module; ``"module/part"`` one part of it."""
    return module if part is None else f"{module}/{part}"


@dataclass(frozen=True)
class Pacing:
    locked: frozenset[str] = field(default_factory=frozenset)
    answers_hidden: bool = False
    show_names: bool = False
    projector_activity: str | None = None  # the activity whose chart the projector shows
    ended: bool = False

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> Pacing:
        settings = settings or {}
        locked = settings.get("locked")
        if not isinstance(locked, list | tuple):
            locked = []
        activity = settings.get("projector_activity")
        return cls(
            locked=frozenset(k for k in locked if isinstance(k, str)),
            answers_hidden=settings.get("answers_hidden") is True,
            show_names=settings.get("show_names") is True,
            projector_activity=activity if isinstance(activity, str) else None,
            ended=settings.get("ended") is True,
        )

    def to_settings(self) -> dict[str, Any]:
        """What the store keeps (``ended`` is the session's own column, not a setting)."""
        return {
            "locked": sorted(self.locked),
            "answers_hidden": self.answers_hidden,
            "show_names": self.show_names,
            "projector_activity": self.projector_activity,
        }

    @property
    def live(self) -> Pacing:
        """What trainees follow: an ended session holds nobody back and hides nothing."""
        return Pacing() if self.ended else self

    def is_locked(self, module: str, part: str | None = None) -> bool:
        if self.ended:
            return False
        return module in self.locked or (part is not None and lock_key(module, part) in self.locked)

    def with_lock(self, module: str, part: str | None = None, locked: bool = True) -> Pacing:
        key = lock_key(module, part)
        keys = self.locked | {key} if locked else self.locked - {key}
        return replace(self, locked=frozenset(keys))

"""A session's pacing: which modules and parts are locked, whether answers are hidden, and
which part (if any) the facilitator has brought everyone to.

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
    gather: str | None = None  # "module/part" the facilitator has brought everyone to
    gather_count: int = 0  # one more per "bring everyone here": the same part twice moves twice
    ended: bool = False

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> Pacing:
        settings = settings or {}
        locked = settings.get("locked")
        if not isinstance(locked, list | tuple):
            locked = []
        activity = settings.get("projector_activity")
        gather = settings.get("gather")
        if not (isinstance(gather, str) and gather.count("/") == 1 and all(gather.split("/"))):
            gather = None
        count = settings.get("gather_count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            count = 0
        return cls(
            locked=frozenset(k for k in locked if isinstance(k, str)),
            answers_hidden=settings.get("answers_hidden") is True,
            show_names=settings.get("show_names") is True,
            projector_activity=activity if isinstance(activity, str) else None,
            gather=gather,
            gather_count=count,
            ended=settings.get("ended") is True,
        )

    def to_settings(self) -> dict[str, Any]:
        """What the store keeps (``ended`` is the session's own column, not a setting)."""
        return {
            "locked": sorted(self.locked),
            "answers_hidden": self.answers_hidden,
            "show_names": self.show_names,
            "projector_activity": self.projector_activity,
            "gather": self.gather,
            "gather_count": self.gather_count,
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

    @property
    def gathered_at(self) -> tuple[str, str] | None:
        """``(module, part)`` everyone has been brought to, or None when trainees move freely."""
        if self.ended or self.gather is None:
            return None
        module, part = self.gather.split("/")
        return module, part

    def with_gather(self, module: str, part: str) -> Pacing:
        """Bring everyone to ``module``'s ``part`` (again, if they were already brought there)."""
        return replace(self, gather=lock_key(module, part), gather_count=self.gather_count + 1)

    def released(self) -> Pacing:
        """Let trainees move freely again."""
        return replace(self, gather=None)

    def newly_gathered(self, before: Pacing) -> tuple[str, str] | None:
        """Where a trainee following ``before`` should now be taken, if anywhere."""
        target = self.gathered_at
        if target is None or (self.gather, self.gather_count) == (
            before.gather,
            before.gather_count,
        ):
            return None
        return target

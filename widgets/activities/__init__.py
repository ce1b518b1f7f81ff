"""Activity widgets, one module per activity type, and the one way to build them."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from .base import COMPLETING_ACTIONS, ActivityView, SaveFailed, Submission

SourcesText = Callable[[list[str]], str]

# activity type → (module in this package, its view class, whether it takes seed / sources)
VIEWS: dict[str, tuple[str, str, bool, bool]] = {
    "sorting": ("sorting", "SortingView", True, True),
    "choice": ("choice", "ChoiceView", False, True),
    "ordering": ("ordering", "OrderingView", True, True),
    "scenario": ("scenario", "ScenarioView", False, True),
    "simulator": ("simulator", "SimulatorView", False, True),
    "video": ("video", "VideoView", False, True),
    "drafting": ("drafting", "DraftingView", False, True),
    "reflection": ("reflection", "ReflectionView", False, False),
    "self_assessment": ("self_assessment", "SelfAssessmentView", False, False),
}


def view_class(kind: str) -> type[ActivityView]:
    """The view class of activity type ``kind`` (importing only its module)."""
    if kind not in VIEWS:
        raise ValueError(f"no widget for activity type {kind!r}")
    module, name, _seeded, _sourced = VIEWS[kind]
    return getattr(importlib.import_module(f".{module}", __name__), name)


def import_all() -> None:
    """Import every activity module now (a kernel's preload), not on a trainee's first move."""
    for kind in VIEWS:
        view_class(kind)


def build_view(content, *, seed: int = 0, sources_text: SourcesText | None = None) -> ActivityView:
    """The widget for one activity's content model."""
    cls = view_class(content.type)
    _module, _name, seeded, sourced = VIEWS[content.type]
    kwargs: dict = {}
    if seeded:
        kwargs["seed"] = seed
    if sourced:
        kwargs["sources_text"] = sources_text
    return cls(content, **kwargs)


__all__ = [
    "COMPLETING_ACTIONS",
    "ActivityView",
    "SaveFailed",
    "Submission",
    "build_view",
    "import_all",
    "view_class",
]

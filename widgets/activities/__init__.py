"""Activity widgets, one module per activity type, and the one way to build them."""

from __future__ import annotations

from collections.abc import Callable

from .base import COMPLETING_ACTIONS, ActivityView, SaveFailed, Submission

SourcesText = Callable[[list[str]], str]


def build_view(content, *, seed: int = 0, sources_text: SourcesText | None = None) -> ActivityView:
    """The widget for one activity's content model (imports only the type it needs)."""
    kind = content.type
    if kind == "sorting":
        from .sorting import SortingView

        return SortingView(content, seed=seed, sources_text=sources_text)
    if kind == "choice":
        from .choice import ChoiceView

        return ChoiceView(content, sources_text=sources_text)
    if kind == "ordering":
        from .ordering import OrderingView

        return OrderingView(content, seed=seed, sources_text=sources_text)
    if kind == "scenario":
        from .scenario import ScenarioView

        return ScenarioView(content, sources_text=sources_text)
    if kind == "simulator":
        from .simulator import SimulatorView

        return SimulatorView(content, sources_text=sources_text)
    if kind == "video":
        from .video import VideoView

        return VideoView(content, sources_text=sources_text)
    if kind == "drafting":
        from .drafting import DraftingView

        return DraftingView(content, sources_text=sources_text)
    if kind == "reflection":
        from .reflection import ReflectionView

        return ReflectionView(content)
    if kind == "self_assessment":
        from .self_assessment import SelfAssessmentView

        return SelfAssessmentView(content)
    raise ValueError(f"no widget for activity type {kind!r}")


__all__ = ["COMPLETING_ACTIONS", "ActivityView", "SaveFailed", "Submission", "build_view"]

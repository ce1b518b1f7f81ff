"""A branching case study: a situation, options, feedback on the choice, on to an ending.

The walk, submissions and resume are :mod:`~widgets.activities.branching`'s; this module adds
what a scenario shows: each option's quality in words ("Best choice", "Acceptable", "Poor
choice"), the path so far, and at the ending a debrief that sets the learner's path beside
the best path (following the first ``best`` option at every situation).

Keyboard: the options are a native radio group inside a form (Tab into it, arrows choose,
Enter or the "Choose" button submits); after choosing, focus moves to "Continue"; on arriving
at a situation or an ending, focus moves to its heading. The live region announces the
quality and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..content.models import ScenarioActivity, ScenarioOption
from .branching import BranchBoard, BranchingView

_STATIC = Path(__file__).parent / "static"

QUALITY_LABELS = {
    "best": "Best choice",
    "acceptable": "Acceptable, but not the best",
    "poor": "Poor choice",
}


class ScenarioBoard(BranchBoard):
    """The whole scenario on the page: path so far, situation, options, feedback, ending."""

    _esm = _STATIC / "scenario.js"
    _css = _STATIC / "scenario.css"


class ScenarioView(BranchingView):
    """A scenario activity: heading, instructions, the board and the save status."""

    activity_type = "scenario"
    board_class = ScenarioBoard

    def __init__(self, content: ScenarioActivity, *, sources_text=None, **kwargs):
        super().__init__(content, sources_text=sources_text, **kwargs)

    @staticmethod
    def preferred(node):
        return next(o for o in node.options if o.quality == "best")

    @staticmethod
    def correct(option: ScenarioOption) -> bool:
        return option.quality == "best"

    def _chosen_said(self, option: ScenarioOption) -> str:
        return f"{QUALITY_LABELS[option.quality]}. {option.feedback}"

    def _state(self) -> dict[str, Any]:
        logic = self.logic
        state = self._common_state()
        if logic.phase == "feedback":
            option = logic.last_option
            state["feedback"] = {
                "text": option.text,
                "quality": option.quality,
                "quality_label": QUALITY_LABELS[option.quality],
                "why": option.feedback,
                "sources_text": self.sources_text(option.sources),
            }
        done = logic.path if logic.phase != "feedback" else logic.path[:-1]
        state["path"] = [
            self._step(n, node_id, option_id)
            for n, (node_id, option_id) in enumerate(done, start=1)
        ]
        if logic.phase == "ended":
            state["debrief"] = self._debrief()
        return state

    def _step(self, n: int, node_id: str, option_id: str) -> dict[str, Any]:
        node = self.logic.node(node_id)
        option = self.logic.option(node_id, option_id)
        return {
            "n": n,
            "node": node_id,
            "title": node.title or f"Decision {n}",
            "option": option.text,
            "quality": option.quality,
            "quality_label": QUALITY_LABELS[option.quality],
        }

    def _debrief(self) -> dict[str, Any]:
        logic = self.logic
        rows = []
        for n, (node_id, option_id) in enumerate(logic.path, start=1):
            node = logic.node(node_id)
            chosen = logic.option(node_id, option_id)
            best = self.preferred(node)
            rows.append(
                {
                    **self._step(n, node_id, option_id),
                    "best": best.text,
                    "same": chosen.quality == "best",
                    "best_why": best.feedback,
                    "sources_text": self.sources_text(best.sources),
                }
            )
        best_path, best_end = logic.preferred_path()
        n_best = sum(r["same"] for r in rows)
        summary = f"You made the best choice at {n_best} of {len(rows)} decisions."
        on_best = [(n, o) for n, o in logic.path] == best_path
        if on_best:
            summary += " You followed the best path all the way."
        return {
            "summary": summary,
            "rows": rows,
            "best_path": [
                {
                    "title": logic.node(n).title or f"Decision {i}",
                    "option": logic.option(n, o).text,
                }
                for i, (n, o) in enumerate(best_path, start=1)
            ],
            "best_ending": logic.ending(best_end).title,
            "on_best_path": on_best,
        }

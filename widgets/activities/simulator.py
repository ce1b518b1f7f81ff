"""The coaching-conversation simulator: a teacher speaks, the trainee replies, and the
conversation branches ("hand the issue back").

The walk, submissions and resume are :mod:`~widgets.activities.branching`'s (the same graph
code as the scenario). This module adds what a conversation shows:

- every reply is tagged with a stance (hands back, paraphrase, open question, offers with
  permission, leading, tells, rescues, judges) and its feedback;
- an ownership meter (0–100: how much of the thinking is the teacher's) moved by each stance's
  weight, clamped at each step, shown with its number and a sentence, not colour alone;
- at the ending, the trainee's replies beside the expert's (``expert: true`` per node), the
  expert path, and the mix of stances as text with a light bar chart.

Keyboard: the replies are a native radio group in a form (arrows choose, Enter or "Reply"
sends); after replying, focus moves to "Continue"; on the teacher's next line or the ending,
focus moves to its heading. The live region announces the stance, the meter and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..content.models import SimulatorActivity, SimulatorOption
from .branching import BranchBoard, BranchingView

_STATIC = Path(__file__).parent / "static"

STANCES: dict[str, tuple[str, str]] = {
    "hands_back": ("Hands back", "returns the issue to the teacher, who keeps the thinking"),
    "paraphrase": ("Paraphrase", "reflects back what the teacher said, so they hear it"),
    "open_question": ("Open question", "invites the teacher to think further"),
    "offers": (
        "Offers with permission",
        "asks before sharing an idea and leaves the choice with the teacher",
    ),
    "leading": ("Leading question", "advice in disguise: the answer is in the question"),
    "tells": ("Tells", "gives the answer, so the teacher stops thinking"),
    "rescues": ("Rescues", "reassures or closes the topic, so the issue goes away unexamined"),
    "judges": ("Judges", "evaluates the teacher, which makes the talk unsafe"),
}


def ownership_words(value: int) -> str:
    """A sentence for the meter, so its meaning never rests on a colour or a bar length."""
    if value >= 67:
        return "the teacher is doing most of the thinking"
    if value >= 34:
        return "the thinking is shared"
    return "you are doing most of the thinking"


class SimulatorBoard(BranchBoard):
    """The whole conversation on the page: transcript, meter, replies, feedback, debrief."""

    _esm = _STATIC / "simulator.js"
    _css = _STATIC / "simulator.css"


class SimulatorView(BranchingView):
    """A simulator activity: heading, instructions, the board and the save status."""

    activity_type = "simulator"
    board_class = SimulatorBoard

    def __init__(self, content: SimulatorActivity, *, sources_text=None, **kwargs):
        super().__init__(content, sources_text=sources_text, **kwargs)

    @staticmethod
    def preferred(node):
        return next(o for o in node.options if o.expert)

    @staticmethod
    def correct(option: SimulatorOption) -> bool:
        return option.expert

    # -- the meter ---------------------------------------------------------------------

    def ownership_after(self, path: list[tuple[str, str]]) -> list[int]:
        """The meter's value before any reply, then after each reply of ``path``."""
        value = self.content.ownership_start
        values = [value]
        for node_id, option_id in path:
            stance = self.logic.option(node_id, option_id).stance
            value = min(100, max(0, value + self.content.weight(stance)))
            values.append(value)
        return values

    @property
    def ownership(self) -> int:
        return self.ownership_after(self.logic.path)[-1]

    def _meter(self, value: int) -> dict[str, Any]:
        return {
            "value": value,
            "text": f"Ownership {value} of 100: {ownership_words(value)}.",
        }

    # -- announcements and submissions ------------------------------------------------------

    def _chosen_said(self, option: SimulatorOption) -> str:
        label, _gloss = STANCES[option.stance]
        delta = self.content.weight(option.stance)
        expert = " The expert reply." if option.expert else ""
        return (
            f"{label}.{expert} Ownership {delta:+d}, now {self.ownership} of 100. {option.feedback}"
        )

    def _arrived_said(self) -> str:
        node = self.logic.node(self.logic.current)
        return f"{self.content.teacher} says: “{node.says}”"

    def _extra_response(self) -> dict[str, Any]:
        return {
            "stances": [self.logic.option(n, o).stance for n, o in self.logic.path],
            "ownership": self.ownership,
        }

    # -- what the page draws -------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        logic = self.logic
        state = self._common_state()
        state["teacher"] = self.content.teacher
        state["meter"] = self._meter(self.ownership)
        transcript = []
        for node_id, option_id in logic.path:
            node = logic.node(node_id)
            option = logic.option(node_id, option_id)
            label = STANCES[option.stance][0]
            transcript.append({"who": "teacher", "text": node.says, "context": node.context or ""})
            transcript.append({"who": "you", "text": option.text, "stance_label": label})
        # while choosing, the teacher's current line is drawn as the situation, not history
        state["transcript"] = transcript
        if logic.phase in ("choosing", "feedback"):
            node_id = logic.path[-1][0] if logic.phase == "feedback" else logic.current
            state["node"]["context"] = logic.node(node_id).context or ""
        if logic.phase == "feedback":
            option = logic.last_option
            label, gloss = STANCES[option.stance]
            state["feedback"] = {
                "text": option.text,
                "stance": option.stance,
                "stance_label": label,
                "stance_gloss": gloss,
                "expert": option.expert,
                "delta": self.content.weight(option.stance),
                "why": option.feedback,
                "sources_text": self.sources_text(option.sources),
            }
        if logic.phase == "ended":
            state["debrief"] = self._debrief()
        return state

    def _debrief(self) -> dict[str, Any]:
        logic = self.logic
        rows = []
        for node_id, option_id in logic.path:
            node = logic.node(node_id)
            chosen = logic.option(node_id, option_id)
            expert = self.preferred(node)
            rows.append(
                {
                    "node": node_id,
                    "says": node.says,
                    "you": chosen.text,
                    "you_stance": STANCES[chosen.stance][0],
                    "expert": expert.text,
                    "expert_stance": STANCES[expert.stance][0],
                    "same": chosen.expert,
                    "expert_why": expert.feedback,
                    "sources_text": self.sources_text(expert.sources),
                }
            )
        expert_path, expert_end = logic.preferred_path()
        counts: dict[str, int] = {}
        for node_id, option_id in logic.path:
            stance = logic.option(node_id, option_id).stance
            counts[stance] = counts.get(stance, 0) + 1
        total = len(logic.path)
        mix = [
            {
                "stance": stance,
                "label": label,
                "gloss": gloss,
                "count": counts.get(stance, 0),
                "percent": round(100 * counts.get(stance, 0) / total) if total else 0,
            }
            for stance, (label, gloss) in STANCES.items()
            if counts.get(stance)
        ]
        yours = self.ownership
        experts = self.ownership_after(expert_path)[-1]
        same = sum(r["same"] for r in rows)
        summary = (
            f"You gave the expert's reply {same} of {total} times. Your conversation ended at "
            f"ownership {yours} of 100 ({ownership_words(yours)}); the expert path ends at "
            f"{experts} of 100."
        )
        return {
            "summary": summary,
            "rows": rows,
            "mix": mix,
            "mix_text": "; ".join(
                f"{m['label']}: {m['count']} of {total} ({m['percent']}%)" for m in mix
            ),
            "ownership": yours,
            "expert_ownership": experts,
            "expert_path": [
                {
                    "says": logic.node(n).says,
                    "reply": logic.option(n, o).text,
                    "stance_label": STANCES[logic.option(n, o).stance][0],
                }
                for n, o in expert_path
            ],
            "expert_ending": logic.ending(expert_end).title,
            "on_expert_path": list(logic.path) == expert_path,
        }

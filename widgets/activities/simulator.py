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

Rehearsal (``rehearse: true``): at each line the trainee first writes what they would say;
only then do the replies appear, with what the wording suggests (:mod:`.reply_analysis`,
hedged, never a grade) above them and the expert's reply beside theirs after choosing. Each
written reply is a "draft" submission, kept by run and node for resume and the debrief.

Keyboard: the replies are a native radio group in a form (arrows choose, Enter or "Reply"
sends); after replying, focus moves to "Continue"; on the teacher's next line or the ending,
focus moves to its heading. The live region announces the stance, the meter and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..content.models import SimulatorActivity, SimulatorOption
from .base import Submission
from .branching import BranchBoard, BranchingError, BranchingView
from .reply_analysis import CAVEAT, analyse

_STATIC = Path(__file__).parent / "static"
DRAFT_MAX_CHARS = 1000  # one reply in a conversation, not an essay

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
        self._drafts: dict[tuple[int, str], str] = {}  # (run, node) -> the trainee's own words
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

    # -- rehearsal: the trainee's own words before the options ----------------------------

    def own_words(self, node_id: str | None = None) -> str | None:
        """The reply the trainee wrote at ``node_id`` (the current one) in this run, if any."""
        return self._drafts.get((self.logic.run, node_id or self.logic.current))

    def _needs_draft(self) -> bool:
        return self.content.rehearse and self.logic.phase == "choosing" and self.own_words() is None

    def draft(self, text: str) -> bool:
        """Write one's own reply to the teacher's current line; the options appear after it.
        Saved as a "draft" submission; True once saved. Refused with a reason (and the text
        kept in the page) when empty, too long, or not expected now."""
        if not self._needs_draft():
            raise BranchingError(
                "Your own reply to this line is already written: choose from the replies now."
                if self.content.rehearse
                else "This conversation has no step for writing your own reply."
            )
        if not text.strip():
            raise BranchingError("Write what you would say first; the replies appear after.")
        if len(text) > DRAFT_MAX_CHARS:
            raise BranchingError(
                f"Too long: {len(text):,} characters, and a reply here can be up to "
                f"{DRAFT_MAX_CHARS:,}. Shorten it; your text is still in the box."
            )
        node_id = self.logic.current
        self._drafts[(self.logic.run, node_id)] = text
        notes = analyse(text)
        submission = self.new_submission(
            "draft",
            response={
                "run": self.logic.run,
                "node": node_id,
                "text": text,
                "noticed": [n.category for n in notes],
            },
            attempt=self.logic.run,
        )
        saved = self.emit(submission, saved_message="Your reply is saved.")
        said = (
            "Your reply is saved. " if saved else "Your reply is not saved yet, but it is kept. "
        ) + "Below it: what its wording suggests. Now choose the reply closest to yours."
        self._sync(said, "info" if saved else "error")
        return saved

    def choose(self, option_id: str) -> bool:
        """As every branching view, except that a rehearsal asks for the own reply first."""
        if self._needs_draft():
            raise BranchingError("Write your own reply first: the replies appear after it.")
        return super().choose(option_id)

    def restore(self, submissions: list[Submission]) -> None:
        """Bring back the trainee's own words, then the path (as every branching view does)."""
        for sub in submissions:
            if sub.activity_id != self.content.id or sub.action != "draft":
                continue
            run, node, text = (sub.response.get(k) for k in ("run", "node", "text"))
            if isinstance(run, int) and isinstance(node, str) and isinstance(text, str):
                self._drafts[(run, node)] = text
        super().restore(submissions)

    def _own_state(self, node_id: str) -> dict[str, Any] | None:
        text = self.own_words(node_id)
        if text is None:
            return None
        return {"text": text, "notes": [n.said for n in analyse(text)], "caveat": CAVEAT}

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
            state["draft_needed"] = self._needs_draft()
            if state["draft_needed"]:  # production first: no options until they have written
                state["node"]["options"] = []
                state["draft_max"] = DRAFT_MAX_CHARS
            state["own"] = self._own_state(node_id)
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
                "expert_text": self.preferred(logic.node(logic.path[-1][0])).text,
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
                    "own": self.own_words(node_id) or "",
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

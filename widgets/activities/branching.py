"""What the branching activities (scenario, simulator) share: the walk through the graph.

The content's graph is checked when it loads (``widgets.content.models._check_graph``: every
``next`` exists, everything is reachable, no cycles), so the walk here can trust it.

- :class:`BranchingLogic` – a plain state machine: the path taken so far (one (node, option)
  pair per decision), the phase (``choosing`` → ``feedback`` → ``choosing`` … → ``ended``),
  restarts, the preferred ("best" or "expert") path, and the resume format.
- :class:`BranchBoard` – the base of each type's one anywidget: a ``state`` dict that Python
  computes and the browser only draws, a live-region ``status``, and browser requests
  (``choose``, ``continue``, ``restart``, ``save``) checked before they reach callbacks.
- :class:`BranchingView` – the shared activity plumbing: requests to logic calls, one
  Submission per decision (so a learner resumes mid-way), a queue that keeps every decision
  whose save failed until a later save succeeds, and restore.

Each decision emits a Submission whose ``items`` holds that decision only
(``{node_id: {"response": option_id, "correct": bool}}``), so counting items never counts a
decision twice; its ``response`` holds the whole path of the run so far. The decision that
reaches an ending is emitted as ``complete`` (a completing action), the others as ``choice``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import traitlets

from ..escape import escape_text
from ..looks import CourseAnyWidget
from .base import ActivityView, Submission, heading

log = logging.getLogger(__name__)

PHASES = ("choosing", "feedback", "ended")
ACTIONS = ("choose", "continue", "restart", "save", "draft")


class BranchingError(ValueError):
    """A request a branching activity refuses; ``str()`` is written for the learner."""


class BranchingLogic:
    """Walk a branching activity's graph, without widgets.

    ``preferred(node)`` names the option an expert would take at ``node``; following it from
    ``start`` gives the path the debrief compares the learner's with.
    """

    def __init__(self, content, preferred: Callable[[Any], Any]):
        self.content = content
        self._nodes = {node.id: node for node in content.nodes}
        self._endings = {ending.id: ending for ending in content.endings}
        self._preferred = preferred
        self.run = 1
        self.path: list[tuple[str, str]] = []
        self.current: str = content.start
        self.phase = "choosing"

    # -- looking things up ----------------------------------------------------------------

    def node(self, node_id: str):
        try:
            return self._nodes[node_id]
        except KeyError:
            raise BranchingError(f"There is no situation {node_id!r} in this activity.") from None

    def option(self, node_id: str, option_id: str):
        for option in self.node(node_id).options:
            if option.id == option_id:
                return option
        raise BranchingError(f"There is no option {option_id!r} in situation {node_id!r}.")

    def ending(self, ending_id: str):
        return self._endings[ending_id]

    def is_ending(self, target: str) -> bool:
        return target in self._endings

    @property
    def last_option(self):
        """The option of the latest decision (None before the first)."""
        if not self.path:
            return None
        return self.option(*self.path[-1])

    @property
    def ended_at(self):
        """The ending reached (None before the end)."""
        return self.ending(self.current) if self.phase == "ended" else None

    def preferred_path(self) -> tuple[list[tuple[str, str]], str]:
        """The expert's decisions from the start and the ending they lead to."""
        path, at = [], self.content.start
        while not self.is_ending(at):
            option = self._preferred(self._nodes[at])
            path.append((at, option.id))
            at = option.next
        return path, at

    # -- transitions ---------------------------------------------------------------------

    def choose(self, option_id: str):
        """Take an option at the current situation; return it (its feedback comes next)."""
        if self.phase != "choosing":
            raise BranchingError(
                "You have already chosen here: choose Continue to go on."
                if self.phase == "feedback"
                else "This run has ended: choose Start again to try another path."
            )
        option = self.option(self.current, option_id)
        self.path.append((self.current, option.id))
        self.phase = "feedback"
        return option

    def go_on(self) -> str:
        """After the feedback, move to the chosen option's next situation or ending."""
        if self.phase != "feedback":
            raise BranchingError("Choose an option first.")
        self.current = self.last_option.next
        self.phase = "ended" if self.is_ending(self.current) else "choosing"
        return self.current

    def restart(self) -> None:
        """Start a new run from the first situation."""
        self.run += 1
        self.path = []
        self.current = self.content.start
        self.phase = "choosing"

    # -- resume --------------------------------------------------------------------------

    def to_response(self) -> dict[str, Any]:
        """``{"run", "path": [{"node", "option"}], "phase"}`` as JSON-able data."""
        return {
            "run": self.run,
            "path": [{"node": n, "option": o} for n, o in self.path],
            "phase": self.phase,
        }

    def load_response(self, response: Mapping[str, Any]) -> None:
        """Replay a saved path from the start.

        The learner resumes *after* the last saved decision: at the next situation, or at the
        ending it led to (the feedback was read before leaving). If the content changed, the
        replay stops at the first decision that no longer fits the graph.
        """
        if not isinstance(response, Mapping):
            raise TypeError(
                f"a branching response must be a mapping, not {type(response).__name__}"
            )
        path = response.get("path", [])
        if not isinstance(path, list):
            raise TypeError("a branching response's 'path' must be a list")
        run = response.get("run", 1)
        self.run = run if isinstance(run, int) and not isinstance(run, bool) and run > 0 else 1
        self.path, self.current, self.phase = [], self.content.start, "choosing"
        for step in path:
            if not isinstance(step, Mapping) or step.get("node") != self.current:
                break
            try:
                self.choose(str(step.get("option")))
            except BranchingError:
                break
            self.go_on()
            if self.phase == "ended":
                break


class BranchBoard(CourseAnyWidget):
    """Base of a branching activity's one widget: Python computes ``state``, the page draws it.

    The browser never sets a trait; it sends requests (``{"action": "choose", "option": …}``,
    ``continue``, ``restart``, ``save``) that reach :meth:`on_request` callbacks.
    :meth:`request` sends the same request from Python, so tests drive it without a browser.
    """

    label = traitlets.Unicode("", help="Accessible name: the activity title.").tag(sync=True)
    state = traitlets.Dict(help="Everything the page draws, computed by Python.").tag(sync=True)
    status = traitlets.Dict(help="Live region {text, tone, n}; new n repeats.").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._request_handlers = w.CallbackDispatcher()
        self.on_msg(self._handle_board_msg)

    def on_request(self, callback: Callable[[BranchBoard, dict], Any], remove: bool = False):
        """Register (or with ``remove=True`` unregister) ``callback(board, request)``."""
        self._request_handlers.register_callback(callback, remove=remove)

    def request(self, action: str, **fields: Any) -> None:
        """Send a request as the browser does: ``request("choose", option=…)``."""
        self._handle_board_msg(self, {"action": action, **fields}, [])

    def _handle_board_msg(self, _, content: Any, buffers) -> None:
        if not isinstance(content, dict) or content.get("action") not in ACTIONS:
            log.warning("branching board: ignored malformed request %r", content)
            return
        action = content["action"]
        if action == "choose":
            if not isinstance(content.get("option"), str):
                log.warning("branching board: ignored malformed request %r", content)
                return
            self._request_handlers(self, {"action": action, "option": content["option"]})
        elif action == "draft":
            if not isinstance(content.get("text"), str):
                log.warning("branching board: ignored malformed request %r", content)
                return
            self._request_handlers(self, {"action": action, "text": content["text"]})
        else:
            self._request_handlers(self, {"action": action})


class BranchingView(ActivityView):
    """Shared plumbing of the scenario and simulator views.

    A subclass sets ``board_class``, ``preferred(node)``, ``correct(option)`` (what counts as
    right in ``items``) and ``_state()`` (the dict the page draws); it may extend
    ``_extra_response()`` and the announcements.
    """

    board_class: type[BranchBoard] = BranchBoard
    noun = "situation"  # what a node is called in messages

    def __init__(self, content, *, sources_text: Callable[[list[str]], str] | None = None, **kw):
        self.logic = BranchingLogic(content, self.preferred)
        self._cite = sources_text or (lambda keys: ", ".join(keys))
        self._status_n = 0
        self._unsaved: list[Submission] = []
        self.board = self.board_class(label=content.title)
        super().__init__(content, **kw)
        header = heading(content.title)
        if content.instructions:
            header.value += (
                f"<p class='course-activity-instructions'>{escape_text(content.instructions)}</p>"
            )
        self.children = [header, self.board, self.status]
        self.board.on_request(self._handle_request)
        self._sync()

    # -- what a subclass decides -------------------------------------------------------------

    @staticmethod
    def preferred(node):
        raise NotImplementedError

    @staticmethod
    def correct(option) -> bool | None:
        raise NotImplementedError

    def _state(self) -> dict[str, Any]:
        raise NotImplementedError

    def _chosen_said(self, option) -> str:
        raise NotImplementedError

    def _extra_response(self) -> dict[str, Any]:
        return {}

    # -- public triggers ---------------------------------------------------------------

    def choose(self, option_id: str) -> bool:
        """Take an option, show why, and emit the decision; True once it (and any earlier
        unsaved decision) is saved. The feedback shows whether or not saving worked."""
        option = self.logic.choose(option_id)
        node_id = self.logic.path[-1][0]
        self._sync(self._chosen_said(option), "info")
        ends = self.logic.is_ending(option.next)
        fields: dict[str, Any] = {}
        if ends:
            decisions = [self.logic.option(n, o) for n, o in self.logic.path]
            fields = {
                "score": float(sum(bool(self.correct(o)) for o in decisions)),
                "max_score": float(len(decisions)),
            }
        submission = self.new_submission(
            "complete" if ends else "choice",
            response={**self.logic.to_response(), **self._extra_response()},
            items={node_id: {"response": option.id, "correct": self.correct(option)}},
            attempt=self.logic.run,
            **fields,
        )
        self._unsaved.append(submission)
        return self.save_again()

    def draft(self, text: str) -> bool:
        """Write one's own reply before the options (only a rehearsing simulator has this)."""
        raise BranchingError("This activity has no step for writing your own reply.")

    def submit(self) -> bool:
        """The public trigger every activity has: save any decision whose save failed."""
        return self.save_again()

    def save_again(self) -> bool:
        """Emit the unsaved decisions, oldest first; stop at the first failure."""
        while self._unsaved:
            if not self.emit(self._unsaved[0], saved_message="Saved."):
                self._sync()
                return False
            self._unsaved.pop(0)
        self._sync()
        return True

    def go_on(self) -> None:
        """Continue to the next situation, or to the ending and its debrief."""
        target = self.logic.go_on()
        if self.logic.phase == "ended":
            self._sync(f"The end: {self.logic.ending(target).title}. Read the debrief below.")
        else:
            self._sync(self._arrived_said())

    def restart(self) -> None:
        """Start a new run; earlier runs stay recorded."""
        self.logic.restart()
        self._sync(f"Starting again. {self._arrived_said()}")

    def _arrived_said(self) -> str:
        node = self.logic.node(self.logic.current)
        title = getattr(node, "title", None)
        return f"{title}." if title else f"Decision {len(self.logic.path) + 1}."

    # -- resume --------------------------------------------------------------------------

    def restore(self, submissions: list[Submission]) -> None:
        """Pick up after the last saved decision (mid-way, or at the ending it reached)."""
        mine = [
            s
            for s in submissions
            if s.activity_id == self.content.id and s.action in ("choice", "complete")
        ]
        if not mine:
            return
        self.logic.load_response(mine[-1].response)
        if self.logic.phase == "ended":
            said = "Welcome back: you reached an ending last time. Its debrief is below."
        elif self.logic.path:
            said = f"Welcome back: you are where you left off. {self._arrived_said()}"
        else:
            said = None
        self._sync(said)

    # -- plumbing ------------------------------------------------------------------------

    def _handle_request(self, board: BranchBoard, request: dict[str, str]) -> None:
        action = request["action"]
        try:
            if action == "choose":
                self.choose(request["option"])
            elif action == "continue":
                self.go_on()
            elif action == "restart":
                self.restart()
            elif action == "save":
                self.save_again()
            elif action == "draft":
                self.draft(request["text"])
        except BranchingError as exc:
            self._sync(str(exc), "error")
        except Exception:  # Voilà shows no traceback: the learner must hear of it
            log.exception("%s activity %s: %s failed", self.activity_type, self.content.id, action)
            self._sync("Something went wrong on the server. Your path is still here.", "error")

    def sources_text(self, keys) -> str:
        return ("Source: " if len(keys) == 1 else "Sources: ") + self._cite(list(keys))

    def _common_state(self) -> dict[str, Any]:
        logic = self.logic
        state: dict[str, Any] = {
            "phase": logic.phase,
            "run": logic.run,
            "decision": len(logic.path) + (0 if logic.phase != "choosing" else 1),
            "unsaved": len(self._unsaved),
        }
        if logic.phase in ("choosing", "feedback"):
            node_id = logic.path[-1][0] if logic.phase == "feedback" else logic.current
            node = logic.node(node_id)
            state["node"] = {
                "id": node.id,
                "title": getattr(node, "title", None) or "",
                "text": getattr(node, "says", None) or node.text,
                "options": [{"id": o.id, "text": o.text} for o in node.options],
            }
        if logic.phase == "feedback":
            option = logic.last_option
            state["chosen"] = option.id
            state["leads_to_ending"] = logic.is_ending(option.next)
        if logic.phase == "ended":
            ending = logic.ended_at
            state["ending"] = {"id": ending.id, "title": ending.title, "debrief": ending.debrief}
        return state

    def _sync(self, said: str | None = None, tone: str = "info") -> None:
        """Send the state to the browser in one message."""
        with self.board.hold_sync():
            self.board.state = self._state()
            if said is not None:
                self._status_n += 1
                self.board.status = {"text": said, "tone": tone, "n": self._status_n}

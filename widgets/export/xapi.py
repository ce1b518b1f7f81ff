"""xAPI 1.0.3 statements from the tidy responses: ``answered`` per item, ``completed`` per part.

Interaction types follow the activity type (sorting → matching, ordering → sequencing,
choice → choice, self-assessment → likert, reflection → long-fill-in, a scenario's or
simulator's decision → choice, a video's guided question → long-fill-in); a run of a
scenario or simulator that reaches an ending is also ``completed``, with its score; responses and
``correctResponsesPattern`` use the spec's delimiters (``[,]`` between entries, ``[.]``
between a matching pair). Statement ids and registrations are derived with the
pseudonymisation key and from everything a statement asserts, so the same export twice gives
the same ids (an LRS keeps one copy), a statement that says something else gets another id,
and nothing in them leads back to an internal id. Statements carry no ``version`` (the LRS
sets it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ..activities.base import COMPLETING_ACTIONS
from ..content.loader import Course
from ..content.models import (
    PART_NAMES,
    ChoiceActivity,
    DraftingActivity,
    OrderingActivity,
    ReflectionActivity,
    ScenarioActivity,
    SelfAssessmentActivity,
    SimulatorActivity,
    SortingActivity,
    VideoActivity,
)
from .columns import FREE_TEXT_TYPES, INTERACTION_TYPES
from .pseudonym import Pseudonymiser
from .responses import BRANCHING_TYPES, SUBMISSION, preferred

OWN_REPLY = "own-reply"  # the item of a simulator rehearsal's typed reply

# the xAPI version this export is written to (sent as X-Experience-API-Version; never
# set in the statements themselves, which the spec leaves to the LRS)
XAPI_VERSION = "1.0.3"
DEFAULT_BASE_IRI = "https://course.example/peer-coaching"
ANSWERED = {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}}
COMPLETED = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}}
ANSWERED_JSON = json.dumps(ANSWERED, separators=(",", ":"))
COMPLETED_JSON = json.dumps(COMPLETED, separators=(",", ":"))
CMI_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
LESSON = "http://adlnet.gov/expapi/activities/lesson"
MODULE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
MEDIA = "http://adlnet.gov/expapi/activities/media"


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration with the 0.01 s precision xAPI keeps, e.g. ``PT1H2M3.5S``."""
    hundredths = max(0, round(seconds * 100))
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    whole, frac = divmod(rest, 100)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if whole or frac or out == "PT":
        out += f"{whole}.{frac:02d}S" if frac else f"{whole}S"
    return out


def iso_timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _lang(text: str) -> dict[str, str]:
    return {"en": " ".join(text.split())}


class StatementBuilder:
    """Turns response chunks into statement dicts; definitions are built once and shared."""

    def __init__(
        self,
        course: Course,
        pseudo: Pseudonymiser,
        base_iri: str = DEFAULT_BASE_IRI,
        include_text: bool = False,
    ):
        self.course = course
        self.pseudo = pseudo
        self.base = base_iri.rstrip("/")
        self.include_text = include_text
        self.ext_attempt = f"{self.base}/xapi/extensions/attempt"
        self.ext_condition = f"{self.base}/xapi/extensions/condition"
        self.ext_run = f"{self.base}/xapi/extensions/run"
        self.ext_ending = f"{self.base}/xapi/extensions/ending"
        self._objects: dict[tuple[str, str | None], dict[str, Any]] = {}
        self._actors: dict[str, dict[str, Any]] = {}
        self._contexts: dict[tuple, dict[str, Any]] = {}
        self._dumped: dict[int, str] = {}  # id() of a cached (so long-lived) dict -> its JSON

    def _json(self, cached: dict[str, Any]) -> str:
        """JSON of an object, actor or context from the caches above, serialised once."""
        found = self._dumped.get(id(cached))
        if found is None:
            found = self._dumped[id(cached)] = dumps(cached)
        return found

    def statement_id(self, what: object, body: str) -> str:
        """The id of a statement: keyed, from what it is about (``what``: the submission and
        item) and from everything it asserts (``body``, its JSON without the id). The same
        statement always gets the same id, so an LRS keeps one copy however often it is sent;
        a statement that says anything else (another text, title, base IRI) gets another id
        instead of colliding with the one already kept."""
        digest = hashlib.sha256(body.encode()).hexdigest()
        return self.pseudo.uuid("statement", f"{what}:{digest}")

    def line(
        self,
        what: object,
        actor: dict,
        verb: str,
        obj: dict,
        result: dict,
        context: dict | None,
        timestamp: str,
    ) -> str:
        """One statement as a JSON line, from the cached parts' JSON and a fresh result.
        No ``version``: the LRS sets it (xAPI 1.0.3, Data 2.4.10)."""
        context_json = f',"context":{self._json(context)}' if context else ""
        body = (
            f'"actor":{self._json(actor)},"verb":{verb},'
            f'"object":{self._json(obj)},"result":{dumps(result)}{context_json},'
            f'"timestamp":"{timestamp}"}}'
        )
        return f'{{"id":"{self.statement_id(what, "{" + body)}",{body}'

    # -- objects ----------------------------------------------------------------------------

    def module_object(self, module: str) -> dict[str, Any]:
        key = ("module", module)
        if key not in self._objects:
            try:
                name = self.course.module(module).entry.title
            except KeyError:
                name = module
            self._objects[key] = {
                "objectType": "Activity",
                "id": f"{self.base}/modules/{module}",
                "definition": {"type": MODULE, "name": _lang(name)},
            }
        return self._objects[key]

    def part_object(self, module: str, part: str) -> dict[str, Any]:
        key = (f"part:{module}", part)
        if key not in self._objects:
            self._objects[key] = {
                "objectType": "Activity",
                "id": f"{self.base}/modules/{module}/{part}",
                "definition": {"type": LESSON, "name": _lang(f"{module}: {part}")},
            }
        return self._objects[key]

    def activity_object(self, activity_id: str) -> dict[str, Any]:
        key = (activity_id, None)
        if key not in self._objects:
            try:
                content = self.course.activity(activity_id)
                definition: dict[str, Any] = {"type": ASSESSMENT, "name": _lang(content.title)}
            except KeyError:
                content, definition = None, {"type": ASSESSMENT}
            if isinstance(content, SortingActivity):
                definition = self._sorting_definition(content)
            elif isinstance(content, OrderingActivity):
                definition = {
                    "type": CMI_INTERACTION,
                    "name": _lang(content.title),
                    "interactionType": INTERACTION_TYPES["ordering"],
                    "correctResponsesPattern": ["[,]".join(i.id for i in content.items)],
                    "choices": [{"id": i.id, "description": _lang(i.text)} for i in content.items],
                }
            elif isinstance(content, ReflectionActivity):
                definition = {
                    "type": CMI_INTERACTION,
                    "name": _lang(content.title),
                    "description": _lang(content.prompt),
                    "interactionType": INTERACTION_TYPES["reflection"],
                }
            elif isinstance(content, ScenarioActivity | SimulatorActivity):
                definition = {"type": SIMULATION, "name": _lang(content.title)}
            elif isinstance(content, VideoActivity):
                definition = {"type": MEDIA, "name": _lang(content.title)}
            self._objects[key] = {
                "objectType": "Activity",
                "id": f"{self.base}/activities/{activity_id}",
                "definition": definition,
            }
        return self._objects[key]

    def _sorting_definition(self, content: SortingActivity) -> dict[str, Any]:
        pattern = "[,]".join(f"{i.id}[.]{i.answer}" for i in content.items)
        return {
            "type": CMI_INTERACTION,
            "name": _lang(content.title),
            "interactionType": INTERACTION_TYPES["sorting"],
            "correctResponsesPattern": [pattern],
            "source": [{"id": i.id, "description": _lang(i.text)} for i in content.items],
            "target": [{"id": c.id, "description": _lang(c.label)} for c in content.categories],
        }

    def item_object(self, activity_id: str, item_id: str) -> dict[str, Any]:
        key = (activity_id, item_id)
        if key in self._objects:
            return self._objects[key]
        try:
            content = self.course.activity(activity_id)
        except KeyError:
            content = None
        definition: dict[str, Any] = {"type": CMI_INTERACTION}
        if isinstance(content, ChoiceActivity):
            question = next((q for q in content.questions if q.id == item_id), None)
            if question is not None:
                right = sorted(o.id for o in question.options if o.correct)
                definition.update(
                    name=_lang(question.prompt),
                    interactionType="choice",
                    correctResponsesPattern=["[,]".join(right)],
                    choices=[{"id": o.id, "description": _lang(o.text)} for o in question.options],
                )
        elif isinstance(content, SimulatorActivity) and item_id == OWN_REPLY:
            definition.update(  # a rehearsal: what the trainee wrote before seeing options
                name=_lang(f"{content.title}: your own reply"),
                interactionType=INTERACTION_TYPES["drafting"],
            )
        elif isinstance(content, ScenarioActivity | SimulatorActivity):
            node = next((n for n in content.nodes if n.id == item_id), None)
            if node is not None:  # a situation, or what the teacher says, and the options
                says = node.says if isinstance(content, SimulatorActivity) else node.text
                name = getattr(node, "title", None) or f"{content.title}: {item_id}"
                right = [o.id for o in node.options if preferred(content, o)]
                definition.update(
                    name=_lang(name),
                    description=_lang(says),
                    interactionType="choice",
                    correctResponsesPattern=right,  # each one a right answer on its own
                    choices=[{"id": o.id, "description": _lang(o.text)} for o in node.options],
                )
        elif isinstance(content, VideoActivity):
            question = next((q for q in content.questions if q.id == item_id), None)
            if question is not None:
                definition.update(
                    name=_lang(question.prompt), interactionType=INTERACTION_TYPES["video"]
                )
        elif isinstance(content, DraftingActivity):
            step = next((s for s in content.steps if s.id == item_id), None)
            if step is not None:
                definition.update(
                    name=_lang(step.prompt), interactionType=INTERACTION_TYPES["drafting"]
                )
        elif isinstance(content, SelfAssessmentActivity):
            statement = next((s for s in content.statements if s.id == item_id), None)
            if statement is not None:
                definition.update(
                    name=_lang(statement.text),
                    interactionType="likert",
                    scale=[
                        {"id": str(n), "description": _lang(label)}
                        for n, label in enumerate(content.scale, start=1)
                    ],
                )
        if "interactionType" not in definition:  # content changed since: say no more
            definition["interactionType"] = "other"
        self._objects[key] = {
            "objectType": "Activity",
            "id": f"{self.base}/activities/{activity_id}/items/{item_id}",
            "definition": definition,
        }
        return self._objects[key]

    # -- statement parts --------------------------------------------------------------------

    def actor(self, learner: str) -> dict[str, Any]:
        found = self._actors.get(learner)
        if found is None:
            found = {"objectType": "Agent", "account": {"homePage": self.base, "name": learner}}
            self._actors[learner] = found
        return found

    def context(
        self,
        session: Any,
        condition: Any,
        module: str,
        part: str,
        parent: str | None,
        attempt: int | None,
        run: int | None = None,
    ) -> dict[str, Any]:
        key = (session, condition, module, part, parent, attempt, run)
        found = self._contexts.get(key)
        if found is not None:
            return found
        grouping = [self.part_object(module, part), self.module_object(module)]
        activities: dict[str, Any] = {"grouping": grouping}
        if parent is not None:
            activities["parent"] = [self.activity_object(parent)]
        context: dict[str, Any] = {"contextActivities": activities}
        if isinstance(session, str):
            context["registration"] = self.pseudo.uuid("session", session)
        extensions: dict[str, Any] = {}
        if attempt is not None:
            extensions[self.ext_attempt] = attempt
        if run is not None:
            extensions[self.ext_run] = run
        if isinstance(condition, str):
            extensions[self.ext_condition] = condition
        if extensions:
            context["extensions"] = extensions
        self._contexts[key] = context
        return context

    # -- answered ---------------------------------------------------------------------------

    def answered(self, chunks: Iterable[pd.DataFrame]) -> Iterator[str]:
        """``answered`` statements as JSON lines, one submission at a time (a submission's
        rows may span two chunks)."""
        tail: pd.DataFrame | None = None
        for chunk in chunks:
            if tail is not None and len(tail):
                chunk = pd.concat([tail, chunk], ignore_index=True)
            ids = chunk[SUBMISSION].to_numpy()
            if not len(ids):
                continue
            others = np.flatnonzero(ids != ids[-1])
            last_start = int(others[-1]) + 1 if len(others) else 0
            tail = chunk.iloc[last_start:]
            yield from self._answered_rows(chunk.iloc[:last_start])
        if tail is not None and len(tail):
            yield from self._answered_rows(tail)

    def _answered_rows(self, frame: pd.DataFrame) -> Iterator[str]:
        if not len(frame):
            return
        cols = {
            name: frame[name].astype(object).where(frame[name].notna(), None).tolist()
            for name in (
                SUBMISSION,
                "learner",
                "session",
                "condition",
                "module",
                "part",
                "activity",
                "activity_type",
                "action",
                "attempt",
                "run",
                "item",
                "response",
                "correct",
                "activity_score",
                "activity_max_score",
            )
        }
        moments = frame["submitted_at"].to_numpy(dtype="datetime64[us]")
        cols["submitted_at"] = [
            t + "Z" for t in np.datetime_as_string(moments.astype("datetime64[ms]"), unit="ms")
        ]
        durations = pd.to_timedelta(frame["duration"]).dt.total_seconds().tolist()
        ids = cols[SUBMISSION]
        n = len(ids)
        start = 0
        while start < n:
            end = start + 1
            while end < n and ids[end] == ids[start]:
                end += 1
            yield from self._submission_statements(cols, durations, start, end)
            start = end

    def _submission_statements(
        self, cols: dict[str, list], durations: list[float], start: int, end: int
    ) -> Iterator[str]:
        kind = cols["activity_type"][start]
        action = cols["action"][start]
        if action == "solution":
            return  # a revealed solution is not an answer
        sub_id = cols[SUBMISSION][start]
        activity = cols["activity"][start]
        actor = self.actor(cols["learner"][start])
        timestamp = cols["submitted_at"][start]
        duration = iso_duration(durations[start])
        session, condition = cols["session"][start], cols["condition"][start]
        module, part, attempt = cols["module"][start], cols["part"][start], cols["attempt"][start]
        if kind == "sorting":
            pairs = [
                f"{cols['item'][i]}[.]{cols['response'][i]}"
                for i in range(start, end)
                if cols["item"][i] is not None and cols["response"][i] is not None
            ]
            result: dict[str, Any] = {"duration": duration}
            if pairs:
                result["response"] = "[,]".join(pairs)
            flags = [
                cols["correct"][i] for i in range(start, end) if cols["correct"][i] is not None
            ]
            if flags:
                result["success"] = all(flags)
            score = cols["activity_score"][start]
            top = cols["activity_max_score"][start]
            if score is not None and top:
                result["score"] = {"raw": score, "min": 0, "max": top, "scaled": score / top}
            context = self.context(session, condition, module, part, None, attempt)
            yield self.line(
                sub_id,
                actor,
                ANSWERED_JSON,
                self.activity_object(activity),
                result,
                context,
                timestamp,
            )
        elif kind == "ordering":
            placed = sorted(
                (int(cols["response"][i]), cols["item"][i])
                for i in range(start, end)
                if cols["item"][i] is not None and str(cols["response"][i]).isdigit()
            )
            result = {"duration": duration}
            if placed:
                result["response"] = "[,]".join(item for _, item in placed)
            flags = [
                cols["correct"][i] for i in range(start, end) if cols["correct"][i] is not None
            ]
            if flags:
                result["success"] = all(flags)
            score = cols["activity_score"][start]
            top = cols["activity_max_score"][start]
            if score is not None and top:
                result["score"] = {"raw": score, "min": 0, "max": top, "scaled": score / top}
            context = self.context(session, condition, module, part, None, attempt)
            yield self.line(
                sub_id,
                actor,
                ANSWERED_JSON,
                self.activity_object(activity),
                result,
                context,
                timestamp,
            )
        elif kind == "reflection":
            result = {"duration": duration}
            text = cols["response"][start]
            if self.include_text and text:
                result["response"] = text
            context = self.context(session, condition, module, part, None, attempt)
            yield self.line(
                sub_id,
                actor,
                ANSWERED_JSON,
                self.activity_object(activity),
                result,
                context,
                timestamp,
            )
        elif kind in BRANCHING_TYPES:
            yield from self._decision_statements(cols, duration, start, end)
        elif kind in ("choice", "self_assessment", "video", "drafting"):
            context = self.context(session, condition, module, part, activity, attempt)
            timed = False  # the submission's time goes on its first item only (sums stay true)
            for i in range(start, end):
                item = cols["item"][i]
                if item is None:
                    continue
                result = {} if timed else {"duration": duration}
                timed = True
                response = cols["response"][i]
                if kind in FREE_TEXT_TYPES:  # the learner's words, as written (only on request)
                    if self.include_text and response:
                        result["response"] = response
                elif response:
                    result["response"] = response.replace(",", "[,]")
                correct = cols["correct"][i]
                if correct is not None:
                    result["success"] = bool(correct)
                    result["score"] = {
                        "raw": int(correct),
                        "min": 0,
                        "max": 1,
                        "scaled": float(correct),
                    }
                yield self.line(
                    f"{sub_id}:{item}",
                    actor,
                    ANSWERED_JSON,
                    self.item_object(activity, item),
                    result,
                    context,
                    timestamp,
                )

    def _decision_statements(
        self, cols: dict[str, list], duration: str, start: int, end: int
    ) -> Iterator[str]:
        """A scenario's or simulator's decision: ``answered`` (choice) for the situation;
        the decision that reached an ending is also the run's ``completed``, with its score."""
        sub_id, activity = cols[SUBMISSION][start], cols["activity"][start]
        actor = self.actor(cols["learner"][start])
        timestamp = cols["submitted_at"][start]
        session, condition = cols["session"][start], cols["condition"][start]
        module, part = cols["module"][start], cols["part"][start]
        attempt, run = cols["attempt"][start], cols["run"][start]
        context = self.context(session, condition, module, part, activity, attempt, run)
        if cols["action"][start] == "draft":
            # the trainee's own reply, written before the options appeared (a simulator's
            # rehearsal): its time is counted like any answer's, its words only on request
            result = {"duration": duration}
            text = cols["response"][start]
            if self.include_text and text:
                result["response"] = text
            yield self.line(
                f"{sub_id}:{OWN_REPLY}",
                actor,
                ANSWERED_JSON,
                self.item_object(activity, OWN_REPLY),
                result,
                context,
                timestamp,
            )
            return
        last: tuple[str, str] | None = None
        timed = False  # the submission's time goes on its first item only (sums stay true)
        for i in range(start, end):
            item, response = cols["item"][i], cols["response"][i]
            if item is None:
                continue
            result: dict[str, Any] = {} if timed else {"duration": duration}
            timed = True
            if response:
                result["response"] = response
                last = (item, response)
            correct = cols["correct"][i]
            if correct is not None:
                result["success"] = bool(correct)
                result["score"] = {
                    "raw": int(correct),
                    "min": 0,
                    "max": 1,
                    "scaled": float(correct),
                }
            yield self.line(
                f"{sub_id}:{item}",
                actor,
                ANSWERED_JSON,
                self.item_object(activity, item),
                result,
                context,
                timestamp,
            )
        if cols["action"][start] != "complete":
            return
        result = {"completion": True}
        score, top = cols["activity_score"][start], cols["activity_max_score"][start]
        if score is not None and top:
            result["success"] = score == top  # the best or expert choice at every decision
            result["score"] = {"raw": score, "min": 0, "max": top, "scaled": score / top}
        ending = self._ending(activity, last)
        if ending is not None:
            result["extensions"] = {self.ext_ending: ending}
        yield self.line(
            f"{sub_id}:completed",
            actor,
            COMPLETED_JSON,
            self.activity_object(activity),
            result,
            self.context(session, condition, module, part, None, attempt, run),
            timestamp,
        )

    def _ending(self, activity_id: str, decision: tuple[str, str] | None) -> str | None:
        """The ending a decision led to, from the content (None if it has changed since)."""
        if decision is None:
            return None
        try:
            content = self.course.activity(activity_id)
        except KeyError:
            return None
        node = next((n for n in getattr(content, "nodes", ()) if n.id == decision[0]), None)
        option = next((o for o in getattr(node, "options", ()) if o.id == decision[1]), None)
        endings = {e.id for e in getattr(content, "endings", ())}
        return option.next if option is not None and option.next in endings else None

    # -- completed --------------------------------------------------------------------------

    def completed(self, submissions: pd.DataFrame) -> Iterator[dict[str, Any]]:
        """``completed`` for every part whose activities are all done, and every whole module."""
        done = submissions[submissions["action"].isin(sorted(COMPLETING_ACTIONS))]
        if not len(done):
            return
        first = (
            done.reset_index()
            .sort_values("submitted_at", kind="stable")
            .drop_duplicates(["learner", "activity"])
        )
        # activity types that never store an answer here must not make a part uncompletable
        stored_types = set(submissions["activity_type"].astype(str))
        required: dict[tuple[str, str], set[str]] = {}
        for module in self.course.modules:
            for part in PART_NAMES:
                ids = {a.id for a in module.activities_in(part) if a.type in stored_types}
                if ids:
                    required[(module.slug, part)] = ids
        by_learner: dict[str, list[tuple[str, datetime, Any, Any]]] = {}
        for row in first[
            ["learner", "activity", "submitted_at", "session", "condition"]
        ].itertuples(index=False):
            by_learner.setdefault(row.learner, []).append(
                (row.activity, row.submitted_at.to_pydatetime(), row.session, row.condition)
            )
        for learner, finished in by_learner.items():
            when = {a: (t, s, c) for a, t, s, c in finished}
            for module in self.course.modules:
                part_times, every_part = [], True
                for part in PART_NAMES:
                    ids = required.get((module.slug, part))
                    if not ids:
                        continue
                    if not ids <= when.keys():
                        every_part = False
                        continue
                    t, s, c = max((when[a] for a in ids), key=lambda v: v[0])
                    part_times.append((t, s, c))
                    part_object = self.part_object(module.slug, part)
                    yield self._completed(learner, part_object, t, s, c, module.slug, "part")
                if every_part and part_times:
                    t, s, c = max(part_times, key=lambda v: v[0])
                    module_object = self.module_object(module.slug)
                    yield self._completed(learner, module_object, t, s, c, module.slug, "module")

    def _completed(
        self,
        learner: str,
        obj: dict,
        moment: datetime,
        session: Any,
        condition: Any,
        module: str,
        level: str | None,
    ) -> dict[str, Any]:
        statement: dict[str, Any] = {
            "actor": self.actor(learner),
            "verb": COMPLETED,
            "object": obj,
            "result": {"completion": True},
            "timestamp": iso_timestamp(moment),
        }
        context: dict[str, Any] = {}
        if level != "module":  # a part belongs to its module
            context["contextActivities"] = {"parent": [self.module_object(module)]}
        if isinstance(session, str):
            context["registration"] = self.pseudo.uuid("session", session)
        if isinstance(condition, str):
            context["extensions"] = {self.ext_condition: condition}
        if context:
            statement["context"] = context
        what = f"completed:{learner}:{obj['id']}"
        return {"id": self.statement_id(what, dumps(statement)), **statement}


def dumps(statement: dict[str, Any]) -> str:
    return json.dumps(statement, ensure_ascii=False, separators=(",", ":"))

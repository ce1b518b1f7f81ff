"""Pydantic models for the course content in ``data/``.

Every YAML file is validated against these models. Unknown fields are errors
(``extra="forbid"``) so a typo never silently drops content; each file carries a
``schema_version`` so the format can evolve.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1

PartName = Literal["theory", "practice", "review"]
PART_NAMES: tuple[str, ...] = ("theory", "practice", "review")

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class Strict(BaseModel):
    """Base for every content model: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"duplicate {what} id {ident!r}")
        seen.add(ident)


# --- references -------------------------------------------------------------


# What kind of source a reference is, so the course can tell research from a provider's page.
ReferenceKind = Literal[
    "research",  # a study, or a report of one
    "review",  # a systematic review, meta-analysis or evidence review
    "official",  # statutory guidance, a standards body or a public education agency
    "framework",  # a professional framework or code (CUREE, ICF)
    "book",  # a practitioner book or model (Whitmore, Downey)
    "practitioner",  # an article by a practitioner
    "course-source",  # the course's own unpublished source text
    "vendor",  # a provider's marketing page (seed 002)
    "blog",
]
ClaimType = Literal["empirical", "practice"]


class Reference(Strict):
    """One source the course cites."""

    key: Slug
    kind: ReferenceKind
    citation: Text
    url: str | None = None


class ReferencesFile(Strict):
    schema_version: Literal[1]
    # which kinds of source may back each type of claim: "empirical" (what studies found) and
    # "practice" (advice on how to coach); an activity's item may cite only these kinds
    allowed_kinds: dict[ClaimType, list[ReferenceKind]]
    references: list[Reference] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys_unique(self) -> ReferencesFile:
        _unique([r.key for r in self.references], "reference")
        if set(self.allowed_kinds) != {"empirical", "practice"}:
            raise ValueError("allowed_kinds must name the kinds for 'empirical' and 'practice'")
        return self

    @property
    def citable_kinds(self) -> set[str]:
        """Kinds an activity item may cite (those allowed for any claim)."""
        return {k for kinds in self.allowed_kinds.values() for k in kinds}


# --- activities -------------------------------------------------------------


class ActivityBase(Strict):
    id: Slug
    part: PartName
    title: Text
    instructions: Text | None = None


class Category(Strict):
    id: Slug
    label: Annotated[str, Field(min_length=1, max_length=40)]
    description: Text | None = None


class SortingItem(Strict):
    id: Slug
    text: Text
    answer: Slug
    explanation: Text
    sources: list[Slug] = Field(min_length=1)
    contested: bool = False


class SortingActivity(ActivityBase):
    """Sort statements into categories (e.g. Coaching / Mentoring / Both)."""

    type: Literal["sorting"]
    categories: list[Category] = Field(min_length=2, max_length=6)
    items: list[SortingItem] = Field(min_length=2, max_length=60)
    shuffle: bool = True

    @model_validator(mode="after")
    def _answers_are_categories(self) -> SortingActivity:
        _unique([c.id for c in self.categories], "category")
        _unique([i.id for i in self.items], "item")
        known = {c.id for c in self.categories}
        for n, item in enumerate(self.items):
            if item.answer not in known:
                raise ValueError(
                    f"items[{n}] ({item.id}): answer {item.answer!r} is not one of the "
                    f"categories {sorted(known)}"
                )
        return self


class ChoiceOption(Strict):
    id: Slug
    text: Text
    correct: bool = False
    feedback: Text


class ChoiceQuestion(Strict):
    id: Slug
    prompt: Text
    multiple: bool = False
    options: list[ChoiceOption] = Field(min_length=2, max_length=8)
    explanation: Text
    sources: list[Slug] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_right_answers(self) -> ChoiceQuestion:
        _unique([o.id for o in self.options], "option")
        right = sum(o.correct for o in self.options)
        if right == 0:
            raise ValueError(f"question {self.id!r} has no correct option")
        if right > 1 and not self.multiple:
            raise ValueError(
                f"question {self.id!r} has {right} correct options but multiple is false"
            )
        return self


class ChoiceActivity(ActivityBase):
    """A short knowledge check: single- or multiple-answer questions."""

    type: Literal["choice"]
    questions: list[ChoiceQuestion] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _ids_unique(self) -> ChoiceActivity:
        _unique([q.id for q in self.questions], "question")
        return self


class ReflectionActivity(ActivityBase):
    """Free-text reflection: saved, never graded."""

    type: Literal["reflection"]
    prompt: Text
    hints: list[Text] = []
    max_chars: int = Field(5000, ge=100, le=20000)


class LikertStatement(Strict):
    id: Slug
    text: Text
    aligned_to: list[str] = []


class SelfAssessmentActivity(ActivityBase):
    """Likert self-rating: before (pre) or after (post) the course, or at the end of a module."""

    type: Literal["self_assessment"]
    phase: Literal["pre", "post", "module"]  # module: a quick self-rating at the end of a module
    scale: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        min_length=3, max_length=7
    )
    statements: list[LikertStatement] = Field(min_length=1, max_length=40)
    # a post self-assessment may name the pre one it repeats; the learner then sees the change
    compare_with: Slug | None = None

    @model_validator(mode="after")
    def _ids_unique(self) -> SelfAssessmentActivity:
        _unique([s.id for s in self.statements], "statement")
        if self.compare_with is not None and self.phase != "post":
            raise ValueError(
                f"compare_with is only for phase 'post' (this one is {self.phase!r}): it names "
                "the pre-course self-assessment whose ratings the learner compares with"
            )
        return self


class OrderingItem(Strict):
    id: Slug
    text: Text
    explanation: Text
    sources: list[Slug] = Field(min_length=1)


class OrderingActivity(ActivityBase):
    """Put steps in order (e.g. a GROW conversation's moves); ``items`` are in the right order."""

    type: Literal["ordering"]
    items: list[OrderingItem] = Field(min_length=2, max_length=20)
    shuffle: bool = True

    @model_validator(mode="after")
    def _ids_unique(self) -> OrderingActivity:
        _unique([i.id for i in self.items], "item")
        seen: dict[str, str] = {}
        for n, item in enumerate(self.items):
            text = " ".join(item.text.split()).casefold()
            if text in seen:
                raise ValueError(
                    f"items[{n}] ({item.id}): same text as {seen[text]!r}, so the order "
                    "between them could not be told apart"
                )
            seen[text] = item.id
        return self


# --- video with guided questions ------------------------------------------------------------


class Speaker(Strict):
    """Someone who speaks in a scene; ``id`` is what transcript lines name."""

    id: Slug
    name: Annotated[str, Field(min_length=1, max_length=60)]
    role: Annotated[str, Field(min_length=1, max_length=120)] | None = None


class TranscriptLine(Strict):
    speaker: Slug
    line: Text
    scene: Annotated[str, Field(min_length=1, max_length=120)] | None = None  # starts a new scene


class GuidedQuestion(Strict):
    id: Slug
    prompt: Text
    notice: Text | None = None  # what an expert would notice; shown once the learner answers
    sources: list[Slug] = []


def _media_address(value: str | None, field: str) -> str | None:
    """An http(s) URL, or a relative path inside ``course/`` (served beside the notebooks)."""
    if value is None:
        return None
    if value.startswith(("https://", "http://")):
        return value
    if value.startswith("/") or "\\" in value or ".." in value.split("/") or ":" in value:
        raise ValueError(
            f"{field} {value!r} must be an http(s) URL or a relative path inside course/"
        )
    return value


class VideoActivity(ActivityBase):
    """Video with guided questions: an optional clip, its transcript always, then questions.

    Without ``src`` the transcript is played as a dialogue, line by line. Each question is
    answered in the learner's own words; its ``notice`` (what an expert would notice) is
    shown once the learner has saved an answer."""

    type: Literal["video"]
    src: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    captions: Annotated[str, Field(min_length=1, max_length=500)] | None = None  # WebVTT file
    speakers: list[Speaker] = Field(min_length=1, max_length=8)
    transcript: list[TranscriptLine] = Field(min_length=2, max_length=120)
    questions: list[GuidedQuestion] = Field(min_length=1, max_length=10)
    max_chars: int = Field(3000, ge=100, le=20000)  # per answer

    @model_validator(mode="after")
    def _consistent(self) -> VideoActivity:
        _media_address(self.src, "src")
        _media_address(self.captions, "captions")
        if self.captions is not None and self.src is None:
            raise ValueError("captions need a video: add src, or leave captions out")
        _unique([s.id for s in self.speakers], "speaker")
        _unique([q.id for q in self.questions], "question")
        known = {s.id for s in self.speakers}
        for n, line in enumerate(self.transcript):
            if line.speaker not in known:
                raise ValueError(
                    f"transcript[{n}].speaker: {line.speaker!r} is not one of the speakers "
                    f"{sorted(known)}"
                )
        return self


# --- drafting: the trainee writes first, then compares with a worked example --------------


class DraftCriterion(Strict):
    """One thing a good draft does; the trainee ticks it for their own draft (a self-check)."""

    id: Slug
    text: Text  # phrased so a trainee can check their own draft: "It names what pupils will do"
    why: Text  # why it matters


class DraftAlternative(Strict):
    """Another reply a coach might give, shown beside the trainee's after they have written."""

    text: Text
    label: Annotated[str, Field(min_length=1, max_length=60)]  # e.g. "Advice in disguise"
    why: Text


class DraftingStep(Strict):
    id: Slug
    situation: Text | None = None  # the scenario, or what the teacher says
    speaker: Label | None = None  # who says ``situation`` in a reply drill
    evidence: list[Text] = Field(default=[], max_length=20)  # an evidence record, one line each
    prompt: Text
    reply: bool = False  # the draft is the coach's next words: the reply analyser comments on it
    criteria: list[DraftCriterion] = Field(min_length=2, max_length=8)
    model_answer: Text  # the worked example, or the expert's reply
    model_why: Text  # why the worked example works
    alternatives: list[DraftAlternative] = Field(default=[], max_length=5)
    sources: list[Slug] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> DraftingStep:
        _unique([c.id for c in self.criteria], "criterion")
        if self.speaker is not None and self.situation is None:
            raise ValueError(f"step {self.id!r} names a speaker but has no situation to say")
        return self


class DraftingActivity(ActivityBase):
    """Rehearsal: write your own reply, agreement, goal, plan or feedback first; then compare it
    with a worked example and tick the criteria your draft meets. Saved, never graded."""

    type: Literal["drafting"]
    steps: list[DraftingStep] = Field(min_length=1, max_length=8)
    max_chars: int = Field(3000, ge=100, le=20000)  # per draft

    @model_validator(mode="after")
    def _steps_unique(self) -> DraftingActivity:
        _unique([s.id for s in self.steps], "step")
        return self


# --- branching activities (scenario, simulator): one graph shape, one graph check -------

Label = Annotated[str, Field(min_length=1, max_length=120)]


class Ending(Strict):
    """Where a branching activity ends, with the debrief the learner reads there."""

    id: Slug
    title: Label
    debrief: Text


def _check_graph(start: str, nodes: list, endings: list) -> None:
    """Every ``next`` names a node or an ending, every node and ending is reachable from
    ``start``, and no path comes back to a node it has passed (cycles are refused: a branching
    activity always moves on to an ending). Messages name ``nodes[n].options[k]``."""
    _unique([n.id for n in nodes] + [e.id for e in endings], "node or ending")
    index = {node.id: n for n, node in enumerate(nodes)}
    ending_ids = {e.id for e in endings}
    for n, node in enumerate(nodes):
        _unique([o.id for o in node.options], f"option (in node {node.id!r})")
        for k, option in enumerate(node.options):
            if option.next not in index and option.next not in ending_ids:
                raise ValueError(
                    f"nodes[{n}].options[{k}] ({node.id}/{option.id}): next {option.next!r} is "
                    "neither a node nor an ending"
                )
    if start not in index:
        raise ValueError(f"start {start!r} is not one of the nodes")
    # depth-first from start: a "next" back to a node still on the stack closes a cycle
    state: dict[str, str] = {}  # node id -> "open" (on the stack) | "done"
    stack: list[tuple[str, int]] = [(start, 0)]
    state[start] = "open"
    reached = {start}
    while stack:
        node_id, k = stack.pop()
        node = nodes[index[node_id]]
        if k == len(node.options):
            state[node_id] = "done"
            continue
        stack.append((node_id, k + 1))
        target = node.options[k].next
        reached.add(target)
        if target not in index:
            continue
        if state.get(target) == "open":
            raise ValueError(
                f"nodes[{index[node_id]}].options[{k}] ({node_id}/{node.options[k].id}): next "
                f"{target!r} leads back to an earlier situation (a cycle); every path must move "
                "on to an ending"
            )
        if target not in state:
            state[target] = "open"
            stack.append((target, 0))
    for n, node in enumerate(nodes):
        if node.id not in reached:
            raise ValueError(f"nodes[{n}] ({node.id}) cannot be reached from start {start!r}")
    for n, ending in enumerate(endings):
        if ending.id not in reached:
            raise ValueError(f"endings[{n}] ({ending.id}) cannot be reached from start {start!r}")


Quality = Literal["best", "acceptable", "poor"]


class ScenarioOption(Strict):
    id: Slug
    text: Text
    next: Slug  # a node id, or an ending id to end the scenario
    quality: Quality
    feedback: Text  # why this choice is good or not
    sources: list[Slug] = Field(min_length=1)


class ScenarioNode(Strict):
    id: Slug
    title: Label | None = None  # e.g. "Decision 2: 'Just tell me what to do'"
    text: Text  # the situation
    options: list[ScenarioOption] = Field(min_length=2, max_length=6)


class ScenarioActivity(ActivityBase):
    """A branching case study: situations, choices with feedback, endings with a debrief."""

    type: Literal["scenario"]
    start: Slug
    nodes: list[ScenarioNode] = Field(min_length=1, max_length=40)
    endings: list[Ending] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _graph(self) -> ScenarioActivity:
        _check_graph(self.start, self.nodes, self.endings)
        for n, node in enumerate(self.nodes):
            if not any(o.quality == "best" for o in node.options):
                raise ValueError(f"nodes[{n}] ({node.id}) has no option with quality 'best'")
        return self


Stance = Literal[
    "hands_back",
    "paraphrase",
    "open_question",
    "offers",
    "leading",
    "tells",
    "rescues",
    "judges",
]

# How far each stance moves the ownership meter (0-100: how much of the thinking is the
# teacher's). An activity may override any of them with ``weights``. The order follows
# Downey's pull-push spectrum: reflecting back (paraphrase) is further towards "pull" than
# asking, and an idea offered openly, with permission and the choice left to the teacher,
# costs her no ownership, unlike telling. tests/content checks that at every node the
# expert reply scores at least as high as every alternative.
STANCE_WEIGHTS: dict[str, int] = {
    "hands_back": 20,
    "paraphrase": 15,
    "open_question": 10,
    "offers": 5,
    "leading": -10,
    "rescues": -15,
    "tells": -20,
    "judges": -20,
}


class SimulatorOption(Strict):
    id: Slug
    text: Text  # the coach's reply
    next: Slug  # a node id, or an ending id to end the conversation
    stance: Stance
    expert: bool = False  # the reply an expert coach would give here (exactly one per node)
    feedback: Text
    sources: list[Slug] = Field(min_length=1)


class SimulatorNode(Strict):
    id: Slug
    says: Text  # what the teacher says
    context: Text | None = None  # optional stage direction, e.g. "She sighs."
    options: list[SimulatorOption] = Field(min_length=3, max_length=4)


class SimulatorActivity(ActivityBase):
    """The coaching-conversation simulator: reply to a teacher, hand the issue back."""

    type: Literal["simulator"]
    teacher: Label  # who is speaking, e.g. "Amira (early-career teacher, Year 9 science)"
    start: Slug
    nodes: list[SimulatorNode] = Field(min_length=1, max_length=40)
    endings: list[Ending] = Field(min_length=1, max_length=12)
    ownership_start: int = Field(50, ge=0, le=100)
    weights: dict[Stance, Annotated[int, Field(ge=-50, le=50)]] = {}
    # rehearsal: at each line the trainee writes their own reply before the options appear
    rehearse: bool = False

    @model_validator(mode="after")
    def _graph(self) -> SimulatorActivity:
        _check_graph(self.start, self.nodes, self.endings)
        for n, node in enumerate(self.nodes):
            experts = sum(o.expert for o in node.options)
            if experts != 1:
                raise ValueError(
                    f"nodes[{n}] ({node.id}) must mark exactly one option 'expert: true' "
                    f"(it marks {experts})"
                )
        return self

    def weight(self, stance: str) -> int:
        """How far ``stance`` moves the ownership meter in this activity."""
        return self.weights.get(stance, STANCE_WEIGHTS[stance])


Activity = Annotated[
    SortingActivity
    | ChoiceActivity
    | ReflectionActivity
    | SelfAssessmentActivity
    | OrderingActivity
    | ScenarioActivity
    | SimulatorActivity
    | VideoActivity
    | DraftingActivity,
    Field(discriminator="type"),
]


class ModuleFile(Strict):
    """``data/modules/<slug>.yaml``: one module's activities."""

    schema_version: Literal[1]
    module: Slug
    activities: list[Activity] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> ModuleFile:
        _unique([a.id for a in self.activities], "activity")
        return self


# --- course -------------------------------------------------------------------


class ModuleEntry(Strict):
    slug: Slug
    number: int = Field(ge=1)
    title: Text
    summary: Text
    minutes: int = Field(ge=5, le=300)


class CourseFile(Strict):
    """``data/course.yaml``: the order and titles of the modules."""

    schema_version: Literal[1]
    title: Text
    subtitle: Text | None = None
    modules: list[ModuleEntry] = Field(min_length=1)

    @field_validator("modules")
    @classmethod
    def _numbers_in_order(cls, modules: list[ModuleEntry]) -> list[ModuleEntry]:
        _unique([m.slug for m in modules], "module")
        for n, module in enumerate(modules, start=1):
            if module.number != n:
                raise ValueError(f"module {module.slug!r} has number {module.number}, expected {n}")
        return modules

"""Realistic demo responses, saved through the same store API the course pages use.

Each simulated learner has an ability; each item a difficulty (contested sorting statements
and the choose-all-that-apply question are harder), so facility and discrimination look like
a real class's. Wrong sorts follow plausible confusions ("Both" for a tendency), some learners
check again after reading the notes or reveal the solution, about half write a reflection,
most rate themselves before the course, and about 80 % consent to research. Sessions and
learners start on different days, so timestamps spread over weeks. Everything is seeded.

Scenarios and simulators are walked through their real graphs by the activities' own views
(so each decision is the Submission a trainee's page emits): at each situation a learner takes
the best (expert) option with a probability that grows with ability; otherwise they drift to
what novices do (a simulator's learner tells, rescues or leads more often than they judge),
and some start again after the debrief, doing better. Video answers are typed into the
view's boxes, which save them as the page does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from ..activities.base import Submission
from ..activities.choice import ChoiceLogic
from ..activities.ordering import OrderingLogic
from ..activities.scenario import ScenarioView
from ..activities.simulator import SimulatorView
from ..activities.sorting import SortingLogic
from ..activities.video import VideoView
from ..content.loader import Course, cached_course
from ..content.models import (
    PART_NAMES,
    ChoiceActivity,
    ChoiceQuestion,
    OrderingActivity,
    ReflectionActivity,
    ScenarioActivity,
    SelfAssessmentActivity,
    SimulatorActivity,
    SortingActivity,
    VideoActivity,
)
from ..store import LearnerInfo, ResponseStore

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ewa",
    "Farah",
    "Gareth",
    "Hana",
    "Ian",
    "Jo",
    "Kemal",
    "Lena",
    "Mo",
    "Niamh",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Una",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Adeyemi",
    "Brown",
    "Clarke",
    "Doyle",
    "Evans",
    "Fischer",
    "Gupta",
    "Hughes",
    "Ibrahim",
    "Jones",
    "Kowalski",
    "Lee",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quigley",
    "Rossi",
    "Smith",
    "Taylor",
    "Usman",
    "Virtanen",
    "Walsh",
    "Young",
]
SCHOOLS = (
    "Riverside Primary",
    "Hillcrest Academy",
    "St Anne's",
    "Northfield High",
    "Meadow Lane",
    "Oakwood College",
)
REFLECTION_OPENINGS = (
    "In my first year a colleague in the maths department watched my Year 9 lessons.",
    "When I moved to a new school, the deputy head met me every fortnight.",
    "During my training my mentor and I planned lessons together.",
    "A teacher next door offered to talk through a difficult class with me.",
    "Last year I worked with a peer on questioning in science.",
)
REFLECTION_MIDDLES = (
    "She asked what I had noticed before saying anything herself.",
    "He mostly told me what worked for him, which helped when I was overwhelmed.",
    "At first it was advice, later it was more about questions.",
    "We agreed a focus and kept coming back to it.",
    "It felt safe because it was never part of my appraisal.",
)
REFLECTION_ENDINGS = (
    "Looking back it was a mix of mentoring and coaching.",
    "I would borrow the way they held back from solving my problem.",
    "I think it was mostly mentoring, and that suited me then.",
    "Next time I support someone I want to listen more before suggesting.",
)
# median minutes on each activity type, and the spread of the log-normal
MINUTES = {
    "choice": 3.0,
    "sorting": 7.0,
    "ordering": 5.0,
    "reflection": 9.0,
    "self_assessment": 2.5,
    "decision": 0.8,  # one situation of a scenario or one reply in a simulator
    "video": 6.0,  # watching or reading the scene
    "video_answer": 2.5,
}
# when a learner does not give the expert reply, how strongly each stance pulls them
# (novice coaches tell, rescue and lead far more often than they judge)
STANCE_PULL = {
    "tells": 3.0,
    "rescues": 2.5,
    "leading": 2.5,
    "paraphrase": 1.5,
    "open_question": 1.5,
    "offers": 1.5,
    "hands_back": 1.0,
    "judges": 0.5,
}
QUALITY_PULL = {"acceptable": 2.5, "poor": 1.0}
# what simulated trainees write first in a rehearsing simulator
OWN_REPLIES = (
    "Have you tried a seating plan?",
    "What was different on the days it went better?",
    "You need to be more consistent with them.",
    "So it works for a day or two and then slips. What happens on day three?",
)
VIDEO_ANSWERS = {
    "what-each-did": (
        "Mark gave her his own strategy straight away; Ruth asked what had stayed with her.",
        "Mark told her what to do with lolly sticks. Ruth asked questions and offered help.",
        "One gave advice, the other listened and asked what she wanted to try.",
    ),
    "who-did-the-thinking": (
        "Mark did the thinking in the first one, Priya did in the second.",
        "In the second Priya talks more and chooses her own first step.",
        "Priya's answers got shorter with Mark, so I think he was doing the thinking.",
    ),
    "what-to-borrow": (
        "Ask what they want to be different before offering ideas.",
        "Offer support as a choice and agree a date to talk again.",
        "Let them pick the first step and how they will know it worked.",
    ),
}
VIDEO_FALLBACK = (
    "I noticed who asked the questions and who made the decisions.",
    "The second conversation left the teacher with a plan of her own.",
)
# of those who reached the part before: who goes on to open it
REACH = {"theory": 0.97, "practice": 0.93, "review": 0.9}


@dataclass(frozen=True)
class DemoSummary:
    sessions: int
    learners: int
    consenting: int
    submissions: int


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class _Learner:
    def __init__(self, info: LearnerInfo, rng: random.Random, start: datetime):
        self.info = info
        self.rng = rng
        self.ability = rng.gauss(0.0, 1.0)
        # how generously this learner rates themselves, and how much the course moves that
        self.leaning = rng.gauss(0.0, 0.7) + 0.3 * self.ability
        self.gain = max(0.0, rng.gauss(0.7, 0.4))
        self.clock = start

    def spend(self, minutes: float, spread: float = 0.5) -> tuple[datetime, datetime]:
        started = self.clock + timedelta(seconds=self.rng.uniform(5, 90))
        taken = timedelta(minutes=minutes * math.exp(self.rng.gauss(0.0, spread)))
        self.clock = started + taken
        return started, self.clock

    def pause(self) -> None:
        if self.rng.random() < 0.3:  # comes back another day
            self.clock += timedelta(days=self.rng.randint(1, 4), hours=self.rng.uniform(0, 8))
        else:
            self.clock += timedelta(minutes=self.rng.uniform(1, 20))


class DemoClass:
    """Generates and saves the demo responses for one course."""

    def __init__(self, store: ResponseStore, course: Course, seed: int = 1):
        self.store = store
        self.course = course
        self.rng = random.Random(seed)
        difficulty = random.Random(seed + 1)
        self.difficulty: dict[str, float] = {}
        for module in course.modules:
            for activity in module.file.activities:
                if isinstance(activity, SortingActivity):
                    for item in activity.items:
                        base = 1.3 if item.contested else (0.4 if item.answer == "both" else -0.6)
                        self.difficulty[item.id] = base + difficulty.gauss(0.0, 0.4)
                elif isinstance(activity, ChoiceActivity):
                    for question in activity.questions:
                        base = 1.2 if question.multiple else -0.5
                        self.difficulty[question.id] = base + difficulty.gauss(0.0, 0.5)
                elif isinstance(activity, ScenarioActivity | SimulatorActivity):
                    for node in activity.nodes:  # (node ids repeat across activities)
                        key = f"{activity.id}/{node.id}"
                        self.difficulty[key] = difficulty.gauss(0.0, 0.6)
        self.saved = 0

    def _save(self, learner: _Learner, module: str, part: str, submission: Submission) -> None:
        self.store.save(learner.info, module, part, submission)
        self.saved += 1

    # -- one activity each ---------------------------------------------------------------

    def _choice(self, learner: _Learner, module: str, activity: ChoiceActivity) -> None:
        logic = ChoiceLogic(activity)
        ability = learner.ability
        for attempt in range(2):
            for question in activity.questions:
                logic.choose(question.id, self._choose(learner, question, ability))
            results = logic.mark()
            started, submitted = learner.spend(MINUTES["choice"] / (attempt + 1))
            score = sum(r.correct for r in results)
            self._save(
                learner,
                module,
                activity.part,
                Submission(
                    activity_id=activity.id,
                    activity_type="choice",
                    action="check",
                    response={"answers": {r.question_id: list(r.chosen) for r in results}},
                    items={
                        r.question_id: {"response": ",".join(r.chosen), "correct": r.correct}
                        for r in results
                    },
                    score=float(score),
                    max_score=float(len(results)),
                    started_at=started,
                    submitted_at=submitted,
                ),
            )
            if score == len(results) or learner.rng.random() > 0.35:
                return
            ability += 0.8  # read the explanations, then answered again

    def _choose(self, learner: _Learner, question: ChoiceQuestion, ability: float) -> list[str]:
        right = [o.id for o in question.options if o.correct]
        wrong = [o.id for o in question.options if not o.correct]
        if learner.rng.random() < _logistic(1.2 * ability + 0.8 - self.difficulty[question.id]):
            return right
        if not question.multiple:
            # the first distractor is written as the most tempting one
            return [wrong[0] if learner.rng.random() < 0.5 else learner.rng.choice(wrong)]
        chosen = list(right)
        if len(chosen) > 1 and learner.rng.random() < 0.7:
            chosen.remove(learner.rng.choice(chosen))
        if learner.rng.random() < 0.5:
            chosen.append(learner.rng.choice(wrong))
        return chosen if chosen != right else [*right, wrong[0]]

    def _sorting(self, learner: _Learner, module: str, activity: SortingActivity) -> None:
        logic = SortingLogic.from_content(activity, seed=learner.info.token)
        categories = [c.id for c in activity.categories]
        for item in activity.items:
            p = _logistic(1.3 * learner.ability + 1.0 - self.difficulty[item.id])
            if learner.rng.random() < p:
                logic.place(item.id, item.answer)
            else:
                logic.place(item.id, self._confuse(learner, item.answer, categories))
        for attempt in range(3):
            result = logic.check()
            started, submitted = learner.spend(MINUTES["sorting"] / (attempt + 1))
            self._save(
                learner,
                module,
                activity.part,
                Submission(
                    activity_id=activity.id,
                    activity_type="sorting",
                    action="check",
                    response=logic.to_response(),
                    items={
                        item_id: {"response": r.response, "correct": r.correct}
                        for item_id, r in result.items.items()
                    },
                    score=result.score,
                    max_score=result.max_score,
                    started_at=started,
                    submitted_at=submitted,
                ),
            )
            if not result.wrong:
                return
            roll = learner.rng.random()
            if roll < 0.15:
                logic.show_solution()
                started, submitted = learner.spend(0.5)
                self._save(
                    learner,
                    module,
                    activity.part,
                    Submission(
                        activity_id=activity.id,
                        activity_type="sorting",
                        action="solution",
                        response=logic.to_response(),
                        started_at=started,
                        submitted_at=submitted,
                    ),
                )
                return
            if roll > 0.7:
                return
            logic.retry()
            for item_id in result.wrong:  # reads the note, usually fixes it
                if learner.rng.random() < 0.65:
                    logic.place(item_id, logic.item(item_id).answer)

    def _ordering(self, learner: _Learner, module: str, activity: OrderingActivity) -> None:
        logic = OrderingLogic.from_content(activity, seed=learner.info.token)
        for attempt in range(2):
            p = _logistic(1.2 * learner.ability + 1.2 + attempt)
            for position, item in enumerate(activity.items, start=1):
                if learner.rng.random() < p:  # knows where this step goes
                    logic.move(item.id, position)
            result = logic.check()
            started, submitted = learner.spend(MINUTES["ordering"] / (attempt + 1))
            self._save(
                learner,
                module,
                activity.part,
                Submission(
                    activity_id=activity.id,
                    activity_type="ordering",
                    action="check",
                    response=logic.to_response(),
                    items={
                        item_id: {"response": r.position, "correct": r.in_order}
                        for item_id, r in result.steps.items()
                    },
                    score=result.score,
                    max_score=result.max_score,
                    started_at=started,
                    submitted_at=submitted,
                ),
            )
            if result.score == result.max_score or learner.rng.random() < 0.5:
                return
            logic.retry()

    def _timed(self, learner: _Learner, module: str, part: str, minutes: float) -> Callable:
        """A view's submit callback: saves what the view emits, at the learner's clock."""

        def save(submission: Submission) -> None:
            started, submitted = learner.spend(minutes)
            self._save(
                learner,
                module,
                part,
                replace(submission, started_at=started, submitted_at=submitted),
            )

        return save

    def _branching(
        self, learner: _Learner, module: str, activity: ScenarioActivity | SimulatorActivity
    ) -> None:
        simulator = isinstance(activity, SimulatorActivity)
        view = (SimulatorView if simulator else ScenarioView)(activity)
        view.on_submit(self._timed(learner, module, activity.part, MINUTES["decision"]))
        skill = learner.ability
        try:
            for _run in range(3):
                while view.logic.phase == "choosing":
                    if learner.rng.random() < 0.03:
                        return  # left mid-way; resumes never
                    node = view.logic.node(view.logic.current)
                    if simulator and activity.rehearse:  # own words first (no draw: same data)
                        view.draft(OWN_REPLIES[len(view.logic.path) % len(OWN_REPLIES)])
                    view.choose(self._decide(learner, activity, node, skill))
                    view.go_on()
                best, _end = view.logic.preferred_path()
                if view.logic.path == best or learner.rng.random() > 0.35:
                    return
                skill += 0.7  # read the debrief beside the best path, then started again
                view.restart()
        finally:
            view.close()

    def _decide(self, learner: _Learner, activity, node, skill: float) -> str:
        rng = learner.rng
        simulator = isinstance(activity, SimulatorActivity)
        good = [o for o in node.options if (o.expert if simulator else o.quality == "best")]
        p = _logistic(1.1 * skill + 0.5 - self.difficulty[f"{activity.id}/{node.id}"])
        if rng.random() < p:
            return rng.choice(good).id
        others = [o for o in node.options if o not in good]
        pulls = [STANCE_PULL[o.stance] if simulator else QUALITY_PULL[o.quality] for o in others]
        return rng.choices(others, weights=pulls)[0].id

    def _video(self, learner: _Learner, module: str, activity: VideoActivity) -> None:
        rng = learner.rng
        view = VideoView(activity)
        view.on_submit(self._timed(learner, module, activity.part, MINUTES["video_answer"]))
        learner.spend(MINUTES["video"])
        view.player.show_all()
        try:
            for question in activity.questions:
                if rng.random() < 0.1:
                    continue  # left unanswered
                # typing into the box saves it when the learner leaves it, as on the page
                view.answer(question.id, rng.choice(VIDEO_ANSWERS.get(question.id, VIDEO_FALLBACK)))
        finally:
            view.close()

    def _confuse(self, learner: _Learner, answer: str, categories: list[str]) -> str:
        others = [c for c in categories if c != answer]
        if answer != "both" and "both" in others and learner.rng.random() < 0.6:
            return "both"  # a tendency read as "both do this"
        return learner.rng.choice(others)

    def _reflection(self, learner: _Learner, module: str, activity: ReflectionActivity) -> None:
        rng = learner.rng
        text = " ".join(
            [
                rng.choice(REFLECTION_OPENINGS),
                *rng.sample(REFLECTION_MIDDLES, rng.randint(1, 3)),
                rng.choice(REFLECTION_ENDINGS),
            ]
        )
        for _ in range(2 if rng.random() < 0.2 else 1):
            started, submitted = learner.spend(MINUTES["reflection"])
            self._save(
                learner,
                module,
                activity.part,
                Submission(
                    activity_id=activity.id,
                    activity_type="reflection",
                    action="save",
                    response={"text": text, "chars": len(text)},
                    started_at=started,
                    submitted_at=submitted,
                ),
            )
            text += " " + rng.choice(REFLECTION_ENDINGS)

    def _self_assessment(
        self, learner: _Learner, module: str, activity: SelfAssessmentActivity
    ) -> None:
        rng = learner.rng
        top = len(activity.scale)
        leaning = learner.leaning + {"pre": 0.0, "post": learner.gain}.get(
            activity.phase, learner.gain / 2
        )
        ratings: dict[str, int] = {}
        for n, statement in enumerate(activity.statements):
            if rng.random() < 0.05:
                continue  # left unrated
            # early statements (what coaching is) feel more familiar than later skills
            centre = (top + 1) / 2 + 0.6 - 1.2 * n / max(1, len(activity.statements) - 1)
            ratings[statement.id] = min(top, max(1, round(centre + leaning + rng.gauss(0, 0.8))))
        started, submitted = learner.spend(MINUTES["self_assessment"])
        self._save(
            learner,
            module,
            activity.part,
            Submission(
                activity_id=activity.id,
                activity_type="self_assessment",
                action="save",
                response={"phase": activity.phase, "ratings": ratings},
                items={sid: {"response": str(v), "correct": None} for sid, v in ratings.items()},
                started_at=started,
                submitted_at=submitted,
            ),
        )

    # -- a learner's way through the course ------------------------------------------------

    def work_through(self, learner: _Learner) -> None:
        handlers: dict[type, Callable] = {
            ChoiceActivity: self._choice,
            SortingActivity: self._sorting,
            OrderingActivity: self._ordering,
            ReflectionActivity: self._reflection,
            SelfAssessmentActivity: self._self_assessment,
            ScenarioActivity: self._branching,
            SimulatorActivity: self._branching,
            VideoActivity: self._video,
        }
        for module in self.course.modules:
            for part in PART_NAMES:
                if learner.rng.random() > REACH[part]:
                    return
                self.store.record_visit(learner.info.id, module.slug, part)
                for activity in module.activities_in(part):
                    handler = handlers.get(type(activity))
                    skip = 0.5 if isinstance(activity, ReflectionActivity) else 0.1
                    if handler is None or learner.rng.random() < skip:
                        continue  # (activity types without a simulated learner yet)
                    handler(learner, module.slug, activity)
                learner.pause()

    def run(
        self,
        learners: int,
        sessions: int,
        now: datetime | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> DemoSummary:
        now = now or datetime.now(UTC)
        rng = self.rng
        opened = []
        for n in range(sessions):
            school = SCHOOLS[n % len(SCHOOLS)]
            info = self.store.create_session(
                f"{school}: peer coaching group {n + 1} (demo)",
                settings={"condition": "A" if n % 2 == 0 else "B", "demo": True},
            )
            opened.append((info, now - timedelta(days=rng.uniform(15, 60))))
        consenting = 0
        for n in range(learners):
            with self.store.bulk():  # one commit per learner, not one per answer
                consenting += self._one_learner(rng, opened, now)
            if progress is not None:
                progress(n + 1)
        for info, _start in opened[: sessions // 2]:
            self.store.end_session(info.code)  # some classes have finished
        return DemoSummary(sessions, learners, consenting, self.saved)

    def _one_learner(self, rng: random.Random, opened: list, now: datetime) -> bool:
        """Create one learner, in a session or alone, who works through the course; True if
        they consented to research."""
        solo = not opened or rng.random() < 0.1
        session, start = (
            (None, now - timedelta(days=rng.uniform(15, 45))) if solo else (rng.choice(opened))
        )
        info = self.store.create_learner(
            display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            session_code=session.code if session else None,
        )
        roll = rng.random()
        consent = True if roll < 0.8 else (False if roll < 0.9 else None)
        self.store.set_research_consent(info.id, consent)
        learner = _Learner(
            info,
            random.Random(rng.getrandbits(64)),
            start + timedelta(hours=rng.uniform(0, 72)),
        )
        self.work_through(learner)
        return consent is True


def generate(
    store: ResponseStore,
    learners: int = 500,
    sessions: int = 10,
    seed: int = 1,
    course: Course | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Save ``learners`` simulated learners in ``sessions`` sessions into ``store``."""
    if learners < 0 or sessions < 0:
        raise ValueError("The number of learners and of sessions cannot be negative")
    return DemoClass(store, course or cached_course(), seed).run(
        learners, sessions, progress=progress
    )

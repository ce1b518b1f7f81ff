"""What a trainee's own coaching reply looks like, by transparent wording rules.

A rehearsal asks the trainee to write what they would say before seeing any options. This
module reads that reply with a handful of rules a trainee can check for themselves (is there a
question, does it start "What…" or "Did you…", does it say "Have you tried…", "you should…")
and says what it noticed and why that matters. It never grades: the rules are wrong often
enough (see ``bench/bench_reply_analysis.py`` for their precision and recall on a labelled set)
that every note is worded as "this looks like…", and the trainee compares their reply with the
expert's themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# the categories the rules look for, in the order notes are shown
CATEGORIES: tuple[str, ...] = (
    "question",
    "open",
    "closed",
    "why",
    "disguised_advice",
    "leading",
    "solution",
    "offers",
    "paraphrase",
    "long",
)
LONG_REPLY_WORDS = 45

_OPEN_START = re.compile(
    r"^(what|how|who|when|where|which|why|tell me|talk me through|describe|say more|walk me "
    r"through)\b",
    re.IGNORECASE,
)
_INVITATION = re.compile(
    r"^(tell me|talk me through|describe|say more|walk me through)\b", re.IGNORECASE
)
# words that start a sentence without changing what kind of question it is
_FILLER = re.compile(
    r"^((and|so|okay|ok|right|well|hmm|mm|interesting|then|now|i'm curious|i see)[,.:;!]?\s+)+",
    re.IGNORECASE,
)
# "…, isn't it?", "…, right?": a statement with a tag that asks for agreement
_TAG = re.compile(
    r",\s*(is|are|was|were|do|does|did|have|has|had|can|could|would|will|wo|should)(n't)?\s+"
    r"(it|they|you|he|she|we|that|i|there)(\s+it)?\s*\?$|,\s*right\s*\?$|^surely\b",
    re.IGNORECASE,
)
_CLOSED_START = re.compile(
    r"^(do|does|did|is|are|was|were|have|has|had|can|could|would|will|should|shall|may|might|"
    r"must|isn't|aren't|wasn't|didn't|don't|doesn't|haven't|hasn't|won't|wouldn't|couldn't|"
    r"shouldn't|can't)\b",
    re.IGNORECASE,
)
_WHY = re.compile(r"(^|[,;:]\s*|\band\s+|\bbut\s+|\bso\s+)why\b", re.IGNORECASE)
# a suggestion wearing a question mark: the answer is the coach's, the form is a question
_DISGUISED = re.compile(
    r"^(have|had) you (tried|thought (about|of)|considered|looked at)\b|^(could|couldn't|can't) "
    r"you\b|^what about\b|^how about\b|^why (don't|not|wouldn't)\b|^(wouldn't|would) it be "
    r"(better|easier|worth|simpler)\b|^shouldn't you\b|^did you (try|think (about|of)|consider)\b"
    r"|^is it worth\b|^what if you (tried|used|put|gave|made|moved|started|stopped)\b|^maybe "
    r"you could\b|^might it help to\b|^how would it be if you\b|^what would happen if you "
    r"(tried|used|put|gave|made|moved|started|stopped)\b|\bsomething you could try\b|^(would|"
    r"might|could) (a|an|some|the) [^?]*\b(help|work)\b|^do you think (a|an|some) [^?]*\b(would|"
    r"might|could) (help|work|make a difference)\b",
    re.IGNORECASE,
)
_LEADING = re.compile(
    r"\b(don't you think|wouldn't you (say|agree)|you'd agree|would you agree|surely|isn't the "
    r"(real )?(problem|issue))\b",
    re.IGNORECASE,
)
# advice given straight: an instruction, a "you should", the coach's own recipe
_SOLUTION = re.compile(
    r"\byou (should|need to|must|have to|ought to|'ll need to|'d better)\b|\bif i were you\b|"
    r"\bwhat i (do|did|would do) is\b|\bi would (just )?(try|use|do|start|give|put|get|set)\b|"
    r"\bi'd (just )?(try|use|do|start|give|put|get|set)\b|\bthe (answer|trick|fix|key) is\b|"
    r"\bit works every time\b|\balways works\b|\bjust (do|use|try|give|put|tell|make|start|stop|"
    r"set|move|get|meet|keep)\b|\bthe answer\b|\bone option is\b|\byou might want to\b|\bwhat "
    r"works for me\b|\bwould sort (that|it) out\b",
    re.IGNORECASE,
)
_IMPERATIVE_START = re.compile(
    r"^((maybe|perhaps|then|so|honestly),?\s+)?(try|use|make|give|put|set|get|start|stop|meet|move|keep|stick|drop|send|call|plan|"
    r"ask (them|the|her|him)|tell (them|the|her|him)|have (them|a|the|everything)|do (it|a|the|"
    r"that|this)|don't (let|give|use|start|wait|leave)|be (more|firm|consistent|clear)|go|seat|line|write|insist|sort)\b",
    re.IGNORECASE,
)
_OFFERS = re.compile(
    r"\bwould it help if i\b|\bcan i (offer|suggest|share|make a suggestion)\b|\bmay i "
    r"(offer|suggest|share)\b|\bwould you like (me to (share|suggest|offer)|an idea|a suggestion|"
    r"some ideas|a couple of ideas|to hear)\b|\bi have (an idea|a thought|a suggestion)[^.?!]*"
    r"(if you|would you|do you want)\b|\bdo you want (an idea|a suggestion|my (idea|thoughts)|to "
    r"hear)\b|\bshall i (share|suggest|offer)\b|\bit's your (call|choice)\b|"
    r"\bi could (share|tell you|suggest|offer)\b[^?]*\?|\b(would|might) that (help|be useful)\?",
    re.IGNORECASE,
)
_PARAPHRASE = re.compile(
    r"^(so,? (you|it|the|on|what|there|your|this|that)\b|it sounds (like|as (if|though))|it "
    r"seems (like|as if|that)|you're saying|what i'm hearing|if i've (understood|got this)|"
    r"you (feel|seem|sound)\b|i'm hearing|let me check i've got this)",
    re.IGNORECASE,
)

_SENTENCE = re.compile(r"[^.?!]+[.?!]*")


def sentences(text: str) -> list[str]:
    """The reply's sentences, trimmed, each with its closing mark."""
    return [s.strip(" \t\n\"'“”‘’") for s in _SENTENCE.findall(text) if s.strip(" .\n")]


def _questions(parts: list[str]) -> list[str]:
    return [s for s in parts if s.endswith("?")]


def detect(text: str) -> set[str]:
    """Which of :data:`CATEGORIES` the rules find in ``text``."""
    parts = sentences(" ".join(text.split()))
    found: set[str] = set()
    questions = _questions(parts)
    if questions:
        found.add("question")
    for q in questions:
        if _TAG.search(q):
            found.update({"closed", "leading"})
        # the kind of question is set by the clause that asks it: "On a good day, what…?"
        for clause in re.split(r"[,:;]\s*", _FILLER.sub("", q)):
            clause = _FILLER.sub("", clause)
            if _OPEN_START.search(clause):
                found.add("open")
                break
            if _CLOSED_START.search(clause):
                found.add("closed")
                break
        if _WHY.search(q):
            found.add("why")
        if _DISGUISED.search(_FILLER.sub("", q)):
            found.add("disguised_advice")
        if _LEADING.search(q):
            found.add("leading")
    joined = " ".join(parts)
    if _OFFERS.search(joined):
        found.add("offers")
        found.discard("disguised_advice")  # asking first is the honest form of the same idea
    statements = [s for s in parts if not s.endswith("?")]
    if any(_INVITATION.search(_FILLER.sub("", s)) for s in statements):  # "Tell me about…"
        found.add("open")
    if any(_SOLUTION.search(s) or _IMPERATIVE_START.search(s) for s in statements):
        found.add("solution")
    if parts and _PARAPHRASE.search(parts[0]):
        found.add("paraphrase")
    if len(text.split()) > LONG_REPLY_WORDS:
        found.add("long")
    return found


@dataclass(frozen=True)
class Note:
    """One thing the rules noticed, and why it matters."""

    category: str
    said: str


NOTES: dict[str, str] = {
    "open": (
        "This looks like an open question: it invites them to think and say more, so the "
        "thinking stays with them."
    ),
    "closed": (
        "This looks like a closed question, one that can be answered yes or no. That is fine "
        'for checking a fact; a question starting "What…" or "How…" leaves more of the '
        "thinking with them."
    ),
    "why": (
        'There seems to be a "why" question. "Why" can sound like a demand to justify '
        'oneself; "What led you to…?" asks the same thing with less risk of defensiveness.'
    ),
    "disguised_advice": (
        'This looks like a suggestion phrased as a question ("Have you tried…", "Could '
        'you…", "What about…"). The idea is yours, not theirs: if you want to share it, '
        "offer it openly and ask whether it would help."
    ),
    "leading": (
        'This may be a leading question: the wording ("don\'t you think…", "surely…", '
        '"isn\'t it?") points to the answer you already have in mind.'
    ),
    "solution": (
        'This seems to contain a solution or an instruction ("you should…", "try…"). It '
        "may be a good idea, but giving it now moves the thinking from them to you."
    ),
    "offers": (
        "This looks like an offer made with permission: you ask before sharing an idea, and "
        "the choice stays with them. Good when they are genuinely stuck, after exploring."
    ),
    "paraphrase": (
        "This looks like a paraphrase: reflecting back what they said lets them hear it, and "
        "shows you have listened."
    ),
    "no_question": (
        "There is no question here. A statement can acknowledge or reflect back; if it gives "
        "an answer, the conversation stops being theirs."
    ),
    "long": (
        "This is a long reply ({words} words). Shorter replies leave more room for them to "
        "talk and think."
    ),
}
CAVEAT = (
    "These notes come from simple wording rules, which are often right but miss things and "
    "sometimes misread a sentence. Treat them as prompts to look again, not as a mark."
)


def analyse(text: str) -> list[Note]:
    """The notes for ``text``, in a fixed order; empty for an empty reply."""
    if not text.strip():
        return []
    found = detect(text)
    notes = []
    for category in CATEGORIES:
        if category == "question":
            if category not in found:
                notes.append(Note("no_question", NOTES["no_question"]))
            continue
        if category in found:
            said = NOTES[category].format(words=len(text.split()))
            notes.append(Note(category, said))
    return notes


# -- measuring the rules -----------------------------------------------------------------------

MEASURED: tuple[str, ...] = tuple(c for c in CATEGORIES if c != "long")  # "long" is a count


@dataclass(frozen=True)
class Score:
    """How the rules did on one category of a labelled set."""

    category: str
    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_pos + self.false_neg
        return self.true_pos / labelled if labelled else 1.0


def score(labelled: list[tuple[str, set[str]]]) -> list[Score]:
    """Per-category precision and recall of :func:`detect` on ``(text, labels)`` pairs."""
    counts = {c: [0, 0, 0] for c in MEASURED}
    for text, labels in labelled:
        found = detect(text)
        for c in MEASURED:
            if c in found and c in labels:
                counts[c][0] += 1
            elif c in found:
                counts[c][1] += 1
            elif c in labels:
                counts[c][2] += 1
    return [Score(c, *counts[c]) for c in MEASURED]

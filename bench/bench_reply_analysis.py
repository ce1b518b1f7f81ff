"""How well the rehearsal's wording rules read coach replies: precision and recall per category.

    python bench/bench_reply_analysis.py

The labelled set (tests/activities/coach_replies.yaml) holds coach replies written for the
purpose, each labelled by a person. The rules (widgets/activities/reply_analysis.py) are run
on every reply and compared with the labels. This prints figures; it asserts nothing and
times nothing. The wording the trainee sees ("this looks like…") is chosen to fit them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from widgets.activities.reply_analysis import detect, score

LABELLED = REPO / "tests" / "activities" / "coach_replies.yaml"


def load_labelled(part: str, path: Path = LABELLED) -> list[tuple[str, set[str]]]:
    """One part of the labelled set (``replies`` or ``held_out``) as ``(text, labels)`` pairs."""
    replies = yaml.safe_load(path.read_text(encoding="utf-8"))[part]
    return [(r["text"], set(r["labels"])) for r in replies]


def report(title: str, labelled: list[tuple[str, set[str]]], misses: bool) -> None:
    print(f"{title}: {len(labelled)} replies")
    print(f"  {'category':<18}{'labelled':>9}{'found':>7}{'precision':>11}{'recall':>8}")
    for s in score(labelled):
        found = s.true_pos + s.false_pos
        labelled_n = s.true_pos + s.false_neg
        print(f"  {s.category:<18}{labelled_n:>9}{found:>7}{s.precision:>11.2f}{s.recall:>8.2f}")
    if misses:
        print("  disagreements (missed / extra):")
        for text, labels in labelled:
            found = detect(text) - {"long"}
            if found != labels:
                print(
                    f"    {text!r}: missed {sorted(labels - found)}, extra {sorted(found - labels)}"
                )
    print()


def main(argv: list[str] | None = None) -> int:
    misses = "--misses" in (sys.argv[1:] if argv is None else argv)
    print(f"Labelled coach replies: {LABELLED.relative_to(REPO)}\n")
    report("Set the rules were written against (optimistic)", load_labelled("replies"), misses)
    report("Held-out set, never used to change the rules", load_labelled("held_out"), misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

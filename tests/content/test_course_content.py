"""The real course content in data/ and course/: complete, cross-checked, cited."""

from __future__ import annotations

import re

from widgets.content.loader import sources_of
from widgets.content.models import PART_NAMES, ChoiceActivity, SortingActivity
from widgets.content.notebooks import check_notebooks, code_cells, literal_calls

from ..conftest import COURSE, DATA


def test_content_and_notebooks_agree(course):
    """Does every module have three part notebooks showing exactly its activities?"""
    assert len(course.modules) >= 1
    check_notebooks(course, COURSE)
    for module in course.modules:
        for part in PART_NAMES:
            assert (COURSE / module.slug / f"{part}.ipynb").exists()


def test_every_scored_item_explains_and_cites(course):
    """Has every sorting statement and question an explanation and a known source?"""
    checked = 0
    for module in course.modules:
        for activity in module.file.activities:
            if isinstance(activity, SortingActivity):
                for item in activity.items:
                    assert len(item.explanation) > 30, item.id
                    assert all(k in course.references for k in item.sources)
                    checked += 1
            if isinstance(activity, ChoiceActivity):
                for question in activity.questions:
                    assert all(o.feedback for o in question.options)
                    assert all(k in course.references for k in question.sources)
                    checked += 1
    assert checked >= 24


def test_module_one_sort_has_the_three_categories(course):
    """Does Module 1's sort cover about 24 statements across Coaching, Mentoring and Both?"""
    sort = course.activity("m1-sort")
    assert [c.id for c in sort.categories] == ["coaching", "mentoring", "both"]
    assert 20 <= len(sort.items) <= 30
    assert {i.answer for i in sort.items} == {"coaching", "mentoring", "both"}


def test_every_reference_is_cited_somewhere(course):
    """Is every entry of references.yaml cited by an activity or a part's reference list?"""
    cited = set()
    for module in course.modules:
        for activity in module.file.activities:
            for _where, keys in sources_of(activity):
                cited.update(keys)
    notebooks = list(COURSE.rglob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        for _n, source in code_cells(notebook):
            for args in literal_calls(source, "references"):
                cited.update(args)
    unused = set(course.references) - cited
    assert not unused, f"references never cited: {sorted(unused)}"


def test_no_vendor_contact_details():
    """Are the vendor's contact details from seed 002 kept out of the course?"""
    text = " ".join(
        p.read_text() for p in list(DATA.rglob("*.yaml")) + list(COURSE.rglob("*.ipynb"))
    )
    assert not re.search(r"\(\d{3}\)\s*\d{3}-\d{4}|\d{3}-\d{3}-\d{4}", text)
    assert "@" not in re.sub(r"[\w.+-]+@users\.noreply", "", text) or "mailto" not in text


# words that mark a sentence as reporting what studies found (an empirical claim)
EMPIRICAL = re.compile(
    r"\b(research(ers)? (shows?|suggests?|found|finds)|studies|study of|found that|finds that|"
    r"review (found|of)|meta-analysis|evaluations?|evidence (shows|suggests|comes)|effect sizes?|"
    r"standard deviations?|trials?|pooled)\b",
    re.IGNORECASE,
)


def test_empirical_claims_cite_research(course):
    """Does every activity item whose explanation reports a finding cite at least one source of
    a kind references.yaml allows for empirical claims, and no item cite a vendor page or a
    blog?"""
    import yaml

    from widgets.content.models import ReferencesFile

    refs = ReferencesFile.model_validate(
        yaml.safe_load((DATA / "references.yaml").read_text(encoding="utf-8"))
    )
    empirical = set(refs.allowed_kinds["empirical"])
    assert "vendor" not in refs.citable_kinds and "blog" not in refs.citable_kinds
    claims = 0
    for module in course.modules:
        for activity in module.file.activities:
            for item, text, keys in _explained_items(activity):
                kinds = {course.references[k].kind for k in keys}
                assert not kinds & {"vendor", "blog"}, f"{activity.id}/{item}"
                if EMPIRICAL.search(text):
                    claims += 1
                    assert kinds & empirical, (
                        f"{activity.id}/{item} reports a finding but cites only {sorted(kinds)}"
                    )
    assert claims >= 5


def _explained_items(activity):
    """(item id, explanation or feedback, sources) for every cited item of ``activity``."""
    for name in ("items", "questions"):
        for item in getattr(activity, name, []) or []:
            text = getattr(item, "explanation", None) or getattr(item, "notice", None) or ""
            yield item.id, text, item.sources
    for node in getattr(activity, "nodes", []) or []:
        for option in node.options:
            yield f"{node.id}/{option.id}", option.feedback, option.sources


def test_every_simulator_asks_for_the_trainees_own_words(course):
    """Does every conversation simulator rehearse (own reply first), not only recognise?"""
    from widgets.content.models import DraftingActivity, SimulatorActivity

    sims = [
        a for m in course.modules for a in m.file.activities if isinstance(a, SimulatorActivity)
    ]
    assert sims and all(s.rehearse for s in sims), [s.id for s in sims if not s.rehearse]
    drafting = {
        m.slug for m in course.modules for a in m.file.activities if isinstance(a, DraftingActivity)
    }
    assert {
        "listening-and-questioning",
        "structuring-the-conversation",
        "coaching-in-the-classroom",
    } <= drafting


# settings the course's cases must reach beyond secondary science (issue 13)
SETTINGS = {
    "early years": r"\bnursery\b|\bearly years\b|\breception\b",
    "primary early-career teacher": r"early-career teacher in a Year [1-6]\b|primary school in",
    "special school or SEND, with a teaching assistant": r"special school",
    "sixth form or FE": r"sixth-form college|\bFE\b|further education|head of sixth form",
    "a reluctant coachee": r"only here because",
    "coaching someone more senior": r"more senior",
    "remote coaching": r"video call|at a distance",
}


def test_cases_reach_beyond_one_phase_and_subject():
    """Do the activities include each of the settings the reviewer found missing?"""
    text = " ".join(p.read_text(encoding="utf-8") for p in (DATA / "modules").glob("*.yaml"))
    missing = [name for name, pattern in SETTINGS.items() if not re.search(pattern, text)]
    assert not missing, missing

"""A session's pacing: read from untrusted settings, written back, and asked what is locked."""

from __future__ import annotations

import pytest

from widgets.live.pacing import Pacing, lock_key

MODULE = "coaching-and-mentoring"


def test_lock_key():
    """Is a module's key its slug, and a part's key module/part?"""
    assert lock_key(MODULE) == MODULE
    assert lock_key(MODULE, "practice") == f"{MODULE}/practice"


@pytest.mark.parametrize("settings", [None, {}, {"unrelated": 3}])
def test_nothing_set_is_the_default(settings):
    """Do missing settings give nothing locked, answers shown, names hidden, not ended?"""
    pacing = Pacing.from_settings(settings)
    assert pacing == Pacing()
    assert pacing.locked == frozenset()
    assert (pacing.answers_hidden, pacing.show_names, pacing.ended) == (False, False, False)
    assert pacing.projector_activity is None


@pytest.mark.parametrize(
    "junk",
    [
        {"locked": "coaching-and-mentoring"},  # a string is not a list of keys
        {"locked": {"coaching-and-mentoring": True}},
        {"locked": 7},
        {"locked": None},
    ],
)
def test_locked_that_is_not_a_list_is_ignored(junk):
    """Is a 'locked' value that is not a list ignored rather than trusted (no lock at all)?"""
    pacing = Pacing.from_settings(junk)
    assert pacing.locked == frozenset()
    assert not pacing.is_locked(MODULE, "theory")


def test_non_string_lock_keys_are_dropped():
    """Are the strings of a mixed list kept and numbers, nulls and lists dropped?"""
    pacing = Pacing.from_settings({"locked": [MODULE, 3, None, ["x"], f"{MODULE}/review"]})
    assert pacing.locked == frozenset({MODULE, f"{MODULE}/review"})


@pytest.mark.parametrize("value", ["true", 1, "yes", [True], None])
def test_flags_must_be_exactly_true(value):
    """Do truthy non-booleans ("true", 1 …) leave every flag off?"""
    pacing = Pacing.from_settings({"answers_hidden": value, "show_names": value, "ended": value})
    assert (pacing.answers_hidden, pacing.show_names, pacing.ended) == (False, False, False)


def test_true_flags_are_read():
    """Are real booleans read, and a string projector activity kept?"""
    pacing = Pacing.from_settings(
        {"answers_hidden": True, "show_names": True, "ended": True, "projector_activity": "m1-sort"}
    )
    assert (pacing.answers_hidden, pacing.show_names, pacing.ended) == (True, True, True)
    assert pacing.projector_activity == "m1-sort"


@pytest.mark.parametrize("value", [5, ["m1-sort"], {"id": "m1-sort"}])
def test_projector_activity_must_be_a_string(value):
    """Is a projector activity that is not a string ignored?"""
    assert Pacing.from_settings({"projector_activity": value}).projector_activity is None


def test_to_settings_round_trip():
    """Does to_settings → from_settings give the same pacing back, with sorted lock keys?"""
    pacing = Pacing(
        locked=frozenset({f"{MODULE}/review", "b-module", MODULE}),
        answers_hidden=True,
        show_names=True,
        projector_activity="m1-sort",
        gather=f"{MODULE}/practice",
        gather_count=3,
    )
    settings = pacing.to_settings()
    assert settings == {
        "locked": ["b-module", MODULE, f"{MODULE}/review"],
        "answers_hidden": True,
        "show_names": True,
        "projector_activity": "m1-sort",
        "gather": f"{MODULE}/practice",
        "gather_count": 3,
    }
    assert "ended" not in settings  # the session's own column, not a setting
    assert Pacing.from_settings(settings) == pacing


def test_module_lock_locks_every_part():
    """Does locking a module lock the module and each of its parts, and no other module?"""
    pacing = Pacing().with_lock(MODULE)
    assert pacing.is_locked(MODULE)
    for part in ("theory", "practice", "review"):
        assert pacing.is_locked(MODULE, part)
    assert not pacing.is_locked("case-for-coaching", "theory")


def test_part_lock_locks_only_that_part():
    """Does locking one part leave the module itself and its other parts open?"""
    pacing = Pacing().with_lock(MODULE, "practice")
    assert pacing.is_locked(MODULE, "practice")
    assert not pacing.is_locked(MODULE, "theory")
    assert not pacing.is_locked(MODULE, "review")
    assert not pacing.is_locked(MODULE)
    assert not pacing.is_locked("case-for-coaching", "practice")


def test_ended_session_locks_nothing():
    """Once a session has ended, is nothing locked and are no answers hidden for trainees?"""
    settings = {"locked": [MODULE, f"{MODULE}/practice"], "answers_hidden": True, "ended": True}
    pacing = Pacing.from_settings(settings)
    assert pacing.locked  # still remembered …
    assert not pacing.is_locked(MODULE)  # … but holds nobody back
    assert not pacing.is_locked(MODULE, "practice")
    assert pacing.live == Pacing()
    running = Pacing.from_settings({**settings, "ended": False})
    assert running.live is running
    assert running.is_locked(MODULE, "practice")


def test_with_lock_adds_and_removes():
    """Does with_lock add a key, leave the original unchanged, and remove it again?"""
    start = Pacing(answers_hidden=True)
    locked = start.with_lock(MODULE, "theory")
    assert locked.locked == frozenset({f"{MODULE}/theory"})
    assert start.locked == frozenset()
    assert locked.answers_hidden is True  # other fields kept
    both = locked.with_lock(MODULE)
    assert both.locked == frozenset({MODULE, f"{MODULE}/theory"})
    unlocked = both.with_lock(MODULE, "theory", locked=False)
    assert unlocked.locked == frozenset({MODULE})
    assert unlocked.with_lock(MODULE, locked=False).locked == frozenset()
    # removing a key that is not there changes nothing
    assert Pacing().with_lock(MODULE, locked=False) == Pacing()


def test_bringing_everyone_to_a_part_counts_each_call():
    """Does each "bring everyone here" name the part and count up, even for the same part?"""
    first = Pacing().with_gather(MODULE, "practice")
    assert first.gathered_at == (MODULE, "practice")
    assert first.gather_count == 1
    again = first.with_gather(MODULE, "practice")
    assert again.gather_count == 2
    assert again.newly_gathered(first) == (MODULE, "practice")
    assert first.newly_gathered(first) is None  # nothing new: a trainee who wandered off stays
    assert first.newly_gathered(Pacing()) == (MODULE, "practice")


def test_released_lets_everyone_move_freely():
    pacing = Pacing().with_gather(MODULE, "review").released()
    assert pacing.gathered_at is None
    assert pacing.newly_gathered(Pacing()) is None


def test_an_ended_session_gathers_nobody():
    pacing = Pacing(gather=f"{MODULE}/review", gather_count=1, ended=True)
    assert pacing.gathered_at is None
    assert pacing.live.gathered_at is None


@pytest.mark.parametrize(
    "gather", [5, "", "no-slash", "a/b/c", "/practice", f"{MODULE}/", ["a/b"], True]
)
def test_a_gather_that_is_not_module_slash_part_is_ignored(gather):
    pacing = Pacing.from_settings({"gather": gather, "gather_count": 2})
    assert pacing.gather is None
    assert pacing.gathered_at is None


@pytest.mark.parametrize("count", [-1, "3", 2.5, True, None])
def test_a_gather_count_that_is_not_a_count_is_zero(count):
    assert (
        Pacing.from_settings({"gather": f"{MODULE}/review", "gather_count": count}).gather_count
        == 0
    )

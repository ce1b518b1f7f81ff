"""The facilitator key: where it comes from, and how a typed key is compared with it."""

from __future__ import annotations

import stat

import pytest

from widgets.keys import (
    FACILITATOR_KEY_ENV,
    FACILITATOR_KEY_FILE,
    facilitator_key,
    key_matches,
)


def test_exact_key_matches():
    """Does the exact key match?"""
    assert key_matches("k3y-Secret_42", "k3y-Secret_42") is True


@pytest.mark.parametrize("typed", ["  k3y-Secret_42", "k3y-Secret_42\n", "\tk3y-Secret_42  "])
def test_surrounding_spaces_are_forgiven(typed):
    """Is a key pasted with spaces or a newline around it accepted?"""
    assert key_matches(typed, "k3y-Secret_42") is True


@pytest.mark.parametrize(
    "typed",
    [
        "k3y-Secret_4",  # one short
        "k3y-Secret_422",  # one long
        "k3y-secret_42",  # case matters
        "k3y-Secret_43",  # same length, last character differs
        "k3y Secret_42",  # a space inside is not forgiven
    ],
)
def test_other_keys_do_not_match(typed):
    """Is a key of a different length, case or character refused?"""
    assert key_matches(typed, "k3y-Secret_42") is False


@pytest.mark.parametrize(
    "typed, expected", [("", ""), ("   ", ""), (None, ""), ("", None), ("x", "")]
)
def test_empty_key_never_matches(typed, expected):
    """Does an empty expected key match nothing, not even an empty typed key?"""
    assert key_matches(typed, expected) is False


def test_empty_typed_key_does_not_match_a_real_key():
    """Is an empty (or all-space) typed key refused?"""
    assert key_matches("", "k3y") is False
    assert key_matches("   ", "k3y") is False


def test_key_from_the_environment(tmp_path, monkeypatch):
    """Is COURSE_FACILITATOR_KEY used as it is, with no file written?"""
    monkeypatch.setenv(FACILITATOR_KEY_ENV, "from-the-env")
    assert facilitator_key(tmp_path) == "from-the-env"
    assert not (tmp_path / FACILITATOR_KEY_FILE).exists()


def test_key_generated_once_owner_only(tmp_path, monkeypatch):
    """Without the variable, is a key generated into an owner-only (0600) file and reused?"""
    monkeypatch.delenv(FACILITATOR_KEY_ENV, raising=False)
    var = tmp_path / "var"
    key = facilitator_key(var)
    path = var / FACILITATOR_KEY_FILE
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == key + "\n"
    assert len(key) >= 16  # 12 random bytes, URL-safe base64
    assert facilitator_key(var) == key  # kept, not drawn again
    assert key_matches(f" {key} ", facilitator_key(var))


def test_environment_wins_over_the_file(tmp_path, monkeypatch):
    """With both a kept file and the variable, does the variable win?"""
    monkeypatch.delenv(FACILITATOR_KEY_ENV, raising=False)
    kept = facilitator_key(tmp_path)
    monkeypatch.setenv(FACILITATOR_KEY_ENV, "override")
    assert facilitator_key(tmp_path) == "override"
    assert (tmp_path / FACILITATOR_KEY_FILE).read_text(encoding="utf-8").strip() == kept


def test_default_var_dir(tmp_path, monkeypatch):
    """Without a directory, is the key kept in COURSE_VAR_DIR?"""
    monkeypatch.delenv(FACILITATOR_KEY_ENV, raising=False)
    monkeypatch.setenv("COURSE_VAR_DIR", str(tmp_path / "elsewhere"))
    key = facilitator_key()
    assert (tmp_path / "elsewhere" / FACILITATOR_KEY_FILE).read_text(
        encoding="utf-8"
    ).strip() == key


def test_kept_secret_waits_for_a_writer_that_has_not_finished(tmp_path):
    """If another kernel made the file an instant ago and is still writing, is its key read
    (not an empty one that would refuse every key)?"""
    import threading
    import time

    from widgets.keys import kept_secret

    path = tmp_path / "key"
    path.touch(mode=0o600)  # created, not yet written

    def finish() -> None:
        time.sleep(0.2)
        path.write_text("written-by-the-other\n", encoding="utf-8")

    writer = threading.Thread(target=finish)
    writer.start()
    try:
        assert kept_secret(path) == "written-by-the-other"
    finally:
        writer.join()

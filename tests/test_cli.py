"""The console script: validate names mistakes; db upgrade and session admin work."""

from __future__ import annotations

import shutil

from widgets.cli import main

from .conftest import COURSE, DATA


def test_validate_real_content(capsys):
    """Does `course validate` pass on the shipped content and say what it checked?"""
    assert main(["validate", "--data", str(DATA), "--course", str(COURSE)]) == 0
    assert "Content OK" in capsys.readouterr().out


def test_validate_names_file_and_field(tmp_path, capsys):
    """Does `course validate` exit 1 and name the file and field of a broken item?"""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    module = data / "modules" / "coaching-and-mentoring.yaml"
    text = module.read_text()
    module.write_text(text.replace("answer: both", "answer: bothh", 1))
    assert main(["validate", "--data", str(data), "--course", str(COURSE)]) == 1
    err = capsys.readouterr().err
    assert module.name in err
    assert "answer 'bothh' is not one of the categories" in err


def test_db_upgrade_and_session(tmp_path, monkeypatch, capsys):
    """Does `db upgrade` prepare the database and `session new` print a join code?"""
    monkeypatch.setenv("COURSE_DB_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["session", "new", "Staff training, 24 Nov"]) == 0
    out = capsys.readouterr().out
    code = out.strip().splitlines()[-1].split()[1]
    assert len(code) == 6
    from widgets.store import ResponseStore

    with ResponseStore() as store:
        assert store.session_by_code(code).title == "Staff training, 24 Nov"


def test_db_upgrade_never_prints_the_password(monkeypatch, capsys):
    """Does `db upgrade` name the database without its password, even when it fails?"""
    from widgets.store import ResponseStore

    url = "postgresql+psycopg://course:s3cret-pw@127.0.0.1:1/nowhere"
    store = ResponseStore(url)
    assert "s3cret-pw" not in store.shown_url and "127.0.0.1:1/nowhere" in store.shown_url
    store.close()
    monkeypatch.setenv("COURSE_DB_URL", url)
    assert main(["db", "upgrade"]) == 1  # nothing listens on port 1
    captured = capsys.readouterr()
    assert "s3cret-pw" not in captured.out + captured.err


def test_lan_address_is_a_room_address():
    """Is the address shown for a room (serving on 0.0.0.0) a real, non-loopback IPv4 one?"""
    import ipaddress

    from widgets.cli import lan_address

    found = lan_address()
    if found is not None:  # a machine without a network has none, and says nothing
        assert not ipaddress.IPv4Address(found).is_loopback

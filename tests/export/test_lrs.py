"""Delivery of the xAPI export to a real LRS (ralph's LRS API on loopback, started here):
every statement accepted in several batches and read back unchanged, a second run adds
nothing, an LRS stopped halfway resumes without duplicates or gaps, a changed statement is
refused and reported, wrong credentials stop at once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from widgets.cli import main
from widgets.export.files import xapi_lines
from widgets.export.lrs import DeliveryError, LrsTarget, deliver
from widgets.export.responses import ExportRequest

from .conftest import KEY
from .ralph_lrs import PASSWORD, USER, RalphLrs

BASE = "https://uni.example/peer-coaching-study"
ADDED_BY_LRS = {"stored", "authority", "version"}  # what an LRS adds to what it keeps


@pytest.fixture
def lrs(tmp_path):
    server = RalphLrs(tmp_path / "lrs")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lines(known) -> list[str]:
    engine = create_engine(known.url)
    try:
        return list(xapi_lines(ExportRequest(engine=engine, key=KEY), base_iri=BASE))
    finally:
        engine.dispose()


def target(lrs: RalphLrs, password: str = PASSWORD) -> LrsTarget:
    return LrsTarget(lrs.endpoint, USER, password)


def as_sent(statement: dict) -> dict:
    return {k: v for k, v in statement.items() if k not in ADDED_BY_LRS}


def no_wait(seconds: float) -> None:
    """Back-off without waiting: the test needs the retries, not the pauses."""


def test_every_statement_delivered_once(lrs, lines):
    """Are all statements accepted in several batches, read back page by page with the same
    ids and content, and does a second run add none?"""
    assert len(lines) > 300
    batches = []
    report = deliver(lines, target(lrs), batch_size=100, progress=batches.append)
    assert report.complete and report.stored == len(lines) and report.already == 0
    assert len(batches) > 3 and sum(batches) == len(lines)
    kept, pages = lrs.statements(limit=150)
    assert pages > 2
    sent = {s["id"]: s for s in map(json.loads, lines)}
    assert len(kept) == len({s["id"] for s in kept}) == len(sent)
    for statement in kept:
        assert as_sent(statement) == sent[statement["id"]]

    again = deliver(lines, target(lrs), batch_size=100)
    assert again.complete and again.stored == 0 and again.already == len(lines)
    assert len(lrs.statements()[0]) == len(lines)


def test_lrs_stopped_halfway_resumes(lrs, lines):
    """When the LRS goes away mid-delivery, is what was not sent reported (nothing lost), and
    does the next run send exactly the rest, without duplicates or gaps?"""
    done = []

    def stop_after_three(n: int) -> None:
        done.append(n)
        if len(done) == 3:
            lrs.stop()

    first = deliver(lines, target(lrs), batch_size=50, progress=stop_after_three, sleep=no_wait)
    assert not first.complete
    assert first.stored == 150 and first.unsent == len(lines) - 150
    assert "did not answer" in first.error and "run again" in first.summary()

    lrs.start()
    second = deliver(lines, target(lrs), batch_size=50)
    assert second.complete
    assert second.already == 150 and second.stored == len(lines) - 150
    kept = lrs.statements()[0]
    assert sorted(s["id"] for s in kept) == sorted(json.loads(line)["id"] for line in lines)


def test_changed_statement_refused_and_reported(lrs, lines):
    """Is a statement changed under an id the LRS already keeps refused with the LRS's reason,
    while the new statements in the same batch are still stored, and nothing re-sent under
    another id?"""
    deliver(lines[:40], target(lrs))
    changed = json.loads(lines[10])
    changed["result"]["duration"] = "PT99M"
    batch = [*lines[:5], json.dumps(changed), *lines[40:60]]
    report = deliver(batch, target(lrs))
    assert report.stored == 20 and report.already == 5
    assert [i for i, _ in report.refused] == [changed["id"]]
    assert "409" in report.refused[0][1] and "Differing" in report.refused[0][1]
    kept = {s["id"]: s for s in lrs.statements()[0]}
    assert len(kept) == 60
    assert as_sent(kept[changed["id"]]) == json.loads(lines[10])


def test_wrong_password_stops(lrs, lines):
    """Do refused credentials stop delivery at once with a message naming the settings?"""
    with pytest.raises(DeliveryError, match="COURSE_LRS_PASSWORD"):
        deliver(lines, target(lrs, password="not-the-password"))
    assert lrs.statements()[0] == []


def test_cli_delivers_and_explains(known, lrs, monkeypatch, capsys):
    """Does `course export --format xapi --lrs URL` deliver with credentials from the
    environment, refuse without the study's base IRI, and report a second run as nothing
    new?"""
    monkeypatch.setenv("COURSE_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("COURSE_LRS_USER", USER)
    monkeypatch.setenv("COURSE_LRS_PASSWORD", PASSWORD)
    monkeypatch.delenv("COURSE_XAPI_BASE_IRI", raising=False)
    command = ["export", "--format", "xapi", "--lrs", lrs.endpoint, "--db-url", known.url]
    assert main([*command, "--quiet"]) == 2
    assert "base IRI" in capsys.readouterr().err
    monkeypatch.setenv("COURSE_XAPI_BASE_IRI", BASE)
    assert main([*command, "--quiet"]) == 0
    first = capsys.readouterr().out
    assert "already in the LRS" in first
    count = len(lrs.statements()[0])
    assert f"{count:,} statements stored, 0 already" in first
    assert main([*command, "--quiet"]) == 0
    assert f"0 statements stored, {count:,} already" in capsys.readouterr().out
    assert len(lrs.statements()[0]) == count


def test_cli_refuses_without_the_pseudonym_key(known, lrs, monkeypatch, capsys):
    """With the pseudonym key lost, is delivery refused instead of minting new actors?"""
    monkeypatch.delenv("COURSE_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("COURSE_XAPI_BASE_IRI", BASE)
    code = main(["export", "--format", "xapi", "--lrs", lrs.endpoint, "--db-url", known.url])
    assert code == 2
    assert "no pseudonym key" in capsys.readouterr().err
    assert lrs.statements()[0] == []

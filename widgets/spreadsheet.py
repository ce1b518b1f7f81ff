"""The one rule for CSV cells a spreadsheet must not run as formulas.

Excel, LibreOffice and Google Sheets start a formula (or a DDE command) at a cell whose text
begins with ``=``, ``+``, ``-`` or ``@``; a leading tab or carriage return is stripped by some
of them first, so those lead a formula too. Such a cell gets a leading apostrophe, which every
spreadsheet shows as "this is text" and which a reader of the raw CSV can strip. Every CSV the
project writes (the facilitator's session CSV, the research export) goes through here. Numbers
and booleans are never learner text and are written as they are, so ``-1.5`` stays a number.
"""

from __future__ import annotations

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (None becomes an empty cell)."""
    text = "" if value is None else str(value)
    if isinstance(value, bool | int | float):
        return text
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def spreadsheet_safe_column(column):
    """A pandas text column with the same rule applied to every cell (missing cells stay
    missing); vectorised, for exports of many rows."""
    text = column.astype("string")
    risky = text.str.startswith(FORMULA_LEADS).fillna(False)
    return text.mask(risky, "'" + text)

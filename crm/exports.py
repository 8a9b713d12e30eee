"""Spreadsheet exports of the registry lists: CSV streamed row by row, XLSX written by openpyxl's
write-only workbook (constant memory) to a temporary file that is then streamed.

Every cell passes through `crm.spreadsheets.neutralise`, because a value such as `=HYPERLINK(...)` typed
into a contact's job title would otherwise run as a formula when a colleague opens the file in Excel."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.utils import timezone
from openpyxl import Workbook

from crm.models import Contact, LocalArea, Organisation
from crm.spreadsheets import FORMULA_TRIGGERS, neutralise, xlsx_cell

__all__ = ["COLUMNS_FOR", "FORMULA_TRIGGERS", "csv_lines", "iter_chunked", "neutralise", "rows_for", "xlsx_file"]

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from crm.selectors import ContactListPrefetched

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def _date(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y")


def _current_organisations(contact: WithAnnotations[Contact, ContactListPrefetched]) -> str:
    # Reads the prefetched affiliations (see selectors.contact_export_queryset): no query per row.
    return "; ".join(
        f"{a.organisation.name} ({a.role})" if a.role else a.organisation.name for a in contact.current_affiliations
    )


CONTACT_COLUMNS = [
    Column("First name", lambda c: c.first_name),
    Column("Last name", lambda c: c.last_name),
    Column("Job title", lambda c: c.job_title),
    Column("Work email", lambda c: c.email),
    Column("Work phone", lambda c: c.phone),
    Column("Practitioner group", lambda c: c.get_practitioner_group_display()),
    Column("Seniority", lambda c: c.get_seniority_display()),
    Column("Local area", lambda c: c.area.name if c.area else ""),
    Column("Region", lambda c: c.area.get_region_display() if c.area else ""),
    Column("Organisations", _current_organisations),
    Column("Tags", lambda c: ", ".join(t.name for t in c.tags.all())),
    Column("Lawful basis", lambda c: c.get_lawful_basis_display()),
    Column("Consent given", lambda c: _date(c.consent_given_at)),
    Column("Opted out of email", lambda c: c.email_opt_out),
    Column("Opted out of phone", lambda c: c.phone_opt_out),
    Column("Do not contact", lambda c: c.do_not_contact),
    Column("Relationship owner", lambda c: c.owner.full_name if c.owner else ""),
    Column("Added", lambda c: _date(c.created_at)),
]

ORGANISATION_COLUMNS = [
    Column("Name", lambda o: o.name),
    Column("Kind", lambda o: o.get_kind_display()),
    Column("Local area", lambda o: o.area.name if o.area else ""),
    Column("Region", lambda o: o.area.get_region_display() if o.area else ""),
    Column("Part of", lambda o: o.parent.name if o.parent else ""),
    Column("Address", lambda o: o.address),
    Column("Postcode", lambda o: o.postcode),
    Column("Website", lambda o: o.website),
    Column("Phone", lambda o: o.phone),
    Column("General email", lambda o: o.email),
    Column("Current contacts", lambda o: o.current_contact_count),
    Column("Tags", lambda o: ", ".join(t.name for t in o.tags.all())),
]

AREA_COLUMNS = [
    Column("Name", lambda a: a.name),
    Column("ONS code", lambda a: a.code),
    Column("Kind", lambda a: a.get_kind_display()),
    Column("Region", lambda a: a.get_region_display()),
    Column("Added by a user", lambda a: a.is_custom),
    Column("Organisations", lambda a: a.organisation_count),
    Column("Contacts", lambda a: a.contact_count),
]

COLUMNS_FOR = {Contact: CONTACT_COLUMNS, Organisation: ORGANISATION_COLUMNS, LocalArea: AREA_COLUMNS}


def rows_for(objects: Iterable[Any], columns: list[Column]) -> Iterator[list[str]]:
    yield [c.header for c in columns]
    for obj in objects:
        yield [neutralise(c.value(obj)) for c in columns]


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # Excel opens a UTF-8 file correctly only when it starts with a byte order mark.
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def xlsx_file(rows: Iterable[list[str]], title: str) -> IO[bytes]:
    """A temporary .xlsx holding `rows`; write-only mode keeps memory flat for 100,000 rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def iter_chunked(queryset: Any) -> Iterator[Any]:
    """Rows in chunks, with the queryset's prefetches done per chunk (no query per row)."""
    return queryset.iterator(chunk_size=CHUNK_SIZE)

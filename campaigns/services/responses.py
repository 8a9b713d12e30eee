"""Responses: what practitioners did because of a campaign, recorded by hand or imported from CSV.
Each one is on the contact's timeline. Recording the same thing on the same day twice adds nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, Response, ResponseKind
from crm.models import AuditEvent, Contact, ContactEmail, TimelineEntry, User
from crm.services.audit import audit_record
from crm.services.timeline import timeline_record, timeline_record_many

MAX_IMPORT_ROWS = 20_000


def _timeline_summary(response: Response) -> str:
    return f"{response.get_kind_display()} — {response.campaign.name}"


def response_record(
    *,
    campaign: Campaign,
    contact: Contact,
    kind: str,
    occurred_on: dt.date,
    notes: str = "",
    source: str = Response.Source.MANUAL,
    actor: User | None,
) -> tuple[Response, bool]:
    """Record a response; returns (response, created). The existing one is returned if already recorded."""
    if contact.erased_at is not None:
        raise ValidationError("This contact's personal data has been erased, so nothing more can be recorded.")
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "The date cannot be in the future."})
    response = Response(
        campaign=campaign,
        contact=contact,
        kind=kind,
        occurred_on=occurred_on,
        notes=notes,
        source=source,
        recorded_by=actor,
    )
    response.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            response.save()
            timeline_record(
                kind=TimelineEntry.Kind.RESPONSE,
                contact=contact,
                summary=_timeline_summary(response),
                detail=notes,
                occurred_at=timezone.make_aware(dt.datetime.combine(occurred_on, dt.time(12))),
                url=campaign.get_absolute_url(),
                actor=actor,
                source=f"campaigns.response:{response.pk}",
            )
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                target=response,
                changes={"kind": kind, "occurred_on": occurred_on.isoformat(), "contact": contact.pk},
            )
    except IntegrityError:
        existing = Response.objects.get(campaign=campaign, contact=contact, kind=kind, occurred_on=occurred_on)
        return existing, False
    return response, True


@dataclass
class ImportProblem:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    already_recorded: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


def _kind_from(value: str) -> str | None:
    wanted = value.strip().lower()
    for kind in ResponseKind:
        if wanted in {kind.value, kind.label.lower()}:
            return kind.value
    return None


def _date_from(value: str) -> dt.date | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _readable_rows(reader: csv.DictReader, result: ImportResult) -> Iterator[dict[str, Any]]:
    """The rows of the file, stopping with a problem (not a crash) where the CSV cannot be read, such as
    a cell longer than the csv module will hold (an unclosed quote swallowing the rest of the file)."""
    try:
        yield from reader
    except csv.Error as exc:
        # line_num counts the lines read whole; the one that failed is the next.
        row = reader.line_num + 1
        result.problems.append(
            ImportProblem(
                row,
                "",
                f"The file could not be read from row {row} ({exc}). Check for a quote mark that is "
                "never closed, save the file again as CSV, and try again.",
            )
        )


def response_import_csv(*, campaign: Campaign, data: bytes, actor: User) -> ImportResult:
    """Import a CSV with columns email, response and date. Every row is checked first; if any row has a
    problem nothing is saved and each problem names its row and column."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            result.problems.append(ImportProblem(1, "", "The file is not text. Save it as CSV (UTF-8) and try again."))
            return result
    reader = csv.DictReader(io.StringIO(text))
    headers = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    missing = [name for name in ("email", "response", "date") if name not in headers]
    if missing:
        result.problems.append(
            ImportProblem(
                1,
                ", ".join(missing),
                f"The first row must name the columns email, response and date. Missing: {', '.join(missing)}.",
            )
        )
        return result
    parsed: list[tuple[int, str, str, dt.date, str]] = []
    today = timezone.localdate()
    for number, row in enumerate(_readable_rows(reader, result), start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            result.problems.append(ImportProblem(number, "", f"The file has more than {MAX_IMPORT_ROWS:,} rows."))
            break
        address = (row.get(headers["email"]) or "").strip().lower()
        kind_text = row.get(headers["response"]) or ""
        date_text = row.get(headers["date"]) or ""
        notes = (row.get(headers["notes"]) or "").strip() if "notes" in headers else ""
        if not any([address, kind_text.strip(), date_text.strip()]):
            continue
        try:
            validate_email(address)
        except ValidationError:
            result.problems.append(ImportProblem(number, "email", f"'{address}' is not an email address."))
            continue
        kind = _kind_from(kind_text)
        if kind is None:
            choices = ", ".join(k.label.lower() for k in ResponseKind)
            result.problems.append(
                ImportProblem(number, "response", f"'{kind_text}' is not a response. Use one of: {choices}.")
            )
        occurred_on = _date_from(date_text)
        if occurred_on is None:
            result.problems.append(
                ImportProblem(number, "date", f"'{date_text}' is not a date. Write it like 22/11/2026.")
            )
        elif occurred_on > today:
            result.problems.append(ImportProblem(number, "date", "The date is in the future."))
        if kind and occurred_on:
            parsed.append((number, address, kind, occurred_on, notes))
    addresses = {address for _, address, _, _, _ in parsed}
    contacts: dict[str, Contact] = {}
    for contact in Contact.objects.filter(email__in=addresses, erased_at__isnull=True):
        contacts.setdefault(contact.email.lower(), contact)
    for other in ContactEmail.objects.filter(
        Q(email__in=addresses) & Q(contact__erased_at__isnull=True)
    ).select_related("contact"):
        contacts.setdefault(other.email.lower(), other.contact)
    for number, address, _, _, _ in parsed:
        if address not in contacts:
            result.problems.append(ImportProblem(number, "email", f"No contact has the email address {address}."))
    if result.problems:
        result.problems.sort(key=lambda p: (p.row, p.column))
        return result

    existing = set(
        Response.objects.filter(campaign=campaign, contact__in=contacts.values()).values_list(
            "contact_id", "kind", "occurred_on"
        )
    )
    new: list[Response] = []
    seen: set[tuple[int, str, dt.date]] = set()
    for _, address, kind, occurred_on, notes in parsed:
        contact = contacts[address]
        key = (contact.pk, kind, occurred_on)
        if key in existing or key in seen:
            result.already_recorded += 1
            continue
        seen.add(key)
        new.append(
            Response(
                campaign=campaign,
                contact=contact,
                kind=kind,
                occurred_on=occurred_on,
                notes=notes,
                source=Response.Source.IMPORT,
                recorded_by=actor,
            )
        )
    with transaction.atomic():
        created = Response.objects.bulk_create(new, batch_size=2000)
        timeline_record_many(
            [
                TimelineEntry(
                    contact=r.contact,
                    kind=TimelineEntry.Kind.RESPONSE,
                    summary=f"{r.get_kind_display()} — {campaign.name}",
                    detail=r.notes,
                    occurred_at=timezone.make_aware(dt.datetime.combine(r.occurred_on, dt.time(12))),
                    url=campaign.get_absolute_url(),
                    actor=actor,
                    source=f"campaigns.response:{r.pk}" if r.pk else "campaigns.response-import",
                )
                for r in created
            ]
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            target=campaign,
            changes={"responses_imported": len(created), "already_recorded": result.already_recorded},
        )
    result.created = len(created)
    return result

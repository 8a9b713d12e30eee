"""Subject access: everything Common Ground holds on a contact, as JSON-safe data and as CSV rows.

Records in other apps (board memberships, engagements, deliveries, responses) are found generically
through the Contact model's reverse relations, so a new app's rows are included without this module
importing it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from crm.models import AuditEvent, Contact, Suppression, User
from crm.services.audit import _plain, audit_record
from crm.services.suppression import suppression_hash

# Covered by their own sections below, with friendlier shapes.
OWN_RELATIONS = {"other_emails", "affiliations", "note_set", "timeline", "merges", "tags"}


def _row(obj: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in {"password"}:
            continue
        data[field.attname] = _plain(getattr(obj, field.attname))
    return data


def _related_records(contact: Contact) -> dict[str, list[dict[str, Any]]]:
    related: dict[str, list[dict[str, Any]]] = {}
    for rel in Contact._meta.related_objects:
        accessor = rel.get_accessor_name()
        if accessor in OWN_RELATIONS:
            continue
        model = rel.related_model
        if rel.many_to_many:
            queryset = model._default_manager.filter(**{rel.field.name: contact})
        else:
            queryset = model._default_manager.filter(**{rel.field.name: contact.pk})
        rows = [_row(obj) for obj in queryset.order_by("pk")]
        if rows:
            related.setdefault(model._meta.label_lower, []).extend(rows)
    return related


def contact_data(contact: Contact) -> dict[str, Any]:
    """Everything held on `contact`, section by section."""
    note_ids = [str(pk) for pk in contact.note_set.values_list("pk", flat=True)]
    affiliation_ids = [str(pk) for pk in contact.affiliations.values_list("pk", flat=True)]
    about = Q(target_type="crm.contact", target_id=str(contact.pk))
    if note_ids:
        about |= Q(target_type="crm.note", target_id__in=note_ids)
    if affiliation_ids:
        about |= Q(target_type="crm.affiliation", target_id__in=affiliation_ids)
    emails = [e for e in [contact.email, *contact.other_emails.values_list("email", flat=True)] if e]
    suppressions = Suppression.objects.filter(email_hash__in=[suppression_hash(e) for e in emails])
    return {
        "generated_at": timezone.now().isoformat(),
        "contact": {
            **_row(contact),
            "area": str(contact.area) if contact.area_id else None,
            "owner": str(contact.owner) if contact.owner_id else None,
        },
        "tags": sorted(t.name for t in contact.tags.all()),
        "other_emails": list(contact.other_emails.order_by("email").values_list("email", flat=True)),
        "affiliations": [
            {**_row(a), "organisation": a.organisation.name}
            for a in contact.affiliations.select_related("organisation").order_by("start_date", "pk")
        ],
        "notes": [
            {**_row(n), "author": str(n.author) if n.author_id else None}
            for n in contact.note_set.select_related("author").order_by("created_at")
        ],
        "timeline": [_row(t) for t in contact.timeline.order_by("occurred_at", "pk")],
        "audit_events": [
            {**_row(e), "actor": str(e.actor) if e.actor_id else None}
            for e in AuditEvent.objects.filter(about).select_related("actor").order_by("created_at", "pk")
        ],
        "merges": [_row(m) for m in contact.merges.order_by("created_at")],
        "suppression": [
            {"reason": s.get_reason_display(), "since": _plain(s.created_at)} for s in suppressions.order_by("pk")
        ],
        "related_records": _related_records(contact),
    }


def contact_data_csv_rows(data: dict[str, Any]) -> Iterator[list[str]]:
    """The same data flattened for a spreadsheet: one row per value."""
    yield ["Section", "Record", "Field", "Value"]
    for section, value in data.items():
        if isinstance(value, dict) and section == "related_records":
            for label, rows in value.items():
                for index, row in enumerate(rows, start=1):
                    for field, cell in row.items():
                        yield [label, str(index), field, _cell(cell)]
        elif isinstance(value, dict):
            for field, cell in value.items():
                yield [section, "1", field, _cell(cell)]
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    for field, cell in item.items():
                        yield [section, str(index), field, _cell(cell)]
                else:
                    yield [section, str(index), "value", _cell(item)]
        else:
            yield [section, "", "", _cell(value)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def contact_data_export(*, actor: User | None, contact: Contact, file_format: str) -> dict[str, Any]:
    """Collect everything held on a contact for a subject access request, recording who exported it."""
    data = contact_data(contact)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target=contact,
        changes={"format": file_format, "subject_access": True},
    )
    return data

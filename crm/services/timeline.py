"""Timeline entries: what touched a contact or organisation, newest first, read in one query."""

from __future__ import annotations

import datetime as dt

from crm.models import Contact, Organisation, TimelineEntry, User


def timeline_record(
    *,
    kind: str,
    summary: str,
    contact: Contact | None = None,
    organisation: Organisation | None = None,
    occurred_at: dt.datetime | None = None,
    detail: str = "",
    url: str = "",
    actor: User | None = None,
    source: str = "",
) -> TimelineEntry:
    if contact is None and organisation is None:
        raise ValueError("A timeline entry needs a contact or an organisation.")
    entry = TimelineEntry(
        kind=kind,
        summary=summary[:300],
        contact=contact,
        organisation=organisation,
        detail=detail,
        url=url,
        actor=actor if actor is not None and actor.is_authenticated else None,
        source=source,
    )
    if occurred_at is not None:
        entry.occurred_at = occurred_at
    entry.save()
    return entry


def timeline_record_many(entries: list[TimelineEntry], batch_size: int = 2000) -> None:
    """Bulk form for sends and imports that touch thousands of contacts at once."""
    TimelineEntry.objects.bulk_create(entries, batch_size=batch_size)


def timeline_remove(source: str) -> None:
    """Remove the entries a source wrote (an engagement deleted, say)."""
    TimelineEntry.objects.filter(source=source).delete()

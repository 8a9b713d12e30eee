"""Notes on a contact or an organisation; each one shows on the record's timeline."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from crm.models import AuditEvent, Contact, Note, Organisation, TimelineEntry, User
from crm.services.audit import audit_record
from crm.services.timeline import timeline_record, timeline_remove


def _source(note: Note) -> str:
    return f"crm.note:{note.pk}"


def note_add(
    *, actor: User | None, body: str, contact: Contact | None = None, organisation: Organisation | None = None
) -> Note:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Enter the note."})
    if contact is not None and contact.is_erased:
        raise ValidationError("This contact's personal data has been erased; notes cannot be added.")
    note = Note(body=body, contact=contact, organisation=organisation, author=actor)
    note.full_clean()
    with transaction.atomic():
        note.save()
        author = actor.get_full_name() if actor is not None else "someone"
        timeline_record(
            kind=TimelineEntry.Kind.NOTE,
            summary=f"Note from {author}",
            detail=body,
            contact=contact,
            organisation=organisation,
            occurred_at=note.created_at,
            actor=actor,
            source=_source(note),
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target=note,
            target_repr=f"Note on {contact or organisation}",
            changes={"body": body},
        )
    return note


def note_delete(*, actor: User | None, note: Note) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            target=note,
            target_repr=f"Note on {note.contact or note.organisation}",
            changes={"body": note.body},
        )
        timeline_remove(_source(note))
        note.delete()

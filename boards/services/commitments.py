"""Commitments and follow-ups: who promised what, by when."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from boards.models import Board, Commitment, Engagement, Meeting
from crm.models import Contact, LocalArea, TimelineEntry, User
from crm.services.timeline import timeline_record

from ._common import audit_record, audited_update, snapshot


@transaction.atomic
def commitment_create(
    *,
    actor: User | None,
    description: str,
    promised_by: str = Commitment.PromisedBy.US,
    owner: User | None = None,
    due_date: dt.date | None = None,
    engagement: Engagement | None = None,
    board: Board | None = None,
    meeting: Meeting | None = None,
    contact: Contact | None = None,
    area: LocalArea | None = None,
    error_fields: dict[str, str] | None = None,
) -> Commitment:
    """Record a promise. A new one may not be due in the past: that is a mistake, not a plan.

    error_fields renames fields in errors when the promise comes from another form (an engagement's
    "next step"), so each error shows on the field the person filled in."""
    rename = error_fields or {}
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationError({rename.get("due_date", "due_date"): "The due date must be today or in the future."})
    if area is None:
        area = (
            board.area
            if board is not None
            else (meeting.board.area if meeting is not None else (contact.area if contact else None))
        )
    commitment = Commitment(
        description=description.strip(),
        promised_by=promised_by,
        owner=owner,
        due_date=due_date,
        engagement=engagement,
        board=board or (meeting.board if meeting is not None else None),
        meeting=meeting,
        contact=contact,
        area=area,
        created_by=actor,
    )
    try:
        commitment.full_clean()
    except ValidationError as error:
        if rename and hasattr(error, "error_dict"):
            raise ValidationError({rename.get(k, k): v for k, v in error.error_dict.items()}) from error
        raise
    commitment.save()
    audit_record(actor=actor, action="create", target=commitment, changes=snapshot(commitment))
    if contact is not None:
        timeline_record(
            kind=TimelineEntry.Kind.COMMITMENT,
            summary=f"{'We' if promised_by == Commitment.PromisedBy.US else 'They'} promised: {commitment.description}",
            contact=contact,
            url=commitment.get_absolute_url(),
            actor=actor,
            source=f"boards.commitment:{commitment.pk}",
        )
    return commitment


@transaction.atomic
def commitment_update(
    *,
    actor: User | None,
    commitment: Commitment,
    description: str,
    promised_by: str,
    owner: User | None,
    due_date: dt.date | None,
) -> Commitment:
    audited_update(
        actor=actor,
        instance=commitment,
        fields={"description": description.strip(), "promised_by": promised_by, "owner": owner, "due_date": due_date},
    )
    return commitment


@transaction.atomic
def commitment_set_status(*, actor: User | None, commitment: Commitment, status: str) -> Commitment:
    """Mark a commitment done, dropped or open again. Setting the status it already has changes nothing."""
    if commitment.status == status:
        return commitment
    closed_at = None if status == Commitment.Status.OPEN else timezone.now()
    audited_update(actor=actor, instance=commitment, fields={"status": status, "closed_at": closed_at})
    return commitment

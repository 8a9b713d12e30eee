"""Board meetings: the dates leaders plan around, and what was decided."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from boards.models import Board, Meeting
from crm.models import Contact, User

from ._common import audit_record, audited_update, snapshot


def current_member_contacts(board: Board, on: dt.date) -> list[Contact]:
    memberships = board.memberships.filter(Q(end_date__isnull=True) | Q(end_date__gte=on)).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=on)
    )
    return [m.contact for m in memberships.select_related("contact")]


@transaction.atomic
def meeting_create(
    *,
    actor: User | None,
    board: Board,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    venue: str = "",
    online_url: str = "",
    paper_deadline: dt.date | None = None,
    agenda_item: str = "",
    status: str = Meeting.Status.PLANNED,
    minutes_url: str = "",
    decisions: str = "",
    attendees: Iterable[Contact] | None = None,
) -> Meeting:
    """Create a meeting. Without a list of attendees, the board's members on the day are the attendees."""
    meeting = Meeting(
        board=board,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        online_url=online_url,
        paper_deadline=paper_deadline,
        agenda_item=agenda_item,
        status=status,
        minutes_url=minutes_url,
        decisions=decisions,
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    if attendees is None:
        attendees = current_member_contacts(board, timezone.localdate(starts_at))
    meeting.attendees.set(list(attendees))
    audit_record(actor=actor, action="create", target=meeting, changes=snapshot(meeting))
    return meeting


@transaction.atomic
def meeting_update(
    *, actor: User | None, meeting: Meeting, attendees: Iterable[Contact] | None = None, **fields: Any
) -> Meeting:
    changes = audited_update(actor=actor, instance=meeting, fields=fields)
    if attendees is not None:
        before = set(meeting.attendees.values_list("pk", flat=True))
        wanted = list(attendees)
        meeting.attendees.set(wanted)
        after = {c.pk for c in wanted}
        if before != after and not changes:
            audit_record(
                actor=actor, action="update", target=meeting, changes={"attendees": [sorted(before), sorted(after)]}
            )
    return meeting


@transaction.atomic
def meeting_delete(*, actor: User | None, meeting: Meeting) -> None:
    audit_record(actor=actor, action="delete", target=meeting, changes=snapshot(meeting))
    meeting.delete()

"""The engagement log: what leaders did, with whom, and what comes next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from boards.models import Board, Commitment, Engagement
from crm.models import Contact, Organisation, TimelineEntry, User
from crm.services.timeline import timeline_record, timeline_remove

from ._common import audit_record, snapshot
from .commitments import commitment_create


def _source(engagement: Engagement) -> str:
    return f"boards.engagement:{engagement.pk}"


def _validate(engagement: Engagement) -> None:
    if engagement.board_id is None and engagement.organisation_id is None:
        raise ValidationError({"board": "Choose the board or the organisation you engaged with (or both)."})
    engagement.full_clean()


def _write_timeline(engagement: Engagement, actor: User | None) -> None:
    """Put the engagement on the timeline of every organisation and contact involved, replacing what
    an earlier version of it wrote there."""
    source = _source(engagement)
    timeline_remove(source)
    where = engagement.board.name if engagement.board else ""
    summary = f"{engagement.get_kind_display()}{f' – {where}' if where else ''}"
    detail = engagement.summary
    if engagement.outcome:
        detail += f"\n\nOutcome: {engagement.outcome}"
    common: dict[str, Any] = {
        "kind": TimelineEntry.Kind.ENGAGEMENT,
        "summary": summary,
        "detail": detail,
        "url": engagement.get_absolute_url(),
        "actor": actor,
        "source": source,
        "occurred_at": timezone.make_aware(dt.datetime.combine(engagement.date, dt.time(12))),
    }
    organisations: dict[int, Organisation] = {}
    if engagement.organisation is not None:
        organisations[engagement.organisation.pk] = engagement.organisation
    for organisation in organisations.values():
        timeline_record(organisation=organisation, **common)
    for contact in engagement.contacts.all():
        timeline_record(contact=contact, **common)


def _area_of(board: Board | None, organisation: Organisation | None) -> Any:
    if board is not None:
        return board.area
    return organisation.area if organisation is not None else None


@transaction.atomic
def engagement_create(
    *,
    actor: User | None,
    kind: str,
    date: dt.date,
    summary: str,
    board: Board | None = None,
    organisation: Organisation | None = None,
    contacts: Iterable[Contact] = (),
    leaders: Iterable[User] = (),
    our_ask: str = "",
    outcome: str = "",
    sentiment: str = Engagement._meta.get_field("sentiment").default,
    next_step: str = "",
    next_step_owner: User | None = None,
    next_step_due: dt.date | None = None,
) -> Engagement:
    """Log an engagement. A next step becomes an open follow-up (a Commitment) owned by someone."""
    engagement = Engagement(
        kind=kind,
        date=date,
        board=board,
        organisation=organisation,
        area=_area_of(board, organisation),
        summary=summary,
        our_ask=our_ask,
        outcome=outcome,
        sentiment=sentiment,
        created_by=actor,
    )
    _validate(engagement)
    engagement.save()
    engagement.contacts.set(list(contacts))
    engagement.leaders.set(list(leaders))
    audit_record(actor=actor, action="create", target=engagement, changes=snapshot(engagement))
    _write_timeline(engagement, actor)
    if next_step.strip():
        commitment_create(
            actor=actor,
            description=next_step.strip(),
            promised_by=Commitment.PromisedBy.US,
            owner=next_step_owner or actor,
            due_date=next_step_due,
            engagement=engagement,
            board=board,
            area=engagement.area,
            # The engagement form's names for the follow-up's fields.
            error_fields={"due_date": "next_step_due", "description": "next_step", "owner": "next_step_owner"},
        )
    return engagement


@transaction.atomic
def engagement_update(
    *,
    actor: User | None,
    engagement: Engagement,
    contacts: Iterable[Contact] | None = None,
    leaders: Iterable[User] | None = None,
    **fields: Any,
) -> Engagement:
    before = snapshot(engagement)
    before_people = (
        sorted(engagement.contacts.values_list("pk", flat=True)),
        sorted(engagement.leaders.values_list("pk", flat=True)),
    )
    for name, value in fields.items():
        setattr(engagement, name, value)
    engagement.area = _area_of(engagement.board, engagement.organisation)
    _validate(engagement)
    engagement.save()
    if contacts is not None:
        engagement.contacts.set(list(contacts))
    if leaders is not None:
        engagement.leaders.set(list(leaders))
    after = snapshot(engagement)
    changes = {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
    after_people = (
        sorted(engagement.contacts.values_list("pk", flat=True)),
        sorted(engagement.leaders.values_list("pk", flat=True)),
    )
    if before_people[0] != after_people[0]:
        changes["contacts"] = [before_people[0], after_people[0]]
    if before_people[1] != after_people[1]:
        changes["leaders"] = [before_people[1], after_people[1]]
    if changes:
        audit_record(actor=actor, action="update", target=engagement, changes=changes)
    _write_timeline(engagement, actor)
    return engagement


@transaction.atomic
def engagement_delete(*, actor: User | None, engagement: Engagement) -> None:
    from boards.models import StageChange

    if StageChange.objects.filter(evidence_engagement=engagement).exists():
        raise ValidationError(
            "This engagement is the evidence for a move on the priority ladder, so it cannot be deleted. "
            "Edit it instead."
        )
    timeline_remove(_source(engagement))
    audit_record(actor=actor, action="delete", target=engagement, changes=snapshot(engagement))
    engagement.delete()

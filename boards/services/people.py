"""Champions and stakeholder mapping: the people who carry the work in an area, and how much they count."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from boards.models import Champion, Engagement, StakeholderAssessment
from crm.models import Contact, LocalArea, Organisation, TimelineEntry, User
from crm.services.timeline import timeline_record

from ._common import audit_record, audited_update, snapshot


def _champion_timeline(champion: Champion, actor: User | None, summary: str) -> None:
    timeline_record(
        kind=TimelineEntry.Kind.CHAMPION,
        summary=summary,
        detail=champion.contributions,
        contact=champion.contact,
        url=champion.get_absolute_url(),
        actor=actor,
        source=f"boards.champion:{champion.pk}",
    )


@transaction.atomic
def champion_create(
    *,
    actor: User | None,
    contact: Contact,
    area: LocalArea,
    stage: str = Champion.Stage.IDENTIFIED,
    contributions: str = "",
    engagements: Iterable[Engagement] = (),
) -> Champion:
    champion = Champion(contact=contact, area=area, stage=stage, contributions=contributions, created_by=actor)
    try:
        champion.full_clean()
    except ValidationError as error:
        if "__all__" in getattr(error, "error_dict", {}):
            raise ValidationError({"contact": f"{contact} is already a champion in {area}."}) from error
        raise
    champion.save()
    champion.engagements.set(list(engagements))
    audit_record(actor=actor, action="create", target=champion, changes=snapshot(champion))
    _champion_timeline(champion, actor, f"Champion in {area}: {champion.get_stage_display()}")
    return champion


@transaction.atomic
def champion_update(
    *,
    actor: User | None,
    champion: Champion,
    stage: str,
    contributions: str,
    engagements: Iterable[Engagement] | None = None,
) -> Champion:
    old_stage = champion.stage
    audited_update(actor=actor, instance=champion, fields={"stage": stage, "contributions": contributions})
    if engagements is not None:
        champion.engagements.set(list(engagements))
    if old_stage != stage:
        _champion_timeline(
            champion,
            actor,
            f"Champion in {champion.area}: {Champion.Stage(old_stage).label} → {champion.get_stage_display()}",
        )
    return champion


@transaction.atomic
def assessment_record(
    *,
    actor: User | None,
    influence: int,
    interest: int,
    contact: Contact | None = None,
    organisation: Organisation | None = None,
    note: str = "",
) -> StakeholderAssessment:
    """Record how much influence and interest a contact or organisation has now. Earlier ones are kept."""
    if (contact is None) == (organisation is None):
        raise ValueError("An assessment is of exactly one contact or one organisation.")
    assessment = StakeholderAssessment(
        contact=contact,
        organisation=organisation,
        influence=influence,
        interest=interest,
        note=note,
        assessed_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, action="create", target=assessment, changes=snapshot(assessment))
    return assessment

"""Campaigns and their goals."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.models import Campaign, Goal
from crm.models import AuditEvent, User
from crm.services.audit import audit_record, diff, snapshot

CAMPAIGN_FIELDS = (
    "name",
    "slug",
    "aim",
    "starts_on",
    "ends_on",
    "owner",
    "status",
    "from_name",
    "from_email",
    "reply_to",
    "pledge_page_enabled",
    "pledge_intro",
    "pledge_consent_wording",
)


def _check(campaign: Campaign) -> None:
    if campaign.pledge_page_enabled and not campaign.pledge_consent_wording.strip():
        raise ValidationError(
            {"pledge_consent_wording": "Write the consent wording people agree to on the pledge page."}
        )
    campaign.full_clean()


@transaction.atomic
def campaign_create(
    *,
    name: str,
    slug: str,
    aim: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    owner: User | None,
    from_name: str,
    from_email: str,
    reply_to: str = "",
    status: str = Campaign.Status.DRAFT,
    pledge_page_enabled: bool = False,
    pledge_intro: str = "",
    pledge_consent_wording: str | None = None,
    actor: User,
) -> Campaign:
    campaign = Campaign(
        name=name.strip(),
        slug=slug,
        aim=aim,
        starts_on=starts_on,
        ends_on=ends_on,
        owner=owner,
        from_name=from_name,
        from_email=from_email.strip().lower(),
        reply_to=reply_to.strip().lower(),
        status=status,
        pledge_page_enabled=pledge_page_enabled,
        pledge_intro=pledge_intro,
        created_by=actor,
    )
    if pledge_consent_wording is not None:
        campaign.pledge_consent_wording = pledge_consent_wording
    _check(campaign)
    campaign.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=campaign, changes=snapshot(campaign))
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: User, **values: object) -> Campaign:
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Not campaign fields: {', '.join(sorted(unknown))}")
    before = snapshot(campaign)
    for name, value in values.items():
        setattr(campaign, name, value)
    _check(campaign)
    campaign.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=campaign, changes=diff(before, snapshot(campaign))
    )
    return campaign


def goal_add(
    *, campaign: Campaign, measure: str, target: int, practitioner_group: str = "", region: str = "", actor: User
) -> Goal:
    goal = Goal(
        campaign=campaign,
        measure=measure,
        target=target,
        practitioner_group=practitioner_group,
        region=region,
        position=campaign.goals.count(),
    )
    goal.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            goal.save()
            audit_record(
                actor=actor, action=AuditEvent.Action.CREATE, target=campaign, changes={"goal_added": goal.label}
            )
    except IntegrityError as error:
        raise ValidationError("This campaign already has a goal for that measure and audience.") from error
    return goal


@transaction.atomic
def goal_remove(*, goal: Goal, actor: User) -> None:
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=goal.campaign, changes={"goal_removed": goal.label}
    )
    goal.delete()

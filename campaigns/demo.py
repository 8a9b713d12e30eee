"""Demo data for campaigns: a #LostParents campaign with goals, two segments, a finished send with
deliveries and responses, and a draft send. Idempotent: found by its slug, it is left alone.

No email is sent: the finished send's deliveries are recorded as sent in the past."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, Delivery, Goal, ResponseKind, Send
from campaigns.services import campaigns as campaign_services
from campaigns.services import messages as message_services
from campaigns.services import segments as segment_services
from campaigns.services import sending
from campaigns.services.responses import response_record
from crm.models import PractitionerGroup, Region, User

SLUG = "lost-parents"

HTML = """<p>Dear {{ first_name|default:"colleague" }},</p>
<p>Every year thousands of children lose touch with a parent after separation. Child contact centres
give them a safe, neutral place to keep that relationship going.</p>
<p>As someone working in {{ practitioner_group }} in {{ area|default:"your area" }}, you are often the
first to notice. Please pledge to tell families about their local contact centre:</p>
<p><a href="{{ pledge_url }}">Pledge your support for #LostParents</a></p>
<p>Thank you,<br>The Common Ground campaigns team</p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe from these emails</a></p>
"""

TEXT = """Dear {{ first_name|default:"colleague" }},

Every year thousands of children lose touch with a parent after separation. Child contact centres give
them a safe, neutral place to keep that relationship going.

As someone working in {{ practitioner_group }} in {{ area|default:"your area" }}, you are often the first
to notice. Please pledge to tell families about their local contact centre:

{{ pledge_url }}

Thank you,
The Common Ground campaigns team

Unsubscribe: {{ unsubscribe_url }}
"""


def seed(command: Any, options: dict) -> None:
    if Campaign.objects.filter(slug=SLUG).exists():
        command.stdout.write("Campaigns: the #LostParents demo campaign is already there.")
        return
    staff = User.objects.filter(email="campaigns@example.org").first() or User.objects.order_by("pk").first()
    if staff is None:
        return
    today = timezone.localdate()
    with transaction.atomic():
        campaign = campaign_services.campaign_create(
            name="#LostParents",
            slug=SLUG,
            aim="Tell midwives, health visitors, GPs, teachers, police and housing officers how child contact "
            "centres help children keep in touch with a parent.",
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=60),
            owner=staff,
            status=Campaign.Status.ACTIVE,
            from_name="Common Ground campaigns",
            from_email="campaigns@common-ground.example",
            reply_to="hello@common-ground.example",
            pledge_page_enabled=True,
            pledge_intro="Children should not lose a parent because their parents separate. Pledge to tell the "
            "families you work with about their local child contact centre.",
            actor=staff,
        )
        for measure, target, group, region in [
            (Goal.Measure.REACHED, 2000, PractitionerGroup.HEALTH_VISITING, Region.NORTH_WEST),
            (Goal.Measure.REACHED, 5000, "", ""),
            (Goal.Measure.PLEDGED, 300, "", ""),
            (Goal.Measure.MATERIALS, 100, "", ""),
        ]:
            campaign_services.goal_add(
                campaign=campaign, measure=measure, target=target, practitioner_group=group, region=region, actor=staff
            )
        health = segment_services.segment_create(
            name="Health visitors and midwives",
            description="Frontline health practitioners who meet families early.",
            campaign=campaign,
            definition={"practitioner_groups": [PractitionerGroup.HEALTH_VISITING, PractitionerGroup.MIDWIFERY]},
            actor=staff,
        )
        segment_services.segment_create(
            name="North West: everyone not yet emailed",
            description="For the second wave.",
            campaign=campaign,
            definition={"regions": [Region.NORTH_WEST], "not_received_campaigns": [campaign.pk]},
            actor=staff,
        )
        first = message_services.message_create(
            campaign=campaign,
            name="First email: why contact centres matter",
            subject='{{ first_name|default:"Colleague" }}, help children keep in touch with both parents',
            html_body=HTML,
            text_body=TEXT,
            actor=staff,
        )
        reminder = message_services.message_create(
            campaign=campaign,
            name="Reminder",
            subject="A reminder about #LostParents",
            html_body=HTML,
            text_body=TEXT,
            actor=staff,
        )
        finished = sending.send_create(
            campaign=campaign, message=first, segment=health, scheduled_for=None, rate_per_second=None, actor=staff
        )
        sending.send_begin(send_id=finished.pk, actor=staff)
        _pretend_sent(finished, days_ago=14)
        sending.send_create(
            campaign=campaign, message=reminder, segment=health, scheduled_for=None, rate_per_second=None, actor=staff
        )
        _responses(campaign, finished, staff)
    command.stdout.write("Campaigns: #LostParents with goals, segments, a finished send and a draft.")


def _pretend_sent(send: Send, *, days_ago: int) -> None:
    """Record the frozen deliveries as sent in the past, a few failed and bounced, as a real send leaves them."""
    started = timezone.now() - dt.timedelta(days=days_ago)
    ids = list(Delivery.objects.filter(send=send).order_by("pk").values_list("pk", flat=True))
    failed = set(ids[7::53])
    bounced = set(ids[11::71])
    sent = [i for i in ids if i not in failed and i not in bounced]
    Delivery.objects.filter(pk__in=sent).update(status=Delivery.Status.SENT, sent_at=started, attempts=1)
    Delivery.objects.filter(pk__in=failed).update(
        status=Delivery.Status.FAILED, failed_at=started, attempts=1, error="554 5.7.1 Message rejected (demo)"
    )
    Delivery.objects.filter(pk__in=bounced).update(
        status=Delivery.Status.BOUNCED, failed_at=started, attempts=1, error="550 5.1.1 No such user (demo)"
    )
    Send.objects.filter(pk=send.pk).update(started_at=started)
    sending.send_finish_if_done(send_id=send.pk)
    Send.objects.filter(pk=send.pk).update(finished_at=started + dt.timedelta(hours=1))


def _responses(campaign: Campaign, send: Send, staff: User) -> None:
    reached = list(
        Delivery.objects.filter(send=send, status=Delivery.Status.SENT).select_related("contact").order_by("pk")[:400]
    )
    kinds = [ResponseKind.PLEDGED, ResponseKind.MATERIALS, ResponseKind.REPLIED, ResponseKind.SHARED]
    day = timezone.localdate() - dt.timedelta(days=10)
    for index, delivery in enumerate(reached[::4]):
        if delivery.contact is None:
            continue
        response_record(
            campaign=campaign,
            contact=delivery.contact,
            kind=kinds[index % len(kinds)],
            occurred_on=day + dt.timedelta(days=index % 7),
            notes="Demo response.",
            actor=staff,
        )

"""Reminder preferences and the daily digest.

Exactly once: a digest is unique per (user, London day) and every item in it is unique in the ledger per
(user, kind, item, occasion), both created in one transaction before any email goes. Sending claims the
digest with a conditional update (pending or failed -> sending, with a token), so two workers, two beat
processes or a redelivered task cannot both send it; "sent" is recorded after the SMTP server accepts.
A claim left by a worker that died is taken again after REMINDER_STALE_CLAIM_MINUTES."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from boards.models import COLD_AFTER_DAYS, WorkPreference
from boards.services import preference_update
from crm.models import User
from crm.services.audit import audit_record, diff, snapshot

from .. import selectors
from ..models import Reminder, ReminderDigest, ReminderPreference
from . import emails

logger = logging.getLogger(__name__)

PREFERENCE_FIELDS = [
    "follow_ups",
    "follow_up_lead_days",
    "meetings",
    "meeting_lead_days",
    "paper_deadlines",
    "paper_lead_days",
    "gone_cold",
    "digest_time",
    "weekly_report",
]


def reminder_preference_update(*, user: User, cold_after_days: int | None = None, **fields: Any) -> ReminderPreference:
    """Save the user's own reminder settings. The cold-after number is My work's, so both agree."""
    unknown = set(fields) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown reminder preference(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        preference = ReminderPreference.objects.select_for_update().filter(user=user).first()
        created = preference is None
        preference = preference or ReminderPreference(user=user)
        before = {} if created else snapshot(preference, PREFERENCE_FIELDS)
        for name, value in fields.items():
            setattr(preference, name, value)
        preference.full_clean()
        preference.save()
        changes = diff(before, snapshot(preference, PREFERENCE_FIELDS))
        if changes:
            audit_record(actor=user, action="create" if created else "update", target=preference, changes=changes)
        if cold_after_days is not None and cold_after_days != cold_after_days_of(user=user):
            preference_update(user=user, cold_after_days=cold_after_days)
    return preference


def cold_after_days_of(*, user: User) -> int:
    found = WorkPreference.objects.filter(user=user).values_list("cold_after_days", flat=True).first()
    return found or COLD_AFTER_DAYS


def digests_due(*, now: dt.datetime | None = None) -> tuple[dt.date, list[int]]:
    """The London day and the users to queue a digest for (the beat job's question, asked in one query)."""
    return selectors.users_due_a_digest(now=now)


def digest_prepare(*, user_id: int, local_date: dt.date, now: dt.datetime | None = None) -> ReminderDigest | None:
    """The user's digest for the day, created with its items claimed in the ledger if it does not exist."""
    existing = ReminderDigest.objects.filter(user_id=user_id, local_date=local_date).first()
    if existing is not None:
        return existing
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    items = selectors.reminder_items_for(user=user, now=now)
    try:
        with transaction.atomic():
            digest = ReminderDigest.objects.create(user=user, local_date=local_date)
            # An item already in the ledger for this occasion (an earlier day's digest) is skipped here.
            Reminder.objects.bulk_create(
                [
                    Reminder(
                        user=user,
                        digest=digest,
                        kind=item.kind,
                        item_id=item.item_id,
                        occasion=item.occasion,
                        title=item.title[:300],
                        detail=item.detail[:300],
                        url=item.url[:300],
                    )
                    for item in items.all
                ],
                ignore_conflicts=True,
            )
            digest.item_count = digest.reminders.count()
            if digest.item_count == 0:
                digest.status = ReminderDigest.Status.EMPTY
            digest.save(update_fields=["item_count", "status"])
    except IntegrityError:
        # Another worker made today's digest between our look and our insert: use theirs.
        return ReminderDigest.objects.filter(user_id=user_id, local_date=local_date).first()
    return digest


def _claim(digest_id: int, token: uuid.UUID, now: dt.datetime) -> bool:
    stale = now - dt.timedelta(minutes=settings.REMINDER_STALE_CLAIM_MINUTES)
    sendable = Q(status__in=[ReminderDigest.Status.PENDING, ReminderDigest.Status.FAILED]) | Q(
        status=ReminderDigest.Status.SENDING, claimed_at__lt=stale
    )
    return bool(
        ReminderDigest.objects.filter(sendable, pk=digest_id).update(
            status=ReminderDigest.Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def digest_email(*, digest: ReminderDigest) -> emails.InlineImagesEmail:
    sections = selectors.digest_reminders(digest=digest)
    context = {
        "digest": digest,
        "user": digest.user,
        "sections": [(selectors.SECTION_TITLES[key], items) for key, items in sections.items()],
        "preferences_url": settings.SITE_URL.rstrip("/") + reverse("reporting:reminder_settings"),
        "my_work_url": settings.SITE_URL.rstrip("/") + reverse("boards:my_work"),
    }
    count = digest.item_count
    return emails.compose(
        subject=f"Your reminders for {digest.local_date.day} {digest.local_date:%B}: "
        f"{count} item{'s' if count != 1 else ''}",
        to=digest.user.email,
        text=render_to_string("reporting/email/digest.txt", context),
        html=render_to_string("reporting/email/digest.html", context),
    )


def digest_send(*, digest_id: int, now: dt.datetime | None = None) -> str:
    """Send one digest if nobody else has; returns its status afterwards. Raises on a mail failure
    (the digest is marked failed first) so the task retries it."""
    from django.core.mail import mailers

    now = now or timezone.now()
    token = uuid.uuid4()
    if not _claim(digest_id, token, now):
        return ReminderDigest.objects.filter(pk=digest_id).values_list("status", flat=True).first() or ""
    digest = selectors.digest_get(pk=digest_id)
    try:
        mailers.default.send_messages([digest_email(digest=digest)])
    except Exception as error:
        ReminderDigest.objects.filter(pk=digest_id, claim_token=token).update(
            status=ReminderDigest.Status.FAILED, error=str(error)[:500]
        )
        logger.warning("Digest %s for user %s failed: %s", digest_id, digest.user_id, error)
        raise
    ReminderDigest.objects.filter(pk=digest_id, claim_token=token).update(
        status=ReminderDigest.Status.SENT, sent_at=timezone.now(), error=""
    )
    return ReminderDigest.Status.SENT


def digest_deliver(*, user_id: int, local_date: dt.date, now: dt.datetime | None = None) -> str:
    """Prepare the user's digest for the day (once) and send it (once)."""
    digest = digest_prepare(user_id=user_id, local_date=local_date, now=now)
    if digest is None:
        return ""
    if digest.status in (ReminderDigest.Status.SENT, ReminderDigest.Status.EMPTY):
        return digest.status
    return digest_send(digest_id=digest.pk, now=now)

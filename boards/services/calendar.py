"""Each user's secret calendar feed address and their My work preferences."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from boards.models import CalendarFeed, WorkPreference
from crm.models import User

from ._common import audit_record


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> str:
    """Make a new secret feed address for the user, which stops the old one working. Returns the token,
    which is shown once: only its hash is stored."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": feed_token_hash(token), "created_at": timezone.now(), "last_used_at": None}
    )
    audit_record(actor=user, action="update", target=user, changes={"calendar feed": ["", "new address made"]})
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="update", target=user, changes={"calendar feed": ["on", "switched off"]})


def calendar_feed_touch(*, feed: CalendarFeed) -> None:
    # Calendar apps poll every few minutes; record use at most hourly so the feed stays a cheap read.
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 3600:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)


@transaction.atomic
def preference_update(*, user: User, cold_after_days: int) -> WorkPreference:
    preference, _ = WorkPreference.objects.get_or_create(user=user)
    preference.cold_after_days = cold_after_days
    preference.full_clean()
    preference.save()
    return preference

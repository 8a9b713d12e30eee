"""Writes for personal API tokens: make one (the secret is returned once), revoke it, note its use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.models import AuditEvent, User
from crm.services.audit import audit_record

from .models import DISPLAY_LENGTH, ApiToken, hash_token, new_secret

# Writing last_used_at on every request would turn every read into a write; once a minute is enough
# for a person checking whether an integration still runs.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str


def token_create(*, user: User, name: str) -> NewToken:
    """Make a token for `user`. The secret in the result is the only copy there will ever be."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for the token, so you can tell it from your others."})
    if ApiToken.objects.filter(user=user, name__iexact=name, revoked_at__isnull=True).exists():
        raise ValidationError({"name": f"You already have a token called “{name}”. Choose another name."})
    secret = new_secret()
    token = ApiToken(user=user, name=name, prefix=secret[:DISPLAY_LENGTH], token_hash=hash_token(secret))
    token.full_clean()
    with transaction.atomic():
        token.save()
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=token,
            changes={"name": token.name, "prefix": token.prefix},
        )
    return NewToken(token=token, secret=secret)


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke at once: the next request with it is refused. Revoking twice changes nothing."""
    if token.user_id != actor.pk:
        raise ValidationError("You can only revoke your own tokens.")
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            audit_record(actor=actor, action=AuditEvent.Action.DELETE, target=token, changes={"revoked": token.name})
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_touch(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record that the token was used, at most once a minute (a conditional UPDATE, so two requests
    at once write once)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now

"""Reads for personal API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from crm.models import User

from .models import ApiToken, hash_token


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-id")


def token_for_secret(*, secret: str) -> ApiToken | None:
    """The live token with this secret, with its user, or None. Looked up by hash, never by secret."""
    return (
        ApiToken.objects.select_related("user").filter(token_hash=hash_token(secret), revoked_at__isnull=True).first()
    )

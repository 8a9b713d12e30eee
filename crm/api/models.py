"""Personal API tokens. The secret is shown once when the token is made and never stored: only its
SHA-256 hash is kept, so a copy of the database does not hand out working tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone

TOKEN_PREFIX = "cg_"  # noqa: S105 - a marker that makes a leaked token easy to spot, not a secret
# What the token list shows, so a user can tell their tokens apart without the secret.
DISPLAY_LENGTH = 12


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"


class ApiToken(models.Model):
    """A named token a user makes for one integration; it can do what its user's role allows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, for example “Council case system”.")
    prefix = models.CharField("starts with", max_length=DISPLAY_LENGTH)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField("last used", null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A SHA-256 hex digest, never a secret stored by mistake.
            models.CheckConstraint(condition=Exact(Length("token_hash"), 64), name="api_token_hash_is_sha256"),
            # Two live tokens of one person with one name would be impossible to tell apart on the list.
            models.UniqueConstraint(
                fields=["user", "name"], condition=models.Q(revoked_at__isnull=True), name="api_token_live_name_unique"
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

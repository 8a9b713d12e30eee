"""Links to registry pages that may not exist in every build (the registry screens ship separately)."""

from __future__ import annotations

from django.db import models
from django.urls import NoReverseMatch


def url_of(obj: models.Model | None) -> str:
    """The record's page, or "" when it has none yet, so a page shows the name without a broken link."""
    if obj is None:
        return ""
    try:
        return obj.get_absolute_url()
    except (NoReverseMatch, AttributeError):
        return ""

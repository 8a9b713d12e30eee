"""Links to registry pages that may not exist in every build (the registry screens ship separately)."""

from __future__ import annotations

from django.db import models
from django.urls import NoReverseMatch

from crm.typing import absolute_url


def url_of(obj: models.Model | None) -> str:
    """The record's page, or "" when it has none yet, so a page shows the name without a broken link."""
    if obj is None:
        return ""
    try:
        return absolute_url(obj)
    except (NoReverseMatch, AttributeError):
        return ""

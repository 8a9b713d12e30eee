"""Tags: free labels on contacts and organisations, matched without regard to case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from crm.models import Tag


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    """The tags with these names, creating any that do not exist yet ("Pilot" finds "pilot")."""
    wanted: dict[str, str] = {}
    max_length = cast(int, Tag._meta.get_field("name").max_length)  # a CharField always has one
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > max_length:
            raise ValidationError(f"The tag “{name[:20]}…” is too long: keep tags to 80 characters.")
        wanted.setdefault(name.lower(), name)
    if not wanted:
        return []
    found: dict[str, Tag] = {
        t.name.lower(): t for t in Tag.objects.annotate(lname=Lower("name")).filter(lname__in=list(wanted))
    }
    for key, name in wanted.items():
        if key in found:
            continue
        try:
            with transaction.atomic():
                found[key] = Tag.objects.create(name=name)
        except IntegrityError:
            # Someone else created it a moment ago.
            found[key] = Tag.objects.annotate(lname=Lower("name")).get(lname=key)
    return [found[k] for k in wanted]


def split_tag_names(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]

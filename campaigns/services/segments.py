"""Segments: saved filters over contacts. The definition is JSON, validated here before it is stored,
so the selector that evaluates it (campaigns.selectors.segment_contacts) can trust its shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.models import Campaign, ResponseKind, Segment
from crm.models import AuditEvent, LocalArea, Organisation, PractitionerGroup, Region, Tag, User
from crm.services.audit import audit_record, diff, snapshot

ENGAGED_CHOICES = ("", "yes", "no")
EMPTY_DEFINITION: dict[str, Any] = {
    "practitioner_groups": [],
    "regions": [],
    "areas": [],
    "organisation_kinds": [],
    "tags": [],
    "engaged": "",
    "engaged_since": "",
    "responded": [],
    "received_campaigns": [],
    "not_received_campaigns": [],
}


def _choices(raw: Any, key: str, allowed: set[str], errors: dict[str, list[str]]) -> list[str]:
    values = raw.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        errors.setdefault(key, []).append("Must be a list of choices.")
        return []
    unknown = sorted(set(values) - allowed)
    if unknown:
        errors.setdefault(key, []).append(f"Unknown choice: {', '.join(unknown)}.")
    return sorted(set(values) & allowed)


def _ids(raw: Any, key: str, model: Any, errors: dict[str, list[str]]) -> list[int]:
    values = raw.get(key) or []
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        errors.setdefault(key, []).append("Must be a list of record numbers.")
        return []
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing := [i for i in ids if i not in found]:
        errors.setdefault(key, []).append(f"No longer exists: {', '.join(map(str, missing))}.")
    return [i for i in ids if i in found]


def segment_definition_clean(raw: Any) -> dict[str, Any]:
    """A normalised definition, or ValidationError naming each bad key."""
    if not isinstance(raw, dict):
        raise ValidationError({"definition": "A segment definition must be an object."})
    errors: dict[str, list[str]] = {}
    unknown_keys = sorted(set(raw) - set(EMPTY_DEFINITION))
    if unknown_keys:
        errors["definition"] = [f"Unknown filter: {', '.join(unknown_keys)}."]
    clean: dict[str, Any] = {
        "practitioner_groups": _choices(raw, "practitioner_groups", set(PractitionerGroup.values), errors),
        "regions": _choices(raw, "regions", set(Region.values), errors),
        "areas": _ids(raw, "areas", LocalArea, errors),
        "organisation_kinds": _choices(raw, "organisation_kinds", set(Organisation.Kind.values), errors),
        "tags": _ids(raw, "tags", Tag, errors),
        "engaged": raw.get("engaged") or "",
        "engaged_since": raw.get("engaged_since") or "",
        "responded": _choices(raw, "responded", set(ResponseKind.values), errors),
        "received_campaigns": _ids(raw, "received_campaigns", Campaign, errors),
        "not_received_campaigns": _ids(raw, "not_received_campaigns", Campaign, errors),
    }
    if clean["engaged"] not in ENGAGED_CHOICES:
        errors.setdefault("engaged", []).append("Choose engaged, not engaged or either.")
    if clean["engaged_since"]:
        try:
            dt.date.fromisoformat(str(clean["engaged_since"]))
        except ValueError:
            errors.setdefault("engaged_since", []).append("Enter a real date, like 22 11 2026.")
        if clean["engaged"] == "":
            clean["engaged"] = "yes"
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def segment_create(
    *, name: str, description: str = "", campaign: Campaign | None, definition: dict[str, Any], actor: User
) -> Segment:
    segment = Segment(
        name=name.strip(),
        description=description,
        campaign=campaign,
        definition=segment_definition_clean(definition),
        created_by=actor,
    )
    segment.full_clean()
    segment.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=segment, changes=snapshot(segment))
    return segment


@transaction.atomic
def segment_update(
    *, segment: Segment, name: str, description: str, campaign: Campaign | None, definition: dict[str, Any], actor: User
) -> Segment:
    before = snapshot(segment)
    segment.name = name.strip()
    segment.description = description
    segment.campaign = campaign
    segment.definition = segment_definition_clean(definition)
    segment.full_clean()
    segment.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=segment, changes=diff(before, snapshot(segment)))
    return segment

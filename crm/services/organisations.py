"""Writes for organisations: create, update, delete, each audited and shown on the timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction

from crm.models import AuditEvent, LocalArea, Organisation, Tag, TimelineEntry, User
from crm.services.audit import audit_record, diff, snapshot
from crm.services.timeline import timeline_record

ORGANISATION_FIELDS = ["name", "kind", "area", "parent", "address", "postcode", "website", "phone", "email", "notes"]


def normalise_postcode(postcode: str) -> str:
    """ "sw1a1aa" -> "SW1A 1AA": the inward code is always the last three characters."""
    compact = "".join((postcode or "").split()).upper()
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def _check_parent(organisation: Organisation, parent: Organisation | None) -> None:
    seen = set()
    node = parent
    while node is not None:
        if organisation.pk is not None and node.pk == organisation.pk:
            raise ValidationError({"parent": "An organisation cannot be part of itself or of one of its own parts."})
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


def _tag_names(tags: Iterable[Tag]) -> list[str]:
    return sorted(t.name for t in tags)


def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str = Organisation.Kind.OTHER,
    area: LocalArea | None = None,
    parent: Organisation | None = None,
    address: str = "",
    postcode: str = "",
    website: str = "",
    phone: str = "",
    email: str = "",
    notes: str = "",
    tags: Iterable[Tag] = (),
) -> Organisation:
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        area=area,
        parent=parent,
        address=address.strip(),
        postcode=normalise_postcode(postcode),
        website=website.strip(),
        phone=phone.strip(),
        email=email.strip().lower(),
        notes=notes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    organisation.full_clean()
    tags = list(tags)
    with transaction.atomic():
        organisation.save()
        organisation.tags.set(tags)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target=organisation,
            changes={**snapshot(organisation, ORGANISATION_FIELDS), "tags": _tag_names(tags)},
        )
        timeline_record(
            kind=TimelineEntry.Kind.CHANGE, summary="Added to Common Ground", organisation=organisation, actor=actor
        )
    return organisation


def organisation_update(
    *, actor: User | None, organisation: Organisation, tags: Iterable[Tag] | None = None, **fields: Any
) -> Organisation:
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"organisation_update() cannot change {', '.join(sorted(unknown))}")
    before = snapshot(organisation, ORGANISATION_FIELDS)
    tags_before = _tag_names(organisation.tags.all())
    if "postcode" in fields:
        fields["postcode"] = normalise_postcode(fields["postcode"])
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
    if "parent" in fields:
        _check_parent(organisation, fields["parent"])
    for key, value in fields.items():
        setattr(organisation, key, value)
    organisation.full_clean()
    changes = diff(before, snapshot(organisation, ORGANISATION_FIELDS))
    with transaction.atomic():
        organisation.save()
        if tags is not None:
            tags = list(tags)
            organisation.tags.set(tags)
            if _tag_names(tags) != tags_before:
                changes["tags"] = [tags_before, _tag_names(tags)]
        if changes:
            audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=organisation, changes=changes)
            labels = [
                cast(models.Field, Organisation._meta.get_field(k)).verbose_name if k != "tags" else "tags"
                for k in changes
            ]
            timeline_record(
                kind=TimelineEntry.Kind.CHANGE,
                summary=f"Details updated: {', '.join(str(label) for label in labels)}",
                organisation=organisation,
                actor=actor,
            )
    return organisation


def organisation_delete(*, actor: User | None, organisation: Organisation) -> None:
    """Delete an organisation. Its affiliations go with it (the contacts stay); its parts lose their parent."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            target=organisation,
            changes={
                **snapshot(organisation, ORGANISATION_FIELDS),
                "affiliations": organisation.affiliations.count(),
            },
        )
        organisation.delete()

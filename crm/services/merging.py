"""Merging two contacts into one without losing any history.

Every row anywhere that points at the merged-away contact is moved to the survivor. The relations are
found from Contact's own metadata, so a model added later in any app (boards, campaigns, ...) is
covered without editing this file.

The rule when a row cannot move because the survivor already has its twin (a unique constraint, such
as one delivery per send per contact, or the same tag twice): the survivor's row is kept, the merged
contact's row is deleted, and a copy of it is kept in the ContactMerge snapshot under "dropped_rows".

Consent and objections follow the person, not the field choice: the stronger lawful basis is kept
(consent over legitimate interests over none; between two consents, the more recent), and an opt-out
or do-not-contact on either record survives. An address not kept as the primary email becomes another
email of the survivor."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

from crm.models import Contact, ContactEmail, ContactMerge, LawfulBasis, TimelineEntry, User
from crm.services.audit import audit_record, snapshot
from crm.services.timeline import timeline_record

# Fields the person chooses between when two records disagree.
CHOOSABLE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "job_title",
    "phone",
    "practitioner_group",
    "seniority",
    "area",
    "owner",
    "notes",
]
CONSENT_FIELDS = ["lawful_basis", "consent_given_at", "consent_source", "consent_wording"]
OBJECTION_FIELDS = ["email_opt_out", "phone_opt_out", "do_not_contact"]
BASIS_STRENGTH: dict[str, int] = {LawfulBasis.NONE: 0, LawfulBasis.LEGITIMATE_INTERESTS: 1, LawfulBasis.CONSENT: 2}


def contact_relations() -> list[Any]:
    """Every foreign key or one-to-one pointing at Contact, hidden ones included (a many-to-many's
    through table, such as Contact.tags, is reached through its own foreign key)."""
    return [
        f
        for f in Contact._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]


def _unique_sets(model: type[models.Model], field_name: str) -> list[list[str]]:
    """Field-name sets that must be unique together and include `field_name`."""
    sets: list[list[str]] = []
    opts = model._meta
    field: Any = opts.get_field(field_name)
    if field.unique or field.one_to_one:
        sets.append([field_name])
    for together in opts.unique_together:
        if field_name in together:
            sets.append(list(together))
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and field_name in constraint.fields:
            sets.append(list(constraint.fields))
    return sets


def _row_copy(row: models.Model) -> dict[str, Any]:
    return {"model": row._meta.label_lower, "pk": row.pk, "fields": snapshot(row)}


def _move_rows(rel: Any, survivor: Contact, merged: Contact, dropped: list[dict]) -> int:
    model = rel.related_model
    name = rel.field.name
    manager = model._base_manager
    rows = manager.filter(**{name: merged})
    if not rows.exists():
        return 0
    for fields in _unique_sets(model, name):
        others = [model._meta.get_field(f).attname for f in fields if f != name]
        survivors_rows = manager.filter(**{name: survivor})
        taken = {tuple(r[1:]) for r in survivors_rows.values_list("pk", *others)}
        if not taken:
            continue
        for row in list(manager.filter(**{name: merged})):
            if tuple(getattr(row, attname) for attname in others) in taken:
                dropped.append(_row_copy(row))
                row.delete()
    try:
        with transaction.atomic():
            return rows.update(**{name: survivor})
    except IntegrityError:
        # A constraint this module cannot read (a condition or an expression): move row by row and
        # drop only the rows that clash.
        moved = 0
        for row in list(manager.filter(**{name: merged})):
            try:
                with transaction.atomic():
                    manager.filter(pk=row.pk).update(**{name: survivor})
                    moved += 1
            except IntegrityError:
                dropped.append(_row_copy(row))
                row.delete()
        return moved


def _stronger_consent(survivor: Contact, merged: Contact) -> Contact:
    s, m = BASIS_STRENGTH.get(survivor.lawful_basis, 0), BASIS_STRENGTH.get(merged.lawful_basis, 0)
    if m > s:
        return merged
    both_consented = m == s == BASIS_STRENGTH[LawfulBasis.CONSENT]
    if both_consented and merged.consent_given_at and survivor.consent_given_at:
        return merged if merged.consent_given_at > survivor.consent_given_at else survivor
    return survivor


def contact_merge(
    *, survivor: Contact, merged: Contact, actor: User, choices: dict[str, str] | None = None
) -> ContactMerge:
    """Merge `merged` into `survivor`. `choices` maps a field in CHOOSABLE_FIELDS to "survivor" or
    "merged" (the default is the survivor's value, or the merged one where the survivor's is blank)."""
    if not actor.has_perm("crm.merge_contact"):
        raise PermissionDenied("Only an admin can merge contacts.")
    if survivor.pk == merged.pk:
        raise ValidationError("Choose two different contacts to merge.")
    choices = choices or {}
    for field, side in choices.items():
        if field not in CHOOSABLE_FIELDS or side not in ("survivor", "merged"):
            raise ValidationError(f"“{field}: {side}” is not a choice you can make when merging.")
    with transaction.atomic():
        locked = {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])}
        if len(locked) != 2:
            raise ValidationError("One of these contacts no longer exists; it may have been merged already.")
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        if survivor.is_erased or merged.is_erased:
            raise ValidationError("An erased contact cannot be merged.")
        before = snapshot(survivor)
        merged_data = snapshot(merged)
        merged_data["other_emails"] = list(merged.other_emails.values_list("email", flat=True))
        merged_data["tags"] = list(merged.tags.values_list("name", flat=True))

        for field in CHOOSABLE_FIELDS:
            attname = cast(Any, Contact._meta.get_field(field)).attname
            mine, theirs = getattr(survivor, attname), getattr(merged, attname)
            side = choices.get(field) or ("merged" if mine in ("", None) and theirs not in ("", None) else "survivor")
            if side == "merged":
                setattr(survivor, attname, theirs)
        source = _stronger_consent(survivor, merged)
        for field in CONSENT_FIELDS:
            setattr(survivor, field, getattr(source, field))
        for field in OBJECTION_FIELDS:
            setattr(survivor, field, getattr(survivor, field) or getattr(merged, field))

        # Neither address is lost: whichever is not the primary becomes another email.
        addresses = {a.lower() for a in (before["email"], merged.email) if a}
        survivor.email = survivor.email.lower()
        survivor.full_clean()

        dropped: list[dict] = []
        moved: dict[str, int] = {}
        for rel in contact_relations():
            if rel.related_model is ContactMerge:
                continue  # handled below, after the record of this merge exists
            count = _move_rows(rel, survivor, merged, dropped)
            if count:
                moved[rel.related_model._meta.label_lower] = count
        for address in addresses - {survivor.email}:
            ContactEmail.objects.get_or_create(contact=survivor, email=address)
        ContactEmail.objects.filter(contact=survivor, email=survivor.email).delete()
        # Earlier merges into the merged contact now belong to the survivor's history.
        ContactMerge.objects.filter(survivor=merged).update(survivor=survivor)
        survivor.save()

        merged_id = merged.pk
        merged_name = merged.full_name
        merged_data["dropped_rows"] = dropped
        merged_data["moved_rows"] = moved
        merged_data["choices"] = choices
        merged.delete()
        record = ContactMerge.objects.create(
            survivor=survivor, merged_contact_id=merged_id, merged_snapshot=merged_data, merged_by=actor
        )
        after = snapshot(survivor)
        audit_record(
            actor=actor,
            action="merge",
            target=survivor,
            changes={
                "merged_contact_id": merged_id,
                "merged_contact": merged_name,
                "fields": {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
                "moved_rows": moved,
                "dropped_rows": len(dropped),
            },
        )
        timeline_record(
            kind=TimelineEntry.Kind.MERGE,
            contact=survivor,
            summary=f"Merged with {merged_name} (contact {merged_id})",
            detail=f"{sum(moved.values())} related records moved to this contact.",
            actor=actor,
            source=f"crm.contactmerge:{record.pk}",
        )
    return record

"""Writes for contacts, their other email addresses, their affiliations and their preferences.

Every change is audited (who, when, what changed) and the ones a colleague would want to see are put
on the contact's timeline. A job move ends the old affiliation and starts a new one; it never overwrites."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ContactEmail,
    LawfulBasis,
    LocalArea,
    Organisation,
    Tag,
    TimelineEntry,
    User,
)
from crm.services.audit import audit_record, diff, snapshot
from crm.services.suppression import normalise_email
from crm.services.timeline import timeline_record

DETAIL_FIELDS = [
    "first_name",
    "last_name",
    "job_title",
    "email",
    "phone",
    "practitioner_group",
    "seniority",
    "area",
    "owner",
    "notes",
]
PREFERENCE_FIELDS = [
    "lawful_basis",
    "consent_given_at",
    "consent_source",
    "consent_wording",
    "email_opt_out",
    "phone_opt_out",
    "do_not_contact",
]
AFFILIATION_FIELDS = ["contact", "organisation", "role", "start_date", "end_date"]


def _label(field: str) -> str:
    # Every name passed here is a concrete field of Contact, never a reverse relation.
    return str(cast(models.Field, Contact._meta.get_field(field)).verbose_name) if field != "tags" else "tags"


def _tag_names(tags: Iterable[Tag]) -> list[str]:
    return sorted(t.name for t in tags)


def _check_not_erased(contact: Contact) -> None:
    if contact.is_erased:
        raise ValidationError("This contact's personal data has been erased, so the record cannot be changed.")


def _clean_preferences(contact: Contact) -> None:
    """The lawful-basis rules a form and the database both enforce, said in the user's words."""
    if contact.lawful_basis == LawfulBasis.CONSENT:
        if contact.consent_given_at is None:
            raise ValidationError({"consent_given_at": "Enter the date consent was given."})
        if contact.consent_given_at > timezone.now():
            raise ValidationError({"consent_given_at": "The date consent was given must be today or in the past."})
    else:
        # Consent details only mean something while consent is the basis we rely on.
        contact.consent_given_at = None


def contact_create(
    *,
    actor: User | None,
    first_name: str,
    last_name: str,
    job_title: str = "",
    email: str = "",
    phone: str = "",
    practitioner_group: str = "other",
    seniority: str = "",
    area: LocalArea | None = None,
    owner: User | None = None,
    notes: str = "",
    tags: Iterable[Tag] = (),
    lawful_basis: str = LawfulBasis.NONE,
    consent_given_at: dt.datetime | None = None,
    consent_source: str = "",
    consent_wording: str = "",
    email_opt_out: bool = False,
    phone_opt_out: bool = False,
    do_not_contact: bool = False,
    organisation: Organisation | None = None,
    role: str = "",
    start_date: dt.date | None = None,
) -> Contact:
    """Add a contact, and (when an organisation is given) their current affiliation there."""
    contact = Contact(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        job_title=job_title.strip(),
        email=normalise_email(email),
        phone=phone.strip(),
        practitioner_group=practitioner_group,
        seniority=seniority,
        area=area,
        owner=owner,
        notes=notes,
        lawful_basis=lawful_basis,
        consent_given_at=consent_given_at,
        consent_source=consent_source.strip(),
        consent_wording=consent_wording,
        email_opt_out=email_opt_out,
        phone_opt_out=phone_opt_out,
        do_not_contact=do_not_contact,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _clean_preferences(contact)
    contact.full_clean()
    tags = list(tags)
    with transaction.atomic():
        contact.save()
        contact.tags.set(tags)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target=contact,
            changes={**snapshot(contact, DETAIL_FIELDS + PREFERENCE_FIELDS), "tags": _tag_names(tags)},
        )
        timeline_record(kind=TimelineEntry.Kind.CHANGE, summary="Added to Common Ground", contact=contact, actor=actor)
        if organisation is not None:
            affiliation_start(
                actor=actor, contact=contact, organisation=organisation, role=role or contact.job_title,
                start_date=start_date,
            )  # fmt: skip
    return contact


def contact_update(
    *, actor: User | None, contact: Contact, tags: Iterable[Tag] | None = None, **fields: Any
) -> Contact:
    """Change a contact's details (not their preferences: see contact_preferences_update)."""
    _check_not_erased(contact)
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"contact_update() cannot change {', '.join(sorted(unknown))}")
    if "email" in fields:
        fields["email"] = normalise_email(fields["email"])
    before = snapshot(contact, DETAIL_FIELDS)
    tags_before = _tag_names(contact.tags.all())
    for key, value in fields.items():
        setattr(contact, key, value.strip() if isinstance(value, str) and key != "notes" else value)
    contact.full_clean()
    changes = diff(before, snapshot(contact, DETAIL_FIELDS))
    with transaction.atomic():
        contact.save()
        if tags is not None:
            tags = list(tags)
            contact.tags.set(tags)
            if _tag_names(tags) != tags_before:
                changes["tags"] = [tags_before, _tag_names(tags)]
        if changes:
            audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=contact, changes=changes)
            timeline_record(
                kind=TimelineEntry.Kind.CHANGE,
                summary=f"Details updated: {', '.join(_label(k) for k in changes)}",
                contact=contact,
                actor=actor,
            )
    return contact


def contact_preferences_update(
    *,
    actor: User | None,
    contact: Contact,
    lawful_basis: str,
    consent_given_at: dt.datetime | None = None,
    consent_source: str = "",
    consent_wording: str = "",
    email_opt_out: bool = False,
    phone_opt_out: bool = False,
    do_not_contact: bool = False,
) -> Contact:
    """Record the lawful basis for outreach (UK GDPR) and the person's channel preferences (PECR)."""
    _check_not_erased(contact)
    before = snapshot(contact, PREFERENCE_FIELDS)
    contact.lawful_basis = lawful_basis
    contact.consent_given_at = consent_given_at
    contact.consent_source = consent_source.strip() if lawful_basis == LawfulBasis.CONSENT else ""
    contact.consent_wording = consent_wording if lawful_basis == LawfulBasis.CONSENT else ""
    contact.email_opt_out = email_opt_out
    contact.phone_opt_out = phone_opt_out
    contact.do_not_contact = do_not_contact
    _clean_preferences(contact)
    contact.full_clean()
    changes = diff(before, snapshot(contact, PREFERENCE_FIELDS))
    if not changes:
        return contact
    with transaction.atomic():
        contact.save(update_fields=[*PREFERENCE_FIELDS, "updated_at"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=contact, changes=changes)
        timeline_record(
            kind=TimelineEntry.Kind.CONSENT,
            summary=_preferences_summary(contact, changes),
            contact=contact,
            actor=actor,
        )
    return contact


def _preferences_summary(contact: Contact, changes: dict[str, list[Any]]) -> str:
    parts = []
    if "lawful_basis" in changes:
        parts.append(f"Lawful basis now {contact.get_lawful_basis_display().lower()}")
    elif {"consent_given_at", "consent_source", "consent_wording"} & set(changes):
        parts.append("Consent details changed")
    for field, on, off in [
        ("email_opt_out", "opted out of email", "opted back in to email"),
        ("phone_opt_out", "opted out of phone calls", "opted back in to phone calls"),
        ("do_not_contact", "marked do not contact", "do not contact lifted"),
    ]:
        if field in changes:
            parts.append(on if getattr(contact, field) else off)
    text = "; ".join(parts) or "Preferences changed"
    return text[0].upper() + text[1:]


def contact_delete(*, actor: User | None, contact: Contact) -> None:
    """Delete a contact outright (a record made in error). To honour an erasure request use contact_erase."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            target=contact,
            changes={"affiliations": contact.affiliations.count()},
        )
        contact.delete()


# --- Other email addresses -----------------------------------------------------------------------


def contact_email_add(*, actor: User | None, contact: Contact, email: str) -> ContactEmail:
    _check_not_erased(contact)
    email = normalise_email(email)
    if email == contact.email:
        raise ValidationError({"email": "That is already this contact's main work email."})
    if contact.other_emails.filter(email=email).exists():
        raise ValidationError({"email": "This contact already has that email address."})
    other = ContactEmail(contact=contact, email=email)
    other.full_clean()
    with transaction.atomic():
        other.save()
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, target=contact, changes={"other_emails": [None, email]}
        )
        timeline_record(kind=TimelineEntry.Kind.CHANGE, summary="Email address added", contact=contact, actor=actor)
    return other


def contact_email_remove(*, actor: User | None, other_email: ContactEmail) -> None:
    contact = other_email.contact
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=contact,
            changes={"other_emails": [other_email.email, None]},
        )
        timeline_record(kind=TimelineEntry.Kind.CHANGE, summary="Email address removed", contact=contact, actor=actor)
        other_email.delete()


# --- Affiliations: roles at organisations over time ----------------------------------------------


def _affiliation_source(affiliation: Affiliation) -> str:
    return f"crm.affiliation:{affiliation.pk}"


def affiliation_start(
    *,
    actor: User | None,
    contact: Contact,
    organisation: Organisation,
    role: str = "",
    start_date: dt.date | None = None,
) -> Affiliation:
    _check_not_erased(contact)
    role = role.strip()
    current = contact.affiliations.filter(organisation=organisation, role__iexact=role, end_date__isnull=True)
    if current.exists():
        raise ValidationError(
            {"organisation": f"{contact.full_name} already has a current role as “{role or 'no role'}” here."}
        )
    affiliation = Affiliation(contact=contact, organisation=organisation, role=role, start_date=start_date)
    affiliation.full_clean()
    with transaction.atomic():
        affiliation.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target=affiliation,
            changes=snapshot(affiliation, AFFILIATION_FIELDS),
        )
        as_role = f" as {role}" if role else ""
        timeline_record(
            kind=TimelineEntry.Kind.AFFILIATION,
            summary=f"Started at {organisation.name}{as_role}",
            contact=contact,
            actor=actor,
            url=organisation.get_absolute_url(),
            source=_affiliation_source(affiliation),
        )
        timeline_record(
            kind=TimelineEntry.Kind.AFFILIATION,
            summary=f"{contact.full_name} started{as_role}",
            organisation=organisation,
            actor=actor,
            url=contact.get_absolute_url(),
            source=_affiliation_source(affiliation),
        )
    return affiliation


def affiliation_end(*, actor: User | None, affiliation: Affiliation, end_date: dt.date) -> Affiliation:
    if affiliation.end_date is not None:
        raise ValidationError({"end_date": "This role has already ended."})
    if affiliation.start_date is not None and end_date < affiliation.start_date:
        raise ValidationError(
            {"end_date": f"The end date must be on or after the start date ({affiliation.start_date:%d/%m/%Y})."}
        )
    before = snapshot(affiliation, AFFILIATION_FIELDS)
    affiliation.end_date = end_date
    affiliation.full_clean()
    with transaction.atomic():
        affiliation.save(update_fields=["end_date"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=affiliation,
            changes=diff(before, snapshot(affiliation, AFFILIATION_FIELDS)),
        )
        contact, organisation = affiliation.contact, affiliation.organisation
        as_role = f" as {affiliation.role}" if affiliation.role else ""
        timeline_record(
            kind=TimelineEntry.Kind.AFFILIATION,
            summary=f"Left {organisation.name}{as_role}",
            contact=contact,
            actor=actor,
            url=organisation.get_absolute_url(),
        )
        timeline_record(
            kind=TimelineEntry.Kind.AFFILIATION,
            summary=f"{contact.full_name} left{as_role}",
            organisation=organisation,
            actor=actor,
            url=contact.get_absolute_url(),
        )
    return affiliation


def contact_move_job(
    *,
    actor: User | None,
    contact: Contact,
    organisation: Organisation,
    role: str,
    start_date: dt.date,
    previous: Affiliation | None = None,
) -> Affiliation:
    """A job move: the previous role ends the day before the new one starts, and the new one begins.

    The old row is kept so the contact's history (and the organisation's) still shows it."""
    _check_not_erased(contact)
    with transaction.atomic():
        if previous is not None:
            if previous.contact_id != contact.pk:
                raise ValidationError({"previous": "That role belongs to someone else."})
            end = start_date - dt.timedelta(days=1)
            if previous.start_date is not None and end < previous.start_date:
                end = previous.start_date
            affiliation_end(actor=actor, affiliation=previous, end_date=end)
        new = affiliation_start(
            actor=actor, contact=contact, organisation=organisation, role=role, start_date=start_date
        )
        if role.strip() and role.strip() != contact.job_title:
            contact_update(actor=actor, contact=contact, job_title=role.strip())
    return new

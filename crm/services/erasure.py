"""Erasure of a contact's personal data (UK GDPR Article 17), keeping what is not personal.

What goes: names (replaced by "Erased contact"), emails, phone, job title, notes, consent wording, the
contact's other email addresses, notes about them, the free text of their timeline, and every mention of
them in the audit trail, merge records and import problem lists. What stays: the row itself (so counts of
deliveries, engagements and board memberships still add up), its area, tags and dates, and a suppression
entry (a hash only) so the address is never emailed again even if it is re-imported.

Other apps hold their own free text about a contact (an engagement's notes, a delivery's copy of the
address). They register a function `(contact) -> None` here from their AppConfig.ready():

    from crm.services.erasure import register_erasure_hook
    register_erasure_hook("campaigns.services.erasure.scrub_contact")

Hooks run inside the same transaction, before the contact row is blanked (so they can still read the
name and addresses they need to find), and a hook that fails rolls the whole erasure back."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.module_loading import import_string

from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ContactEmail,
    ContactMerge,
    ImportJob,
    LawfulBasis,
    Note,
    Suppression,
    TimelineEntry,
    User,
)
from crm.services.audit import audit_record
from crm.services.suppression import suppression_add

ERASED_NAME = ("Erased", "contact")
ERASED_TEXT = "[erased]"

# Dotted paths to functions `(contact) -> None`; other apps append to this in AppConfig.ready().
ERASURE_HOOKS: list[str] = []


def register_erasure_hook(dotted_path: str) -> None:
    if dotted_path not in ERASURE_HOOKS:
        ERASURE_HOOKS.append(dotted_path)


def erasure_hooks() -> list[Callable[[Contact], None]]:
    return [import_string(path) for path in ERASURE_HOOKS]


def personal_terms(contact: Contact) -> list[str]:
    """The strings that identify this person, longest first so an address goes before a name inside it."""
    terms = {contact.full_name, contact.email, contact.phone}
    terms.update(contact.other_emails.values_list("email", flat=True))
    # Not a bare first or last name: "Smith" would scrub other people's records too.
    return sorted((t for t in terms if t and len(t.strip()) >= 3), key=len, reverse=True)


def scrub_text(text: str, terms: list[str]) -> str:
    lowered = text.lower()
    for term in terms:
        if term.lower() not in lowered:
            continue
        out, start, low_term = [], 0, term.lower()
        while (index := lowered.find(low_term, start)) != -1:
            out.append(text[start:index] + ERASED_TEXT)
            start = index + len(term)
        out.append(text[start:])
        text = "".join(out)
        lowered = text.lower()
    return text


def scrub_data(value: Any, terms: list[str]) -> Any:
    """`value` (JSON-like) with every mention of `terms` in its strings replaced."""
    if isinstance(value, str):
        return scrub_text(value, terms)
    if isinstance(value, list):
        return [scrub_data(v, terms) for v in value]
    if isinstance(value, dict):
        return {k: scrub_data(v, terms) for k, v in value.items()}
    return value


def _mentions(field: str, terms: list[str], json_field: bool = False) -> Q:
    q = Q()
    for term in terms:
        q |= Q(**{f"{field}__icontains": term})
        if json_field:
            # SQLite keeps JSON as text with non-ASCII escaped ("Zo\u00eb"); PostgreSQL does not.
            escaped = json.dumps(term)[1:-1]
            if escaped != term:
                q |= Q(**{f"{field}__icontains": escaped})
    return q


def _scrub_audit_trail(contact: Contact, terms: list[str]) -> int:
    own_targets = Q(target_type="crm.contact", target_id=str(contact.pk))
    for model, pks in [
        (Note, contact.note_set.values_list("pk", flat=True)),
        (Affiliation, contact.affiliations.values_list("pk", flat=True)),
        (ContactEmail, contact.other_emails.values_list("pk", flat=True)),
    ]:
        ids = [str(pk) for pk in pks]
        if ids:
            own_targets |= Q(target_type=model._meta.label_lower, target_id__in=ids)
    touched = 0
    for event in AuditEvent.objects.filter(own_targets):
        # Keep which fields changed (the trail still says what happened), not the values.
        event.changes = {key: ERASED_TEXT for key in event.changes} if isinstance(event.changes, dict) else {}
        event.target_repr = (
            "Erased contact" if event.target_type == "crm.contact" else scrub_text(event.target_repr, terms)
        )
        event.save(update_fields=["changes", "target_repr"])
        touched += 1
    mentions = AuditEvent.objects.annotate(changes_text=Cast("changes", TextField())).filter(
        _mentions("changes_text", terms, json_field=True) | _mentions("target_repr", terms)
    )
    for event in mentions.exclude(own_targets):
        event.changes = scrub_data(event.changes, terms)
        event.target_repr = scrub_text(event.target_repr, terms)
        event.save(update_fields=["changes", "target_repr"])
        touched += 1
    return touched


def _scrub_timeline(contact: Contact, terms: list[str]) -> None:
    for entry in TimelineEntry.objects.filter(contact=contact):
        entry.summary = scrub_text(entry.summary, terms) or entry.get_kind_display()
        entry.detail = ""
        entry.save(update_fields=["summary", "detail"])
    # Organisation timelines name the person ("Jo Bloggs started as ...").
    for entry in TimelineEntry.objects.filter(contact__isnull=True).filter(
        Q(url=contact.get_absolute_url()) | _mentions("summary", terms) | _mentions("detail", terms)
    ):
        entry.summary = scrub_text(entry.summary, terms)
        entry.detail = scrub_text(entry.detail, terms)
        entry.save(update_fields=["summary", "detail"])


def _scrub_merges(contact: Contact, terms: list[str]) -> None:
    ContactMerge.objects.filter(survivor=contact).update(merged_snapshot={"erased": True})
    mentions = ContactMerge.objects.annotate(snapshot_text=Cast("merged_snapshot", TextField())).filter(
        _mentions("snapshot_text", terms, json_field=True)
    )
    for merge in mentions:
        merge.merged_snapshot = scrub_data(merge.merged_snapshot, terms)
        merge.save(update_fields=["merged_snapshot"])


def _scrub_import_problems(terms: list[str]) -> None:
    jobs = ImportJob.objects.annotate(problems_text=Cast("problems", TextField())).filter(
        _mentions("problems_text", terms, json_field=True)
    )
    for job in jobs:
        job.problems = scrub_data(job.problems, terms)
        job.save(update_fields=["problems"])


def contact_erase(*, actor: User | None, contact: Contact) -> Contact:
    """Erase a contact's personal data everywhere Common Ground holds it. Running it twice is harmless."""
    if contact.is_erased:
        return contact
    if actor is not None and not actor.has_perm("crm.erase_contact"):
        raise ValidationError("Only an admin can erase a contact.")
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.is_erased:
            # Erased meanwhile (a double click, or a stale copy): nothing left to do.
            return contact
        terms = personal_terms(contact)
        emails = [contact.email, *contact.other_emails.values_list("email", flat=True)]
        for hook in erasure_hooks():
            hook(contact)
        for email in filter(None, emails):
            suppression_add(
                email=email, reason=Suppression.Reason.ERASED, source="Erasure request", actor=actor, audit=False
            )
        counts = {
            "other_emails": contact.other_emails.count(),
            "notes": contact.note_set.count(),
            "timeline_entries": contact.timeline.count(),
        }
        counts["audit_events"] = _scrub_audit_trail(contact, terms)
        _scrub_timeline(contact, terms)
        _scrub_merges(contact, terms)
        _scrub_import_problems(terms)
        contact.note_set.all().delete()
        contact.other_emails.all().delete()
        contact.affiliations.update(role="")
        contact.first_name, contact.last_name = ERASED_NAME
        contact.job_title = contact.email = contact.phone = contact.notes = ""
        contact.consent_source = contact.consent_wording = ""
        contact.consent_given_at = None
        contact.lawful_basis = LawfulBasis.NONE
        contact.email_opt_out = contact.phone_opt_out = contact.do_not_contact = True
        contact.erased_at = timezone.now()
        contact.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.ERASE,
            target=contact,
            target_repr="Erased contact",
            changes={"removed": counts},
        )
        TimelineEntry.objects.create(
            contact=contact,
            kind=TimelineEntry.Kind.CHANGE,
            summary="Personal data erased on request",
            actor=actor if actor is not None and actor.is_authenticated else None,
        )
    return contact

"""Apply a checked plan to the database. Called inside one transaction by the import service, so a
failure anywhere leaves nothing behind; writes are bulk and batched so 50,000 rows take seconds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ContactEmail,
    ImportJob,
    Organisation,
    Tag,
    TimelineEntry,
    User,
)
from crm.services.audit import _plain
from crm.services.timeline import timeline_record_many

from .validation import Plan, RowPlan, existing_tags, organisations_named

BATCH_SIZE = 1000
CONTACT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "job_title",
    "phone",
    "practitioner_group",
    "seniority",
    "area_id",
    "lawful_basis",
    "consent_given_at",
    "consent_source",
    "email_opt_out",
    "do_not_contact",
    "notes",
]
ORGANISATION_FIELDS = ["name", "kind", "area_id", "address", "postcode", "website", "phone", "email"]


@dataclass
class Outcome:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: int = 0
    organisations_created: int = 0


Progress = Callable[[int], None]


def _batches(items: list[Any], size: int = BATCH_SIZE) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def write_plan(*, plan: Plan, job: ImportJob, actor: User | None, progress: Progress | None = None) -> Outcome:
    if plan.kind == ImportJob.Kind.ORGANISATIONS:
        return _write_organisations(plan=plan, job=job, actor=actor, progress=progress)
    return _write_contacts(plan=plan, job=job, actor=actor, progress=progress)


def _history(
    *, job: ImportJob, actor: User | None, created: dict[int, str], updated: dict[int, tuple[str, dict]], model: str
) -> None:
    """One timeline entry and one audit event per touched record, written in bulk."""
    url = reverse("crm:import_detail", args=[job.pk])
    source = f"crm.importjob:{job.pk}"
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    entries = []
    events = []
    subject = "contact_id" if model == "crm.contact" else "organisation_id"
    for pk, label in created.items():
        entries.append(
            TimelineEntry(
                **{subject: pk},
                kind=TimelineEntry.Kind.IMPORT,
                summary=f"Added by an import of {job.original_name}",
                url=url,
                actor_id=actor_id,
                source=source,
            )
        )
        events.append(
            AuditEvent(
                actor_id=actor_id,
                action=AuditEvent.Action.IMPORT,
                target_type=model,
                target_id=str(pk),
                target_repr=label[:300],
                changes={"import_job": job.pk, "file": job.original_name, "created": True},
            )
        )
    for pk, (label, changes) in updated.items():
        changed = ", ".join(sorted(changes)) or "nothing new"
        entries.append(
            TimelineEntry(
                **{subject: pk},
                kind=TimelineEntry.Kind.IMPORT,
                summary=f"Updated by an import of {job.original_name}",
                detail=f"Changed: {changed}",
                url=url,
                actor_id=actor_id,
                source=source,
            )
        )
        events.append(
            AuditEvent(
                actor_id=actor_id,
                action=AuditEvent.Action.IMPORT,
                target_type=model,
                target_id=str(pk),
                target_repr=label[:300],
                changes={"import_job": job.pk, "file": job.original_name, **changes},
            )
        )
    timeline_record_many(entries)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)


def _ensure_tags(names: set[str]) -> dict[str, int]:
    """{lower name: tag id}, creating the tags nobody has used before."""
    if not names:
        return {}
    found = existing_tags(names)
    wanted = {n.lower(): n for n in names}
    missing = [Tag(name=wanted[lower]) for lower in wanted if lower not in found]
    if missing:
        Tag.objects.bulk_create(missing, batch_size=BATCH_SIZE, ignore_conflicts=True)
        found = existing_tags(names)
    return found


def _ensure_organisations(plan: Plan, actor: User | None) -> tuple[dict[str, int], int]:
    if not plan.missing_organisations:
        return {}, 0
    area_for: dict[str, int | None] = {}
    for row in plan.rows:
        lower = row.values.get("organisation_name", "").lower()
        if lower and lower not in area_for:
            area_for[lower] = row.values.get("area_id")
    new = [
        Organisation(name=name, area_id=area_for.get(lower), created_by=actor)
        for lower, name in plan.missing_organisations.items()
    ]
    Organisation.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return {org.name.lower(): org.pk for org in new}, len(new)


def _write_contacts(*, plan: Plan, job: ImportJob, actor: User | None, progress: Progress | None) -> Outcome:
    outcome = Outcome()
    created_orgs, outcome.organisations_created = _ensure_organisations(plan, actor)
    tag_ids = _ensure_tags({t for r in plan.rows for t in r.values.get("tags", [])})
    done = 0

    def org_for(row: RowPlan) -> int | None:
        if "organisation_id" in row.values:
            return row.values["organisation_id"]
        name = row.values.get("organisation_name")
        return created_orgs.get(name.lower()) if name else None

    # (contact id, row plan) pairs whose extras (emails, tags, affiliation) need writing.
    touched: list[tuple[int, RowPlan]] = []
    created_labels: dict[int, str] = {}
    creates = [r for r in plan.rows if r.action == "create"]
    for batch in _batches(creates):
        contacts = []
        for row in batch:
            v = row.values
            contacts.append(
                Contact(
                    first_name=v["first_name"],
                    last_name=v["last_name"],
                    email=v.get("email", ""),
                    job_title=v.get("job_title", ""),
                    phone=v.get("phone", ""),
                    practitioner_group=v.get("practitioner_group", "other"),
                    seniority=v.get("seniority", ""),
                    area_id=v.get("area_id"),
                    lawful_basis=v.get("lawful_basis", "none"),
                    consent_given_at=v.get("consent_given_at"),
                    consent_source=v.get("consent_source", ""),
                    email_opt_out=v.get("email_opt_out", False),
                    do_not_contact=v.get("do_not_contact", False),
                    notes=v.get("notes", ""),
                    created_by=actor,
                )
            )
        Contact.objects.bulk_create(contacts)
        for contact, row in zip(contacts, batch, strict=True):
            touched.append((contact.pk, row))
            created_labels[contact.pk] = contact.full_name
        outcome.created.extend(c.pk for c in contacts)
        done += len(batch)
        if progress:
            progress(done)

    updates = [r for r in plan.rows if r.action == "update" and r.match_id]
    updated_changes: dict[int, tuple[str, dict]] = {}
    for batch in _batches(updates):
        existing = Contact.objects.in_bulk([r.match_id for r in batch])
        changed_fields: set[str] = set()
        changed_contacts = []
        for row in batch:
            found = existing.get(row.match_id) if row.match_id else None
            if found is None or found.pk in updated_changes:
                # Two rows matching one contact: the first row wins, the second counts as skipped.
                outcome.skipped += 1
                continue
            contact = found
            changes: dict[str, list[Any]] = {}
            for name in CONTACT_FIELDS:
                if name not in row.present or name not in row.values:
                    continue
                new = row.values[name]
                # An opt-out or do-not-contact on record is an objection; a file never withdraws it.
                if name in ("email_opt_out", "do_not_contact") and not new:
                    continue
                if name == "email":
                    continue  # the match was by email; the primary address stays as it is
                old = getattr(contact, name)
                if old != new:
                    changes[name.removesuffix("_id")] = [_plain(old), _plain(new)]
                    setattr(contact, name, new)
                    changed_fields.add(name)
            updated_changes[contact.pk] = (contact.full_name, changes)
            if changes:
                changed_contacts.append(contact)
            touched.append((contact.pk, row))
        if changed_contacts:
            Contact.objects.bulk_update(changed_contacts, sorted(changed_fields | {"updated_at"}))
        outcome.updated.extend(pk for pk in existing if pk in updated_changes)
        done += len(batch)
        if progress:
            progress(done)
    outcome.skipped += sum(1 for r in plan.rows if r.action == "skip")

    _write_contact_extras(touched, tag_ids, org_for)
    _history(job=job, actor=actor, created=created_labels, updated=updated_changes, model="crm.contact")
    outcome.updated = list(updated_changes)
    return outcome


def _write_contact_extras(
    touched: list[tuple[int, RowPlan]], tag_ids: dict[str, int], org_for: Callable[[RowPlan], int | None]
) -> None:
    emails = []
    tag_links = []
    wanted_affiliations: dict[tuple[int, int], str] = {}
    for contact_id, row in touched:
        for address in row.values.get("other_emails", []):
            emails.append(ContactEmail(contact_id=contact_id, email=address))
        for tag in row.values.get("tags", []):
            tag_links.append(Contact.tags.through(contact_id=contact_id, tag_id=tag_ids[tag.lower()]))
        org_id = org_for(row)
        if org_id:
            wanted_affiliations[(contact_id, org_id)] = row.values.get("role") or row.values.get("job_title", "")
    ContactEmail.objects.bulk_create(emails, batch_size=BATCH_SIZE, ignore_conflicts=True)
    Contact.tags.through.objects.bulk_create(tag_links, batch_size=BATCH_SIZE, ignore_conflicts=True)
    if wanted_affiliations:
        # A contact already working at the organisation keeps that affiliation; only new links are added.
        contact_ids = list({c for c, _ in wanted_affiliations})
        current = set()
        for batch in _batches(contact_ids):
            current |= set(
                Affiliation.objects.filter(contact_id__in=batch, end_date__isnull=True).values_list(
                    "contact_id", "organisation_id"
                )
            )
        Affiliation.objects.bulk_create(
            [
                Affiliation(contact_id=c, organisation_id=o, role=role[:200])
                for (c, o), role in wanted_affiliations.items()
                if (c, o) not in current
            ],
            batch_size=BATCH_SIZE,
        )


def _write_organisations(*, plan: Plan, job: ImportJob, actor: User | None, progress: Progress | None) -> Outcome:
    outcome = Outcome()
    done = 0
    created_labels: dict[int, str] = {}
    parents: list[tuple[int, RowPlan]] = []
    for batch in _batches([r for r in plan.rows if r.action == "create"]):
        organisations = [
            Organisation(
                name=r.values["name"],
                kind=r.values.get("kind", Organisation.Kind.OTHER),
                area_id=r.values.get("area_id"),
                address=r.values.get("address", ""),
                postcode=r.values.get("postcode", ""),
                website=r.values.get("website", ""),
                phone=r.values.get("phone", ""),
                email=r.values.get("email", ""),
                parent_id=r.values.get("parent_id"),
                created_by=actor,
            )
            for r in batch
        ]
        Organisation.objects.bulk_create(organisations)
        for org, row in zip(organisations, batch, strict=True):
            created_labels[org.pk] = org.name
            parents.append((org.pk, row))
        outcome.created.extend(o.pk for o in organisations)
        done += len(batch)
        if progress:
            progress(done)

    updated_changes: dict[int, tuple[str, dict]] = {}
    for batch in _batches([r for r in plan.rows if r.action == "update" and r.match_id]):
        existing = Organisation.objects.in_bulk([r.match_id for r in batch])
        changed_fields: set[str] = set()
        changed = []
        for row in batch:
            found_org = existing.get(row.match_id) if row.match_id else None
            if found_org is None or found_org.pk in updated_changes:
                outcome.skipped += 1
                continue
            org = found_org
            changes: dict[str, list[Any]] = {}
            for name in [*ORGANISATION_FIELDS, "parent_id"]:
                if name in row.values and name != "name" and getattr(org, name) != row.values[name]:
                    changes[name.removesuffix("_id")] = [_plain(getattr(org, name)), _plain(row.values[name])]
                    setattr(org, name, row.values[name])
                    changed_fields.add(name)
            updated_changes[org.pk] = (org.name, changes)
            parents.append((org.pk, row))
            if changes:
                changed.append(org)
        if changed:
            Organisation.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}))
        done += len(batch)
        if progress:
            progress(done)
    outcome.skipped += sum(1 for r in plan.rows if r.action == "skip")

    # Parents named in the same file exist only now that every row is written.
    named = {r.values["parent_name"] for _, r in parents if r.values.get("parent_name")}
    if named:
        by_name = {lower: ids[0][0] for lower, ids in organisations_named(named).items()}
        linked = []
        for pk, row in parents:
            parent_name = row.values.get("parent_name")
            if parent_name and by_name.get(parent_name.lower()) not in (None, pk):
                linked.append(Organisation(pk=pk, parent_id=by_name[parent_name.lower()]))
        Organisation.objects.bulk_update(linked, ["parent_id"], batch_size=BATCH_SIZE)
    _history(job=job, actor=actor, created=created_labels, updated=updated_changes, model="crm.organisation")
    outcome.updated = list(updated_changes)
    return outcome

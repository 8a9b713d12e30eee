"""The suppression list: addresses we must never email again (unsubscribed, bounced, objected, erased).

Only a sha256 of the normalised address is kept, so an entry outlives erasure of the contact without
holding their personal data. Campaign sending checks `is_suppressed` / `suppressed_emails` before it sends."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from crm.models import AuditEvent, Suppression, User
from crm.services.audit import audit_record


def normalise_email(email: str) -> str:
    """The form an address is compared in: trimmed and lower-cased (mail providers treat case as equal)."""
    return (email or "").strip().lower()


def suppression_hash(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def is_suppressed(email: str) -> bool:
    if not normalise_email(email):
        return False
    return Suppression.objects.filter(email_hash=suppression_hash(email)).exists()


def suppressed_emails(emails: Iterable[str]) -> set[str]:
    """The normalised addresses among `emails` that are suppressed, in one query (for sending in bulk)."""
    by_hash = {suppression_hash(e): normalise_email(e) for e in emails if normalise_email(e)}
    if not by_hash:
        return set()
    found = Suppression.objects.filter(email_hash__in=list(by_hash)).values_list("email_hash", flat=True)
    return {by_hash[h] for h in found}


def suppression_add(
    *, email: str, reason: str, source: str = "", actor: User | None = None, audit: bool = True
) -> Suppression:
    """Suppress an address. Idempotent: adding it again keeps the one entry (an erasure request
    upgrades the reason, because it is the one that must survive any later re-import)."""
    if not normalise_email(email):
        raise ValueError("An email address is needed to add it to the suppression list.")
    if reason not in Suppression.Reason.values:
        raise ValueError(f"Unknown suppression reason {reason!r}.")
    email_hash = suppression_hash(email)
    with transaction.atomic():
        existing = Suppression.objects.select_for_update().filter(email_hash=email_hash).first()
        if existing is not None:
            if reason == Suppression.Reason.ERASED and existing.reason != reason:
                existing.reason = reason
                existing.save(update_fields=["reason"])
            return existing
        try:
            # A savepoint, so a concurrent insert of the same hash (two bounce tasks at once) is not an error.
            with transaction.atomic():
                entry = Suppression.objects.create(email_hash=email_hash, reason=reason, source=source[:200])
        except IntegrityError:
            return Suppression.objects.get(email_hash=email_hash)
        if audit:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                target=entry,
                changes={"reason": reason, "source": source[:200]},
            )
        return entry


def suppression_remove(*, email: str, actor: User | None = None) -> bool:
    """Lift a suppression (someone re-subscribed in person). Returns whether there was one."""
    entry = Suppression.objects.filter(email_hash=suppression_hash(email)).first()
    if entry is None:
        return False
    with transaction.atomic():
        audit_record(actor=actor, action=AuditEvent.Action.DELETE, target=entry, changes={"reason": entry.reason})
        entry.delete()
    return True

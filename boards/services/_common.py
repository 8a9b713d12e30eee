"""Small helpers every boards service shares."""

from __future__ import annotations

from typing import Any

from django.db import models

from crm.services.audit import audit_record, diff, snapshot

__all__ = ["apply_fields", "audit_record", "audited_update", "snapshot"]


def apply_fields(instance: models.Model, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


def audited_update(*, actor: Any, instance: models.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set fields, validate, save, and write an audit event naming what changed. Returns the changes."""
    before = snapshot(instance)
    apply_fields(instance, fields)
    instance.full_clean()
    instance.save()
    changes = diff(before, snapshot(instance))
    if changes:
        audit_record(actor=actor, action="update", target=instance, changes=changes)
    return changes

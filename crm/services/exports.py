"""The audit side of exports: every list export and subject access export is recorded."""

from __future__ import annotations

from typing import Any

from crm.models import AuditEvent, User
from crm.services.audit import audit_record


def list_export_record(
    *, actor: User | None, model_label: str, list_name: str, file_format: str, filters: dict[str, Any], rows: int
) -> AuditEvent:
    """Record who exported which list, with which filters, how many rows and in which format."""
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target_type=model_label,
        target_repr=f"{list_name} ({file_format.upper()}, {rows} rows)",
        changes={"format": file_format, "rows": rows, "filters": {k: v for k, v in filters.items() if v}},
    )

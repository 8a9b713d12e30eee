"""Local areas: the ONS list shipped in crm/data/local_areas.csv, and areas users add themselves."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from crm.models import AuditEvent, LocalArea, Region, User
from crm.services.audit import audit_record, diff, snapshot

LOCAL_AREAS_CSV = Path(__file__).resolve().parent.parent / "data" / "local_areas.csv"
AREA_FIELDS = ["name", "code", "kind", "region"]


@dataclass(frozen=True)
class AreaLoadResult:
    created: int
    updated: int
    unchanged: int


def read_local_areas_file(path: Path = LOCAL_AREAS_CSV) -> list[dict[str, str]]:
    """Rows of the shipped file, checked so that a bad edit fails loudly with its line number."""
    kinds = {k for k in LocalArea.Kind.values if k != LocalArea.Kind.OTHER}
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            row = {k: (v or "").strip() for k, v in row.items()}
            if not row["code"] or not row["name"]:
                raise ValueError(f"{path.name} line {line}: code and name are both needed.")
            if row["kind"] not in kinds:
                raise ValueError(f"{path.name} line {line}: unknown kind {row['kind']!r}.")
            if row["region"] not in Region.values:
                raise ValueError(f"{path.name} line {line}: unknown region {row['region']!r}.")
            rows.append(row)
    return rows


def load_local_areas(*, path: Path = LOCAL_AREAS_CSV, area_model: Any = LocalArea) -> AreaLoadResult:
    """Create or update the ONS areas, keyed on code. Safe to run again and again.

    `area_model` lets a data migration pass its historical model."""
    rows = read_local_areas_file(path)
    created = updated = unchanged = 0
    with transaction.atomic():
        by_code = {a.code: a for a in area_model.objects.exclude(code="")}
        by_name = {a.name.lower(): a for a in area_model.objects.filter(code="")}
        for row in rows:
            area = by_code.get(row["code"])
            if area is None:
                # Someone added the area by hand before the list was loaded: adopt it instead of a clash.
                area = by_name.get(row["name"].lower())
            if area is None:
                area_model.objects.create(
                    code=row["code"], name=row["name"], kind=row["kind"], region=row["region"], is_custom=False
                )
                created += 1
                continue
            wanted = {"code": row["code"], "name": row["name"], "kind": row["kind"], "region": row["region"]}
            if all(getattr(area, k) == v for k, v in wanted.items()) and not area.is_custom:
                unchanged += 1
                continue
            for key, value in wanted.items():
                setattr(area, key, value)
            area.is_custom = False
            area.save()
            updated += 1
    return AreaLoadResult(created=created, updated=updated, unchanged=unchanged)


def _check_name_free(name: str, exclude_pk: int | None = None) -> None:
    clash = LocalArea.objects.annotate(lname=Lower("name")).filter(lname=name.strip().lower())
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already an area called “{name.strip()}”."})


def area_create(
    *, actor: User | None, name: str, region: str, kind: str = LocalArea.Kind.OTHER, code: str = ""
) -> LocalArea:
    """A user's own area (a combined authority, a locality within a county, …)."""
    _check_name_free(name)
    area = LocalArea(name=name.strip(), region=region, kind=kind, code=code.strip().upper(), is_custom=True)
    area.full_clean()
    with transaction.atomic():
        area.save()
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=area, changes=snapshot(area, AREA_FIELDS))
    return area


def area_update(*, actor: User | None, area: LocalArea, **fields: Any) -> LocalArea:
    if not area.is_custom:
        raise ValidationError("Areas from the ONS list are kept in step with the ONS and cannot be edited here.")
    if "name" in fields:
        _check_name_free(fields["name"], exclude_pk=area.pk)
        fields["name"] = fields["name"].strip()
    before = snapshot(area, AREA_FIELDS)
    for key, value in fields.items():
        if key not in AREA_FIELDS:
            raise TypeError(f"area_update() cannot change {key!r}")
        setattr(area, key, value)
    area.full_clean()
    changes = diff(before, snapshot(area, AREA_FIELDS))
    if changes:
        with transaction.atomic():
            area.save()
            audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=area, changes=changes)
    return area


def area_delete(*, actor: User | None, area: LocalArea) -> None:
    """Remove a user's own area. Contacts and organisations in it keep their records, with no area."""
    if not area.is_custom:
        raise ValidationError("Areas from the ONS list cannot be deleted.")
    with transaction.atomic():
        audit_record(actor=actor, action=AuditEvent.Action.DELETE, target=area, changes=snapshot(area, AREA_FIELDS))
        area.delete()

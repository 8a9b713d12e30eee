"""Insert many rows at once for the import's write step.

Django's bulk_create builds a model instance and a bound parameter for every value, which for an import of
100,000 contacts (and as many affiliations, timeline entries and audit events) is most of the run. On
PostgreSQL the rows go in through COPY instead, as plain tuples; new contacts get their ids from the table's
sequence first, so the rows that point at them can be written the same way. Elsewhere (SQLite for `make run`)
the same calls fall back to bulk_create. Both run inside the caller's transaction, so all-or-nothing holds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH_SIZE = 1000


def _uses_copy() -> bool:
    return connection.vendor == "postgresql"


def _filled(model: type[models.Model], columns: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The columns the caller left out, with the value Django would have given each (defaults, timestamps),
    so a COPY row is complete without a model instance."""
    now = timezone.now()
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.attname in columns or f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        else:
            value = f.get_default()
        names.append(f.attname)
        values.append(f.get_db_prep_save(value, connection))
    return names, values


def _json_columns(model: type[models.Model], columns: Sequence[str]) -> dict[int, models.JSONField]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    found: dict[int, models.JSONField] = {}
    for i, name in enumerate(columns):
        field = fields[name]
        if isinstance(field, models.JSONField):
            found[i] = field
    return found


def _copy(table: str, names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Ids for `count` new rows, taken from the table's sequence (PostgreSQL only), in ascending order."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count])
        return sorted(row[0] for row in cursor.fetchall())


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    ignore_conflicts: bool = False,
) -> list[int]:
    """Insert `rows` (values for `columns`, by attname) and return the new primary keys in row order.

    Columns not named get their model default, as bulk_create would give them. With ignore_conflicts a
    row that breaks a unique constraint is left out (nothing is returned then)."""
    if not rows:
        return []
    if not _uses_copy():
        return _insert_with_orm(model, columns, rows, ignore_conflicts=ignore_conflicts)
    json_at = _json_columns(model, columns)
    if json_at:
        # COPY reads JSON as text. Rows often share one dict (every new contact's audit event says the same),
        # so each distinct object is serialised once; the rows keep them alive, so their ids stay unique.
        dumped: dict[int, str] = {}

        def as_json(value: Any, encoder: type[json.JSONEncoder] | None) -> str:
            key = id(value)
            if key not in dumped:
                dumped[key] = json.dumps(value, cls=encoder)
            return dumped[key]

        rows = [tuple(as_json(v, json_at[i].encoder) if i in json_at else v for i, v in enumerate(r)) for r in rows]
    extra_names, extra_values = _filled(model, columns)
    names = [*columns, *extra_names]
    extra = tuple(extra_values)
    table = model._meta.db_table
    pk_name = model._meta.pk.attname
    if ignore_conflicts:
        _copy_ignoring_conflicts(table, names, (tuple(r) + extra for r in rows))
        return []
    ids = reserve_ids(model, len(rows))
    _copy(table, [pk_name, *names], ((pk, *r, *extra) for pk, r in zip(ids, rows, strict=True)))
    return ids


def _copy_ignoring_conflicts(table: str, names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    # COPY has no ON CONFLICT, so the rows land in a scratch table first and move across with one INSERT.
    quote = connection.ops.quote_name
    scratch = f"import_scratch_{table}"
    cols = ", ".join(quote(n) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(scratch)}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote(scratch)} ON COMMIT DROP AS SELECT {cols} FROM {quote(table)} WITH NO DATA"  # noqa: S608
        )
    _copy(scratch, names, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({cols}) SELECT {cols} FROM {quote(scratch)} ON CONFLICT DO NOTHING"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {quote(scratch)}")


def _insert_with_orm(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]], *, ignore_conflicts: bool
) -> list[int]:
    objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE, ignore_conflicts=ignore_conflicts)
    return [] if ignore_conflicts else [obj.pk for obj in objects]

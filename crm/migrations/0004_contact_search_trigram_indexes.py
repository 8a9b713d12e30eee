"""Trigram indexes for the contact list's search, on PostgreSQL only.

The search (crm.filters.ContactFilter.search) matches each word anywhere in a contact's names, email and job
title, their other emails and their current organisations' names. Django compiles `icontains` to
`UPPER(col::text) LIKE UPPER(%s)` on PostgreSQL, which no b-tree can serve, so every search read all 100,000
contacts. A GIN trigram index on exactly that expression lets PostgreSQL find the matches from the index.

SQLite (`make run`) has no pg_trgm and scans its small tables quickly enough, so there this does nothing.
"""

from django.db import migrations

# (index name, table, column): the expressions ContactFilter.search filters on.
INDEXES = [
    ("crm_contact_first_name_trgm", "crm_contact", "first_name"),
    ("crm_contact_last_name_trgm", "crm_contact", "last_name"),
    ("crm_contact_email_trgm", "crm_contact", "email"),
    ("crm_contact_job_title_trgm", "crm_contact", "job_title"),
    ("crm_contactemail_email_trgm", "crm_contactemail", "email"),
    ("crm_organisation_name_trgm", "crm_organisation", "name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+), so the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other database objects may have come to rely on it.
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0003_registry"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]

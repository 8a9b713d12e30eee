"""Checking and writing stay fast enough for big files: lookups are bulk, writes are batched."""

from __future__ import annotations

import time

import pytest

from crm.importing.readers import read_table
from crm.importing.validation import Options, validate
from crm.models import Contact, ImportJob
from crm.services.importing import import_job_create, import_job_preview, import_job_run, job_columns
from tests.crm.factories import LocalAreaFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
ROWS = 10_000


def big_file(rows: int) -> bytes:
    lines = ["First name,Last name,Email,Area,Organisation,Practitioner group,Tags,Consent date"]
    lines += [
        f"Person,Number{i},person{i}@example.org,Testshire,Testshire Council,Health visiting,hv;north,"
        f"0{i % 9 + 1}/03/2024"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_checking_10000_rows_takes_a_fixed_number_of_queries_and_little_time(django_assert_max_num_queries):
    area = LocalAreaFactory(name="Testshire")
    OrganisationFactory(name="Testshire Council", area=area)
    table = read_table(big_file(ROWS), "big.csv")
    from crm.importing.columns import guess_mapping

    mapping = guess_mapping(table.headers, "contacts")
    started = time.monotonic()
    with django_assert_max_num_queries(20):
        plan = validate(table, mapping, "contacts", Options())
    elapsed = time.monotonic() - started
    assert plan.summary["create"] == ROWS
    # 5,000 rows a second is the target on PostgreSQL; leave room for a slow CI machine.
    assert elapsed < ROWS / 2500, elapsed


def test_writing_10000_rows_is_batched(leader):
    area = LocalAreaFactory(name="Testshire")
    OrganisationFactory(name="Testshire Council", area=area)
    job = import_job_create(actor=leader, data=big_file(ROWS), filename="big.csv", kind="contacts")
    import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action="skip")
    started = time.monotonic()
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.DONE, job.failure
    assert Contact.objects.count() == ROWS
    assert time.monotonic() - started < 60

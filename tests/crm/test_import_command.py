"""`manage.py import_contacts` does what the web import does, with progress and a rejected-rows report."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from crm.models import Contact, ImportJob, Organisation
from tests.crm.factories import ContactFactory, LocalAreaFactory, OrganisationFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def testshire():
    area = LocalAreaFactory(name="Testshire", code="E10000099")
    OrganisationFactory(name="Testshire County Council", area=area)
    return area


def test_imports_a_file_and_writes_a_report_of_rejected_rows(testshire, tmp_path, admin_user):
    ContactFactory(email="existing@example.org", job_title="Old")
    report = tmp_path / "rejected.csv"
    out = StringIO()

    call_command(
        "import_contacts",
        str(FIXTURES / "contacts_windows1252.csv"),
        "--match",
        "update",
        "--report",
        str(report),
        "--user",
        admin_user.email,
        stdout=out,
    )

    output = out.getvalue()
    assert "Read 5 rows" in output
    assert "100% (5 of 5 rows)" in output
    assert "Done: 1 created, 1 updated, 0 skipped, 3 rejected." in output
    assert Contact.objects.get(email="existing@example.org").job_title == "Health visitor"
    with open(report, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["row"], r["column"]) for r in rows] == [("4", "E-mail"), ("5", "Local Authority"), ("7", "E-mail")]
    assert "Atlantis" in rows[1]["reason"]
    job = ImportJob.objects.get()
    assert job.created_by == admin_user


def test_mapping_option_overrides_the_guess_and_organisations_import(testshire):
    out = StringIO()
    call_command(
        "import_contacts",
        str(FIXTURES / "organisations.csv"),
        "--organisations",
        "--mapping",
        "Parent=,Website=",
        stdout=out,
    )
    hub = Organisation.objects.get(name="Testshire Family Hub North")
    assert hub.parent is None
    assert hub.website == ""
    assert "Done: 3 created" in out.getvalue()


def test_dry_run_writes_nothing(testshire):
    out = StringIO()
    call_command("import_contacts", str(FIXTURES / "contacts_utf8_bom.csv"), "--dry-run", stdout=out)
    assert "Dry run: nothing was written." in out.getvalue()
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "words"), [("pdf_renamed.csv", "PDF"), ("empty.csv", "empty"), ("corrupt.xlsx", "damaged")]
)
def test_bad_files_stop_with_a_clear_message(name, words):
    with pytest.raises(CommandError, match=words):
        call_command("import_contacts", str(FIXTURES / name), stdout=StringIO())
    assert ImportJob.objects.count() == 0


def test_a_bad_mapping_option_is_explained(testshire):
    with pytest.raises(CommandError, match="not a column in the file"):
        call_command("import_contacts", str(FIXTURES / "contacts_utf8_bom.csv"), "--mapping", "Nope=email")

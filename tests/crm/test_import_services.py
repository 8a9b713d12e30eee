"""Import services against the database, with real messy files from tests/crm/fixtures/."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm.importing.columns import guess_mapping
from crm.importing.readers import ImportFileError, read_table
from crm.models import AuditEvent, Contact, ImportJob, LawfulBasis, Organisation, TimelineEntry
from crm.services.importing import (
    ImportStateError,
    import_job_confirm,
    import_job_create,
    import_job_preview,
    import_job_run,
    job_columns,
)
from tests.crm.factories import ContactFactory, LocalAreaFactory, OrganisationFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def testshire():
    return LocalAreaFactory(name="Testshire", code="E10000099")


@pytest.fixture
def county_council(testshire):
    return OrganisationFactory(name="Testshire County Council", area=testshire)


def upload(name: str, actor, kind: str = "contacts") -> ImportJob:
    return import_job_create(actor=actor, data=(FIXTURES / name).read_bytes(), filename=name, kind=kind)


def problems_at(job: ImportJob, row: int, severity: str = "error") -> list[dict]:
    return [p for p in job.problems if p["row"] == row and p["severity"] == severity]


# --- Reading files ------------------------------------------------------------------------------


def test_windows_1252_csv_keeps_pound_signs_accents_and_smart_quotes():
    table = read_table((FIXTURES / "contacts_windows1252.csv").read_bytes(), "contacts_windows1252.csv")
    assert table.encoding == "cp1252"
    first = dict(zip(table.headers, table.rows[0][1], strict=True))
    assert first["First name"] == "Zoë"
    assert first["Surname"] == "O’Brien"
    assert first["Budget note"] == "£1,200 a year"
    assert "“lead”" in table.rows[1][1][3]
    # the blank spreadsheet row is skipped, and row numbers stay as the spreadsheet shows them
    assert [row for row, _ in table.rows] == [2, 3, 4, 5, 7]
    assert table.blank_rows == 1


def test_utf8_with_bom_does_not_leak_the_bom_into_the_first_header():
    table = read_table((FIXTURES / "contacts_utf8_bom.csv").read_bytes(), "contacts_utf8_bom.csv")
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "Name"


def test_xlsx_reads_typed_cells_as_uk_text_and_skips_blank_rows():
    table = read_table((FIXTURES / "contacts.xlsx").read_bytes(), "contacts.xlsx")
    assert table.file_type == "xlsx"
    priya = dict(zip(table.headers, table.rows[0][1], strict=True))
    assert priya["Consent given"] == "17/05/2024"
    assert priya["Phone"] == "1612345678"
    assert [row for row, _ in table.rows] == [2, 4]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.csv", "empty"),
        ("pdf_renamed.csv", "PDF"),
        ("corrupt.xlsx", "damaged"),
        ("not_a_workbook.xlsx", "not an Excel workbook"),
        ("header_only.csv", "no rows of data"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_store_nothing(name, words, leader):
    with pytest.raises(ImportFileError, match=words):
        upload(name, leader)
    assert ImportJob.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(settings, leader):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="largest file"):
        upload("contacts_windows1252.csv", leader)


def test_header_variations_are_guessed():
    headers = ["E-mail", "Surname", "Forename", "Job Title ", "LA", "Email address", "Org", "Something else"]
    mapping = guess_mapping(headers, "contacts")
    assert mapping["E-mail"] == "email"
    assert mapping["Email address"] == ""  # email is already taken by the first column that looks like it
    assert mapping["Surname"] == "last_name"
    assert mapping["Forename"] == "first_name"
    assert mapping["Job Title "] == "job_title"
    assert mapping["LA"] == "area"
    assert mapping["Org"] == "organisation"
    assert mapping["Something else"] == ""


# --- Preview ------------------------------------------------------------------------------------


def test_preview_reports_each_problem_by_row_and_column_and_writes_nothing(leader, testshire):
    existing = ContactFactory(email="existing@example.org", first_name="Zoe", last_name="OBrien")
    job = upload("contacts_windows1252.csv", leader)
    contacts_before = Contact.objects.count()

    plan = import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action="update")

    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert Contact.objects.count() == contacts_before
    assert problems_at(job, 4) == [
        {"row": 4, "column": "E-mail", "message": "“not-an-email” is not a valid email address.", "severity": "error"}
    ]
    assert problems_at(job, 5)[0]["column"] == "Local Authority"
    assert "Atlantis" in problems_at(job, 5)[0]["message"]
    assert problems_at(job, 7)[0]["column"] == "E-mail"
    assert "also on row 3" in problems_at(job, 7)[0]["message"]
    match = problems_at(job, 2, "match")[0]
    assert match["column"] == "E-mail"
    assert "will be updated" in match["message"]
    assert plan.rows[0].match_id == existing.pk
    assert (job.created_count, job.updated_count, job.error_count) == (1, 1, 3)


def test_unknown_practitioner_group_and_organisation_are_problems(leader, testshire):
    data = (
        b"First name,Last name,Email,Practitioner group,Organisation,Area\r\n"
        b"Ann,Lee,ann@example.org,Astronaut,Nowhere Trust,Testshire\r\n"
    )
    job = import_job_create(actor=leader, data=data, filename="x.csv", kind="contacts")
    import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action="skip")
    job.refresh_from_db()
    by_column = {p["column"]: p["message"] for p in problems_at(job, 2)}
    assert "Astronaut" in by_column["Practitioner group"]
    assert "Nowhere Trust" in by_column["Organisation"]


def test_a_mapping_without_names_is_refused(leader, testshire):
    job = upload("contacts_windows1252.csv", leader)
    columns = {h: ("email" if h == "E-mail" else "") for h in job.headers}
    with pytest.raises(ImportStateError, match="first and last names"):
        import_job_preview(job=job, actor=leader, columns=columns, match_action="skip")


# --- Confirm and write --------------------------------------------------------------------------


def test_confirm_writes_valid_rows_with_history_and_audit(leader, testshire, county_council):
    job = upload("contacts_utf8_bom.csv", leader)
    import_job_preview(
        job=job, actor=leader, columns=job_columns(job), match_action="skip", create_missing_organisations=False
    )

    job = import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)

    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.error_count) == (2, 1)
    amal = Contact.objects.get(email="amal.hussain@example.gov.uk")
    assert (amal.first_name, amal.last_name) == ("Amal", "Hussain")
    assert amal.lawful_basis == LawfulBasis.CONSENT
    assert amal.consent_given_at.date().isoformat() == "2023-11-22"
    assert sorted(amal.tags.values_list("name", flat=True)) == ["early help", "family hubs"]
    assert amal.affiliations.get().organisation == county_council
    assert amal.affiliations.get().role == "Head of early help"
    jo = Contact.objects.get(email="jo.smith@example.gov.uk")
    assert (jo.first_name, jo.last_name, jo.do_not_contact) == ("Jo", "Smith", True)
    assert "Unknown Org Ltd" in problems_at(job, 4)[0]["message"]
    assert TimelineEntry.objects.filter(contact=amal, kind="import").count() == 1
    assert AuditEvent.objects.filter(action="import", target_type="crm.importjob", target_id=str(job.pk)).exists()
    event = AuditEvent.objects.get(action="import", target_type="crm.contact", target_id=str(amal.pk))
    assert event.changes == {"import_job": job.pk, "file": job.original_name, "created": True}
    assert (event.actor, event.target_repr) == (leader, "Amal Hussain")


def test_create_missing_organisations_when_ticked(leader, testshire, county_council):
    job = upload("contacts_utf8_bom.csv", leader)
    import_job_preview(
        job=job, actor=leader, columns=job_columns(job), match_action="skip", create_missing_organisations=True
    )
    job = import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)
    assert job.created_count == 3
    bethan = Contact.objects.get(email="bethan@example.org")
    assert (bethan.first_name, bethan.last_name) == ("Bethan", "ap Rhys")
    assert bethan.affiliations.get().organisation.name == "Unknown Org Ltd"


@pytest.mark.parametrize("action", ["skip", "update", "create"])
def test_match_action_decides_what_happens_to_an_existing_contact(action, leader, testshire):
    existing = ContactFactory(email="existing@example.org", job_title="Old title", email_opt_out=True)
    job = upload("contacts_windows1252.csv", leader)
    import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action=action)
    job = import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)

    existing.refresh_from_db()
    with_email = Contact.objects.filter(email="existing@example.org")
    if action == "skip":
        assert existing.job_title == "Old title"
        assert with_email.count() == 1
        assert job.skipped_count == 1
    elif action == "update":
        assert existing.job_title == "Health visitor"
        assert existing.email_opt_out is True  # a file never withdraws an objection
        assert existing.consent_given_at.date().isoformat() == "2024-02-03"
        assert job.updated_count == 1
        entry = TimelineEntry.objects.get(contact=existing, kind="import")
        assert "job_title" in entry.detail
        event = AuditEvent.objects.get(action="import", target_type="crm.contact", target_id=str(existing.pk))
        assert event.changes["job_title"] == ["Old title", "Health visitor"]
    else:
        assert with_email.count() == 2
        assert job.created_count == 2


def test_the_write_is_all_or_nothing(leader, testshire, county_council, monkeypatch):
    # Given a file whose rows are all valid
    job = upload("contacts_utf8_bom.csv", leader)
    import_job_preview(
        job=job, actor=leader, columns=job_columns(job), match_action="skip", create_missing_organisations=True
    )
    contacts_before, orgs_before = Contact.objects.count(), Organisation.objects.count()

    # when the write fails at its last step, after the contacts, organisations, tags and timeline are in
    from crm.importing import writing

    insert_rows = writing.insert_rows

    def explode(model, columns, rows, **kwargs):
        if model is AuditEvent:
            raise RuntimeError("disk full")
        return insert_rows(model, columns, rows, **kwargs)

    monkeypatch.setattr(writing, "insert_rows", explode)
    job = import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)

    # then nothing at all was written, and the person is told so without a stack trace
    assert job.status == ImportJob.Status.FAILED
    assert "nothing was saved" in job.failure
    assert "disk full" not in job.failure
    assert Contact.objects.count() == contacts_before
    assert Organisation.objects.count() == orgs_before
    assert not TimelineEntry.objects.filter(kind="import").exists()
    assert not AuditEvent.objects.filter(action="import", target_type="crm.contact").exists()


def test_running_a_finished_job_again_changes_nothing(leader, testshire, county_council):
    job = upload("contacts_utf8_bom.csv", leader)
    import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action="create")
    import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)
    count = Contact.objects.count()

    again = import_job_run(job_id=job.pk)

    assert again.status == ImportJob.Status.DONE
    assert Contact.objects.count() == count


def test_confirming_twice_is_refused(leader, testshire, county_council):
    job = upload("contacts_utf8_bom.csv", leader)
    import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action="skip")
    import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)
    with pytest.raises(ImportStateError):
        import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)


def test_xlsx_import_reads_uk_dates_and_ons_codes(leader, testshire):
    job = upload("contacts.xlsx", leader)
    import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action="skip")
    job = import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)
    assert job.created_count == 2, job.problems
    priya = Contact.objects.get(email="priya.patel@example.nhs.uk")
    assert priya.consent_given_at.date().isoformat() == "2024-05-17"
    assert priya.seniority == "manager"
    assert Contact.objects.get(email="tom.jones@example.nhs.uk").area == testshire


def test_organisations_import_links_parents_in_the_file_and_rejects_bad_postcodes(leader, testshire, county_council):
    job = upload("organisations.csv", leader, kind="organisations")
    import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action="skip")
    job = import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)

    assert job.created_count == 3, job.problems
    hub = Organisation.objects.get(name="Testshire Family Hub North")
    assert (hub.kind, hub.postcode, hub.website) == ("family_hub", "TS1 1AA", "https://www.example.org/hub")
    assert hub.parent == county_council
    assert Organisation.objects.get(name="Hub Annex").parent == hub
    assert Organisation.objects.get(name="Testshire ICB").kind == "icb"
    assert problems_at(job, 5)[0]["column"] == "Postcode"

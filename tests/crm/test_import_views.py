"""The import pages: role matrix, the upload -> map -> preview -> confirm flow, progress, and the
background path through a real Celery worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Contact, ImportJob
from crm.services.importing import import_job_confirm, import_job_create, import_job_preview, job_columns
from tests.crm.factories import ImportJobFactory, LocalAreaFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def fixture_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes())


# --- Role matrix ---------------------------------------------------------------------------------

EDITORS = {"admin", "leader", "campaign_staff"}


def job_urls(job: ImportJob) -> dict[str, str]:
    return {
        "start": reverse("crm:import_start"),
        "detail": reverse("crm:import_detail", args=[job.pk]),
        "mapping": reverse("crm:import_mapping", args=[job.pk]),
        "preview": reverse("crm:import_preview", args=[job.pk]),
        "progress": reverse("crm:import_progress", args=[job.pk]),
        "rejected": reverse("crm:import_rejected_rows", args=[job.pk]),
    }


@pytest.mark.parametrize("role", ["admin", "leader", "campaign_staff", "viewer"])
def test_role_matrix_for_import_pages(role, client, users_by_role):
    user = users_by_role[role]
    job = ImportJobFactory(created_by=user, status=ImportJob.Status.PREVIEWED)
    urls = job_urls(job)
    client.force_login(user)
    may_edit = role in EDITORS
    assert client.get(urls["start"]).status_code == (200 if may_edit else 403)
    assert client.get(urls["mapping"]).status_code == (200 if may_edit else 403)
    assert client.get(urls["preview"]).status_code == (200 if may_edit else 403)
    assert client.post(reverse("crm:import_confirm", args=[job.pk])).status_code == (302 if may_edit else 403)
    # everyone who may read the registry may see an import's outcome
    assert client.get(urls["detail"]).status_code == 200
    assert client.get(urls["progress"]).status_code == 200
    assert client.get(urls["rejected"]).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client):
    job = ImportJobFactory()
    for url in [*job_urls(job).values(), reverse("crm:import_confirm", args=[job.pk])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]


def test_someone_elses_import_cannot_be_mapped_or_confirmed(client, leader, campaign_staff):
    job = ImportJobFactory(created_by=campaign_staff, status=ImportJob.Status.PREVIEWED)
    client.force_login(leader)
    assert client.get(reverse("crm:import_mapping", args=[job.pk])).status_code == 403
    assert client.post(reverse("crm:import_confirm", args=[job.pk])).status_code == 403


# --- The flow ------------------------------------------------------------------------------------


def test_upload_map_preview_confirm(client, leader):
    LocalAreaFactory(name="Testshire", code="E10000099")
    client.force_login(leader)

    response = client.post(
        reverse("crm:import_start"), {"kind": "contacts", "file": fixture_upload("contacts_windows1252.csv")}
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("crm:import_mapping", args=[job.pk])

    mapping_page = client.get(response["Location"])
    assert "Surname" in mapping_page.content.decode()
    guessed = job_columns(job)
    form = {f"column_{i}": guessed[header] for i, header in enumerate(job.headers)}
    response = client.post(response["Location"], {**form, "match_action": "skip"})
    assert response["Location"] == reverse("crm:import_preview", args=[job.pk])
    assert Contact.objects.count() == 0

    preview = client.get(response["Location"]).content.decode()
    assert "“not-an-email” is not a valid email address." in preview
    assert "Atlantis" in preview
    assert "also on row 3" in preview

    response = client.post(reverse("crm:import_confirm", args=[job.pk]))
    assert response["Location"] == reverse("crm:import_detail", args=[job.pk])
    assert Contact.objects.filter(email="renee.smith@example.nhs.uk", first_name="Renée").exists()
    detail = client.get(response["Location"]).content.decode()
    assert "Import complete" in detail
    rejected = b"".join(client.get(reverse("crm:import_rejected_rows", args=[job.pk])).streaming_content).decode()
    assert "4,E-mail,“not-an-email” is not a valid email address." in rejected


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.csv", "The file is empty"),
        ("pdf_renamed.csv", "is a PDF document, not a spreadsheet"),
        ("corrupt.xlsx", "damaged"),
    ],
)
def test_a_bad_file_is_explained_on_the_upload_page(name, words, client, leader):
    client.force_login(leader)
    response = client.post(reverse("crm:import_start"), {"kind": "contacts", "file": fixture_upload(name)})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_mapping_without_names_is_explained(client, leader):
    client.force_login(leader)
    job = import_job_create(
        actor=leader, data=(FIXTURES / "contacts_windows1252.csv").read_bytes(), filename="c.csv", kind="contacts"
    )
    response = client.post(reverse("crm:import_mapping", args=[job.pk]), {"column_2": "email", "match_action": "skip"})
    assert response.status_code == 400
    assert "first and last names" in response.content.decode()


# --- Big files: a real worker and a live progress bar ------------------------------------------


def big_csv(rows: int) -> bytes:
    lines = ["First name,Last name,Email,Area"]
    lines += [f"Person,Number{i},person{i}@example.org,Testshire" for i in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_big_file_is_queued_instead_of_run_in_the_request(leader, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_MAX_ROWS = 10
    LocalAreaFactory(name="Testshire")
    job = import_job_create(actor=leader, data=big_csv(30), filename="big.csv", kind="contacts")
    import_job_preview(job=job, actor=leader, columns=job_columns(job), match_action="skip")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_confirm(job=ImportJob.objects.get(pk=job.pk), actor=leader)
    assert job.status == ImportJob.Status.QUEUED
    assert len(callbacks) == 1
    assert Contact.objects.count() == 0


@pytest.mark.services
def test_a_big_file_runs_on_a_real_worker_with_progress(celery_worker_process, admin_user, client):
    from crm.tasks import import_run

    LocalAreaFactory(name="Testshire")
    job = import_job_create(actor=admin_user, data=big_csv(3000), filename="big.csv", kind="contacts")
    import_job_preview(job=job, actor=admin_user, columns=job_columns(job), match_action="skip")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    client.force_login(admin_user)
    progress_url = reverse("crm:import_progress", args=[job.pk])

    result = import_run.apply_async(args=[job.pk], queue=celery_worker_process.queue)
    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        data = client.get(progress_url).json()
        seen.append((data["status"], data["percent"]))
        if data["finished"]:
            break
        time.sleep(0.05)
    assert result.get(timeout=60) == "done"
    assert seen[-1] == ("done", 100)
    assert any(0 < percent < 100 for _, percent in seen), seen
    assert Contact.objects.filter(email__startswith="person").count() == 3000

    # a second delivery of the same task finds the job done and writes nothing more
    again = import_run.apply_async(args=[job.pk], queue=celery_worker_process.queue)
    assert again.get(timeout=60) == "done"
    assert Contact.objects.filter(email__startswith="person").count() == 3000
    page = client.get(reverse("crm:import_detail", args=[job.pk])).content.decode()
    assert "Import complete" in page

"""Every upload form, given files that are too large, of the wrong type, or malformed: the page says what
was wrong and where, and nothing is written. A request body over Django's limit gets a friendly page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from campaigns.models import Response
from crm.models import Contact, ImportJob, Organisation
from tests.campaigns.factories import CampaignFactory
from tests.crm.factories import ContactFactory


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["First name", "Last name"])
    workbook.active.append(["Ada", "Lovelace"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return out.getvalue()


BAD_IMPORT_FILES = {
    "empty": ("contacts.csv", b"", "empty"),
    "a PDF renamed .csv": ("contacts.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
    "a PNG image": ("contacts.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "a PNG image"),
    "an old .xls": ("contacts.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "old Excel"),
    "a zip, not a workbook": ("contacts.xlsx", zip_bytes(), "zip archive"),
    "a damaged workbook": ("contacts.xlsx", xlsx_bytes()[:300], "damaged"),
    "named .xlsx but text": ("contacts.xlsx", b"First name,Last name\nAda,Lovelace\n", "not one"),
    "binary that is not text": ("contacts.csv", b"abc\x00\x01\x02" * 50, "binary data"),
    "cut-short UTF-16": ("contacts.csv", b"\xff\xfe\x00", "UTF-16"),
    "header only": ("contacts.csv", b"First name,Last name\r\n", "no rows of data"),
}


def registry_size() -> tuple[int, int, int]:
    return ImportJob.objects.count(), Contact.objects.count(), Organisation.objects.count()


@pytest.mark.parametrize("case", BAD_IMPORT_FILES, ids=list(BAD_IMPORT_FILES))
def test_the_import_page_explains_a_bad_file_against_the_file_field_and_stores_nothing(client, leader, case):
    filename, data, words = BAD_IMPORT_FILES[case]
    client.force_login(leader)
    before = registry_size()

    response = client.post(
        reverse("crm:import_start"), {"kind": "contacts", "file": SimpleUploadedFile(filename, data)}
    )

    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert 'href="#id_file"' in page  # the summary links to the field that was wrong
    assert words in page
    assert registry_size() == before


def test_an_import_file_over_the_limit_is_refused_with_its_size(client, leader, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(leader)
    before = registry_size()
    data = b"First name,Last name\n" + b"Ada,Lovelace\n" * 100_000  # about 1.3 MB

    response = client.post(
        reverse("crm:import_start"), {"kind": "contacts", "file": SimpleUploadedFile("big.csv", data)}
    )

    assert "The file is 1.2 MB; the largest file you can import is 1 MB" in response.content.decode()
    assert registry_size() == before


@pytest.fixture
def campaign(leader):
    return CampaignFactory(owner=leader)


BAD_RESPONSE_FILES = {
    "a PDF": (b"%PDF-1.7\n\x81\x8d\x8f binary", "not text"),
    "no header row": (b"jo@example.org,pledged support,22/11/2025\n", "must name the columns"),
    "a cell far too long": (
        b"email,response,date\n" + b'"' + b"x" * 200_000 + b'",pledged,1/1/2025\n',
        "could not be read from row 2",
    ),
    "a NUL byte": (b"email,response,date\njo@example.org,pledged\x00,22/11/2025\n", "is not a response"),
    "a bad date and kind": (b"email,response,date\njo@example.org,maybe,31/02/2025\n", "31/02/2025"),
}


@pytest.mark.parametrize("case", BAD_RESPONSE_FILES, ids=list(BAD_RESPONSE_FILES))
def test_the_response_import_explains_a_bad_file_and_records_nothing(client, campaign_staff, campaign, case):
    data, words = BAD_RESPONSE_FILES[case]
    ContactFactory(email="jo@example.org")
    client.force_login(campaign_staff)

    response = client.post(
        reverse("campaigns:response_import", args=[campaign.pk]), {"file": SimpleUploadedFile("r.csv", data)}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert words in page
    assert not Response.objects.exists()


def test_a_response_file_over_5_mb_is_refused(client, campaign_staff, campaign):
    client.force_login(campaign_staff)
    data = b"email,response,date\n" + b"jo@example.org,pledged support,22/11/2025\n" * 130_000

    response = client.post(
        reverse("campaigns:response_import", args=[campaign.pk]), {"file": SimpleUploadedFile("r.csv", data)}
    )

    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    assert not Response.objects.exists()


def test_a_form_body_far_over_the_limit_gets_a_friendly_400_page(client, leader, settings):
    client.force_login(leader)
    before = registry_size()
    body = "first_name=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 2)

    response = client.post(reverse("crm:contact_create"), data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">What you sent was too large</h1>' in page
    assert "2.5 MB" in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert registry_size() == before


def test_too_many_fields_gets_a_friendly_400_page(client, leader, settings):
    client.force_login(leader)
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10))

    response = client.post(reverse("crm:contact_create"), data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert "What you sent had too many parts" in response.content.decode()

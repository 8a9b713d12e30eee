"""Text with HTML, <script>, CR/LF, a right-to-left override, a zero-width joiner and emoji in EVERY
free-text field of every model (the list comes from the model metadata, so a new field is covered), then
every page, export, the campaign email, the weekly report and the API: markup comes out escaped, no
header carries a line break or an override, and nothing answers 500."""

from __future__ import annotations

import email
import email.policy
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models.functions import Cast, Concat
from pypdf import PdfReader

from boards.reporting.services import weekly
from boards.reporting.services.pdf import report_pdf
from boards.reporting.services.weeks import last_completed_week
from campaigns.services.email import compose, merge_context
from crm.models import Contact
from crm.roles import Role
from tests.badinput.conftest import NASTY
from tests.badinput.spreadsheets import body_of, csv_cells, formula_cells, xlsx_formula_cells
from tests.conftest import make_user
from tests.security.test_url_matrix import concrete_path, routes

APPS = ["crm", "boards", "campaigns", "reporting", "api"]
# Text fields that are not free text: each holds something the code reads back (a secret, a hash, a
# machine value), so nonsense there is a different test. The reason is the value.
NOT_FREE_TEXT = {
    "crm.user.password": "a password hash",
    "crm.importjob.encoding": "the codec the file was read with",
    "crm.importjob.original_name": "the uploaded file name, kept only for display of the job",
    "crm.localarea.code": "an ONS code the importer matches on",
    "campaigns.message.subject": "merge-field templates: their own property tests",
    "campaigns.message.html_body": "merge-field templates: their own property tests",
    "campaigns.message.text_body": "merge-field templates: their own property tests",
    "campaigns.delivery.message_id": "the SMTP Message-ID",
    "campaigns.send.claim_token": "a worker's claim",
    "api.apitoken.key_hash": "a token hash",
    "api.apitoken.prefix": "the token prefix looked up on every request",
    "reporting.weeklyreport.week": "an ISO week label parsed by the URLs",
}
MACHINE_TYPES = (models.EmailField, models.URLField, models.SlugField, models.FilePathField, models.UUIDField)
ESCAPED_SCRIPT = "&lt;script&gt;"


def free_text_fields() -> list[models.Field]:
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                key = f"{model._meta.label_lower}.{field.name}"
                if not isinstance(field, (models.CharField, models.TextField)) or isinstance(field, MACHINE_TYPES):
                    continue
                if field.choices or field.primary_key or key in NOT_FREE_TEXT or field.name.endswith("_token"):
                    continue
                found.append(field)
    return found


def fill_with_nasty_text(field: models.Field) -> None:
    model = field.model
    limit = field.max_length or 10_000
    # A prefix of the text, then the row's own key, so unique fields (and case-insensitive unique
    # expressions) stay unique.
    value = Concat(models.Value(NASTY[: max(limit - 8, 1)]), Cast("pk", models.CharField()))
    model._base_manager.update(**{field.name: value})


@pytest.fixture
def nasty_world(db):
    call_command("seed_demo", "--quiet-logins")
    for field in free_text_fields():
        fill_with_nasty_text(field)


def test_the_field_list_comes_from_the_models_and_reaches_every_app():
    names = {f"{f.model._meta.label_lower}.{f.name}" for f in free_text_fields()}

    assert {"crm.contact.first_name", "crm.note.body", "boards.engagement.summary", "campaigns.campaign.name"} <= names
    assert {f.model._meta.app_label for f in free_text_fields()} >= {"crm", "boards", "campaigns", "reporting"}


def header_problems(response, path: str) -> list[tuple[str, str]]:
    return [
        (path, f"{name} header carries {value!r}")
        for name, value in response.items()
        if any(ch in value for ch in "\r\n\u202e")
    ]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER], ids=["admin", "viewer"])
def test_every_page_and_export_shows_the_text_escaped_and_nothing_breaks(client, nasty_world, role):
    client.force_login(make_user(role, is_staff=role == Role.ADMIN))
    problems = []
    escaped_somewhere = False
    for route in routes():
        if route.name == "logout":
            continue
        path = concrete_path(route)
        for query in ({}, {"export": "csv"}, {"export": "xlsx"}) if route.name.endswith("_list") else ({},):
            response = client.get(path, query)
            problems += header_problems(response, path)
            kind = response.get("Content-Type", "")
            if response.status_code >= 500:
                problems.append((path, f"answered {response.status_code}"))
            elif kind.startswith("text/html"):
                page = body_of(response).decode()
                if "<script>alert" in page or "<b>bold</b>" in page:
                    problems.append((path, "raw markup from a record"))
                escaped_somewhere |= ESCAPED_SCRIPT in page
            elif kind.startswith("text/csv"):
                cells = csv_cells(body_of(response))
                problems += [(path, f"formula cell {c!r}") for c in formula_cells(cells)]
            elif "spreadsheetml" in kind:
                problems += [(path, f"formula cell {c!r}") for c in xlsx_formula_cells(body_of(response))]
    assert problems == [], "\n".join(map(str, problems))
    assert escaped_somewhere  # the text really was on the pages, escaped


def test_campaign_email_to_a_nasty_name_keeps_its_headers_whole_and_escapes_the_body(nasty_world):
    contact = Contact.objects.exclude(email="").first()
    context = merge_context(contact=contact, campaign_name=NASTY, campaign_slug="c", unsubscribe="https://u.example/x")

    message = compose(
        subject="Hello {{ first_name }} from {{ campaign_name }}",
        html_body="<p>Dear {{ full_name }} at {{ organisation }}</p>",
        text_body="Dear {{ full_name }}",
        from_name=NASTY,
        from_email="campaigns@common-ground.example",
        reply_to="",
        to_email=contact.email,
        to_name=contact.full_name,
        context=context,
    )
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)

    assert parsed["Bcc"] is None  # "\r\nBcc: victim@…" in the name did not become a header
    assert all("\u202e" not in str(value) and "\n" not in str(value) for value in parsed.values())
    assert "<script>" in str(parsed["Subject"])  # a subject is plain text: shown, not run
    assert "\u200d" in str(parsed["Subject"])  # the emoji's joiner survives
    html_part = next(p for p in parsed.walk() if p.get_content_type() == "text/html").get_content()
    assert "<script>" not in html_part
    assert ESCAPED_SCRIPT in html_part


def test_weekly_report_pdf_prints_the_text_as_text(nasty_world):
    figures = weekly.weekly_figures(week_start=last_completed_week())
    row = {"key": "x", "label": NASTY, "this": 2, "prev": 1, "change": 1}
    figures["engagements"]["by_area"] = [row]

    pdf = PdfReader(io.BytesIO(report_pdf(figures=figures, rebuilt_note=NASTY)))
    text = "".join(page.extract_text() for page in pdf.pages)

    # The markup is printed as the characters typed (escaped for ReportLab, not obeyed or choked on)
    assert "<script>alert('cg')</script>" in text
    assert "<b>bold</b>" in text


def test_api_json_carries_the_text_intact_and_the_browsable_api_escapes_it(client, nasty_world):
    from tests.security.test_api_matrix import calls

    client.force_login(make_user(Role.ADMIN, is_staff=True))
    problems, intact = [], False
    for call in (c for c in calls() if c.method == "get"):
        path = call.path()
        as_json = client.get(path, headers={"accept": "application/json"})
        as_page = client.get(path, headers={"accept": "text/html"})
        for response in (as_json, as_page):
            problems += header_problems(response, path)
            if response.status_code >= 500:
                problems.append((path, f"answered {response.status_code}"))
        if "<script>alert" in as_page.content.decode():
            problems.append((path, "raw markup in the browsable API"))
        intact |= "<script>alert('cg')</script>" in json.dumps(as_json.json(), ensure_ascii=False)
    assert problems == [], "\n".join(map(str, problems))
    assert intact  # JSON is data: the text is returned exactly as stored, for the client to escape

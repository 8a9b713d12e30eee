"""Registry pages: the role matrix for every URL, list query counts, exports, audit visibility."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import AuditEvent, Contact, Note, Organisation
from crm.services.areas import area_create
from tests.crm.factories import (
    AffiliationFactory,
    ContactEmailFactory,
    ContactFactory,
    LocalAreaFactory,
    OrganisationFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "viewer", "campaign_staff", "leader", "admin"]


@pytest.fixture
def world(leader):
    area = LocalAreaFactory(name="Leeds")
    custom = area_create(actor=leader, name="West Yorkshire Combined Authority", region="yorkshire_humber")
    organisation = OrganisationFactory(area=area)
    contact = ContactFactory(area=area)
    affiliation = AffiliationFactory(contact=contact, organisation=organisation)
    other_email = ContactEmailFactory(contact=contact)
    note = Note.objects.create(contact=contact, body="Met at the launch", author=leader)
    return {
        "area": area, "custom": custom, "organisation": organisation, "contact": contact,
        "affiliation": affiliation, "other_email": other_email, "note": note,
    }  # fmt: skip


# (url name, args from world, who may GET: lowest role). Writes are checked separately.
READ = {"viewer", "campaign_staff", "leader", "admin"}
EDIT = {"campaign_staff", "leader", "admin"}
ADMIN = {"admin"}
PAGES = [
    ("crm:contact_list", [], READ),
    ("crm:contact_create", [], EDIT),
    ("crm:contact_detail", ["contact"], READ),
    ("crm:contact_edit", ["contact"], EDIT),
    ("crm:contact_preferences", ["contact"], EDIT),
    ("crm:contact_email_add", ["contact"], EDIT),
    ("crm:affiliation_add", ["contact"], EDIT),
    ("crm:contact_job_move", ["contact"], EDIT),
    ("crm:contact_history", ["contact"], READ),
    ("crm:contact_erase", ["contact"], ADMIN),
    ("crm:contact_delete", ["contact"], ADMIN),
    ("crm:affiliation_end", ["affiliation"], EDIT),
    ("crm:organisation_list", [], READ),
    ("crm:organisation_create", [], EDIT),
    ("crm:organisation_detail", ["organisation"], READ),
    ("crm:organisation_edit", ["organisation"], EDIT),
    ("crm:organisation_delete", ["organisation"], ADMIN),
    ("crm:organisation_history", ["organisation"], READ),
    ("crm:area_list", [], READ),
    ("crm:area_create", [], EDIT),
    ("crm:area_detail", ["area"], READ),
    ("crm:area_edit", ["custom"], EDIT),
    ("crm:area_delete", ["custom"], ADMIN),
    ("crm:audit_trail", [], READ),
    ("crm:suppression_list", [], READ),
    ("crm:suppression_add", [], EDIT),
]
POSTS = [
    ("crm:contact_note_add", ["contact"], EDIT, {"body": "Follow up in May"}),
    ("crm:organisation_note_add", ["organisation"], EDIT, {"body": "New manager starts"}),
    ("crm:contact_email_remove", ["contact", "other_email"], EDIT, {}),
]


def client_for(client, users_by_role, role):
    if role != "anonymous":
        client.force_login(users_by_role[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_role_matrix_for_every_page(client, users_by_role, world, role, name, args, allowed):
    url = reverse(name, args=[world[a].pk for a in args])
    response = client_for(client, users_by_role, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login" in response["Location"]
    elif role in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "allowed", "data"), POSTS, ids=[p[0] for p in POSTS])
def test_role_matrix_for_every_action(client, users_by_role, world, role, name, args, allowed, data):
    url = reverse(name, args=[world[a].pk for a in args])
    response = client_for(client, users_by_role, role).post(url, data)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login" in response["Location"]
    elif role in allowed:
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_only_admins_export_everything_held_on_a_contact(client, users_by_role, world, role, file_format):
    url = reverse("crm:contact_data_export", args=[world["contact"].pk, file_format])
    response = client_for(client, users_by_role, role).get(url)
    expected = {"anonymous": 302, "admin": 200}.get(role, 403)
    assert response.status_code == expected
    if expected == 200:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert world["contact"].email.encode() in body


def test_erase_through_the_page(client, admin_user, world):
    client.force_login(admin_user)
    url = reverse("crm:contact_erase", args=[world["contact"].pk])
    refused = client.post(url, {})
    assert refused.status_code == 200
    assert "I understand" in refused.content.decode()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert Contact.objects.get(pk=world["contact"].pk).full_name == "Erased contact"


# --- Forms go through services, and bad input is explained ---------------------------------------------


def test_leader_adds_a_contact_with_a_new_tag(client, leader, world):
    client.force_login(leader)
    response = client.post(
        reverse("crm:contact_create"),
        {
            "first_name": "Priya", "last_name": "Shah", "email": "PRIYA.SHAH@example.nhs.uk",
            "practitioner_group": "midwifery", "area": world["area"].pk, "new_tags": "pilot, Champion",
            "organisation": world["organisation"].pk, "role": "Community midwife",
        },
    )  # fmt: skip
    contact = Contact.objects.get(last_name="Shah")
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    assert contact.email == "priya.shah@example.nhs.uk"
    assert sorted(t.name for t in contact.tags.all()) == ["Champion", "pilot"]
    assert contact.affiliations.get().role == "Community midwife"
    assert AuditEvent.objects.filter(target_type="crm.contact", action="create", actor=leader).exists()


def test_consent_without_a_date_says_so_on_the_field(client, leader, world):
    client.force_login(leader)
    response = client.post(reverse("crm:contact_preferences", args=[world["contact"].pk]), {"lawful_basis": "consent"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_consent_date"' in page
    assert "Enter the date consent was given." in page


def test_job_move_through_the_page_keeps_the_old_role(client, leader, world):
    client.force_login(leader)
    new_org = OrganisationFactory(name="Leeds Family Hub")
    response = client.post(
        reverse("crm:contact_job_move", args=[world["contact"].pk]),
        {
            "previous": world["affiliation"].pk,
            "organisation": new_org.pk,
            "role": "Hub manager",
            "start_date": "2026-01-05",
        },
    )
    assert response.status_code == 302
    roles = list(world["contact"].affiliations.order_by("pk").values_list("organisation__name", "end_date"))
    assert roles[0][1] is not None
    assert roles[1] == ("Leeds Family Hub", None)


# --- Lists: filters, one query budget, exports ------------------------------------------------------------


def make_contacts(n, area, tag):
    organisation = OrganisationFactory(area=area)
    contacts = ContactFactory.create_batch(n, area=area)
    for contact in contacts:
        contact.tags.add(tag)
        AffiliationFactory(contact=contact, organisation=organisation)
    return contacts


def queries_for(client, url):
    # The first request of a test warms per-process caches (content types, sites); count a second one.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name",
    ["crm:contact_list", "crm:organisation_list", "crm:area_list"],
    ids=["contacts", "organisations", "areas"],
)
def test_lists_run_the_same_queries_for_10_rows_as_for_500(client, viewer, url_name):
    client.force_login(viewer)
    area, tag = LocalAreaFactory(), TagFactory()
    make_contacts(10, area, tag)
    OrganisationFactory.create_batch(10, area=area)
    LocalAreaFactory.create_batch(10)
    url = reverse(url_name) + "?sort=name"
    small = queries_for(client, url)

    make_contacts(490, area, tag)
    OrganisationFactory.create_batch(490, area=area)
    LocalAreaFactory.create_batch(490)
    large = queries_for(client, url)

    assert small == large


def test_contact_search_finds_by_name_email_and_organisation(client, viewer):
    client.force_login(viewer)
    hub = OrganisationFactory(name="Bristol Family Hub")
    ContactFactory(first_name="Amara", last_name="Nwosu", email="a.nwosu@example.org")
    ben = ContactFactory(first_name="Ben", last_name="Lee", email="ben@hub.example.org")
    AffiliationFactory(contact=ben, organisation=hub)
    ContactFactory(first_name="Carl", last_name="Other")

    def names(query):
        response = client.get(reverse("crm:contact_list"), {"q": query})
        return sorted(row.record.last_name for row in response.context["table"].paginated_rows)

    assert names("nwosu") == ["Nwosu"]
    assert names("a.nwosu@") == ["Nwosu"]
    assert names("bristol family") == ["Lee"]
    assert names("amara nwosu") == ["Nwosu"]


def test_contact_filters_combine(client, viewer):
    client.force_login(viewer)
    leeds = LocalAreaFactory(name="Leeds", region="yorkshire_humber")
    kent = LocalAreaFactory(name="Kent", region="south_east")
    police = OrganisationFactory(kind=Organisation.Kind.POLICE)
    tag = TagFactory(name="pilot")
    wanted = ContactFactory(area=leeds, practitioner_group="police", lawful_basis="legitimate_interests")
    wanted.tags.add(tag)
    AffiliationFactory(contact=wanted, organisation=police)
    ContactFactory(area=kent, practitioner_group="police")
    ContactFactory(area=leeds, practitioner_group="housing")

    response = client.get(
        reverse("crm:contact_list"),
        {"region": "yorkshire_humber", "practitioner_group": "police", "organisation_kind": "police",
         "tags": tag.pk, "lawful_basis": "legitimate_interests", "area": leeds.pk},
    )  # fmt: skip
    assert [row.record.pk for row in response.context["table"].paginated_rows] == [wanted.pk]


def test_csv_export_is_streamed_filtered_neutralised_and_audited(client, leader):
    client.force_login(leader)
    area = LocalAreaFactory(name="Kent")
    ContactFactory(area=area, first_name='=HYPERLINK("http://evil")', last_name="Smith", job_title="+44 tab")
    ContactFactory(area=area, first_name="Ann", last_name="Jones", job_title="@risk")
    ContactFactory(first_name="Not", last_name="InKent")

    response = client.get(reverse("crm:contact_list"), {"area": area.pk, "export": "csv"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["First name", "Last name", "Job title"]
    assert len(rows) == 3
    cells = {cell for row in rows[1:] for cell in row}
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'+44 tab" in cells
    assert "'@risk" in cells
    event = AuditEvent.objects.get(action="export")
    assert event.actor == leader
    assert event.changes["rows"] == 2
    assert event.changes["filters"] == {"area": str(area.pk)}


def test_xlsx_export_opens_in_a_spreadsheet(client, viewer):
    client.force_login(viewer)
    OrganisationFactory(name="-cmd|' /C calc'!A0", kind=Organisation.Kind.HOUSING)
    response = client.get(reverse("crm:organisation_list"), {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Name"
    assert rows[1][0] == "'-cmd|' /C calc'!A0"
    assert rows[1][1] == "Housing provider"
    assert AuditEvent.objects.filter(action="export", target_type="crm.organisation").exists()


# --- Audit trail visibility ---------------------------------------------------------------------------------


def test_admins_see_everyones_exports_others_only_their_own(client, users_by_role, leader, viewer, admin_user):
    for user in (leader, viewer):
        client.force_login(user)
        client.get(reverse("crm:contact_list"), {"export": "csv"})

    client.force_login(admin_user)
    everyone = {
        row.record.actor_id
        for row in client.get(reverse("crm:audit_trail"), {"action": "export"}).context["table"].paginated_rows
    }
    assert everyone == {leader.pk, viewer.pk}

    client.force_login(viewer)
    response = client.get(reverse("crm:audit_trail"))
    mine = {(row.record.actor_id, row.record.action) for row in response.context["table"].paginated_rows}
    assert mine == {(viewer.pk, "export")}
    assert "Your downloads" in response.content.decode()


def test_a_records_history_hides_others_exports_from_non_admins(client, leader, viewer, admin_user, world):
    contact = world["contact"]
    AuditEvent.objects.create(actor=admin_user, action="export", target_type="crm.contact", target_id=str(contact.pk))
    AuditEvent.objects.create(actor=leader, action="update", target_type="crm.contact", target_id=str(contact.pk))

    client.force_login(viewer)
    seen = [
        r.record.action
        for r in client.get(reverse("crm:contact_history", args=[contact.pk])).context["table"].paginated_rows
    ]
    client.force_login(admin_user)
    seen_by_admin = [
        r.record.action
        for r in client.get(reverse("crm:contact_history", args=[contact.pk])).context["table"].paginated_rows
    ]

    assert seen == ["update"]
    assert sorted(seen_by_admin) == ["export", "update"]


# --- Record pages: timeline in a fixed query budget ----------------------------------------------------------


def test_contact_page_runs_the_same_queries_however_long_the_timeline(client, viewer, world):
    from crm.models import TimelineEntry

    client.force_login(viewer)
    contact = world["contact"]
    url = reverse("crm:contact_detail", args=[contact.pk])
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(contact=contact, kind="email", summary=f"Email {i}", actor=viewer) for i in range(5)]
    )
    short = queries_for(client, url)
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(contact=contact, kind="email", summary=f"Email {i}", actor=viewer) for i in range(300)]
    )
    long = queries_for(client, url)
    assert short == long
    page = client.get(url).content.decode()
    assert "Older" in page
    assert "Page 1 of" in page


def test_organisation_page_lists_its_people_and_timeline(client, viewer, world):
    client.force_login(viewer)
    response = client.get(reverse("crm:organisation_detail", args=[world["organisation"].pk]))
    assert world["contact"].full_name in response.content.decode()

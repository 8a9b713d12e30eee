import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from campaigns.models import Response, ResponseKind
from campaigns.selectors import goal_progress
from campaigns.services.responses import response_import_csv, response_record
from crm.models import PractitionerGroup, TimelineEntry
from tests.campaigns.factories import CampaignFactory, GoalFactory
from tests.crm.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_recording_by_hand_from_a_contact_page(client, campaign_staff):
    campaign = CampaignFactory()
    contact = ContactFactory()
    client.force_login(campaign_staff)
    url = reverse("campaigns:response_create") + f"?contact={contact.pk}"
    page = client.get(url)
    assert escape(contact.full_name) in page.content.decode()  # names like O'Neill are HTML-escaped
    response = client.post(
        url,
        {
            "contact": contact.pk,
            "next": "contact",
            "campaign": campaign.pk,
            "kind": ResponseKind.MATERIALS,
            "occurred_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Response.objects.get(contact=contact).kind == ResponseKind.MATERIALS
    assert TimelineEntry.objects.filter(contact=contact, kind="response").count() == 1


def test_recording_from_the_campaign_page_by_email_names_an_unknown_address(client, campaign_staff):
    campaign = CampaignFactory()
    client.force_login(campaign_staff)
    response = client.post(
        reverse("campaigns:response_create"),
        {"email": "nobody@nowhere.org", "campaign": campaign.pk, "kind": "replied", "occurred_on": "2026-01-05"},
    )
    assert response.status_code == 400
    assert "No contact has the email address nobody@nowhere.org" in response.content.decode()


def test_import_is_all_or_nothing_and_names_rows_and_columns(campaign_staff):
    campaign = CampaignFactory()
    ContactFactory(email="a@nhs.net")
    data = (
        b"email,response,date\n"
        b"a@nhs.net,pledged support,01/02/2026\n"
        b"b@nhs.net,replied,2026-02-01\n"
        b"a@nhs.net,waved,2026-02-01\n"
        b"a@nhs.net,replied,31/02/2026\n"
    )
    result = response_import_csv(campaign=campaign, data=data, actor=campaign_staff)
    assert [(p.row, p.column) for p in result.problems] == [(3, "email"), (4, "response"), (5, "date")]
    assert Response.objects.count() == 0


def test_import_writes_responses_and_timeline_and_is_idempotent(client, campaign_staff):
    campaign = CampaignFactory()
    a = ContactFactory(email="a@nhs.net")
    ContactFactory(email="b@nhs.net")
    csv_bytes = (
        b"Email,Response,Date,Notes\nA@nhs.net,Pledged support,01/02/2026,At the conference\n"
        b"b@nhs.net,made a referral,2026-02-03,\n"
    )
    client.force_login(campaign_staff)
    url = reverse("campaigns:response_import", args=[campaign.pk])
    assert client.post(url, {"file": SimpleUploadedFile("r.csv", csv_bytes, "text/csv")}).status_code == 302
    assert Response.objects.filter(campaign=campaign).count() == 2
    assert TimelineEntry.objects.filter(contact=a, kind="response").count() == 1
    assert client.post(url, {"file": SimpleUploadedFile("r.csv", csv_bytes, "text/csv")}).status_code == 302
    assert Response.objects.filter(campaign=campaign).count() == 2


def test_import_problems_are_shown_on_the_page(client, campaign_staff):
    campaign = CampaignFactory()
    client.force_login(campaign_staff)
    url = reverse("campaigns:response_import", args=[campaign.pk])
    bad = SimpleUploadedFile("r.csv", b"email,when\nx@y.org,today\n", "text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "Missing: response, date" in response.content.decode()


def test_responses_count_against_goals_by_audience(campaign_staff):
    campaign = CampaignFactory()
    goal_hv = GoalFactory(
        campaign=campaign,
        measure="pledged",
        target=4,
        practitioner_group=PractitionerGroup.HEALTH_VISITING,
    )
    goal_any = GoalFactory(campaign=campaign, measure="pledged", target=10)
    hv = ContactFactory.create_batch(2)
    gp = ContactFactory(practitioner_group=PractitionerGroup.GENERAL_PRACTICE)
    today = timezone.localdate()
    for contact in [*hv, gp]:
        response_record(campaign=campaign, contact=contact, kind="pledged", occurred_on=today, actor=campaign_staff)
    # The same person pledging again on another day is still one person
    response_record(
        campaign=campaign, contact=hv[0], kind="pledged", occurred_on=today - dt.timedelta(days=1), actor=campaign_staff
    )
    progress = {p.goal.pk: p for p in goal_progress(campaign)}
    assert progress[goal_hv.pk].achieved == 2
    assert progress[goal_hv.pk].percent == 50
    assert progress[goal_any.pk].achieved == 3


def test_the_same_response_on_the_same_day_is_recorded_once(campaign_staff):
    campaign, contact = CampaignFactory(), ContactFactory()
    today = timezone.localdate()
    _, created = response_record(campaign=campaign, contact=contact, kind="replied", occurred_on=today, actor=None)
    _, again = response_record(campaign=campaign, contact=contact, kind="replied", occurred_on=today, actor=None)
    assert created
    assert not again
    assert Response.objects.count() == 1

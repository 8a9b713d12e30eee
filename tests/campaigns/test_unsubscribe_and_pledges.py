"""One-click unsubscribe as a mail provider sends it, and the public pledge page with double opt-in."""

from __future__ import annotations

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse

from campaigns.models import Delivery, Pledge, Response, ResponseKind
from campaigns.services import pledges, sending
from campaigns.services.email import unsubscribe_token
from crm.models import Contact, LawfulBasis, PractitionerGroup, TimelineEntry
from crm.services.suppression import is_suppressed
from tests.campaigns.factories import CampaignFactory, SendFactory
from tests.crm.factories import ContactFactory, LocalAreaFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits(eager_tasks):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def delivery(campaign_staff):
    contact = ContactFactory()
    send = sending.send_start(send=SendFactory(), actor=campaign_staff)
    return Delivery.objects.get(send=send, contact=contact)


def one_click(client, token):
    # What Gmail and others send (RFC 8058): a POST with this body, no cookies, no CSRF token.
    return client.post(
        reverse("campaigns:unsubscribe", args=[token]),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )


def test_one_click_post_suppresses_at_once_without_login_or_csrf(delivery):
    from django.test import Client

    provider = Client(enforce_csrf_checks=True)
    response = one_click(provider, unsubscribe_token(delivery.pk))
    assert response.status_code == 200
    assert is_suppressed(delivery.email)
    delivery.refresh_from_db()
    assert delivery.unsubscribed_at is not None
    assert Contact.objects.get(pk=delivery.contact_id).email_opt_out
    assert TimelineEntry.objects.filter(contact=delivery.contact_id, kind="consent").count() == 1
    # A second POST (providers retry) changes nothing more
    assert one_click(provider, unsubscribe_token(delivery.pk)).status_code == 200
    assert TimelineEntry.objects.filter(contact=delivery.contact_id, kind="consent").count() == 1


def test_get_only_shows_a_confirmation_page(client, delivery):
    response = client.get(reverse("campaigns:unsubscribe", args=[unsubscribe_token(delivery.pk)]))
    assert response.status_code == 200
    assert b"Unsubscribe" in response.content
    assert not is_suppressed(delivery.email)


def test_a_tampered_token_gets_a_friendly_400(client, delivery):
    token = unsubscribe_token(delivery.pk)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = one_click(client, tampered)
    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert b"Traceback" not in response.content
    assert not is_suppressed(delivery.email)


def test_unsubscribing_stops_the_rest_of_a_send_in_progress(campaign_staff, mailer):
    first, second = ContactFactory.create_batch(2)
    send = sending.send_start(send=SendFactory(), actor=campaign_staff)
    d2 = Delivery.objects.get(send=send, contact=second)
    from django.test import Client

    one_click(Client(), unsubscribe_token(d2.pk))
    sending.send_deliver_batch(send_id=send.pk)
    assert mailer.handler.count_for(first.email) == 1
    assert mailer.handler.count_for(second.email) == 0


# --- Pledge page --------------------------------------------------------------------------------


def pledge_data(**overrides):
    area = LocalAreaFactory()
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "Priya.Shah@nhs.net",
        "practitioner_group": PractitionerGroup.MIDWIFERY,
        "organisation_name": "Manchester University NHS Foundation Trust",
        "area": area.pk,
        "consent": "on",
        "website": "",
    }
    return data | overrides


def confirm_link_from(outbox_message) -> str:
    body = outbox_message.body
    start = body.index("http")
    return body[start:].split()[0]


def test_pledge_is_double_opt_in_and_records_consent_and_the_response(client, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    organisation = OrganisationFactory(name="Manchester University NHS Foundation Trust")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:pledge", args=[campaign.slug]), pledge_data())
    assert response.status_code == 302
    # Nothing in the registry changes until the emailed link is followed
    assert not Contact.objects.filter(email="priya.shah@nhs.net").exists()
    assert len(mail.outbox) == 1
    link = confirm_link_from(mail.outbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200  # a page with a button: link scanners do not confirm
    assert not Contact.objects.filter(email="priya.shah@nhs.net").exists()
    assert client.post("/" + path).status_code == 200
    contact = Contact.objects.get(email="priya.shah@nhs.net")
    assert contact.lawful_basis == LawfulBasis.CONSENT
    assert contact.consent_given_at is not None
    assert contact.consent_wording == campaign.pledge_consent_wording
    assert campaign.name in contact.consent_source
    assert contact.affiliations.filter(organisation=organisation).exists()
    assert Response.objects.filter(campaign=campaign, contact=contact, kind=ResponseKind.PLEDGED).count() == 1
    # Confirming twice changes nothing
    assert client.post("/" + path).status_code == 200
    assert Response.objects.filter(campaign=campaign, contact=contact).count() == 1


def test_a_known_email_gets_the_same_answer_and_is_updated_not_duplicated(client, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    known = ContactFactory(email="known@nhs.net", lawful_basis=LawfulBasis.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("known@nhs.net", "stranger@nhs.net"):
            response = client.post(reverse("campaigns:pledge", args=[campaign.slug]), pledge_data(email=address))
            assert response.status_code == 302
            assert response["Location"] == reverse("campaigns:pledge_thanks", args=[campaign.slug])
    token = signing.dumps(
        {"p": Pledge.objects.get(email="known@nhs.net").pk, "e": "known@nhs.net"}, salt=pledges.CONFIRM_SALT
    )
    pledges.pledge_confirm(token=token)
    known.refresh_from_db()
    assert known.lawful_basis == LawfulBasis.CONSENT
    assert Contact.objects.filter(email__iexact="known@nhs.net").count() == 1


def test_the_honeypot_stores_nothing_but_looks_the_same(client):
    campaign = CampaignFactory()
    response = client.post(reverse("campaigns:pledge", args=[campaign.slug]), pledge_data(website="http://spam"))
    assert response.status_code == 302
    assert Pledge.objects.count() == 0
    assert mail.outbox == []


def test_rate_limit_per_email_is_silent_and_per_ip_is_refused(client, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    url = reverse("campaigns:pledge", args=[campaign.slug])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(pledges.PER_EMAIL_LIMIT + 2):
            assert client.post(url, pledge_data(email="same@nhs.net")).status_code == 302
    assert len(mail.outbox) == pledges.PER_EMAIL_LIMIT
    for n in range(pledges.PER_IP_LIMIT):
        client.post(url, pledge_data(email=f"other{n}@nhs.net"))
    assert client.post(url, pledge_data(email="last@nhs.net")).status_code == 429


def test_consent_must_be_given(client):
    campaign = CampaignFactory()
    data = pledge_data()
    del data["consent"]
    response = client.post(reverse("campaigns:pledge", args=[campaign.slug]), data)
    assert response.status_code == 400
    assert b"Tick the box to agree" in response.content
    assert Pledge.objects.count() == 0

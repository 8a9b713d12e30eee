"""The send path in this process against the real loopback SMTP server: headers, exactly-once claims,
temporary and permanent SMTP errors, unsubscribes mid-send, pause and cancel, reconciling."""

import datetime as dt
import email.policy
from email import message_from_bytes

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import Delivery, Send
from campaigns.services import sending
from campaigns.services.email import compose
from crm.models import Contact, Suppression, TimelineEntry
from crm.services.suppression import is_suppressed, suppression_add
from tests.campaigns.factories import MessageFactory, SegmentFactory, SendFactory
from tests.crm.factories import AffiliationFactory, ContactFactory

pytestmark = pytest.mark.django_db


def started_send(campaign_staff, **kwargs) -> Send:
    send = SendFactory(**kwargs)
    return sending.send_start(send=send, actor=campaign_staff)


def test_start_freezes_eligible_recipients_once(campaign_staff):
    # Given three contacts who may be emailed and one who opted out
    ContactFactory.create_batch(3)
    ContactFactory(email_opt_out=True)
    send = started_send(campaign_staff)
    # Then three deliveries are queued and the exclusion is recorded
    assert send.status == Send.Status.SENDING
    assert send.recipient_count == 3
    assert send.excluded == {"opted_out": 1}
    # And beginning again (a task run twice) adds nobody
    ContactFactory()
    sending.send_begin(send_id=send.pk)
    assert Delivery.objects.filter(send=send).count() == 3


def test_every_recipient_gets_one_correct_email(campaign_staff, mailer):
    contacts = ContactFactory.create_batch(4)
    AffiliationFactory(contact=contacts[0], organisation__name="Bolton NHS Foundation Trust")
    send = started_send(campaign_staff)
    outcome = sending.send_deliver_batch(send_id=send.pk)
    assert outcome.sent == 4
    send.refresh_from_db()
    assert send.status == Send.Status.FINISHED
    for contact in contacts:
        assert mailer.handler.count_for(contact.email) == 1
    first = next(m.message for m in mailer.messages if contacts[0].email in m.rcpt_tos)
    # RFC 8058 one-click unsubscribe with an https-or-site URL, a text part, and a Message-ID of our own
    assert first["List-Unsubscribe"].startswith("<http")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Message-ID"].endswith("@common-ground.example>")
    text = first.get_body(preferencelist=("plain",)).get_content()
    html = first.get_body(preferencelist=("html",)).get_content()
    assert f"Dear {contacts[0].first_name}" in text
    assert "Bolton NHS Foundation Trust" in text
    assert "/campaigns/u/" in text
    assert "/campaigns/u/" in html
    # Each delivery keeps its Message-ID and the contact's timeline shows the email
    delivery = Delivery.objects.get(send=send, contact=contacts[0])
    assert delivery.message_id == first["Message-ID"]
    assert TimelineEntry.objects.filter(contact=contacts[0], kind="email").count() == 1
    assert len({m.message["Message-ID"] for m in mailer.messages}) == 4


def test_a_claimed_delivery_is_not_sent_again(campaign_staff, mailer):
    contact = ContactFactory()
    send = started_send(campaign_staff)
    delivery = Delivery.objects.get(send=send)
    # Given another worker has claimed it
    import uuid

    assert sending._claim(delivery.pk, uuid.uuid4())
    # When this worker runs a batch
    outcome = sending.send_deliver_batch(send_id=send.pk)
    # Then it sends nothing
    assert outcome.sent == 0
    assert mailer.handler.count_for(contact.email) == 0


def test_temporary_errors_are_retried_then_sent(campaign_staff, mailer):
    contact = ContactFactory()
    send = started_send(campaign_staff)
    mailer.handler.reply_for_rcpt[contact.email] = "451 4.3.0 Try again later"
    sending.send_deliver_batch(send_id=send.pk)
    delivery = Delivery.objects.get(send=send)
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.attempts == 1
    assert "451" in delivery.error
    # When the server recovers, the next batch sends it
    mailer.handler.reply_for_rcpt.clear()
    sending.send_deliver_batch(send_id=send.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert mailer.handler.count_for(contact.email) == 1


def test_temporary_errors_give_up_after_the_maximum_attempts(campaign_staff, mailer):
    contact = ContactFactory()
    send = started_send(campaign_staff)
    mailer.handler.reply_for_rcpt[contact.email] = "421 4.4.2 Busy"
    for _ in range(5):
        sending.send_deliver_batch(send_id=send.pk)
    delivery = Delivery.objects.get(send=send)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 3  # CAMPAIGN_MAX_ATTEMPTS in the mailer fixture
    assert not is_suppressed(contact.email)


def test_permanent_errors_are_not_retried_and_a_bad_mailbox_is_suppressed(campaign_staff, mailer):
    gone, refused = ContactFactory(), ContactFactory()
    send = started_send(campaign_staff)
    mailer.handler.reply_for_rcpt[gone.email] = "550 5.1.1 No such user"
    mailer.handler.reply_for_rcpt[refused.email] = "554 5.7.1 Policy rejection"
    sending.send_deliver_batch(send_id=send.pk)
    sending.send_deliver_batch(send_id=send.pk)
    bounced = Delivery.objects.get(send=send, contact=gone)
    failed = Delivery.objects.get(send=send, contact=refused)
    assert (bounced.status, bounced.attempts) == (Delivery.Status.BOUNCED, 1)
    assert (failed.status, failed.attempts) == (Delivery.Status.FAILED, 1)
    assert Suppression.objects.get(email_hash__isnull=False).reason == Suppression.Reason.BOUNCED
    assert is_suppressed(gone.email)
    assert not is_suppressed(refused.email)
    send.refresh_from_db()
    assert send.status == Send.Status.FINISHED


def test_an_unsubscribe_during_a_send_takes_effect_before_their_email(campaign_staff, mailer):
    leaving, staying, opting_out = ContactFactory.create_batch(3)
    send = started_send(campaign_staff)
    # Recipients are frozen; then one unsubscribes elsewhere and one opts out
    suppression_add(email=leaving.email, reason=Suppression.Reason.UNSUBSCRIBED, source="another email")
    Contact.objects.filter(pk=opting_out.pk).update(email_opt_out=True)
    sending.send_deliver_batch(send_id=send.pk)
    assert mailer.handler.count_for(leaving.email) == 0
    assert mailer.handler.count_for(opting_out.email) == 0
    assert mailer.handler.count_for(staying.email) == 1
    assert Delivery.objects.get(send=send, contact=leaving).status == Delivery.Status.SKIPPED


def test_header_injection_through_names_and_subjects_is_impossible(campaign_staff, mailer):
    # Given a contact and a campaign sender whose names carry CR/LF and header text
    contact = ContactFactory(first_name="Eve\r\nBcc: victim@example.com", last_name="X\nX-Evil: 1")
    message = MessageFactory(subject="Hi {{ first_name }}", campaign__from_name="Campaigns\r\nBcc: spy@example.com")
    send = started_send(campaign_staff, message=message)
    sending.send_deliver_batch(send_id=send.pk)
    # Then exactly one message reached exactly the contact, with no injected headers
    assert len(mailer.messages) == 1
    received = mailer.messages[0]
    assert received.rcpt_tos == [contact.email]
    headers = received.message
    assert headers["Bcc"] is None
    assert headers["X-Evil"] is None
    assert "\n" not in headers["Subject"]
    assert "\r" not in headers["Subject"]
    assert headers["Subject"].startswith("Hi Eve")
    assert "spy@example.com" not in (headers["To"] + headers["From"]).replace('"', "").split("<")[-1]


def test_compose_never_produces_a_multiline_header():
    contact = ContactFactory.build(first_name="A\r\nB", last_name="C", area=None)
    context = {"first_name": contact.first_name, "unsubscribe_url": "https://example.org/u/x/"}
    built = compose(
        subject="{{ first_name }}\u2028Bcc: x@example.com",
        html_body="<p>x</p>",
        text_body="x",
        from_name="Team\nBcc: y@example.com",
        from_email="team@example.org",
        reply_to="",
        to_email="a@example.org",
        to_name="A\r\nCc: z@example.com",
        context=context,
    )
    raw = built.message(policy=email.policy.SMTP).as_bytes()
    parsed = message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Cc"] is None
    assert parsed["To"].addresses[0].addr_spec == "a@example.org"


def test_pause_stops_and_resume_continues(campaign_staff, mailer):
    ContactFactory.create_batch(3)
    send = started_send(campaign_staff)
    sending.send_pause(send=send, actor=campaign_staff)
    assert sending.send_deliver_batch(send_id=send.pk).sent == 0
    sending.send_resume(send=send, actor=campaign_staff)
    assert sending.send_deliver_batch(send_id=send.pk).sent == 3


def test_cancel_skips_everyone_not_yet_sent(campaign_staff, mailer):
    ContactFactory.create_batch(3)
    send = started_send(campaign_staff)
    sending.send_cancel(send=send, actor=campaign_staff)
    assert sending.send_deliver_batch(send_id=send.pk).sent == 0
    assert set(Delivery.objects.filter(send=send).values_list("status", flat=True)) == {"skipped"}
    with pytest.raises(ValidationError):
        sending.send_resume(send=send, actor=campaign_staff)


def test_reconcile_requeues_only_claims_older_than_the_timeout(campaign_staff, mailer):
    ContactFactory.create_batch(2)
    send = started_send(campaign_staff)
    old, fresh = Delivery.objects.filter(send=send).order_by("pk")
    import uuid

    sending._claim(old.pk, uuid.uuid4())
    sending._claim(fresh.pk, uuid.uuid4())
    Delivery.objects.filter(pk=old.pk).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    result = sending.send_reconcile(stale_after=dt.timedelta(minutes=10))
    assert result.requeued == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == Delivery.Status.QUEUED
    assert old.claim_token is None
    assert fresh.status == Delivery.Status.SENDING


def test_a_scheduled_send_waits_for_its_time(campaign_staff):
    ContactFactory()
    send = SendFactory(scheduled_for=timezone.now() + dt.timedelta(hours=2))
    send = sending.send_start(send=send, actor=campaign_staff)
    assert send.status == Send.Status.SCHEDULED
    assert Delivery.objects.filter(send=send).count() == 0
    Send.objects.filter(pk=send.pk).update(scheduled_for=timezone.now() - dt.timedelta(minutes=1))
    assert sending.send_reconcile().due_sends == [send.pk]


def test_a_send_cannot_start_twice(campaign_staff):
    send = started_send(campaign_staff)
    with pytest.raises(ValidationError):
        sending.send_start(send=send, actor=campaign_staff)


def test_segment_without_filters_does_not_email_the_excluded(campaign_staff, mailer):
    ContactFactory(do_not_contact=True)
    send = started_send(campaign_staff, segment=SegmentFactory())
    assert send.recipient_count == 0
    sending.send_deliver_batch(send_id=send.pk)
    send.refresh_from_db()
    assert send.status == Send.Status.FINISHED
    assert mailer.messages == []

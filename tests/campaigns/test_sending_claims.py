"""How workers share a send (docs/SENDING.md): each reserves its own chunk of deliveries, claims one at a
time, marks it sent in the statement that claims the next, and keeps one SMTP connection for its batch."""

import datetime as dt
import smtplib
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Delivery, Send
from campaigns.services import sending
from tests.campaigns.factories import SendFactory
from tests.crm.factories import ContactFactory

pytestmark = pytest.mark.django_db


def started_send(campaign_staff, recipients: int, **kwargs) -> Send:
    ContactFactory.create_batch(recipients)
    return sending.send_start(send=SendFactory(**kwargs), actor=campaign_staff)


def test_two_workers_reserve_different_deliveries(campaign_staff):
    # Given a send to 10 people
    send = started_send(campaign_staff, 10)
    now = timezone.now()
    # When two workers each reserve a chunk of 6
    first = sending._reserve(send_id=send.pk, token=uuid.uuid4(), size=6, due_by=now)
    second = sending._reserve(send_id=send.pk, token=uuid.uuid4(), size=6, due_by=now)
    # Then the first gets 6, the second the other 4, and nobody has anything in flight yet
    assert len(first) == 6
    assert len(second) == 4
    assert not set(first) & set(second)
    assert not Delivery.objects.filter(send=send).exclude(status=Delivery.Status.QUEUED).exists()


def test_a_batch_leaves_another_workers_reservation_alone_and_looks_again_shortly(campaign_staff, mailer):
    # Given another worker has reserved 3 of 5 deliveries
    send = started_send(campaign_staff, 5)
    held = sending._reserve(send_id=send.pk, token=uuid.uuid4(), size=3, due_by=timezone.now())
    # When this worker runs a batch
    outcome = sending.send_deliver_batch(send_id=send.pk)
    # Then it sends the 2 nobody held, and comes back in a second for the rest instead of spinning
    assert outcome.sent == 2
    assert len(mailer.messages) == 2
    assert outcome.more
    assert outcome.wait_seconds == sending.RESERVED_RECHECK_SECONDS
    assert set(Delivery.objects.filter(send=send, status="queued").values_list("pk", flat=True)) == set(held)


def test_the_reconciler_frees_a_dead_workers_reservation_without_counting_it_as_requeued(campaign_staff, mailer):
    # Given a worker reserved 4 deliveries an hour ago and died before claiming any
    send = started_send(campaign_staff, 4)
    sending._reserve(send_id=send.pk, token=uuid.uuid4(), size=4, due_by=timezone.now())
    Delivery.objects.filter(send=send).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    # When the reconciler runs
    result = sending.send_reconcile(stale_after=dt.timedelta(minutes=10))
    # Then nothing was in flight, so nothing counts as re-queued, and the send is handed on as stalled
    assert result.requeued == 0
    assert result.stalled_sends == [send.pk]
    assert not Delivery.objects.filter(send=send, claim_token__isnull=False).exists()
    # And the next batch sends all four, once each
    assert sending.send_deliver_batch(send_id=send.pk).sent == 4
    assert sorted(r for m in mailer.messages for r in m.rcpt_tos) == sorted(
        Delivery.objects.filter(send=send).values_list("email", flat=True)
    )


def test_a_batch_hands_back_what_it_reserved_but_did_not_send(campaign_staff, mailer):
    # Given a send to 5 people, at a rate whose chunk is all 5
    send = started_send(campaign_staff, 5, rate_per_second=50)
    # When a batch is limited to 2
    outcome = sending.send_deliver_batch(send_id=send.pk, limit=2)
    # Then 2 are sent and the other 3 are queued with no reservation, for any worker
    assert outcome.sent == 2
    left = Delivery.objects.filter(send=send, status=Delivery.Status.QUEUED)
    assert left.count() == 3
    assert not left.filter(claim_token__isnull=False).exists()
    assert not Delivery.objects.filter(send=send, status=Delivery.Status.SENDING).exists()


def test_a_batch_uses_one_smtp_connection(campaign_staff, mailer, monkeypatch):
    # Given a send to 6 people, and a count of the connections opened to the (real) server
    send = started_send(campaign_staff, 6)
    opened = []
    real_connect = smtplib.SMTP.connect

    def counting_connect(self, *args, **kwargs):
        opened.append(args)
        return real_connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting_connect)
    # When one batch sends them all
    assert sending.send_deliver_batch(send_id=send.pk).sent == 6
    # Then all six went over one connection
    assert len(mailer.messages) == 6
    assert len(opened) == 1


def test_each_more_email_costs_one_more_statement(campaign_staff, mailer):
    # Given a send to 60 people, all in one chunk (rate 60: a chunk is at most a second's worth, at most 50)
    send = started_send(campaign_staff, 60, rate_per_second=500)
    # When one batch sends 10 and the next 30 (neither finishes the send, so both do the same bookkeeping)
    with CaptureQueriesContext(connection) as ten:
        assert sending.send_deliver_batch(send_id=send.pk, limit=10).sent == 10
    with CaptureQueriesContext(connection) as thirty:
        assert sending.send_deliver_batch(send_id=send.pk, limit=30).sent == 30
    # Then the 20 extra emails cost 20 extra statements on PostgreSQL: each email's claim carries the
    # previous one's mark. (Elsewhere the two are separate updates inside one savepoint: 4 statements.)
    per_email = 1 if connection.vendor == "postgresql" else 4
    assert len(thirty.captured_queries) - len(ten.captured_queries) == 20 * per_email


def test_a_send_idle_for_longer_than_the_stall_window_is_queued_again_before_the_claim_timeout(
    campaign_staff, mailer, settings
):
    # Given a send whose next-batch task was lost (say with Redis) two minutes ago
    settings.CAMPAIGN_STALL_AFTER = 60
    send = started_send(campaign_staff, 3)
    sending._reserve(send_id=send.pk, token=uuid.uuid4(), size=1, due_by=timezone.now())
    Delivery.objects.filter(send=send).update(claimed_at=timezone.now() - dt.timedelta(minutes=2))
    # When the reconciler runs with the usual ten-minute claim timeout
    result = sending.send_reconcile(stale_after=dt.timedelta(minutes=10))
    # Then the send is named stalled at once, while the reservation is not yet presumed dead
    assert result.stalled_sends == [send.pk]
    assert Delivery.objects.filter(send=send, claim_token__isnull=False).count() == 1


def test_a_send_claimed_a_moment_ago_is_not_stalled(campaign_staff, mailer, settings):
    settings.CAMPAIGN_STALL_AFTER = 60
    send = started_send(campaign_staff, 3)
    sending._reserve(send_id=send.pk, token=uuid.uuid4(), size=1, due_by=timezone.now())
    assert sending.send_reconcile(stale_after=dt.timedelta(minutes=10)).stalled_sends == []

"""The mail server misbehaves: refuses connections, answers 4xx, answers 5xx, hangs up mid-message. Campaign
sends and digests retry what is temporary, fail (and suppress a bad mailbox) on what is permanent, as
docs/SENDING.md says, and never send anyone the same email twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from boards.reporting.models import ReminderDigest
from boards.reporting.services import reminders
from boards.reporting.tasks import dispatch_digests
from campaigns import tasks
from campaigns.models import Delivery, Send
from crm.models import Suppression
from crm.services.suppression import is_suppressed
from tests.boards.factories import CommitmentFactory
from tests.conftest import free_port
from tests.factories import UserFactory
from tests.faults.conftest import arrivals, make_recipients, started_send, wait_for
from tests.faults.dropping_smtp import DroppingSMTPServer
from tests.smtp import SMTPServer

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def finished(send: Send) -> bool:
    return Send.objects.get(pk=send.pk).status == Send.Status.FINISHED


def retried(send: Send) -> bool:
    return Delivery.objects.filter(send=send, attempts__gte=2).exists()


@pytest.mark.timeout(90)
def test_a_mail_server_refusing_connections_delays_the_send_and_loses_nobody(fault_env, processes, campaign_staff):
    # Given a worker whose mail server is not listening yet
    port = free_port()
    worker = processes("worker", fault_env | {"EMAIL_PORT": str(port)})
    recipients = make_recipients(30)
    send = started_send(campaign_staff, rate=100)
    # When it starts the send, every connection is refused and the deliveries wait to be tried again
    tasks.deliver_send.apply_async((send.pk,), queue=worker.queue)
    wait_for(lambda: retried(send), 30, "a second attempt")
    assert "refused" in Delivery.objects.filter(send=send).exclude(error="").first().error.lower()
    # And when the mail server comes up
    server = SMTPServer(port).start()
    try:
        wait_for(lambda: finished(send), 60, "the send to finish")
        got = arrivals(server)
    finally:
        server.stop()
    # Then everyone got the email once
    assert set(got) == set(recipients)
    assert set(got.values()) == {1}
    assert Delivery.objects.filter(send=send, status=Delivery.Status.SENT).count() == 30


@pytest.mark.timeout(90)
def test_a_4xx_answer_is_retried_until_the_server_takes_the_email(fault_env, processes, smtp_server, campaign_staff):
    # Given a mail server that answers "try again later" to every recipient
    smtp_server.handler.reply_all = "451 4.3.0 Mailbox busy, try again later"
    worker = processes("worker", fault_env)
    recipients = make_recipients(30)
    send = started_send(campaign_staff, rate=100)
    # When the send runs, nothing is accepted and the deliveries are tried again
    tasks.deliver_send.apply_async((send.pk,), queue=worker.queue)
    wait_for(lambda: retried(send), 30, "a second attempt")
    assert not smtp_server.messages
    assert not Delivery.objects.filter(send=send, status=Delivery.Status.FAILED).exists()
    # And when the server recovers, everyone gets the email once
    smtp_server.handler.reply_all = ""
    wait_for(lambda: finished(send), 60, "the send to finish")
    got = arrivals(smtp_server)
    assert set(got) == set(recipients)
    assert set(got.values()) == {1}


@pytest.mark.timeout(90)
def test_a_5xx_answer_fails_the_delivery_and_a_bad_mailbox_is_suppressed(
    fault_env, processes, smtp_server, campaign_staff
):
    # Given a mail server that refuses two addresses as unknown and rejects one message outright
    recipients = make_recipients(20)
    unknown, rejected = recipients[:2], recipients[2]
    for address in unknown:
        smtp_server.handler.reply_for_rcpt[address] = "550 5.1.1 No such user here"
    smtp_server.handler.reply_for_rcpt[rejected] = "554 5.7.1 Message rejected as spam"
    worker = processes("worker", fault_env)
    send = started_send(campaign_staff, rate=100)
    # When the send runs
    tasks.deliver_send.apply_async((send.pk,), queue=worker.queue)
    wait_for(lambda: finished(send), 60, "the send to finish")
    # Then the unknown mailboxes bounced, once each, and will never be emailed again
    by_address = {d.email: d for d in Delivery.objects.filter(send=send)}
    for address in unknown:
        assert by_address[address].status == Delivery.Status.BOUNCED
        assert by_address[address].attempts == 1
        assert is_suppressed(address)
    assert Suppression.objects.filter(reason=Suppression.Reason.BOUNCED).count() == 2
    # And the rejected message failed without retries, and its address is not suppressed
    assert by_address[rejected].status == Delivery.Status.FAILED
    assert by_address[rejected].attempts == 1
    assert not is_suppressed(rejected)
    # And everyone else got the email once
    got = arrivals(smtp_server)
    assert set(got) == set(recipients[3:])
    assert set(got.values()) == {1}


@pytest.mark.timeout(90)
def test_a_server_hanging_up_mid_message_gets_each_email_once_in_the_end(
    fault_env, processes, campaign_staff, fault_report
):
    # Given a mail server that hangs up during the message body the first 8 times
    server = DroppingSMTPServer(free_port(), drops=8).start()
    try:
        worker = processes("worker", fault_env | {"EMAIL_PORT": str(server.port)})
        recipients = make_recipients(30)
        send = started_send(campaign_staff, rate=100)
        # When the send runs
        tasks.deliver_send.apply_async((send.pk,), queue=worker.queue)
        wait_for(lambda: finished(send), 60, "the send to finish")
        got = [rcpt for rcpts, _ in server.received for rcpt in rcpts]
        dropped = server.dropped
    finally:
        server.stop()
    # Then the dropped messages were sent again and everyone has exactly one
    fault_report(f"{dropped} connections dropped mid-message; {len(got)} emails accepted for 30 people")
    assert dropped == 8
    assert sorted(got) == sorted(recipients)
    assert Delivery.objects.filter(send=send, status=Delivery.Status.SENT).count() == 30
    assert Delivery.objects.filter(send=send, attempts__gte=2).exists()


@pytest.mark.timeout(90)
def test_digests_wait_out_a_refusing_or_busy_mail_server_and_go_once(fault_env, processes, smtp_server):
    # Given three people whose digest is due, and a mail server answering "try again later"
    users = [UserFactory() for _ in range(3)]
    for user in users:
        reminders.reminder_preference_update(user=user, digest_time=dt.time(0, 0))
        CommitmentFactory(owner=user, due_date=timezone.localdate() + dt.timedelta(days=1))
    smtp_server.handler.reply_all = "451 4.3.0 Try again later"
    worker = processes("worker", fault_env, concurrency=2)
    # When the digest job runs (twice, as two beats would) while the server refuses
    dispatch_digests.apply_async(queue=worker.queue)
    dispatch_digests.apply_async(queue=worker.queue)
    wait_for(lambda: "Retry in" in worker.log_path.read_text(), 30, "a digest to be retried")
    assert not ReminderDigest.objects.filter(status="sent").exists()
    # And then the server recovers
    smtp_server.handler.reply_all = ""
    wait_for(lambda: ReminderDigest.objects.filter(status="sent").count() == 3, 60, "three digests")
    # Then each person got one digest
    for user in users:
        assert smtp_server.handler.count_for(user.email) == 1
    assert ReminderDigest.objects.count() == 3

"""Redis stopped: pages keep working, /health says what is wrong, actions that need the queue say they will
run later and then do, and a send in progress resumes by itself once Redis is back."""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from boards.reporting.models import WeeklyReport
from boards.reporting.services.weeks import last_completed_week, week_label
from campaigns import tasks
from campaigns.models import Delivery, Send
from crm.models import Contact, ImportJob
from crm.outbox.models import DeferredTask
from crm.queueing import QUEUE_LATER_MESSAGE
from crm.services.importing import import_job_create, import_job_preview, job_columns
from tests.campaigns.factories import SendFactory
from tests.crm.factories import LocalAreaFactory
from tests.faults.conftest import arrivals, make_recipients, started_send, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def said(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


@pytest.mark.timeout(180)
def test_pages_work_and_queued_actions_run_later_while_redis_is_down(
    client, admin_user, own_redis, fault_env, processes, smtp_server, settings
):
    # Given a send ready to start, a big import checked and ready, and a week to report on
    recipients = make_recipients(40)
    web_send = SendFactory(rate_per_second=100)
    api_send = SendFactory(rate_per_second=100)
    settings.IMPORT_INLINE_MAX_ROWS = 10
    LocalAreaFactory(name="Testshire")
    rows = "\r\n".join(f"Imported,Person{i},imported{i}@example.org,Testshire" for i in range(30))
    job = import_job_create(
        actor=admin_user,
        data=f"First name,Last name,Email,Area\r\n{rows}\r\n".encode(),
        filename="big.csv",
        kind="contacts",
    )
    import_job_preview(job=job, actor=admin_user, columns=job_columns(job), match_action="skip")
    client.force_login(admin_user)
    # When Redis stops
    own_redis.stop()
    # Then pages are still served, and /health names the broker
    page, _ = timed(lambda: client.get(reverse("dashboard")))
    assert page.status_code == 200
    health = client.get("/health")
    assert health.status_code == 503
    assert "broker" in health.content.decode()
    # And starting a send answers at once and says it will start when the queue is back
    started, took = timed(lambda: client.post(reverse("campaigns:send_start", args=[web_send.pk])))
    assert started.status_code == 302
    assert took < 5, f"starting a send took {took:.1f}s while Redis was down"
    assert QUEUE_LATER_MESSAGE in said(started)
    assert Send.objects.get(pk=web_send.pk).status == Send.Status.SENDING
    # And so does confirming a big import
    confirmed, took = timed(lambda: client.post(reverse("crm:import_confirm", args=[job.pk])))
    assert confirmed.status_code == 302
    assert took < 5
    assert QUEUE_LATER_MESSAGE in said(confirmed)
    # And building a report
    week = week_label(last_completed_week())
    built, took = timed(lambda: client.post(reverse("reporting:report_build"), {"week": week}))
    assert built.status_code == 302
    assert took < 5
    assert QUEUE_LATER_MESSAGE in said(built)
    # And the API's send start answers 202 Accepted rather than an error
    api, took = timed(lambda: client.post(f"/api/v1/sends/{api_send.pk}/start/"))
    assert api.status_code == 202, api.content
    assert took < 5
    assert api.json()["status"] == "sending"
    assert DeferredTask.objects.filter(published_at__isnull=True).count() == 4
    # When Redis is back and a worker starts (it publishes what waited as it starts)
    own_redis.start()
    processes("worker", fault_env, queue="celery")
    # Then everything that waited has run, once
    wait_for(lambda: Send.objects.filter(status=Send.Status.FINISHED).count() == 2, 90, "both sends to finish")
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE, 60, "the import to finish")
    wait_for(lambda: WeeklyReport.objects.filter(status=WeeklyReport.Status.READY).count() == 1, 60, "the report")
    got = arrivals(smtp_server)
    assert set(got) == set(recipients)
    assert set(got.values()) == {2}, "each recipient gets one email from each of the two sends"
    assert Contact.objects.filter(email__startswith="imported").count() == 30
    assert not DeferredTask.objects.filter(published_at__isnull=True).exists()
    assert DeferredTask.objects.filter(published_at__isnull=False).count() == 4


@pytest.mark.timeout(240)
def test_a_send_resumes_by_itself_within_a_minute_of_redis_coming_back(
    own_redis, fault_env, processes, smtp_server, campaign_staff, fault_report
):
    # Given a send to 1,000 people at 50 a second, with a worker and beat running as in production
    recipients = make_recipients(1000)
    send = started_send(campaign_staff, rate=50)
    # A message that sat in Redis when it stopped is lost with it (this Redis keeps nothing on disk), and
    # only the reconciler can tell: it queues again a send with no claims for CAMPAIGN_STALL_AFTER (60 s
    # in production, 20 here to keep the suite short). The claim timeout keeps its production value.
    env = fault_env | {"CAMPAIGN_BATCH_SIZE": "100", "CAMPAIGN_STALL_AFTER": "20"}
    processes("worker", env, queue="celery")
    processes("beat", env, name="only")
    tasks.deliver_send.apply_async((send.pk,))
    wait_for(lambda: len(smtp_server.messages) >= 200, 60, "200 emails to arrive")
    # When Redis stops for 30 seconds
    own_redis.stop()
    time.sleep(30)
    during_outage = len(smtp_server.messages)
    assert during_outage < 1000, "the send finished during the outage; it proves nothing"
    own_redis.start()
    back = time.monotonic()
    # Then sending carries on by itself within a minute (beat publishes what the worker kept in the outbox)
    resumed_after = wait_for(lambda: len(smtp_server.messages) > during_outage, 75, "sending to resume", every=0.5)
    fault_report(f"Redis down 30 s: sending resumed {resumed_after:.0f} s after it came back")
    assert resumed_after <= 60 + 5, "allow the worker a few seconds to take what beat published"
    wait_for(lambda: Send.objects.get(pk=send.pk).status == Send.Status.FINISHED, 90, "the send to finish")
    # And nobody was missed or emailed twice
    got = arrivals(smtp_server)
    assert set(got) == set(recipients)
    assert set(got.values()) == {1}
    assert Delivery.objects.filter(send=send, status=Delivery.Status.SENT).count() == 1000
    # And the outbox or the reconciler carried the send over the outage
    kept = DeferredTask.objects.filter(task_name=tasks.deliver_send.name, published_at__isnull=False).count()
    fault_report(f"the next batch was kept in the outbox {kept} time(s); otherwise the reconciler restarted it")
    assert time.monotonic() - back < 200

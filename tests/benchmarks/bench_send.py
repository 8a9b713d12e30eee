"""Send throughput: a real send through the delivery ledger by two `celery worker` processes to an SMTP
server on loopback (aiosmtpd, tests/smtp.py), then the exactly-once check: every delivery sent, and each
recipient received exactly one message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from django.utils import timezone

from tests.benchmarks.bench_pages import free_port
from tests.benchmarks.bench_stats import stopwatch

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN_SLUG = "benchmark-sending"
TAG = "benchmark send audience"


class Worker:
    """One `celery worker` process (concurrency 1) consuming the benchmark's own queue."""

    def __init__(self, queue: str, name: str, env: dict[str, str]):
        self.queue, self.name, self.env = queue, name, env
        self.log = ROOT / "var" / f"bench-worker-{queue}-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "config", "worker", "--queues", self.queue,
                    "--concurrency", "1", "--pool", "prefork", "--loglevel", "INFO", "--without-gossip",
                    "--without-mingle", "--hostname", f"{self.name}-{self.queue}@%h",
                ],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early; see {self.log}")
            if b"ready." in self.log.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready in {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def remove_previous_sends() -> None:
    """An earlier run's benchmark send goes, with its ledger and timeline entries, so the database stays at
    the seeded scale run after run."""
    from campaigns.models import Campaign, Delivery, Segment, Send
    from crm.models import TimelineEntry

    for send in Send.objects.filter(campaign__slug=CAMPAIGN_SLUG):
        ids = list(Delivery.objects.filter(send=send).values_list("pk", flat=True))
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            TimelineEntry.objects.filter(source__in=[f"campaigns.delivery:{pk}" for pk in chunk]).delete()
            Delivery.objects.filter(pk__in=chunk).delete()
        send.delete()
    Campaign.objects.filter(slug=CAMPAIGN_SLUG).delete()
    Segment.objects.filter(name__startswith="Benchmark audience").delete()


def _audience(size: int) -> tuple[Any, list[int]]:
    """A tag on the first `size` contacts a send may email, so the segment is exactly that many people."""
    from campaigns.selectors import segment_recipients
    from crm.models import Contact, Tag

    tag, _ = Tag.objects.get_or_create(name=TAG)
    through = Contact.tags.through
    through.objects.filter(tag=tag).delete()
    ids = list(segment_recipients({}).order_by("pk").values_list("pk", flat=True)[:size])
    through.objects.bulk_create([through(contact_id=pk, tag_id=tag.pk) for pk in ids], batch_size=5000)
    return tag, ids


def run(env: dict[str, str], messages: int, workers: int = 2) -> dict[str, Any]:
    from campaigns import tasks
    from campaigns.models import Delivery, Send
    from campaigns.services import campaigns as campaign_services
    from campaigns.services import messages as message_services
    from campaigns.services import segments as segment_services
    from campaigns.services import sending
    from crm.models import User
    from tests.smtp import SMTPServer

    remove_previous_sends()
    staff = User.objects.get(email="campaigns@example.org")
    tag, audience = _audience(messages)
    smtp = SMTPServer(free_port()).start()
    queue = f"bench-send-{uuid.uuid4().hex[:8]}"
    worker_env = {**env, **smtp.env(), "EMAIL_TIMEOUT": "30"}
    pool = [Worker(queue, f"w{n}", worker_env).start() for n in range(workers)]
    try:
        for worker in pool:
            worker.wait_ready()
        today = timezone.localdate()
        campaign = campaign_services.campaign_create(
            name="Benchmark sending", slug=CAMPAIGN_SLUG, aim="Measure sending.", starts_on=today, ends_on=None,
            owner=staff, status="active", from_name="Common Ground campaigns",
            from_email="campaigns@common-ground.example", reply_to="", pledge_page_enabled=False,
            pledge_intro="", actor=staff,
        )  # fmt: skip
        segment = segment_services.segment_create(
            name=f"Benchmark audience {uuid.uuid4().hex[:6]}", description="", campaign=campaign,
            definition={"tags": [tag.pk]}, actor=staff,
        )  # fmt: skip
        message = message_services.message_create(
            campaign=campaign,
            name="Benchmark email",
            subject='{{ first_name|default:"Colleague" }}, an update from Common Ground',
            html_body='<p>Dear {{ first_name|default:"colleague" }},</p><p>News for {{ practitioner_group }} in '
            '{{ area|default:"your area" }}.</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
            text_body='Dear {{ first_name|default:"colleague" }},\n\nNews.\n\nUnsubscribe: {{ unsubscribe_url }}\n',
            actor=staff,
        )
        send = sending.send_create(
            campaign=campaign, message=message, segment=segment, scheduled_for=None,
            rate_per_second=sending.send_rate_max(), actor=staff,
        )  # fmt: skip
        with stopwatch() as freeze:
            send = sending.send_start(send=send, actor=staff)
        with stopwatch() as delivery:
            # One batch chain per worker; the ledger's claims keep them off each other's deliveries.
            for _ in pool:
                tasks.deliver_send.apply_async((send.pk,), queue=queue)
            deadline = time.monotonic() + max(120, messages / 5)
            while time.monotonic() < deadline:
                if Send.objects.filter(pk=send.pk, status=Send.Status.FINISHED).exists():
                    break
                time.sleep(0.05)
        statuses = Counter(Delivery.objects.filter(send=send).values_list("status", flat=True))
        ledger = set(Delivery.objects.filter(send=send).values_list("email", flat=True))
        received = Counter(address.lower() for m in smtp.messages for address in m.rcpt_tos)
        sent = statuses.get(Delivery.Status.SENT, 0)
        seconds = delivery["seconds"]
        result = {
            "messages": messages,
            "workers": workers,
            "rate_limit_per_second": send.rate_per_second,
            "recipients": send.recipient_count,
            "freeze_s": round(freeze["seconds"], 2),
            "seconds": round(seconds, 2),
            "sent": sent,
            "messages_per_second": round(sent / seconds, 1) if seconds else 0,
            "statuses": dict(statuses),
            "finished": Send.objects.filter(pk=send.pk, status=Send.Status.FINISHED).exists(),
            "smtp_messages": sum(received.values()),
            "exactly_once": (
                sent == len(audience) == send.recipient_count
                and set(received) == {e.lower() for e in ledger}
                and all(n == 1 for n in received.values())
            ),
            "duplicates_at_smtp": sum(1 for n in received.values() if n > 1),
            "missing_at_smtp": len({e.lower() for e in ledger} - set(received)),
        }
    finally:
        for worker in pool:
            worker.stop()
        smtp.stop()
    remove_previous_sends()
    remove_audience(tag)
    return result


def remove_audience(tag: Any) -> None:
    from crm.models import Contact

    Contact.tags.through.objects.filter(tag=tag).delete()
    tag.delete()

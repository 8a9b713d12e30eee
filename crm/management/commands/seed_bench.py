"""Seed the benchmark database at scale (docs/PERFORMANCE.md): `seed_demo --contacts N` for the registry and
the demo world, then organisations, boards, engagements (with their contacts, leaders and timeline entries, as
the engagement service writes them) and campaign deliveries topped up with bulk_create in batches.

Idempotent: every step counts what is there and adds only what is missing, and row n always gets the same
values, so a second run on a seeded database takes seconds and a bigger scale extends a smaller one.

Contacts past the first 528 get population-like names from crm.demo (thousands of surnames, a few common),
so the duplicate scan and name searches meet realistic blocks; a database seeded before those names existed has
its demo contacts renamed by seed_demo on the next run (once, about 25 s at 100,000), not added again.

Left out on purpose: audit events for the bulk rows (a page never lists them per engagement; the audit trail
page reads the newest first through an index, whatever the count), and the per-engagement follow-ups, which
the demo world already has and whose lists are bounded by owner and due date."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from boards.models import Board, Engagement, Sentiment, Stage
from campaigns.models import Campaign, Delivery, Message, Segment, Send
from crm.models import Contact, LocalArea, Organisation, TimelineEntry, User

BATCH = 10_000
BENCH_ORGANISATION = "Bench organisation"
BENCH_BOARD = "Bench board"
BENCH_CAMPAIGN_SLUG = "benchmark-history"
# Every LONG_TIMELINE_EVERY-th engagement also involves the first contact, whose page then carries a long
# timeline (2,000 engagements at 1,000,000), the worst case a leader meets on a contact page.
LONG_TIMELINE_EVERY = 500
ENGAGEMENT_DAYS = 4 * 365  # four years of history, so a week holds about 1/200th of the log
SUMMARIES = [
    "Briefed the chair on the cost of parental conflict to children's services.",
    "Presented the evidence on reducing parental conflict to the board.",
    "One-to-one with the vice-chair about the early help strategy refresh.",
    "Submitted a paper proposing relationship support in family hubs.",
    "Workshop with practitioners on spotting conflict early.",
    "Call with the clerk about the next agenda.",
]


def long_timeline_contact_id() -> int | None:
    """The contact the seed gives a long timeline (the first contact), for the contact page benchmark."""
    return Contact.objects.order_by("pk").values_list("pk", flat=True).first()


class Command(BaseCommand):
    help = "Top the database up to benchmark scale (idempotent; see docs/PERFORMANCE.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--organisations", type=int, default=5_000)
        parser.add_argument("--boards", type=int, default=1_000)
        parser.add_argument("--engagements", type=int, default=1_000_000)
        parser.add_argument("--deliveries", type=int, default=200_000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        call_command("seed_demo", contacts=options["contacts"], quiet_logins=True, stdout=self.stdout)
        leader = User.objects.get(email="leader@example.org")
        staff = User.objects.get(email="campaigns@example.org")
        areas = list(LocalArea.objects.order_by("pk"))
        self._step("organisations", lambda: self.organisations(options["organisations"], areas))
        self._step("boards", lambda: self.boards(options["boards"], areas, leader))
        self._step("engagements", lambda: self.engagements(options["engagements"], leader))
        self._step("deliveries", lambda: self.deliveries(options["deliveries"], staff))
        if connection.vendor == "postgresql":
            # Planner statistics for the bulk-loaded tables now, as autovacuum would in time: without them
            # PostgreSQL guesses a 100,000-row table holds 40 rows and sorts it all for a page of 50.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Benchmark data ready in {time.monotonic() - started:.1f}s."))

    def _step(self, name: str, run: Any) -> None:
        started = time.monotonic()
        added = run()
        self.stdout.write(f"  {name}: {added} added in {time.monotonic() - started:.1f}s")

    def organisations(self, total: int, areas: list[LocalArea]) -> int:
        missing = total - Organisation.objects.count()
        if missing <= 0:
            return 0
        start = Organisation.objects.filter(name__startswith=BENCH_ORGANISATION).count()
        kinds = Organisation.Kind.values
        rows = [
            Organisation(
                name=f"{BENCH_ORGANISATION} {i:06d}",
                kind=kinds[i % len(kinds)],
                area=areas[i % len(areas)],
                postcode=f"M{i % 99 + 1} {i % 9}AA",
            )
            for i in range(start, start + missing)
        ]
        Organisation.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def boards(self, total: int, areas: list[LocalArea], leader: User) -> int:
        missing = total - Board.objects.count()
        if missing <= 0:
            return 0
        start = Board.objects.filter(name__startswith=BENCH_BOARD).count()
        kinds, cadences = Board.Kind.values, Board.Cadence.values
        now = timezone.now()
        rows = [
            Board(
                name=f"{BENCH_BOARD} {i:05d}",
                kind=kinds[i % len(kinds)],
                area=areas[i % len(areas)],
                cadence=cadences[i % len(cadences)],
                owner=leader if i % 2 else None,
                stage=i % (Stage.REVIEWED + 1),
                stage_changed_at=now if i % (Stage.REVIEWED + 1) else None,
            )
            for i in range(start, start + missing)
        ]
        Board.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def engagements(self, total: int, leader: User) -> int:
        have = Engagement.objects.count()
        if have >= total:
            return 0
        boards = list(Board.objects.order_by("pk").values_list("pk", "area_id", "name"))
        organisations = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
        contacts = list(Contact.objects.filter(erased_at__isnull=True).order_by("pk").values_list("pk", flat=True))
        kinds, sentiments = Engagement.Kind.values, Sentiment.values
        kind_labels = dict(Engagement.Kind.choices)
        today = timezone.localdate()
        added = 0
        for batch_start in range(have, total, BATCH):
            indexes = range(batch_start, min(batch_start + BATCH, total))
            rows = []
            for n in indexes:
                board_id, area_id, _ = boards[n % len(boards)]
                rows.append(
                    Engagement(
                        kind=kinds[n % len(kinds)],
                        date=today - dt.timedelta(days=n % ENGAGEMENT_DAYS),
                        board_id=board_id,
                        area_id=area_id,
                        organisation_id=organisations[n % len(organisations)] if n % 3 == 0 else None,
                        summary=SUMMARIES[n % len(SUMMARIES)],
                        our_ask="Name support for parents' relationships in the strategy." if n % 2 else "",
                        sentiment=sentiments[n % len(sentiments)],
                        created_by=leader,
                    )
                )
            with transaction.atomic():
                Engagement.objects.bulk_create(rows, batch_size=BATCH)
                contact_links, leader_links, timeline = [], [], []
                for n, engagement in zip(indexes, rows, strict=True):
                    people = {contacts[(n * 7919) % len(contacts)]}
                    if n % LONG_TIMELINE_EVERY == 0:
                        people.add(contacts[0])
                    board_name = boards[n % len(boards)][2]
                    occurred = timezone.make_aware(dt.datetime.combine(engagement.date, dt.time(12)))
                    for contact_id in people:
                        contact_links.append(
                            Engagement.contacts.through(engagement_id=engagement.pk, contact_id=contact_id)
                        )
                        timeline.append(
                            TimelineEntry(
                                contact_id=contact_id,
                                kind=TimelineEntry.Kind.ENGAGEMENT,
                                summary=f"{kind_labels[engagement.kind]} – {board_name}",
                                detail=engagement.summary,
                                url=f"/boards/engagements/{engagement.pk}/",
                                actor=leader,
                                source=f"boards.engagement:{engagement.pk}",
                                occurred_at=occurred,
                            )
                        )
                    leader_links.append(Engagement.leaders.through(engagement_id=engagement.pk, user_id=leader.pk))
                Engagement.contacts.through.objects.bulk_create(contact_links, batch_size=BATCH)
                Engagement.leaders.through.objects.bulk_create(leader_links, batch_size=BATCH)
                TimelineEntry.objects.bulk_create(timeline, batch_size=BATCH)
            added += len(rows)
            self.stdout.write(f"    engagements: {batch_start + len(rows)} of {total}")
        return added

    def deliveries(self, total: int, staff: User) -> int:
        """Finished sends of a past campaign, each to every contact once (the ledger's unique constraint)."""
        have = Delivery.objects.count()
        if have >= total:
            return 0
        campaign = self._history_campaign(staff)
        contacts = list(Contact.objects.filter(erased_at__isnull=True).order_by("pk").values_list("pk", "email"))
        added, number = 0, 0
        while have + added < total:
            number += 1
            send = self._history_send(campaign, number, staff)
            in_send = Delivery.objects.filter(send=send).count()
            wanted = min(len(contacts) - in_send, total - have - added)
            if wanted <= 0:
                continue
            sent_at = send.started_at or timezone.now()
            for start in range(in_send, in_send + wanted, BATCH):
                chunk = contacts[start : min(start + BATCH, in_send + wanted)]
                Delivery.objects.bulk_create(
                    [
                        Delivery(
                            send=send,
                            contact_id=pk,
                            email=email,
                            status=Delivery.Status.SENT,
                            attempts=1,
                            sent_at=sent_at,
                            message_id=f"<bench-{send.pk}-{pk}@common-ground.example>",
                            on_timeline=True,
                            next_attempt_at=sent_at,
                        )
                        for pk, email in chunk
                    ],
                    batch_size=BATCH,
                    ignore_conflicts=True,
                )
                added += len(chunk)
            Send.objects.filter(pk=send.pk).update(recipient_count=Delivery.objects.filter(send=send).count())
        return added

    def _history_campaign(self, staff: User) -> Campaign:
        today = timezone.localdate()
        campaign, _ = Campaign.objects.get_or_create(
            slug=BENCH_CAMPAIGN_SLUG,
            defaults={
                "name": "Benchmark history",
                "aim": "Past sends that give the delivery ledger its size.",
                "starts_on": today - dt.timedelta(days=365),
                "ends_on": today - dt.timedelta(days=30),
                "owner": staff,
                "status": Campaign.Status.FINISHED,
                "from_name": "Common Ground campaigns",
                "from_email": "campaigns@common-ground.example",
            },
        )
        return campaign

    def _history_send(self, campaign: Campaign, number: int, staff: User) -> Send:
        message, _ = Message.objects.get_or_create(
            campaign=campaign,
            name=f"History email {number}",
            defaults={"subject": "News from Common Ground", "html_body": "<p>News</p>", "text_body": "News"},
        )
        segment, _ = Segment.objects.get_or_create(
            name="Benchmark history: everyone", defaults={"definition": {}, "campaign": campaign}
        )
        started = timezone.now() - dt.timedelta(days=30 * number)
        send = Send.objects.filter(campaign=campaign, message=message).first()
        if send is None:
            send = Send.objects.create(
                campaign=campaign,
                message=message,
                segment=segment,
                status=Send.Status.FINISHED,
                subject=message.subject,
                html_body=message.html_body,
                text_body=message.text_body,
                from_name=campaign.from_name,
                from_email=campaign.from_email,
                started_at=started,
                finished_at=started + dt.timedelta(hours=1),
                created_by=staff,
            )
        return send

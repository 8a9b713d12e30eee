"""Sends: create, start (freeze recipients into the delivery ledger), deliver in batches over one SMTP
connection at the send's rate, pause, resume, cancel, finish, and reconcile after a worker dies.

Exactly-once rests on the ledger, not the broker (docs/SENDING.md): a worker reserves a small chunk of
queued deliveries for itself (they stay queued), claims each by a conditional UPDATE (queued -> sending)
just before its one SMTP transaction and marks it sent just after, in the statement that claims the next,
so a killed process leaves at most its one in-flight delivery in "sending"."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Prefetch, Q
from django.utils import timezone

from campaigns.models import Campaign, Delivery, Message, Segment, Send
from campaigns.selectors import EXCLUSION_REASONS, segment_preview, segment_recipients
from campaigns.services import email as campaign_email
from campaigns.services.messages import message_check
from crm.models import Affiliation, AuditEvent, LawfulBasis, Suppression, TimelineEntry, User
from crm.services.audit import audit_record, snapshot
from crm.services.suppression import normalise_email, suppressed_emails, suppression_add
from crm.services.timeline import timeline_record_many

logger = logging.getLogger(__name__)

FREEZE_CHUNK = 2000
# Most deliveries one worker reserves at once (see chunk_size()).
CLAIM_CHUNK = 50
RESERVED_RECHECK_SECONDS = 1.0
# SMTP replies that say the mailbox itself is bad: suppress it so we never try it again.
BAD_MAILBOX_CODES = {550, 551, 553}


def send_rate_default() -> int:
    return int(getattr(settings, "CAMPAIGN_SEND_RATE", 10))


def send_rate_max() -> int:
    return int(getattr(settings, "CAMPAIGN_SEND_RATE_MAX", 100))


def batch_size() -> int:
    return int(getattr(settings, "CAMPAIGN_BATCH_SIZE", 200))


def max_attempts() -> int:
    return int(getattr(settings, "CAMPAIGN_MAX_ATTEMPTS", 5))


def retry_backoff_seconds() -> int:
    return int(getattr(settings, "CAMPAIGN_RETRY_BACKOFF", 60))


def claim_timeout() -> dt.timedelta:
    """How long a claim may last before the reconciler presumes its worker dead. It must be longer than
    any live worker can hold one (the SMTP timeout plus a database write), or a slow send would repeat."""
    return dt.timedelta(seconds=int(getattr(settings, "CAMPAIGN_CLAIM_TIMEOUT", 600)))


# --- Creating and changing a send --------------------------------------------------------------


def _check_send(send: Send) -> None:
    if send.message.campaign_id != send.campaign_id:
        raise ValidationError({"message": "Choose a message from this campaign."})
    if not (1 <= send.rate_per_second <= send_rate_max()):
        raise ValidationError({"rate_per_second": f"Choose a speed from 1 to {send_rate_max()} emails a second."})
    if send.scheduled_for and send.scheduled_for < timezone.now() - dt.timedelta(minutes=1):
        raise ValidationError({"scheduled_for": "Choose a time in the future, or leave it blank to send when started."})


@transaction.atomic
def send_create(
    *,
    campaign: Campaign,
    message: Message,
    segment: Segment,
    scheduled_for: dt.datetime | None,
    rate_per_second: int | None,
    actor: User,
) -> Send:
    send = Send(
        campaign=campaign,
        message=message,
        segment=segment,
        scheduled_for=scheduled_for,
        rate_per_second=rate_per_second or send_rate_default(),
        created_by=actor,
    )
    _check_send(send)
    send.full_clean()
    send.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=send, changes=snapshot(send))
    return send


@transaction.atomic
def send_update(
    *,
    send: Send,
    message: Message,
    segment: Segment,
    scheduled_for: dt.datetime | None,
    rate_per_second: int,
    actor: User,
) -> Send:
    send = Send.objects.select_for_update().get(pk=send.pk)
    if send.status != Send.Status.DRAFT:
        raise ValidationError("Only a send that has not started can be changed.")
    before = snapshot(send)
    send.message, send.segment, send.scheduled_for, send.rate_per_second = (
        message,
        segment,
        scheduled_for,
        rate_per_second,
    )
    _check_send(send)
    send.full_clean()
    send.save()
    after = snapshot(send)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=send,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return send


def send_start(*, send: Send, actor: User | None) -> Send:
    """Start now (freeze recipients) or, with a time in the future, schedule. The caller queues the work."""
    with transaction.atomic():
        locked = Send.objects.select_for_update().select_related("message", "campaign").get(pk=send.pk)
        if locked.status != Send.Status.DRAFT:
            raise ValidationError(f"This send is {locked.get_status_display().lower()}, so it cannot be started.")
        problems = message_check(
            subject=locked.message.subject, html_body=locked.message.html_body, text_body=locked.message.text_body
        )
        if problems:
            raise ValidationError("The message has errors; fix them before sending: " + " ".join(problems.values()))
        if locked.scheduled_for and locked.scheduled_for > timezone.now():
            locked.status = Send.Status.SCHEDULED
            locked.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                target=locked,
                changes={"status": ["draft", "scheduled"], "scheduled_for": locked.scheduled_for.isoformat()},
            )
            return locked
    return send_begin(send_id=send.pk, actor=actor)


def send_begin(*, send_id: int, actor: User | None = None) -> Send:
    """Freeze the recipients into the ledger and mark the send as sending. Idempotent: a send that has
    already begun is returned unchanged, and the unique (send, contact) constraint stops doubles."""
    with transaction.atomic():
        send = Send.objects.select_for_update().select_related("message", "campaign", "segment").get(pk=send_id)
        if send.status not in {Send.Status.DRAFT, Send.Status.SCHEDULED}:
            return send
        message, campaign = send.message, send.campaign
        send.subject, send.html_body, send.text_body = message.subject, message.html_body, message.text_body
        send.from_name, send.from_email, send.reply_to = campaign.from_name, campaign.from_email, campaign.reply_to
        preview = segment_preview(send.segment.definition)
        send.excluded = {code: n for code, _, n in preview.excluded}
        now = timezone.now()
        recipients = segment_recipients(send.segment.definition).order_by("pk").values_list("pk", "email")
        batch: list[Delivery] = []
        for contact_id, address in recipients.iterator(chunk_size=FREEZE_CHUNK):
            batch.append(Delivery(send=send, contact_id=contact_id, email=address.strip().lower(), next_attempt_at=now))
            if len(batch) >= FREEZE_CHUNK:
                Delivery.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        if batch:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        send.recipient_count = Delivery.objects.filter(send=send).count()
        send.status = Send.Status.SENDING
        send.started_at = now
        send.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=send,
            changes={"status": ["draft", "sending"], "recipients": send.recipient_count, "excluded": send.excluded},
        )
    return send


def _transition(*, send: Send, allowed: set[str], to: str, actor: User | None, verb: str) -> Send:
    with transaction.atomic():
        locked = Send.objects.select_for_update().get(pk=send.pk)
        if locked.status not in allowed:
            raise ValidationError(f"This send is {locked.get_status_display().lower()}, so it cannot be {verb}.")
        before = locked.status
        locked.status = to
        fields = ["status"]
        if to == Send.Status.CANCELLED:
            locked.finished_at = timezone.now()
            fields.append("finished_at")
            # In-flight deliveries finish; nothing else leaves the queue.
            Delivery.objects.filter(send=locked, status=Delivery.Status.QUEUED).update(
                status=Delivery.Status.SKIPPED, skip_reason="The send was cancelled"
            )
        locked.save(update_fields=fields)
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=locked, changes={"status": [before, to]})
    return locked


def send_pause(*, send: Send, actor: User) -> Send:
    return _transition(send=send, allowed={Send.Status.SENDING}, to=Send.Status.PAUSED, actor=actor, verb="paused")


def send_resume(*, send: Send, actor: User) -> Send:
    return _transition(send=send, allowed={Send.Status.PAUSED}, to=Send.Status.SENDING, actor=actor, verb="resumed")


def send_cancel(*, send: Send, actor: User) -> Send:
    return _transition(
        send=send,
        allowed={Send.Status.DRAFT, Send.Status.SCHEDULED, Send.Status.SENDING, Send.Status.PAUSED},
        to=Send.Status.CANCELLED,
        actor=actor,
        verb="cancelled",
    )


# --- Delivering --------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    more: bool = False
    wait_seconds: float = 0.0


def _smtp_code(error: Exception, address: str) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = {k.lower(): v for k, v in error.recipients.items()}
        code = refused.get(address.lower(), next(iter(refused.values()), (None, b"")))[0]
        return int(code) if code else None
    if isinstance(error, smtplib.SMTPResponseException):
        return int(error.smtp_code)
    return None


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{addr}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for addr, (code, msg) in error.recipients.items()
        )[:500]
    return f"{type(error).__name__}: {error}"[:500]


def _mark(delivery: Delivery, token: uuid.UUID, **fields: object) -> int:
    """Update a delivery only while our claim on it stands."""
    return Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(**fields)


def _handle_failure(delivery: Delivery, token: uuid.UUID, error: Exception, outcome: BatchOutcome) -> None:
    now = timezone.now()
    code = _smtp_code(error, delivery.email)
    detail = _describe(error)
    permanent = (code is not None and code >= 500) or isinstance(error, ValueError)
    if not permanent and delivery.attempts < max_attempts():
        backoff = retry_backoff_seconds() * (2 ** (delivery.attempts - 1))
        _mark(
            delivery,
            token,
            status=Delivery.Status.QUEUED,
            claim_token=None,
            next_attempt_at=now + dt.timedelta(seconds=backoff),
            error=detail,
        )
        outcome.retried += 1
        logger.info("Delivery %s deferred for %ss after a temporary error: %s", delivery.pk, backoff, detail)
        return
    bad_mailbox = code in BAD_MAILBOX_CODES or (code is not None and code >= 500 and "5.1." in detail)
    status = Delivery.Status.BOUNCED if bad_mailbox else Delivery.Status.FAILED
    with transaction.atomic():
        _mark(delivery, token, status=status, failed_at=now, error=detail)
        if bad_mailbox:
            suppression_add(
                email=delivery.email,
                reason=Suppression.Reason.BOUNCED,
                source=f"Bounce from campaign send {delivery.send_id}",
            )
    outcome.failed += 1
    logger.warning("Delivery %s %s: %s", delivery.pk, status, detail)


def _still_sending(send_id: int) -> bool:
    return Send.objects.filter(pk=send_id, status=Send.Status.SENDING).exists()


def chunk_size(rate_per_second: int) -> int:
    """Deliveries reserved at once: about a second's worth at the send's rate, so the skip checks made for
    a chunk are never much older than the email, and at most CLAIM_CHUNK so a dead worker strands few."""
    return max(1, min(CLAIM_CHUNK, rate_per_second))


def _reservable(now: dt.datetime) -> Q:
    return Q(claim_token__isnull=True) | Q(claimed_at__lte=now - claim_timeout())


def _reserve(*, send_id: int, token: uuid.UUID, size: int, due_by: dt.datetime) -> list[int]:
    """Reserve up to `size` deliveries queued and due by `due_by` for this worker: they keep status
    "queued" (nothing is in flight) but carry our token, so another worker passes them by. On PostgreSQL
    two workers never pick the same rows (SKIP LOCKED); elsewhere the conditional update settles it."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        table = Delivery._meta.db_table
        with connection.cursor() as cursor:
            # The table name comes from the model; every value is a parameter.
            cursor.execute(
                f"""
                UPDATE {table} SET claim_token = %s, claimed_at = %s
                WHERE id IN (
                    SELECT id FROM {table}
                    WHERE send_id = %s AND status = %s AND next_attempt_at <= %s
                      AND (claim_token IS NULL OR claimed_at <= %s)
                    ORDER BY next_attempt_at LIMIT %s
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING id
                """,  # noqa: S608
                [token, now, send_id, Delivery.Status.QUEUED, due_by, now - claim_timeout(), size],
            )
            return sorted(row[0] for row in cursor.fetchall())
    due = Delivery.objects.filter(send_id=send_id, status=Delivery.Status.QUEUED, next_attempt_at__lte=due_by).filter(
        _reservable(now)
    )
    candidates = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:size])
    due.filter(pk__in=candidates).update(claim_token=token, claimed_at=now)
    return list(
        Delivery.objects.filter(pk__in=candidates, status=Delivery.Status.QUEUED, claim_token=token)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _release(token: uuid.UUID) -> int:
    """Hand back reserved deliveries this worker did not get to (pause, a stop, an error)."""
    return Delivery.objects.filter(claim_token=token, status=Delivery.Status.QUEUED).update(claim_token=None)


def _claim(delivery_id: int, token: uuid.UUID) -> bool:
    """queued -> sending, for the one email about to go. Only one worker can win it: a row reserved by
    another worker, already claimed, or cancelled does not match."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED)
        .filter(Q(claim_token__isnull=True) | Q(claim_token=token))
        .update(
            status=Delivery.Status.SENDING, claim_token=token, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


@dataclass
class _Accepted:
    """An email the SMTP server accepted whose delivery is not yet marked sent."""

    delivery_id: int
    sent_at: dt.datetime
    message_id: str


def _mark_sent(accepted: _Accepted, token: uuid.UUID) -> int:
    return Delivery.objects.filter(pk=accepted.delivery_id, claim_token=token, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT, sent_at=accepted.sent_at, message_id=accepted.message_id, error=""
    )


def _mark_sent_and_claim(accepted: _Accepted | None, delivery_id: int, token: uuid.UUID) -> bool:
    """Record the previous email as sent and claim the next one in one statement (one round trip per
    email). The mark still lands before the next email leaves, so a worker never has more than one
    email in flight that the ledger does not show as sent."""
    if accepted is None:
        return _claim(delivery_id, token)
    if connection.vendor != "postgresql":
        with transaction.atomic():
            _mark_sent(accepted, token)
            return _claim(delivery_id, token)
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        # The table name comes from the model; every value is a parameter.
        cursor.execute(
            f"""
            WITH sent AS (
                UPDATE {table} SET status = %s, sent_at = %s, message_id = %s, error = ''
                WHERE id = %s AND claim_token = %s AND status = %s
                RETURNING id
            ), claimed AS (
                UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1
                WHERE id = %s AND (claim_token IS NULL OR claim_token = %s) AND status = %s
                RETURNING id
            )
            SELECT (SELECT count(*) FROM claimed)
            """,  # noqa: S608
            [
                Delivery.Status.SENT, accepted.sent_at, accepted.message_id, accepted.delivery_id, token,
                Delivery.Status.SENDING,
                Delivery.Status.SENDING, timezone.now(), delivery_id, token, Delivery.Status.QUEUED,
            ],
        )  # fmt: skip
        return bool(cursor.fetchone()[0])


def _skip_reasons(deliveries: list[Delivery]) -> dict[int, str]:
    """Why each delivery must not be sent, if it must not. Run on contacts loaded just after the chunk was
    reserved (a second's sending at most before the email), so an unsubscribe or opt-out takes effect for
    a send in progress; one query for the whole chunk's suppressions."""
    suppressed = suppressed_emails([d.email for d in deliveries])
    reasons: dict[int, str] = {}
    for delivery in deliveries:
        contact = delivery.contact
        if contact is None:
            reasons[delivery.pk] = "The contact was deleted"
        elif contact.erased_at is not None:
            reasons[delivery.pk] = EXCLUSION_REASONS["erased"]
        elif contact.do_not_contact:
            reasons[delivery.pk] = EXCLUSION_REASONS["do_not_contact"]
        elif contact.email_opt_out:
            reasons[delivery.pk] = EXCLUSION_REASONS["opted_out"]
        elif contact.lawful_basis == LawfulBasis.NONE:
            reasons[delivery.pk] = EXCLUSION_REASONS["no_lawful_basis"]
        elif normalise_email(delivery.email) in suppressed:
            reasons[delivery.pk] = EXCLUSION_REASONS["suppressed"]
    return reasons


def _skip(reasons: dict[int, str], token: uuid.UUID) -> int:
    by_reason: dict[str, list[int]] = {}
    for delivery_id, reason in reasons.items():
        by_reason.setdefault(reason, []).append(delivery_id)
    return sum(
        Delivery.objects.filter(pk__in=ids, claim_token=token, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SKIPPED, skip_reason=reason, claim_token=None
        )
        for reason, ids in by_reason.items()
    )


def _deliveries_for(ids: list[int]) -> list[Delivery]:
    current = Affiliation.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()))
    return list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("contact", "contact__area")
        .prefetch_related(Prefetch("contact__affiliations", queryset=current.select_related("organisation")))
        .order_by("pk")
    )


def send_deliver_batch(*, send_id: int, limit: int | None = None) -> BatchOutcome:
    """Send up to `limit` queued deliveries over one SMTP connection at the send's rate, reserving them a
    chunk at a time and claiming each one just before its SMTP transaction (docs/SENDING.md)."""
    outcome = BatchOutcome()
    send = Send.objects.select_related("campaign").get(pk=send_id)
    if send.status != Send.Status.SENDING:
        return outcome
    budget = limit or batch_size()
    rate = max(send.rate_per_second, 1)
    interval = 1.0 / rate
    mailer = mailers.default
    next_slot = last_check = time.monotonic()
    stopped = False
    token = uuid.uuid4()  # one per batch: it marks this worker's reservations and claims
    # Only what was due when the batch began: an email deferred during it waits for a later batch.
    started = timezone.now()
    accepted: _Accepted | None = None
    try:
        while budget > 0 and not stopped:
            ids = _reserve(send_id=send.pk, token=token, size=min(chunk_size(rate), budget), due_by=started)
            if not ids:
                break
            budget -= len(ids)
            deliveries = _deliveries_for(ids)
            reasons = _skip_reasons(deliveries)
            if reasons:
                outcome.skipped += _skip(reasons, token)
            for delivery in deliveries:
                if delivery.pk in reasons:
                    continue
                # Pause and cancel take effect within a second or so, not at the end of the batch. (Cancel
                # also skips our reserved rows at once, so their claims below fail.)
                if time.monotonic() - last_check >= 1.0:
                    last_check = time.monotonic()
                    if not _still_sending(send.pk):
                        stopped = True
                        break
                claimed = _mark_sent_and_claim(accepted, delivery.pk, token)
                if accepted is not None:
                    outcome.sent += 1
                    accepted = None
                if not claimed:
                    continue  # cancelled, or the reconciler gave it to another worker
                delivery.attempts += 1
                pause = next_slot - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                next_slot = max(next_slot, time.monotonic()) + interval
                try:
                    message = _compose_for(send, delivery)
                    # Opened here, not by send_messages(), which would open and close a connection for
                    # every email; a no-op while the connection is up, a reconnect after one was lost.
                    mailer.open()
                    mailer.send_messages([message])
                except (smtplib.SMTPException, OSError, ValueError) as error:
                    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                        mailer.close()
                    _handle_failure(delivery, token, error, outcome)
                    continue
                accepted = _Accepted(delivery.pk, timezone.now(), message.extra_headers["Message-ID"])
            # The last email of a chunk is marked before the next chunk is reserved.
            if accepted is not None:
                _mark_sent(accepted, token)
                outcome.sent += 1
                accepted = None
    finally:
        try:
            if accepted is not None:
                _mark_sent(accepted, token)
                outcome.sent += 1
            _release(token)
        finally:
            mailer.close()
    timeline_flush(send=send)
    return _after_batch(send, outcome)


def _compose_for(send: Send, delivery: Delivery) -> EmailMultiAlternatives:
    contact = delivery.contact
    if contact is None:  # _skip_reason() skips these first; never send to nobody
        raise ValueError("This delivery's contact has been deleted.")
    context = campaign_email.merge_context(
        contact=contact,
        campaign_name=send.campaign.name,
        campaign_slug=send.campaign.slug,
        unsubscribe=campaign_email.unsubscribe_url(delivery.pk),
    )
    return campaign_email.compose(
        subject=send.subject,
        html_body=send.html_body,
        text_body=send.text_body,
        from_name=send.from_name,
        from_email=send.from_email,
        reply_to=send.reply_to,
        to_email=delivery.email,
        to_name=contact.full_name,
        context=context,
    )


def _after_batch(send: Send, outcome: BatchOutcome) -> BatchOutcome:
    now = timezone.now()
    state = Delivery.objects.filter(send=send, status=Delivery.Status.QUEUED).aggregate(
        first=Min("next_attempt_at", filter=_reservable(now)), n=Max("pk")
    )
    if state["n"] is not None:
        outcome.more = True
        if state["first"] is None:
            # Everything left is reserved by another worker finishing its chunk: look again shortly rather
            # than spin, and stay alive in case that worker dies and its reservations lapse.
            outcome.wait_seconds = RESERVED_RECHECK_SECONDS
        else:
            outcome.wait_seconds = max(0.0, (state["first"] - now).total_seconds())
        return outcome
    send_finish_if_done(send_id=send.pk)
    return outcome


def send_finish_if_done(*, send_id: int) -> bool:
    """Mark a send finished once nothing is queued or in flight. Safe to call any number of times."""
    with transaction.atomic():
        busy = Delivery.objects.filter(
            send_id=send_id, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
        ).exists()
        if busy:
            return False
        finished = Send.objects.filter(pk=send_id, status=Send.Status.SENDING).update(
            status=Send.Status.FINISHED, finished_at=timezone.now()
        )
        if finished:
            send = Send.objects.get(pk=send_id)
            audit_record(
                actor=None, action=AuditEvent.Action.UPDATE, target=send, changes={"status": ["sending", "finished"]}
            )
    if finished:
        timeline_flush(send=Send.objects.select_related("campaign").get(pk=send_id))
    return bool(finished)


def timeline_flush(*, send: Send) -> int:
    """Put each sent email on its contact's timeline, in bulk. Idempotent through Delivery.on_timeline."""
    written = 0
    while True:
        with transaction.atomic():
            rows = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(send=send, status=Delivery.Status.SENT, on_timeline=False, contact__isnull=False)
                .values_list("pk", "contact_id", "sent_at")[:FREEZE_CHUNK]
            )
            if not rows:
                return written
            summary = f"Campaign email: {send.subject[:200]}"
            detail = f"Sent as part of {send.campaign.name}."
            url = send.get_absolute_url()
            timeline_record_many(
                [
                    TimelineEntry(
                        contact_id=contact_id,
                        kind=TimelineEntry.Kind.EMAIL,
                        summary=summary,
                        detail=detail,
                        url=url,
                        occurred_at=cast(dt.datetime, sent_at),  # a SENT delivery always has sent_at
                        source=f"campaigns.delivery:{pk}",
                    )
                    for pk, contact_id, sent_at in rows
                ]
            )
            Delivery.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(on_timeline=True)
            written += len(rows)


# --- Reconciling after a worker dies --------------------------------------------------------------


@dataclass
class Reconciled:
    requeued: int
    failed: int
    due_sends: list[int]
    stalled_sends: list[int]


def stall_after() -> dt.timedelta:
    """How long a sending send may go without a claim before the reconciler queues it again. Much
    shorter than the claim timeout: a second task on a live send only sends faster, never twice."""
    return dt.timedelta(seconds=int(getattr(settings, "CAMPAIGN_STALL_AFTER", 60)))


def send_reconcile(*, stale_after: dt.timedelta | None = None) -> Reconciled:
    """Put deliveries stuck in "sending" past the claim timeout back in the queue (their worker died:
    at most that one message may have gone out, see docs/SENDING.md), begin scheduled sends that are
    due, and name sending sends that no worker is working on so the caller can queue them again."""
    stale_after = claim_timeout() if stale_after is None else stale_after
    now = timezone.now()
    cutoff = now - stale_after
    # A next-batch task lost with Redis (it keeps nothing on disk) leaves a send with queued deliveries
    # and no claims: notice within a minute, not only after the claim timeout.
    stall_cutoff = now - min(stall_after(), stale_after)
    stuck = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lte=cutoff)
    with transaction.atomic():
        failed = stuck.filter(attempts__gte=max_attempts()).update(
            status=Delivery.Status.FAILED,
            failed_at=now,
            error="Gave up: the worker stopped while sending, too many times",
        )
        requeued = stuck.filter(send__status__in=[Send.Status.SENDING, Send.Status.PAUSED]).update(
            status=Delivery.Status.QUEUED,
            claim_token=None,
            next_attempt_at=now,
            error="Queued again: the worker stopped while sending",
        )
        stuck.update(status=Delivery.Status.SKIPPED, claim_token=None, skip_reason="The send was cancelled")
        # Reservations (still queued, nothing in flight) of a worker that died: free them for anyone.
        Delivery.objects.filter(
            status=Delivery.Status.QUEUED, claim_token__isnull=False, claimed_at__lte=cutoff
        ).update(claim_token=None)
    due = list(Send.objects.filter(status=Send.Status.SCHEDULED, scheduled_for__lte=now).values_list("pk", flat=True))
    recently_active = Delivery.objects.filter(send=OuterRef("pk"), claimed_at__gt=stall_cutoff)
    stalled = list(
        Send.objects.filter(status=Send.Status.SENDING)
        .filter(Exists(Delivery.objects.filter(send=OuterRef("pk"), status=Delivery.Status.QUEUED)))
        .exclude(Exists(recently_active))
        .values_list("pk", flat=True)
    )
    for send_id in (
        Send.objects.filter(status=Send.Status.SENDING)
        .exclude(
            Exists(
                Delivery.objects.filter(
                    send=OuterRef("pk"), status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
                )
            )
        )
        .values_list("pk", flat=True)
    ):
        send_finish_if_done(send_id=send_id)
    if requeued or failed:
        logger.warning("Reconciled stuck deliveries: %s queued again, %s failed", requeued, failed)
    return Reconciled(requeued=requeued, failed=failed, due_sends=due, stalled_sends=stalled)

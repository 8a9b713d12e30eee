"""Unsubscribing from a signed per-delivery link: takes effect at once, for every send, including one
in progress (sending checks the suppression list just before each email)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from campaigns.models import Delivery
from campaigns.services import email as campaign_email
from crm.models import AuditEvent, Contact, Suppression, TimelineEntry
from crm.services.audit import audit_record
from crm.services.suppression import suppression_add
from crm.services.timeline import timeline_record


class UnknownDelivery(Exception):
    """The token was genuine but names no delivery (a test email, or the send was deleted)."""


def unsubscribe_delivery(*, token: str) -> Delivery:
    """Read the token (signing.BadSignature if tampered), then unsubscribe its address. Idempotent."""
    delivery_id = campaign_email.unsubscribe_token_read(token)
    delivery = Delivery.objects.select_related("send__campaign", "contact").filter(pk=delivery_id).first()
    if delivery is None:
        raise UnknownDelivery(delivery_id)
    with transaction.atomic():
        first_time = bool(
            Delivery.objects.filter(pk=delivery.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())
        )
        suppression_add(
            email=delivery.email,
            reason=Suppression.Reason.UNSUBSCRIBED,
            source=f"Unsubscribe link in {delivery.send.campaign.name}"[:200],
        )
        contact = delivery.contact
        if first_time and contact is not None:
            Contact.objects.filter(pk=contact.pk).update(email_opt_out=True, updated_at=timezone.now())
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                target=contact,
                changes={"email_opt_out": [contact.email_opt_out, True], "via": "unsubscribe link"},
            )
            timeline_record(
                kind=TimelineEntry.Kind.CONSENT,
                contact=contact,
                summary="Unsubscribed from campaign emails",
                detail=f"By the link in an email from {delivery.send.campaign.name}.",
                url=delivery.send.get_absolute_url(),
                source=f"campaigns.unsubscribe:{delivery.pk}",
            )
    delivery.refresh_from_db()
    return delivery

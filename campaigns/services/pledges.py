"""The public pledge page. A submission is only stored and answered with a confirmation email; the
registry changes when the person follows the signed link (double opt-in). The page answers the same
whether or not the address is known, and is rate-limited per IP address and per email address."""

from __future__ import annotations

import hashlib

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from campaigns.models import Campaign, Pledge, Response, ResponseKind
from campaigns.services import email as campaign_email
from campaigns.services.merge_fields import one_line
from campaigns.services.responses import response_record
from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ContactEmail,
    LawfulBasis,
    LocalArea,
    Organisation,
    TimelineEntry,
)
from crm.services.audit import audit_record
from crm.services.timeline import timeline_record

CONFIRM_SALT = "campaigns.pledge.confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 7
PER_IP_LIMIT = 10  # submissions an hour from one address: a busy office shares one
PER_EMAIL_LIMIT = 3  # confirmation emails an hour to one address
WINDOW = 60 * 60


class RateLimited(Exception):
    """Too many submissions from one IP address."""


def _hit(key: str, limit: int) -> bool:
    """Count one attempt; True while within the limit."""
    cache.add(key, 0, WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW)
        count = 1
    return count <= limit


def pledge_submit(
    *,
    campaign: Campaign,
    first_name: str,
    last_name: str,
    email: str,
    practitioner_group: str,
    organisation_name: str,
    area: LocalArea | None,
    ip_address: str,
) -> Pledge | None:
    """Store a pledge and queue its confirmation email. Returns None, silently, when the address has had
    too many confirmation emails this hour (the page must look the same either way)."""
    ip_key = "pledge:ip:" + hashlib.sha256(ip_address.encode()).hexdigest()
    if not _hit(ip_key, PER_IP_LIMIT):
        raise RateLimited(ip_address)
    address = email.strip().lower()
    email_key = "pledge:email:" + hashlib.sha256(address.encode()).hexdigest()
    pledge = Pledge(
        campaign=campaign,
        first_name=one_line(first_name)[:100],
        last_name=one_line(last_name)[:100],
        email=address,
        practitioner_group=practitioner_group,
        organisation_name=one_line(organisation_name)[:255],
        area=area,
        consent_wording=campaign.pledge_consent_wording,
    )
    pledge.full_clean()
    if not _hit(email_key, PER_EMAIL_LIMIT):
        return None
    pledge.save()
    return pledge


def pledge_confirm_url(pledge: Pledge) -> str:
    token = signing.dumps({"p": pledge.pk, "e": pledge.email}, salt=CONFIRM_SALT, compress=True)
    return campaign_email.site_url(reverse("campaigns:pledge_confirm", args=[token]))


def pledge_confirmation_send(*, pledge_id: int) -> bool:
    """Email the confirmation link. Idempotent enough: a confirmed pledge is not emailed again."""
    pledge = Pledge.objects.select_related("campaign").filter(pk=pledge_id).first()
    if pledge is None or pledge.confirmed_at is not None:
        return False
    campaign = pledge.campaign
    link = pledge_confirm_url(pledge)
    text = (
        f"Hello {pledge.first_name},\n\n"
        f"Thank you for supporting {campaign.name}. Please confirm your pledge by opening this link:\n\n{link}\n\n"
        f"It works for 7 days. If you did not ask for this, ignore this email and nothing will happen.\n\n"
        f"What you agreed to: {pledge.consent_wording}\n"
    )
    html = (
        f"<p>Hello {escape(pledge.first_name)},</p>"
        f"<p>Thank you for supporting {escape(campaign.name)}. Please confirm your pledge:</p>"
        f'<p><a href="{escape(link)}">Confirm my pledge</a></p>'
        f"<p>The link works for 7 days. If you did not ask for this, ignore this email and nothing will happen.</p>"
        f"<p>What you agreed to: {escape(pledge.consent_wording)}</p>"
    )
    message = EmailMultiAlternatives(
        subject=one_line(f"Confirm your pledge: {campaign.name}"),
        body=text,
        from_email=campaign_email.sender_address(campaign.from_name, campaign.from_email),
        to=[pledge.email],
        reply_to=[campaign.reply_to] if campaign.reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    mailers.default.send_messages([message])
    return True


def _find_contact(address: str) -> Contact | None:
    contact: Contact | None = (
        Contact.objects.annotate(lower_email=Lower("email"))
        .filter(lower_email=address, erased_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if contact is None:
        other = ContactEmail.objects.filter(email__iexact=address, contact__erased_at__isnull=True).first()
        contact = other.contact if other else None
    return contact


def pledge_confirm(*, token: str) -> Pledge:
    """Complete a pledge: create or update the contact, record their consent (wording, time, source) and
    the response "pledged support". Confirming twice changes nothing the second time."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError("This confirmation link has expired. Please make your pledge again.") from error
    with transaction.atomic():
        pledge = (
            Pledge.objects.select_for_update(of=("self",))
            .select_related("campaign", "area")
            .filter(pk=data.get("p"))
            .first()
        )
        if pledge is None or pledge.email != data.get("e"):
            raise signing.BadSignature("No such pledge")
        if pledge.confirmed_at is not None:
            return pledge
        now = timezone.now()
        campaign = pledge.campaign
        source = f"Pledge page: {campaign.name}"[:200]
        contact = _find_contact(pledge.email)
        created = contact is None
        if contact is None:
            contact = Contact(
                first_name=pledge.first_name,
                last_name=pledge.last_name,
                email=pledge.email,
                practitioner_group=pledge.practitioner_group,
                area=pledge.area,
            )
        elif contact.area_id is None and pledge.area is not None:
            contact.area = pledge.area
        contact.lawful_basis = LawfulBasis.CONSENT
        contact.consent_given_at = now
        contact.consent_source = source
        contact.consent_wording = pledge.consent_wording
        contact.full_clean()
        contact.save()
        organisation = (
            Organisation.objects.filter(name__iexact=pledge.organisation_name).order_by("pk").first()
            if pledge.organisation_name
            else None
        )
        if organisation and not contact.affiliations.filter(organisation=organisation, end_date__isnull=True).exists():
            Affiliation.objects.create(contact=contact, organisation=organisation, start_date=timezone.localdate())
        pledge.contact = contact
        pledge.confirmed_at = now
        pledge.save(update_fields=["contact", "confirmed_at"])
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            target=contact,
            changes={"lawful_basis": LawfulBasis.CONSENT, "consent_source": source, "via": "pledge page"},
        )
        timeline_record(
            kind=TimelineEntry.Kind.CONSENT,
            contact=contact,
            summary=f"Gave consent on the {campaign.name} pledge page",
            detail=f"Agreed to: {pledge.consent_wording}\nOrganisation given: {pledge.organisation_name}",
            occurred_at=now,
            url=campaign.get_absolute_url(),
            source=f"campaigns.pledge:{pledge.pk}",
        )
        response_record(
            campaign=campaign,
            contact=contact,
            kind=ResponseKind.PLEDGED,
            occurred_on=timezone.localdate(now),
            notes="Confirmed from the public pledge page.",
            source=Response.Source.PLEDGE_PAGE,
            actor=None,
        )
    return pledge

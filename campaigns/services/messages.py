"""Messages: checked for merge-field errors when saved (with the line), previewed against a real
contact, and sent as a test to the person writing them."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import transaction

from campaigns.models import Campaign, Message
from campaigns.services import email as campaign_email
from campaigns.services import merge_fields
from crm.models import AuditEvent, Contact, User
from crm.services.audit import audit_record, diff, snapshot


def message_check(*, subject: str, html_body: str, text_body: str) -> dict[str, str]:
    """{field: "Line n: problem"} for every part of the message that will not render."""
    problems = {}
    for name, source in (("subject", subject), ("html_body", html_body), ("text_body", text_body)):
        try:
            merge_fields.parse(source)
        except merge_fields.MergeFieldError as error:
            problems[name] = str(error)
    if "\n" in subject or "\r" in subject:
        problems["subject"] = "Line 2: a subject must be one line."
    return problems


def _validate(message: Message) -> None:
    problems = message_check(subject=message.subject, html_body=message.html_body, text_body=message.text_body)
    if problems:
        raise ValidationError(problems)
    message.full_clean()


@transaction.atomic
def message_create(
    *, campaign: Campaign, name: str, subject: str, html_body: str, text_body: str, actor: User
) -> Message:
    message = Message(
        campaign=campaign, name=name, subject=subject, html_body=html_body, text_body=text_body, created_by=actor
    )
    _validate(message)
    message.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=message, changes=snapshot(message))
    return message


@transaction.atomic
def message_update(
    *, message: Message, name: str, subject: str, html_body: str, text_body: str, actor: User
) -> Message:
    before = snapshot(message)
    message.name, message.subject, message.html_body, message.text_body = name, subject, html_body, text_body
    _validate(message)
    message.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=message, changes=diff(before, snapshot(message)))
    return message


@dataclass
class Preview:
    subject: str
    html_body: str
    text_body: str
    contact: Contact


def message_preview(*, message: Message, contact: Contact) -> Preview:
    """The message as `contact` would get it (the unsubscribe link is a harmless test link)."""
    context = campaign_email.merge_context(
        contact=contact,
        campaign_name=message.campaign.name,
        campaign_slug=message.campaign.slug,
        unsubscribe=campaign_email.unsubscribe_url(campaign_email.TEST_DELIVERY_ID),
    )
    subject, html_body, text_body = campaign_email.render_bodies(
        subject=message.subject, html_body=message.html_body, text_body=message.text_body, context=context
    )
    return Preview(subject=subject, html_body=html_body, text_body=text_body, contact=contact)


class TestSendFailed(Exception):
    """The mail server would not take the test message; the text says why, for the person sending it."""


def message_send_test(*, message: Message, contact: Contact, to_user: User) -> str:
    """Send the message, filled in for `contact`, to the signed-in user. Returns the Message-ID."""
    problems = message_check(subject=message.subject, html_body=message.html_body, text_body=message.text_body)
    if problems:
        raise ValidationError(problems)
    campaign = message.campaign
    context = campaign_email.merge_context(
        contact=contact,
        campaign_name=campaign.name,
        campaign_slug=campaign.slug,
        unsubscribe=campaign_email.unsubscribe_url(campaign_email.TEST_DELIVERY_ID),
    )
    email = campaign_email.compose(
        subject=f"[Test] {message.subject}",
        html_body=message.html_body,
        text_body=message.text_body,
        from_name=campaign.from_name,
        from_email=campaign.from_email,
        reply_to=campaign.reply_to,
        to_email=to_user.email,
        to_name=to_user.full_name,
        context=context,
    )
    try:
        mailers.default.send_messages([email])
    except (smtplib.SMTPException, OSError) as error:
        raise TestSendFailed(f"The mail server did not accept the test email ({error}). Try again later.") from error
    audit_record(
        actor=to_user,
        action=AuditEvent.Action.EXPORT,
        target=message,
        changes={"test_sent_to": to_user.email, "filled_in_for_contact": contact.pk},
    )
    return email.extra_headers["Message-ID"]

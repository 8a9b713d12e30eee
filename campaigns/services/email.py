"""Building one campaign email: merge fields filled, unsubscribe link in every body, RFC 8058 one-click
headers, its own Message-ID, and header values that cannot carry a line break (no header injection)."""

from __future__ import annotations

from email.headerregistry import Address

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.urls import reverse
from django.utils import timezone

from campaigns.services import merge_fields
from crm.models import Contact

UNSUBSCRIBE_SALT = "campaigns.unsubscribe"
# Test emails carry a token for no delivery: the page explains it was a test and suppresses nothing.
TEST_DELIVERY_ID = 0


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(delivery_id: int) -> str:
    return signing.dumps({"d": delivery_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> int:
    """The delivery id in a signed token; raises signing.BadSignature if it was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("d"), int):
        raise signing.BadSignature("Unexpected unsubscribe token content.")
    return data["d"]


def unsubscribe_url(delivery_id: int) -> str:
    return site_url(reverse("campaigns:unsubscribe", args=[unsubscribe_token(delivery_id)]))


def current_organisation_name(contact: Contact) -> str:
    """From prefetched affiliations when present (sending in bulk), otherwise one query."""
    today = timezone.localdate()
    current = [a for a in contact.affiliations.all() if a.end_date is None or a.end_date >= today]
    current.sort(key=lambda a: (a.start_date is not None, a.start_date), reverse=True)
    return current[0].organisation.name if current else ""


def merge_context(*, contact: Contact, campaign_name: str, campaign_slug: str, unsubscribe: str) -> dict[str, str]:
    """Plain strings only: the templates can reach nothing but these values."""
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "full_name": contact.full_name,
        "job_title": contact.job_title,
        "organisation": current_organisation_name(contact),
        "area": contact.area.name if contact.area else "",
        "practitioner_group": contact.get_practitioner_group_display(),
        "campaign_name": campaign_name,
        "unsubscribe_url": unsubscribe,
        "pledge_url": site_url(reverse("campaigns:pledge", args=[campaign_slug])),
    }


def render_bodies(*, subject: str, html_body: str, text_body: str, context: dict[str, str]) -> tuple[str, str, str]:
    """Subject, HTML and text filled in; an unsubscribe link is added to a body that has none."""
    rendered_subject = merge_fields.one_line(merge_fields.render(subject, context))
    rendered_html = merge_fields.render(html_body, context, escape_html=True)
    rendered_text = merge_fields.render(text_body, context)
    link = context["unsubscribe_url"]
    if not merge_fields.uses_field(html_body, "unsubscribe_url"):
        rendered_html += (
            "\n<hr>\n<p>You are receiving this because of your work. "
            f'<a href="{link}">Unsubscribe from these emails</a>.</p>\n'
        )
    if not merge_fields.uses_field(text_body, "unsubscribe_url"):
        rendered_text += f"\n\n--\nUnsubscribe from these emails: {link}\n"
    return rendered_subject, rendered_html, rendered_text


def sender_address(name: str, email: str) -> str:
    """A From header value with the display name quoted safely and stripped of line breaks."""
    local, _, domain = email.partition("@")
    return str(Address(display_name=merge_fields.one_line(name), username=local, domain=domain))


def compose(
    *,
    subject: str,
    html_body: str,
    text_body: str,
    from_name: str,
    from_email: str,
    reply_to: str,
    to_email: str,
    to_name: str,
    context: dict[str, str],
) -> EmailMultiAlternatives:
    rendered_subject, rendered_html, rendered_text = render_bodies(
        subject=subject, html_body=html_body, text_body=text_body, context=context
    )
    domain = from_email.partition("@")[2] or "common-ground.example"
    headers = {
        "Message-ID": make_msgid(domain=domain),
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # Marks bulk mail so auto-responders (out of office) do not reply to it.
        "Precedence": "bulk",
    }
    message = EmailMultiAlternatives(
        subject=rendered_subject,
        body=rendered_text,
        from_email=sender_address(from_name, from_email),
        to=[sender_address(to_name, to_email)],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    message.attach_alternative(rendered_html, "text/html")
    return message

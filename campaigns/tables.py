"""List tables for campaign outreach, on the shared GOV.UK table base."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from campaigns.models import Campaign, Delivery, Pledge, Response, Segment, Send
from crm.tables_base import GovukTable

STATUS_TAG = {
    "draft": "govuk-tag--grey",
    "scheduled": "govuk-tag--purple",
    "sending": "govuk-tag--blue",
    "paused": "govuk-tag--yellow",
    "cancelled": "govuk-tag--red",
    "finished": "govuk-tag--green",
    "active": "govuk-tag--blue",
    "archived": "govuk-tag--grey",
    "queued": "govuk-tag--grey",
    "sent": "govuk-tag--green",
    "failed": "govuk-tag--red",
    "bounced": "govuk-tag--orange",
    "skipped": "govuk-tag--yellow",
}


def status_tag(value: str, label: str) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAG.get(value, ""), label)


class CampaignTable(GovukTable):
    name = tables.Column(linkify=True, verbose_name="Campaign")
    status = tables.Column()
    starts_on = tables.DateColumn(verbose_name="Starts", format="j M Y")
    owner = tables.Column(verbose_name="Owner", default="No owner")
    send_count = tables.Column(verbose_name="Sends", attrs={"td": {"class": "govuk-table__cell--numeric"}})
    response_count = tables.Column(verbose_name="Responses", attrs={"td": {"class": "govuk-table__cell--numeric"}})

    class Meta(GovukTable.Meta):
        model = Campaign
        fields = ("name", "status", "starts_on", "owner", "send_count", "response_count")
        verbose_name = "Campaigns"
        empty_text = "No campaigns yet."

    def render_status(self, record: Campaign) -> str:
        return status_tag(record.status, record.get_status_display())


class SegmentTable(GovukTable):
    name = tables.Column(linkify=True)
    campaign = tables.Column(default="Any campaign")
    send_count = tables.Column(verbose_name="Used by sends")
    updated_at = tables.DateTimeColumn(verbose_name="Last changed", format="j M Y, H:i")

    class Meta(GovukTable.Meta):
        model = Segment
        fields = ("name", "campaign", "send_count", "updated_at")
        verbose_name = "Segments"
        empty_text = "No segments yet."


class SendTable(GovukTable):
    message = tables.Column(linkify=lambda record: record.get_absolute_url(), verbose_name="Message")
    segment = tables.Column()
    status = tables.Column()
    scheduled_for = tables.DateTimeColumn(verbose_name="Scheduled for", format="j M Y, H:i", default="When started")
    recipient_count = tables.Column(verbose_name="Recipients")

    class Meta(GovukTable.Meta):
        model = Send
        fields = ("message", "segment", "status", "scheduled_for", "recipient_count")
        verbose_name = "Sends"
        empty_text = "No sends yet."

    def render_status(self, record: Send) -> str:
        return status_tag(record.status, record.get_status_display())


class DeliveryTable(GovukTable):
    contact = tables.Column(linkify=lambda record: record.contact.get_absolute_url() if record.contact_id else None)
    email = tables.Column()
    status = tables.Column()
    attempts = tables.Column()
    sent_at = tables.DateTimeColumn(verbose_name="Sent", format="j M Y, H:i:s", default="")
    error = tables.Column(verbose_name="Problem", default="", orderable=False)

    class Meta(GovukTable.Meta):
        model = Delivery
        fields = ("contact", "email", "status", "attempts", "sent_at", "error")
        verbose_name = "Recipients"
        empty_text = "No recipients yet: they are fixed when the send starts."

    def render_status(self, record: Delivery) -> str:
        return status_tag(record.status, record.get_status_display())

    def render_error(self, record: Delivery) -> str:
        return record.error or record.skip_reason


class ResponseTable(GovukTable):
    contact = tables.Column(linkify=lambda record: record.contact.get_absolute_url())
    campaign = tables.Column(linkify=True)
    kind = tables.Column(verbose_name="Response")
    occurred_on = tables.DateColumn(verbose_name="Date", format="j M Y")
    source = tables.Column(verbose_name="How recorded")

    class Meta(GovukTable.Meta):
        model = Response
        fields = ("contact", "campaign", "kind", "occurred_on", "source")
        verbose_name = "Responses"
        empty_text = "No responses recorded yet."


class PledgeTable(GovukTable):
    name = tables.Column(empty_values=(), verbose_name="Name", order_by=("last_name", "first_name"))
    organisation_name = tables.Column(verbose_name="Organisation")
    created_at = tables.DateTimeColumn(verbose_name="Pledged", format="j M Y, H:i")
    confirmed_at = tables.DateTimeColumn(verbose_name="Confirmed", format="j M Y, H:i", default="Not yet")

    class Meta(GovukTable.Meta):
        model = Pledge
        fields = ("name", "organisation_name", "created_at", "confirmed_at")
        verbose_name = "Pledges"
        empty_text = "No pledges yet."

    def render_name(self, record: Pledge) -> str:
        if record.contact is not None:
            return format_html(
                '<a class="govuk-link" href="{}">{} {}</a>',
                record.contact.get_absolute_url(),
                record.first_name,
                record.last_name,
            )
        return f"{record.first_name} {record.last_name}"

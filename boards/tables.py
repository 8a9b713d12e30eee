"""List tables. Cells link to the record; dates show in UK form."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from boards.links import url_of
from boards.models import Board, Commitment, Engagement
from boards.templatetags.boards import SENTIMENT_TAGS, stage_tag
from crm.models import LocalArea
from crm.tables_base import GovukTable


class BoardTable(GovukTable):
    name = tables.Column(linkify=True, verbose_name="Board")
    kind = tables.Column(verbose_name="Kind")
    area = tables.Column(verbose_name="Local area", order_by=("area__name",))
    stage = tables.Column(verbose_name="Stage")
    last_engagement = tables.DateColumn(verbose_name="Last engagement", format="j M Y", default="None")
    next_meeting = tables.Column(verbose_name="Next meeting", default="None planned")
    owner = tables.Column(verbose_name="Owner", order_by=("owner__full_name",), default="—")

    class Meta(GovukTable.Meta):
        model = Board
        fields = ("name", "kind", "area", "stage", "last_engagement", "next_meeting", "owner")
        empty_text = "No boards match."

    def render_stage(self, record: Board) -> str:
        # django-tables2 hands a choices field's label as `value`; the tag needs the number.
        return stage_tag(record.stage)

    def render_next_meeting(self, value) -> str:
        return timezone.localtime(value).strftime("%-d %b %Y")


class AreaTable(GovukTable):
    name = tables.Column(verbose_name="Local area", linkify=("boards:area_detail", [tables.A("pk")]))
    region = tables.Column(verbose_name="Region")
    stage = tables.Column(verbose_name="Stage")
    board_count = tables.Column(verbose_name="Boards")
    last_engagement = tables.DateColumn(verbose_name="Last engagement", format="j M Y", default="None")

    class Meta(GovukTable.Meta):
        model = LocalArea
        fields = ("name", "region", "stage", "board_count", "last_engagement")
        empty_text = "No local areas match."

    def render_stage(self, value: int) -> str:
        return stage_tag(value)


class EngagementTable(GovukTable):
    date = tables.DateColumn(format="j M Y", linkify=True)
    kind = tables.Column(verbose_name="Kind")
    board = tables.Column(linkify=True, default="—", order_by=("board__name",))
    organisation = tables.Column(default="—", order_by=("organisation__name",))
    area = tables.Column(verbose_name="Area", default="—", order_by=("area__name",))
    contacts = tables.Column(verbose_name="Contacts", orderable=False, empty_values=())
    leaders = tables.Column(verbose_name="Leaders", orderable=False, empty_values=())
    sentiment = tables.Column()

    class Meta(GovukTable.Meta):
        model = Engagement
        fields = ("date", "kind", "board", "organisation", "area", "contacts", "leaders", "sentiment")
        empty_text = "No engagements match."

    def render_contacts(self, record: Engagement) -> str:
        people = list(record.contacts.all())
        return ", ".join(c.full_name for c in people) or "—"

    def render_leaders(self, record: Engagement) -> str:
        return ", ".join(str(u) for u in record.leaders.all()) or "—"

    def render_sentiment(self, record: Engagement) -> str:
        return format_html(
            '<strong class="govuk-tag {}">{}</strong>',
            SENTIMENT_TAGS.get(record.sentiment, ""),
            record.get_sentiment_display(),
        )


class CommitmentTable(GovukTable):
    description = tables.Column(linkify=True, verbose_name="Commitment")
    promised_by = tables.Column(verbose_name="Promised by")
    owner = tables.Column(default="—", order_by=("owner__full_name",))
    due_date = tables.DateColumn(verbose_name="Due", format="j M Y", default="No date")
    status = tables.Column()
    linked = tables.Column(verbose_name="About", orderable=False, empty_values=())

    class Meta(GovukTable.Meta):
        model = Commitment
        fields = ("description", "promised_by", "owner", "due_date", "status", "linked")
        empty_text = "No commitments match."

    def render_status(self, record: Commitment) -> str:
        if record.is_overdue:
            return format_html('<strong class="govuk-tag govuk-tag--red">{}</strong>', "Overdue")
        colour = {"open": "govuk-tag--blue", "done": "govuk-tag--green", "dropped": "govuk-tag--grey"}[record.status]
        return format_html('<strong class="govuk-tag {}">{}</strong>', colour, record.get_status_display())

    def render_linked(self, record: Commitment) -> str:
        links = []
        if record.board is not None:
            links.append((record.board.get_absolute_url(), record.board.name))
        if record.contact is not None and url_of(record.contact):
            links.append((url_of(record.contact), record.contact.full_name))
        if record.engagement is not None:
            links.append((record.engagement.get_absolute_url(), "Engagement"))
        if not links:
            return "—"
        return format_html_join(", ", '<a class="govuk-link" href="{}">{}</a>', links)

"""List tables for the registry. Cells read only what the selectors fetched (no query per row)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from crm.models import AuditEvent, Contact, LawfulBasis, LocalArea, Organisation
from crm.tables_base import GovukTable

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from crm.selectors import ContactListPrefetched


class ContactTable(GovukTable):
    name = tables.Column(verbose_name="Name", accessor="last_name", order_by=("last_name", "first_name"), linkify=False)
    job_title = tables.Column(verbose_name="Job title")
    organisations = tables.Column(verbose_name="Organisation", accessor="pk", orderable=False, empty_values=())
    practitioner_group = tables.Column(verbose_name="Practitioner group")
    area = tables.Column(verbose_name="Local area", accessor="area__name", order_by=("area__name", "last_name"))
    lawful_basis = tables.Column(verbose_name="Can we contact them?", orderable=True)
    tags = tables.Column(verbose_name="Tags", accessor="pk", orderable=False, empty_values=())

    class Meta(GovukTable.Meta):
        model = Contact
        fields = ["name", "job_title", "organisations", "practitioner_group", "area", "lawful_basis", "tags"]
        order_by = ("name",)
        empty_text = "No contacts match. Try fewer filters."

    def render_name(self, record: Contact) -> str:
        email = format_html('<br><span class="govuk-body-s">{}</span>', record.email) if record.email else ""
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>{}', record.get_absolute_url(), record.full_name, email
        )

    def render_organisations(self, record: WithAnnotations[Contact, ContactListPrefetched]) -> str:
        return format_html_join(
            ", ", '<a class="govuk-link" href="{}">{}</a>',
            ((a.organisation.get_absolute_url(), a.organisation.name) for a in record.current_affiliations),
        ) or "—"  # fmt: skip

    def render_practitioner_group(self, record: Contact) -> str:
        return record.get_practitioner_group_display()

    def render_lawful_basis(self, record: Contact) -> str:
        if record.do_not_contact:
            return mark_safe('<strong class="govuk-tag govuk-tag--red">Do not contact</strong>')
        if record.lawful_basis == LawfulBasis.NONE:
            return mark_safe('<strong class="govuk-tag govuk-tag--grey">No basis recorded</strong>')
        label = "Consent" if record.lawful_basis == LawfulBasis.CONSENT else "Legitimate interests"
        opted_out = " (no email)" if record.email_opt_out else ""
        return format_html('<strong class="govuk-tag govuk-tag--green">{}</strong>{}', label, opted_out)

    def render_tags(self, record: Contact) -> str:
        names = [t.name for t in record.tags.all()]
        if not names:
            return "—"
        return format_html_join(" ", '<strong class="govuk-tag govuk-tag--blue">{}</strong>', ((n,) for n in names))


class OrganisationTable(GovukTable):
    name = tables.Column(verbose_name="Name")
    kind = tables.Column(verbose_name="Kind")
    area = tables.Column(verbose_name="Local area", accessor="area__name", order_by=("area__name", "name"))
    parent = tables.Column(verbose_name="Part of", accessor="parent__name")
    postcode = tables.Column(verbose_name="Postcode")
    current_contact_count = tables.Column(
        verbose_name="Contacts", attrs={"td": {"class": "govuk-table__cell--numeric"}}
    )
    tags = tables.Column(verbose_name="Tags", accessor="pk", orderable=False, empty_values=())

    class Meta(GovukTable.Meta):
        model = Organisation
        fields = ["name", "kind", "area", "parent", "postcode", "current_contact_count", "tags"]
        order_by = ("name",)
        empty_text = "No organisations match. Try fewer filters."

    def render_name(self, record: Organisation) -> str:
        return format_html('<a class="govuk-link" href="{}">{}</a>', record.get_absolute_url(), record.name)

    def render_kind(self, record: Organisation) -> str:
        return record.get_kind_display()

    def render_tags(self, record: Organisation) -> str:
        names = [t.name for t in record.tags.all()]
        if not names:
            return "—"
        return format_html_join(" ", '<strong class="govuk-tag govuk-tag--blue">{}</strong>', ((n,) for n in names))


class LocalAreaTable(GovukTable):
    name = tables.Column(verbose_name="Name")
    code = tables.Column(verbose_name="ONS code")
    kind = tables.Column(verbose_name="Kind")
    region = tables.Column(verbose_name="Region")
    organisation_count = tables.Column(
        verbose_name="Organisations", attrs={"td": {"class": "govuk-table__cell--numeric"}}
    )
    contact_count = tables.Column(verbose_name="Contacts", attrs={"td": {"class": "govuk-table__cell--numeric"}})

    class Meta(GovukTable.Meta):
        model = LocalArea
        fields = ["name", "code", "kind", "region", "organisation_count", "contact_count"]
        order_by = ("name",)
        empty_text = "No areas match."

    def render_name(self, record: LocalArea) -> str:
        custom = (
            mark_safe(' <strong class="govuk-tag govuk-tag--grey">Added by a user</strong>') if record.is_custom else ""
        )
        url = reverse("crm:area_detail", args=[record.pk])
        return format_html('<a class="govuk-link" href="{}">{}</a>{}', url, record.name, custom)

    def render_kind(self, record: LocalArea) -> str:
        return record.get_kind_display()

    def render_region(self, record: LocalArea) -> str:
        return record.get_region_display()


class AuditEventTable(GovukTable):
    created_at = tables.Column(verbose_name="When")
    actor = tables.Column(verbose_name="Who", accessor="actor__full_name", empty_values=())
    action = tables.Column(verbose_name="What")
    target_repr = tables.Column(verbose_name="Record", orderable=False)
    changes = tables.Column(verbose_name="Details", orderable=False, empty_values=())

    class Meta(GovukTable.Meta):
        model = AuditEvent
        fields = ["created_at", "actor", "action", "target_repr", "changes"]
        order_by = ("-created_at",)
        empty_text = "Nothing recorded yet."

    def render_created_at(self, value: dt.datetime) -> str:
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")

    def render_actor(self, record: AuditEvent) -> str:
        return record.actor.full_name if record.actor else "System"

    def render_action(self, record: AuditEvent) -> str:
        return record.get_action_display()

    def render_changes(self, record: AuditEvent) -> str:
        return describe_changes(record.changes)


def describe_changes(changes: object) -> str:
    """A short readable line for an audit event's changes: "job title: Nurse → Midwife; rows: 120"."""
    if not isinstance(changes, dict) or not changes:
        return "—"
    parts = []
    for key, value in list(changes.items())[:8]:
        label = key.replace("_", " ")
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
            old, new = (v if v not in (None, "", []) else "—" for v in value)
            parts.append(f"{label}: {old} → {new}")
        elif isinstance(value, dict):
            parts.append(f"{label}: " + ", ".join(f"{k}={v}" for k, v in value.items()))
        else:
            parts.append(f"{label}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= 300 else text[:299] + "…"

"""Filters for every list (django-filter): ?area=3&kind=unitary&updated_since=2026-11-01 and so on."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters

from boards.models import Board, BoardMembership, Commitment, Engagement, Meeting, StageChange
from boards.reporting.models import WeeklyReport
from campaigns.models import Campaign, Delivery, Response, Segment, Send
from crm.models import Affiliation, Contact, LocalArea, Organisation


def _current(queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
    if value is None:
        return queryset
    today = timezone.localdate()
    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    return queryset.filter(current) if value else queryset.exclude(current)


class AreaFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = LocalArea
        fields = ["name", "region", "kind", "is_custom", "code"]


class OrganisationFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")
    tag = filters.CharFilter(field_name="tags__name", lookup_expr="iexact", distinct=True)
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Organisation
        fields = ["name", "kind", "area", "parent", "postcode", "tag", "updated_since"]


class ContactFilter(filters.FilterSet):
    name = filters.CharFilter(method="filter_name", label="Name contains")
    email = filters.CharFilter(field_name="email", lookup_expr="iexact")
    organisation = filters.NumberFilter(method="filter_organisation", label="Currently at organisation")
    region = filters.CharFilter(field_name="area__region")
    tag = filters.CharFilter(field_name="tags__name", lookup_expr="iexact", distinct=True)
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Contact
        fields = [
            "name", "email", "practitioner_group", "seniority", "area", "region", "owner", "lawful_basis",
            "do_not_contact", "email_opt_out", "organisation", "tag", "updated_since",
        ]  # fmt: skip

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return queryset

    def filter_organisation(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        today = timezone.localdate()
        return queryset.filter(
            Q(affiliations__end_date__isnull=True) | Q(affiliations__end_date__gte=today),
            affiliations__organisation_id=value,
        ).distinct()


class AffiliationFilter(filters.FilterSet):
    current = filters.BooleanFilter(method=_current)

    class Meta:
        model = Affiliation
        fields = ["contact", "organisation", "current"]


class BoardFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")
    region = filters.CharFilter(field_name="area__region")

    class Meta:
        model = Board
        fields = ["name", "kind", "area", "region", "owner", "stage", "cadence"]


class MembershipFilter(filters.FilterSet):
    current = filters.BooleanFilter(method=_current)

    class Meta:
        model = BoardMembership
        fields = ["board", "contact", "seat", "current"]


class MeetingFilter(filters.FilterSet):
    starts_after = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    area = filters.NumberFilter(field_name="board__area")

    class Meta:
        model = Meeting
        fields = ["board", "area", "status", "starts_after", "starts_before"]


class EngagementFilter(filters.FilterSet):
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")
    contact = filters.NumberFilter(field_name="contacts", distinct=True)
    leader = filters.NumberFilter(field_name="leaders", distinct=True)
    region = filters.CharFilter(field_name="area__region")

    class Meta:
        model = Engagement
        fields = [
            "kind", "board", "organisation", "area", "region", "sentiment", "contact", "leader", "date_from",
            "date_to",
        ]  # fmt: skip


class FollowUpFilter(filters.FilterSet):
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte")
    overdue = filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Commitment
        fields = ["status", "promised_by", "owner", "board", "engagement", "contact", "area", "due_before", "overdue"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Q(status=Commitment.Status.OPEN, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class StageChangeFilter(filters.FilterSet):
    changed_since = filters.IsoDateTimeFilter(field_name="changed_at", lookup_expr="gte")

    class Meta:
        model = StageChange
        fields = ["board", "area", "to_stage", "changed_since"]


class CampaignFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Campaign
        fields = ["name", "status", "owner"]


class SegmentFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Segment
        fields = ["name", "campaign"]


class SendFilter(filters.FilterSet):
    class Meta:
        model = Send
        fields = ["campaign", "status", "segment", "message"]


class DeliveryFilter(filters.FilterSet):
    campaign = filters.NumberFilter(field_name="send__campaign")

    class Meta:
        model = Delivery
        fields = ["send", "campaign", "status", "contact"]


class ResponseFilter(filters.FilterSet):
    occurred_from = filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_to = filters.DateFilter(field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = Response
        fields = ["campaign", "contact", "kind", "source", "occurred_from", "occurred_to"]


class WeeklyReportFilter(filters.FilterSet):
    week_from = filters.DateFilter(field_name="week_start", lookup_expr="gte")
    week_to = filters.DateFilter(field_name="week_start", lookup_expr="lte")

    class Meta:
        model = WeeklyReport
        fields = ["status", "week_start", "week_from", "week_to"]

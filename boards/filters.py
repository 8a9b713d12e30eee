"""Filter forms for the boards lists (django-filter), rendered with the GOV.UK form templates."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from boards.forms import date_input, people_who_write
from boards.models import Board, Commitment, Engagement, Sentiment, Stage
from crm.models import LocalArea, Region


class EngagementFilter(django_filters.FilterSet):
    area = django_filters.ModelChoiceFilter(queryset=LocalArea.objects.order_by("name"), label="Local area")
    region = django_filters.ChoiceFilter(field_name="area__region", choices=Region.choices, label="Region")
    board_kind = django_filters.ChoiceFilter(field_name="board__kind", choices=Board.Kind.choices, label="Board kind")
    leader = django_filters.ModelChoiceFilter(field_name="leaders", queryset=people_who_write(), label="Leader")
    kind = django_filters.ChoiceFilter(choices=Engagement.Kind.choices, label="Kind of engagement")
    sentiment = django_filters.ChoiceFilter(choices=Sentiment.choices)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="From", widget=date_input())
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="To", widget=date_input())

    class Meta:
        model = Engagement
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A form whose dates are the wrong way round would silently show nothing; say so instead.
        self.form.clean = self._clean_dates

    def _clean_dates(self) -> dict:
        forms.Form.clean(self.form)
        data = self.form.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.form.add_error("date_to", "The “to” date must be on or after the “from” date.")
        return data

    @property
    def qs(self) -> QuerySet[Engagement]:
        # Filtering on a many-to-many (leader) can repeat rows; distinct keeps one row per engagement.
        qs = super().qs
        return (
            qs.distinct()
            if self.form.is_bound and self.form.is_valid() and self.form.cleaned_data.get("leader")
            else qs
        )


class BoardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name contains")
    area = django_filters.ModelChoiceFilter(queryset=LocalArea.objects.order_by("name"), label="Local area")
    region = django_filters.ChoiceFilter(field_name="area__region", choices=Region.choices, label="Region")
    kind = django_filters.ChoiceFilter(choices=Board.Kind.choices, label="Kind")
    stage = django_filters.TypedChoiceFilter(choices=Stage.choices, coerce=int, label="Stage")
    owner = django_filters.ModelChoiceFilter(queryset=people_who_write(), label="Owner")

    class Meta:
        model = Board
        fields: list[str] = []

    def search(self, queryset: QuerySet[Board], name: str, value: str) -> QuerySet[Board]:
        return queryset.filter(name__icontains=value.strip())


class AreaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    region = django_filters.ChoiceFilter(choices=Region.choices, label="Region")
    stage = django_filters.TypedChoiceFilter(choices=Stage.choices, coerce=int, label="Stage", method="by_stage")

    class Meta:
        model = LocalArea
        fields: list[str] = []

    def by_stage(self, queryset: QuerySet[LocalArea], name: str, value: int) -> QuerySet[LocalArea]:
        if value == Stage.NOT_ENGAGED:
            return queryset.filter(Q(ladder__isnull=True) | Q(ladder__stage=value))
        return queryset.filter(ladder__stage=value)


class CommitmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Commitment.Status.choices, empty_label="Any status")
    owner = django_filters.ModelChoiceFilter(queryset=people_who_write(), label="Owner")
    area = django_filters.ModelChoiceFilter(queryset=LocalArea.objects.order_by("name"), label="Local area")
    promised_by = django_filters.ChoiceFilter(choices=Commitment.PromisedBy.choices, label="Promised by")

    class Meta:
        model = Commitment
        fields: list[str] = []

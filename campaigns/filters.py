"""Filters for the campaign lists."""

from __future__ import annotations

import django_filters
from django import forms

from campaigns.models import Campaign, Delivery


class CampaignFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")
    status = django_filters.ChoiceFilter(choices=Campaign.Status.choices, empty_label="Any status")

    class Meta:
        model = Campaign
        fields = ["name", "status"]


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Delivery.Status.choices, empty_label="Any status")
    email = django_filters.CharFilter(lookup_expr="icontains", label="Email contains", widget=forms.TextInput)

    class Meta:
        model = Delivery
        fields = ["status", "email"]

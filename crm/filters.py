"""Filters for the registry lists (django-filter). Text search covers name, email and organisation."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from crm.models import (
    Affiliation,
    Contact,
    ContactEmail,
    LawfulBasis,
    LocalArea,
    Organisation,
    PractitionerGroup,
    Region,
    Tag,
)
from crm.selectors import current_affiliations_q

# The shortest search word a trigram index can look up (pg_trgm splits text into three-letter pieces).
TRIGRAM = 3


def _words(value: str) -> list[str]:
    return [w for w in value.split() if w][:6]


class RegistryFilterSet(django_filters.FilterSet):
    """Shared widgets: GOV.UK styling comes from the form renderer; multi-selects stay compact."""

    q = django_filters.CharFilter(label="Search", method="search")
    area = django_filters.ModelChoiceFilter(
        label="Local area", queryset=LocalArea.objects.order_by("name"), empty_label="Any area"
    )
    tags = django_filters.ModelMultipleChoiceFilter(
        label="Tags",
        queryset=Tag.objects.order_by("name"),
        widget=forms.SelectMultiple,
        help_text="Hold Ctrl (or Cmd) to choose more than one. Shows records with any of them.",
        distinct=False,
        method="filter_tags",
    )

    def filter_tags(self, queryset: QuerySet, name: str, value: list[Tag]) -> QuerySet:
        # Exists() instead of a join, so a record with two chosen tags is not listed twice.
        if not value:
            return queryset
        through = queryset.model.tags.through
        owner_field = f"{queryset.model._meta.model_name}_id"
        return queryset.filter(
            Exists(through.objects.filter(**{owner_field: OuterRef("pk")}, tag__in=[t.pk for t in value]))
        )


class ContactFilter(RegistryFilterSet):
    region = django_filters.ChoiceFilter(
        label="Region", field_name="area__region", choices=Region.choices, empty_label="Any region"
    )
    practitioner_group = django_filters.ChoiceFilter(
        label="Practitioner group", choices=PractitionerGroup.choices, empty_label="Any group"
    )
    organisation_kind = django_filters.ChoiceFilter(
        label="Kind of organisation",
        choices=Organisation.Kind.choices,
        empty_label="Any kind",
        method="filter_organisation_kind",
        help_text="Where they work now.",
    )
    lawful_basis = django_filters.ChoiceFilter(
        label="Lawful basis", choices=LawfulBasis.choices, empty_label="Any basis"
    )

    class Meta:
        model = Contact
        fields = ["q", "area", "region", "practitioner_group", "organisation_kind", "tags", "lawful_basis"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Each word's matches are gathered per table through that table's own index (trigram indexes on
        # PostgreSQL, crm migration 0004), and each contact is then checked against those sets by primary key.
        # The same tests written directly on the contact (with EXISTS for the other tables) could use no index,
        # so PostgreSQL read and tested all 100,000 contacts. Sets rather than one UNION joined back: a common
        # word (an NHS trust's name) matches tens of thousands, and the page then still reads only its first 50
        # in name order instead of sorting them all.
        for word in _words(value):
            on_person = (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(job_title__icontains=word)
            )
            at_organisation = Affiliation.objects.filter(current_affiliations_q(), organisation__name__icontains=word)
            other_emails = ContactEmail.objects.filter(email__icontains=word)
            if len(word) < TRIGRAM:
                # No trigram index can serve one or two letters ("Li", "Ng"): test each contact in name order
                # instead, so the page stops at its first 50 matches rather than collecting every match first.
                queryset = queryset.filter(
                    on_person
                    | Exists(at_organisation.filter(contact=OuterRef("pk")))
                    | Exists(other_emails.filter(contact=OuterRef("pk")))
                )
                continue
            queryset = queryset.filter(
                Q(pk__in=Contact.objects.filter(on_person).values("pk"))
                | Q(pk__in=at_organisation.values("contact_id"))
                | Q(pk__in=other_emails.values("contact_id"))
            )
        return queryset

    def filter_organisation_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Exists(
                Affiliation.objects.filter(current_affiliations_q(), contact=OuterRef("pk"), organisation__kind=value)
            )
        )


class OrganisationFilter(RegistryFilterSet):
    region = django_filters.ChoiceFilter(
        label="Region", field_name="area__region", choices=Region.choices, empty_label="Any region"
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Organisation.Kind.choices, empty_label="Any kind")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "area", "region", "tags"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in _words(value):
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(email__icontains=word) | Q(postcode__icontains=word)
                | Q(parent__name__icontains=word)
            )  # fmt: skip
        return queryset


class LocalAreaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", help_text="Name or ONS code.")
    region = django_filters.ChoiceFilter(label="Region", choices=Region.choices, empty_label="Any region")
    kind = django_filters.ChoiceFilter(label="Kind", choices=LocalArea.Kind.choices, empty_label="Any kind")

    class Meta:
        model = LocalArea
        fields = ["q", "region", "kind"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value)) if value else queryset

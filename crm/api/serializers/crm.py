"""The registry: local areas, organisations, contacts and their affiliations."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.models import Affiliation, Contact, LocalArea, Organisation

from .common import ApiModelSerializer, TagNamesField, active_users, web_url


class AreaSerializer(ApiModelSerializer):
    organisation_count = serializers.IntegerField(read_only=True)
    contact_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = LocalArea
        fields = [
            "id", "name", "code", "kind", "region", "is_custom",
            "organisation_count", "contact_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["is_custom", "created_at", "updated_at"]
        # Name clashes (any case) are checked by the service, with a message that says so.
        validators: list = []
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}, "code": {"validators": []}}


class OrganisationSerializer(ApiModelSerializer):
    tags = TagNamesField(required=False)
    current_contact_count = serializers.IntegerField(read_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id", "name", "kind", "area", "parent", "address", "postcode", "website", "phone", "email", "notes",
            "tags", "current_contact_count", "web_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def get_web_url(self, obj: Organisation) -> str:
        return web_url(self, obj)


class AffiliationSerializer(ApiModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Affiliation
        fields = [
            "id", "contact", "organisation", "organisation_name", "role", "start_date", "end_date", "is_current",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["end_date", "created_at"]

    def validate_contact(self, contact: Contact) -> Contact:
        if contact.is_erased:
            raise serializers.ValidationError("This contact's personal data has been erased.")
        return contact


class AffiliationEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()


class ContactSerializer(ApiModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=active_users(), required=False, allow_null=True)
    tags = TagNamesField(required=False)
    affiliations = serializers.SerializerMethodField(help_text="Current roles at organisations.")
    # Only when adding a contact: their current role, as an affiliation made at the same time.
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True, write_only=True
    )
    role = serializers.CharField(max_length=200, required=False, allow_blank=True, write_only=True)
    start_date = serializers.DateField(required=False, allow_null=True, write_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id", "first_name", "last_name", "job_title", "email", "phone", "practitioner_group", "seniority",
            "area", "owner", "notes", "tags", "lawful_basis", "consent_given_at", "consent_source",
            "consent_wording", "email_opt_out", "phone_opt_out", "do_not_contact", "affiliations",
            "organisation", "role", "start_date", "web_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(AffiliationSerializer(many=True))
    def get_affiliations(self, obj: Contact) -> list[dict[str, Any]]:
        current = getattr(obj, "current_affiliations", None)
        if current is None:
            current = [a for a in obj.affiliations.select_related("organisation") if a.is_current]
        return AffiliationSerializer(current, many=True, context=self.context).data

    def get_web_url(self, obj: Contact) -> str:
        request = self.context.get("request")
        path = reverse("crm:contact_detail", args=[obj.pk])
        return request.build_absolute_uri(path) if request is not None else path

"""The registry: local areas, organisations, contacts and their affiliations."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm import selectors
from crm.models import Affiliation, Contact, LocalArea, Organisation
from crm.services import areas, contacts, organisations
from crm.services.contacts import DETAIL_FIELDS, PREFERENCE_FIELDS
from crm.services.tags import tags_from_names

from .. import filters
from ..serializers import crm as s
from .base import CreateMixin, DestroyMixin, ListRetrieveMixin, ServiceViewSet, UpdateMixin, merged


class AreaViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ServiceViewSet[LocalArea]):
    """Local areas: the ONS list (read-only) and areas users add themselves."""

    serializer_class = s.AreaSerializer
    filterset_class = filters.AreaFilter
    ordering_fields = ["name", "id", "region"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[LocalArea]:
        return selectors.area_list()

    def create_object(self, data: dict[str, Any]) -> LocalArea:
        return areas.area_create(actor=self.request.user, **data)

    def update_object(self, instance: LocalArea, data: dict[str, Any]) -> LocalArea:
        return areas.area_update(actor=self.request.user, area=instance, **data)

    def delete_object(self, instance: LocalArea) -> None:
        areas.area_delete(actor=self.request.user, area=instance)


class OrganisationViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ServiceViewSet[Organisation]):
    serializer_class = s.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    ordering_fields = ["name", "id", "updated_at", "created_at"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisation_list()

    def create_object(self, data: dict[str, Any]) -> Organisation:
        tags = tags_from_names(data.pop("tags", []))
        return organisations.organisation_create(actor=self.request.user, tags=tags, **data)

    def update_object(self, instance: Organisation, data: dict[str, Any]) -> Organisation:
        tags = tags_from_names(data.pop("tags")) if "tags" in data else None
        return organisations.organisation_update(actor=self.request.user, organisation=instance, tags=tags, **data)

    def delete_object(self, instance: Organisation) -> None:
        organisations.organisation_delete(actor=self.request.user, organisation=instance)


class ContactViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ServiceViewSet[Contact]):
    """Contacts, each with their current roles at organisations. Erased contacts are not listed."""

    serializer_class = s.ContactSerializer
    filterset_class = filters.ContactFilter
    ordering_fields = ["last_name", "id", "updated_at", "created_at"]
    ordering = ["last_name", "first_name"]

    def get_queryset(self) -> QuerySet[Contact]:
        return selectors.contact_list()

    def create_object(self, data: dict[str, Any]) -> Contact:
        tags = tags_from_names(data.pop("tags", []))
        data["role"] = data.get("role") or ""
        return contacts.contact_create(actor=self.request.user, tags=tags, **data)

    def update_object(self, instance: Contact, data: dict[str, Any]) -> Contact:
        for write_once in ("organisation", "role", "start_date"):
            data.pop(write_once, None)
        tags = tags_from_names(data.pop("tags")) if "tags" in data else None
        details = {k: v for k, v in data.items() if k in DETAIL_FIELDS}
        preferences = {k: v for k, v in data.items() if k in PREFERENCE_FIELDS}
        # Details and preferences are two services (preferences are audited as consent changes); one
        # transaction keeps a request that fails half-way from saving half.
        with transaction.atomic():
            if details or tags is not None:
                contacts.contact_update(actor=self.request.user, contact=instance, tags=tags, **details)
            if preferences:
                contacts.contact_preferences_update(
                    actor=self.request.user, contact=instance, **merged(instance, preferences, PREFERENCE_FIELDS)
                )
        return instance

    def delete_object(self, instance: Contact) -> None:
        contacts.contact_delete(actor=self.request.user, contact=instance)


class AffiliationViewSet(ListRetrieveMixin, CreateMixin, ServiceViewSet[Affiliation]):
    """A contact's roles at organisations over time. A role is ended, never overwritten."""

    serializer_class = s.AffiliationSerializer
    filterset_class = filters.AffiliationFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]
    action_permissions = {"end": ["crm.change_affiliation"]}

    def get_queryset(self) -> QuerySet[Affiliation]:
        return Affiliation.objects.select_related("organisation", "contact").filter(contact__erased_at__isnull=True)

    def create_object(self, data: dict[str, Any]) -> Affiliation:
        data["role"] = data.get("role") or ""
        return contacts.affiliation_start(actor=self.request.user, **data)

    @extend_schema(request=s.AffiliationEndSerializer, responses=s.AffiliationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the role on a date (a job move, a retirement). The history keeps it."""
        affiliation = self.get_object()
        serializer = s.AffiliationEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contacts.affiliation_end(
            actor=request.user, affiliation=affiliation, end_date=serializer.validated_data["end_date"]
        )
        return self.respond(affiliation)

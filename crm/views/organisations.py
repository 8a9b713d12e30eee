"""Organisation pages: the list, the record with its people and timeline, and the forms that change it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from crm.filters import OrganisationFilter
from crm.forms import ConfirmForm, NoteForm, OrganisationForm
from crm.mixins import RoleRequiredMixin
from crm.models import Organisation
from crm.selectors import audit_for_record, organisation_detail, organisation_list, timeline_for
from crm.services.organisations import organisation_create, organisation_delete, organisation_update
from crm.services.tags import tags_from_names
from crm.tables import OrganisationTable, describe_changes
from crm.typing import current_user
from crm.views.registry import HistoryView, RegistryListView, ServiceFormView

TIMELINE_PER_PAGE = 25


def _tags(form: BaseForm) -> list:
    return [*form.cleaned_data.get("tags", []), *tags_from_names(form.cleaned_data.get("new_tags", []))]


class OrganisationListView(RegistryListView):
    permission_required = "crm.view_organisation"
    table_class = OrganisationTable
    filterset_class = OrganisationFilter
    list_name = "Organisations"
    export_name = "organisations"
    add_url_name = "crm:organisation_create"
    add_label = "Add an organisation"
    add_permission = "crm.add_organisation"

    def get_queryset(self) -> Any:
        return organisation_list()


class OrganisationDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "crm.view_organisation"
    template_name = "crm/organisation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            organisation = organisation_detail(pk=self.kwargs["pk"])
        except Organisation.DoesNotExist as exc:
            raise Http404("No such organisation") from exc
        timeline = Paginator(timeline_for(organisation=organisation), TIMELINE_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        audit = list(
            audit_for_record(
                user=current_user(self.request), target_type="crm.organisation", target_id=organisation.pk
            )[:5]
        )
        for event in audit:
            event.summary = describe_changes(event.changes)
        user = self.request.user
        context.update(
            organisation=organisation,
            current_affiliations=[a for a in organisation.all_affiliations if a.is_current],
            past_affiliations=[a for a in organisation.all_affiliations if not a.is_current],
            timeline=timeline,
            audit_events=audit,
            note_form=NoteForm(),
            can_edit=user.has_perm("crm.change_organisation"),
            can_delete=user.has_perm("crm.delete_organisation"),
            can_delete_notes=user.has_perm("crm.delete_note"),
        )
        return context


class OrganisationCreateView(ServiceFormView[Organisation]):
    permission_required = "crm.add_organisation"
    form_class = OrganisationForm
    title = "Add an organisation"
    submit_label = "Add organisation"

    def perform(self, form: BaseForm) -> Organisation:
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"tags", "new_tags"}}
        return organisation_create(actor=current_user(self.request), tags=_tags(form), **data)

    def back_url(self) -> str:
        return reverse("crm:organisation_list")

    def get_success_url(self) -> str:
        messages.success(self.request, f"{self.performed.name} has been added.")
        return self.performed.get_absolute_url()


class OrganisationMixin:
    kwargs: dict[str, Any]

    def get_organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            self._organisation = get_object_or_404(Organisation, pk=self.kwargs["pk"])
        return self._organisation

    def get_success_url(self) -> str:
        return self.get_organisation().get_absolute_url()

    def back_url(self) -> str:
        return self.get_organisation().get_absolute_url()


class OrganisationEditView(OrganisationMixin, ServiceFormView):
    permission_required = "crm.change_organisation"
    form_class = OrganisationForm
    title = "Change details"
    success_message = "The organisation's details have been saved."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": Organisation.objects.get(pk=self.get_organisation().pk)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "caption": self.get_organisation().name}

    def perform(self, form: BaseForm) -> Organisation:
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"tags", "new_tags"}}
        return organisation_update(
            actor=current_user(self.request), organisation=self.get_organisation(), tags=_tags(form), **data
        )


class OrganisationDeleteView(OrganisationMixin, ServiceFormView):
    permission_required = "crm.delete_organisation"
    form_class = ConfirmForm
    template_name = "crm/confirm_delete.html"
    title = "Delete this organisation"
    submit_label = "Delete organisation"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "record": self.get_organisation()}

    def perform(self, form: BaseForm) -> None:
        organisation_delete(actor=current_user(self.request), organisation=self.get_organisation())

    def get_success_url(self) -> str:
        messages.success(self.request, "Organisation deleted. Its people are still in Contacts.")
        return reverse("crm:organisation_list")


class OrganisationHistoryView(HistoryView):
    permission_required = "crm.view_organisation"
    model = Organisation

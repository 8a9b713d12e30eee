"""Local area pages: the ONS list plus users' own areas, each with its organisations and people."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.forms import BaseForm
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from crm.filters import LocalAreaFilter
from crm.forms import ConfirmForm, LocalAreaForm
from crm.mixins import RoleRequiredMixin
from crm.models import LocalArea, Organisation, PractitionerGroup
from crm.selectors import area_list
from crm.services.areas import area_create, area_delete, area_update
from crm.tables import LocalAreaTable
from crm.typing import current_user
from crm.views.registry import RegistryListView, ServiceFormView


class AreaListView(RegistryListView):
    permission_required = "crm.view_localarea"
    table_class = LocalAreaTable
    filterset_class = LocalAreaFilter
    list_name = "Local areas"
    export_name = "local-areas"
    add_url_name = "crm:area_create"
    add_label = "Add an area"
    add_permission = "crm.add_localarea"
    table_pagination = {"per_page": 100}

    def get_queryset(self) -> Any:
        return area_list()


class AreaDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "crm.view_localarea"
    template_name = "crm/area_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        area = get_object_or_404(area_list(), pk=self.kwargs["pk"])
        by_kind = dict(Organisation.objects.filter(area=area).order_by().values_list("kind").annotate(n=Count("pk")))
        groups = (
            area.contacts.filter(erased_at__isnull=True)
            .order_by()
            .values_list("practitioner_group")
            .annotate(n=Count("pk"), consented=Count("pk", filter=~Q(lawful_basis="none")))
        )
        context.update(
            area=area,
            organisation_kinds=[
                (label, by_kind[value]) for value, label in Organisation.Kind.choices if value in by_kind
            ],
            practitioner_groups=[
                (PractitionerGroup(value).label, n, consented)
                for value, n, consented in sorted(groups, key=lambda g: -g[1])
            ],
            can_edit=area.is_custom and self.request.user.has_perm("crm.change_localarea"),
            can_delete=area.is_custom and self.request.user.has_perm("crm.delete_localarea"),
        )
        return context


class AreaCreateView(ServiceFormView[LocalArea]):
    permission_required = "crm.add_localarea"
    form_class = LocalAreaForm
    title = "Add an area"
    submit_label = "Add area"

    def perform(self, form: BaseForm) -> LocalArea:
        return area_create(actor=current_user(self.request), **form.cleaned_data)

    def back_url(self) -> str:
        return reverse("crm:area_list")

    def get_success_url(self) -> str:
        messages.success(self.request, f"{self.performed.name} has been added.")
        return reverse("crm:area_detail", args=[self.performed.pk])


class AreaMixin:
    kwargs: dict[str, Any]

    def get_area(self) -> LocalArea:
        if not hasattr(self, "_area"):
            self._area = get_object_or_404(LocalArea, pk=self.kwargs["pk"], is_custom=True)
        return self._area

    def get_success_url(self) -> str:
        return reverse("crm:area_detail", args=[self.get_area().pk])

    def back_url(self) -> str:
        return reverse("crm:area_detail", args=[self.get_area().pk])


class AreaEditView(AreaMixin, ServiceFormView):
    permission_required = "crm.change_localarea"
    form_class = LocalAreaForm
    title = "Change area"
    success_message = "Area saved."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": LocalArea.objects.get(pk=self.get_area().pk)}

    def perform(self, form: BaseForm) -> LocalArea:
        return area_update(actor=current_user(self.request), area=self.get_area(), **form.cleaned_data)


class AreaDeleteView(AreaMixin, ServiceFormView):
    permission_required = "crm.delete_localarea"
    form_class = ConfirmForm
    template_name = "crm/confirm_delete.html"
    title = "Delete this area"
    submit_label = "Delete area"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "record": self.get_area()}

    def perform(self, form: BaseForm) -> None:
        area_delete(actor=current_user(self.request), area=self.get_area())

    def get_success_url(self) -> str:
        messages.success(self.request, "Area deleted.")
        return reverse("crm:area_list")

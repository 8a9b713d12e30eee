"""The audit trail page, and the suppression list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib import messages
from django.forms import BaseForm
from django.urls import reverse
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from crm.forms import SuppressionCheckForm, SuppressionForm
from crm.mixins import RoleRequiredMixin
from crm.models import AuditEvent, Suppression, User
from crm.selectors import audit_page_events
from crm.services.suppression import is_suppressed, suppression_add
from crm.tables import AuditEventTable
from crm.tables_base import GovukTable
from crm.typing import current_user
from crm.views.registry import ServiceFormView


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label="What", choices=AuditEvent.Action.choices, empty_label="Anything")
    actor = django_filters.ModelChoiceFilter(
        label="Who", queryset=User.objects.order_by("full_name"), empty_label="Anyone"
    )
    target_type = django_filters.ChoiceFilter(
        label="Kind of record",
        empty_label="Any record",
        choices=[
            ("crm.contact", "Contact"),
            ("crm.organisation", "Organisation"),
            ("crm.localarea", "Local area"),
            ("crm.affiliation", "Affiliation"),
            ("crm.note", "Note"),
            ("crm.suppression", "Suppression"),
        ],
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target_type"]


class AuditTrailView(RoleRequiredMixin, SingleTableMixin, FilterView):
    """Admins see every event; everyone else sees the exports they made themselves."""

    permission_required = "crm.view_auditevent"
    template_name = "crm/audit_trail.html"
    table_class = AuditEventTable
    filterset_class = AuditEventFilter
    table_pagination = {"per_page": 50}

    def get_queryset(self) -> Any:
        return audit_page_events(user=self.request.user)

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.user.has_perm("crm.view_others_exports"):
            # The only events a non-admin sees are their own exports; the filters would mislead.
            kwargs["data"] = None
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sees_everything"] = self.request.user.has_perm("crm.view_others_exports")
        return context


class SuppressionTable(GovukTable):
    class Meta(GovukTable.Meta):
        model = Suppression
        fields = ["created_at", "reason", "source", "email_hash"]
        order_by = ("-created_at",)
        empty_text = "No addresses are suppressed."

    def render_email_hash(self, value: str) -> str:
        return f"{value[:12]}…"


class SuppressionListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "crm.view_suppression"
    template_name = "crm/suppression_list.html"
    table_class = SuppressionTable
    model = Suppression
    filterset_fields = ["reason"]
    table_pagination = {"per_page": 50}

    def get_queryset(self) -> Any:
        return Suppression.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        check = (
            SuppressionCheckForm(self.request.GET or None) if "email" in self.request.GET else SuppressionCheckForm()
        )
        if check.is_bound and check.is_valid():
            context["checked_email"] = check.cleaned_data["email"]
            context["checked_suppressed"] = is_suppressed(check.cleaned_data["email"])
        context.update(check_form=check, can_add=self.request.user.has_perm("crm.add_suppression"))
        return context


class SuppressionAddView(ServiceFormView):
    permission_required = "crm.add_suppression"
    form_class = SuppressionForm
    title = "Suppress an email address"
    submit_label = "Suppress address"
    caption = "Suppression list"

    def perform(self, form: BaseForm) -> Suppression:
        return suppression_add(actor=current_user(self.request), **form.cleaned_data)

    def get_success_url(self) -> str:
        messages.success(self.request, "The address is suppressed: it will never be emailed.")
        return reverse("crm:suppression_list")

    def back_url(self) -> str:
        return reverse("crm:suppression_list")

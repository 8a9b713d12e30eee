"""The engagement log: quick log, list with filters, export, edit and delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from boards import selectors, services
from boards.filters import EngagementFilter
from boards.forms import EngagementForm
from boards.models import Board, Engagement
from boards.tables import EngagementTable
from crm.mixins import RoleRequiredMixin
from crm.models import Contact, Organisation
from crm.services.audit import audit_record
from crm.spreadsheets import NeutralisingWriter
from crm.typing import current_user
from crm.views.registry import CappedCountMixin

from .base import ServiceFormView

FIELDS = ["kind", "date", "board", "organisation", "contacts", "leaders", "summary", "our_ask", "outcome", "sentiment"]


class EngagementListView(RoleRequiredMixin, CappedCountMixin, SingleTableMixin, FilterView):
    permission_required = "boards.view_engagement"
    table_class = EngagementTable
    filterset_class = EngagementFilter
    template_name = "boards/engagement_list.html"

    def get_queryset(self):
        return selectors.engagement_list()


class _Echo:
    def write(self, value: str) -> str:
        return value


class EngagementExportView(RoleRequiredMixin, View):
    """The filtered engagement log as CSV, for reports and the funder. Logged in the audit trail."""

    permission_required = "boards.view_engagement"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        filterset = EngagementFilter(request.GET or None, queryset=selectors.engagement_list())
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, "Fix the filters before exporting.")
            return HttpResponseRedirect(f"{reverse('boards:engagement_list')}?{request.GET.urlencode()}")
        rows = filterset.qs.order_by("-date", "-id")
        audit_record(
            actor=current_user(request),
            action="export",
            target_type="boards.engagement",
            target_repr="Engagement log export",
            changes={"filters": {k: v for k, v in request.GET.items() if v}},
        )
        writer = NeutralisingWriter(_Echo())

        def lines():
            yield "\ufeff"  # so Excel opens the file as UTF-8
            yield writer.writerow(
                [
                    "Date",
                    "Kind",
                    "Board",
                    "Organisation",
                    "Local area",
                    "Region",
                    "Contacts",
                    "Leaders present",
                    "Summary",
                    "Our ask",
                    "Outcome",
                    "Sentiment",
                    "Link",
                ]
            )
            base = request.build_absolute_uri("/").rstrip("/")
            for e in rows.iterator(chunk_size=500):
                yield writer.writerow(
                    [
                        e.date.strftime("%d/%m/%Y"),
                        e.get_kind_display(),
                        e.board.name if e.board else "",
                        e.organisation.name if e.organisation else "",
                        e.area.name if e.area else "",
                        e.area.get_region_display() if e.area else "",
                        "; ".join(c.full_name for c in e.contacts.all()),
                        "; ".join(str(u) for u in e.leaders.all()),
                        e.summary,
                        e.our_ask,
                        e.outcome,
                        e.get_sentiment_display(),
                        f"{base}{e.get_absolute_url()}",
                    ]
                )

        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="engagements-{stamp}.csv"'
        return response


class EngagementDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.view_engagement"
    template_name = "boards/engagement_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(engagement=selectors.engagement_get(pk=self.kwargs["pk"]), **kwargs)


class EngagementCreateView(ServiceFormView):
    permission_required = "boards.add_engagement"
    form_class = EngagementForm
    template_name = "boards/engagement_form.html"
    success_message = "Engagement logged."

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"leaders": [self.request.user], "date": timezone.localdate()}
        board_pk = self.request.GET.get("board")
        if board_pk and board_pk.isdigit():
            board = Board.objects.filter(pk=board_pk).first()
            if board is not None:
                initial["board"] = board
        # Opened from a contact's or organisation's page: start with them filled in.
        contact_pk = self.request.GET.get("contact", "")
        if contact_pk.isdigit():
            initial["contacts"] = list(Contact.objects.filter(pk=contact_pk))
        organisation_pk = self.request.GET.get("organisation", "")
        if organisation_pk.isdigit():
            initial["organisation"] = Organisation.objects.filter(pk=organisation_pk).first()
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title="Log an engagement", **kwargs)

    def perform(self, form: EngagementForm) -> Engagement:
        data = form.cleaned_data
        engagement = services.engagement_create(actor=current_user(self.request), **data)
        if data.get("next_step"):
            self.success_message = "Engagement logged. The next step is on its owner's My work page."
        return engagement


class EngagementEditView(ServiceFormView):
    permission_required = "boards.change_engagement"
    form_class = EngagementForm
    template_name = "boards/engagement_form.html"
    success_message = "Engagement updated."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.engagement = get_object_or_404(Engagement, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_initial(self) -> dict[str, Any]:
        e = self.engagement
        initial = {name: getattr(e, name) for name in FIELDS if name not in ("contacts", "leaders")}
        initial["contacts"] = list(e.contacts.all())
        initial["leaders"] = list(e.leaders.all())
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title="Edit engagement", back_url=self.engagement.get_absolute_url(), **kwargs)

    def perform(self, form: EngagementForm) -> Engagement:
        return services.engagement_update(
            actor=current_user(self.request), engagement=self.engagement, **form.cleaned_data
        )


class EngagementDeleteView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.delete_engagement"
    template_name = "boards/confirm_delete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        engagement = get_object_or_404(Engagement, pk=self.kwargs["pk"])
        return super().get_context_data(
            thing=f"the engagement “{engagement}”",
            warning="It is also removed from the timelines of the contacts and organisations involved.",
            back_url=engagement.get_absolute_url(),
            **kwargs,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        engagement = get_object_or_404(Engagement, pk=pk)
        try:
            services.engagement_delete(actor=current_user(request), engagement=engagement)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(engagement.get_absolute_url())
        messages.success(request, "Engagement deleted.")
        return HttpResponseRedirect(reverse("boards:engagement_list"))

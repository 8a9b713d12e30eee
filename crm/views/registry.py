"""Shared pieces for the registry's views: list pages with filters and exports, form pages that turn
a service's ValidationError into errors on the form, and the record history page."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.paginators import Paginator

from crm.exports import COLUMNS_FOR, csv_lines, iter_chunked, rows_for, xlsx_file
from crm.form_errors import apply_service_errors
from crm.mixins import RoleRequiredMixin
from crm.selectors import audit_for_record
from crm.services.exports import list_export_record
from crm.tables import AuditEventTable
from crm.typing import absolute_url, current_user

EXPORT_FORMATS = ("csv", "xlsx")
CAPPED_COUNT_TEMPLATE = "crm/table_capped_count.html"


class CappedCountPaginator(Paginator):
    """Counts at most `cap` + 1 rows. An exact COUNT(*) over 100,000 contacts or 1,000,000 engagements costs more
    than the page itself, and nobody pages through 200 pages. Past the cap the list pages through the first
    10,000 rows, says there are "more than 10,000", and the filters narrow it down."""

    cap = 10_000
    _more_than_cap = False

    def _queryset(self) -> QuerySet | None:
        # django-tables2 hands over its BoundRows; the ordered queryset sits in its TableQuerysetData.
        data = getattr(getattr(self.object_list, "data", None), "data", None)
        if isinstance(data, QuerySet):
            return data
        return self.object_list if isinstance(self.object_list, QuerySet) else None

    @cached_property
    def count(self) -> int:
        queryset = self._queryset()
        if queryset is None:
            return super().count
        # Which rows are the first cap + 1 does not matter for a count, so the planner may read them in any order.
        counted = queryset.order_by()[: self.cap + 1].count()
        self._more_than_cap = counted > self.cap
        # Page arithmetic (last page, "to N") then stays true for the rows it can reach.
        return min(counted, self.cap)

    @property
    def count_is_capped(self) -> bool:
        _ = self.count
        return self._more_than_cap


class CappedCountMixin:
    """For a SingleTableMixin list view over a table that can grow past tens of thousands of rows."""

    paginator_class = CappedCountPaginator

    def get_table(self, **kwargs: Any) -> Any:
        table = super().get_table(**kwargs)  # type: ignore[misc]
        paginator = getattr(table, "paginator", None)
        if isinstance(paginator, CappedCountPaginator) and paginator.count_is_capped:
            table.template_name = CAPPED_COUNT_TEMPLATE
        return table


class RegistryListView(RoleRequiredMixin, CappedCountMixin, SingleTableMixin, FilterView):
    """A filtered, sortable, paginated list that exports exactly what it shows as CSV or XLSX."""

    template_name = "crm/list.html"
    table_pagination: ClassVar[dict[str, int]] = {"per_page": 50}
    list_name = ""
    export_name = ""
    add_url_name = ""
    add_label = ""
    add_permission = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        file_format = request.GET.get("export", "")
        if file_format in EXPORT_FORMATS:
            return self.export(file_format)
        return super().get(request, *args, **kwargs)

    def filtered_queryset(self) -> QuerySet | None:
        filterset = self.get_filterset(self.get_filterset_class())
        if not filterset.is_valid():
            return None
        return filterset.qs

    def export(self, file_format: str) -> HttpResponseBase:
        queryset = self.filtered_queryset()
        if queryset is None:
            messages.error(self.request, "Check the filters: one of them is not valid, so nothing was exported.")
            return HttpResponseRedirect(self.request.path)
        model = queryset.model
        rows = queryset.count()
        filters = {k: self.request.GET.getlist(k) for k in self.request.GET if k not in {"export", "page", "sort"}}
        list_export_record(
            actor=self.request.user,
            model_label=model._meta.label_lower,
            list_name=self.list_name,
            file_format=file_format,
            filters={k: v[0] if len(v) == 1 else v for k, v in filters.items()},
            rows=rows,
        )
        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
        filename = f"{self.export_name}-{stamp}.{file_format}"
        data = rows_for(iter_chunked(queryset.order_by(*model._meta.ordering, "pk")), COLUMNS_FOR[model])
        if file_format == "csv":
            response = StreamingHttpResponse(csv_lines(data), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return FileResponse(
            xlsx_file(data, title=self.list_name),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("export", "page"):
            query.pop(key, None)
        context.update(
            list_name=self.list_name,
            export_query=query.urlencode(),
            add_label=self.add_label,
            add_url_name=self.add_url_name if self.request.user.has_perm(self.add_permission) else "",
            filters_applied=any(v for k, v in self.request.GET.items() if k not in {"page", "sort"}),
        )
        return context


class ServiceFormView[PerformedT: Model | None](RoleRequiredMixin, FormView):
    """A form page whose valid submission calls one service; the service's errors land on the form.
    PerformedT is what the service returns (kept as `performed` for the success URL and message)."""

    performed: PerformedT

    template_name = "crm/form_page.html"
    title = ""
    caption = ""
    submit_label = "Save"
    success_message = ""

    def perform(self, form: BaseForm) -> PerformedT:
        raise NotImplementedError

    def back_url(self) -> str:
        return self.get_success_url()

    def form_valid(self, form: BaseForm) -> HttpResponse:
        try:
            self.performed = self.perform(form)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, caption=self.caption, submit_label=self.submit_label, back_url=self.back_url())
        return context


class HistoryView(RoleRequiredMixin, TemplateView):
    """A record's whole audit trail, paginated. Others' exports show only to admins."""

    template_name = "crm/history.html"
    model: type[Model]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        record = get_object_or_404(self.model, pk=self.kwargs["pk"])
        events = audit_for_record(
            user=current_user(self.request), target_type=record._meta.label_lower, target_id=record.pk
        )
        table = AuditEventTable(events, orderable=False, exclude=("target_repr",))
        RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        context.update(record=record, table=table, back_url=absolute_url(record))
        return context

"""Segments: list, create with a live count, edit, and the preview of who is in and who is left out."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView
from django_tables2 import SingleTableView

from campaigns import selectors
from campaigns.forms import SegmentFilterForm, SegmentForm
from campaigns.models import Segment
from campaigns.services import segments as segment_services
from campaigns.tables import SegmentTable
from crm.form_errors import apply_service_errors
from crm.mixins import RoleRequiredMixin
from crm.typing import current_user


class SegmentListView(RoleRequiredMixin, SingleTableView):
    permission_required = "campaigns.view_segment"
    table_class = SegmentTable
    template_name = "campaigns/segment_list.html"

    def get_queryset(self) -> QuerySet[Segment]:
        return selectors.segment_list()


class SegmentCreateView(RoleRequiredMixin, View):
    permission_required = "campaigns.add_segment"
    template_name = "campaigns/segment_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"campaign": request.GET.get("campaign")} if request.GET.get("campaign") else {}
        return render(request, self.template_name, {"form": SegmentForm(initial=initial)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SegmentForm(request.POST)
        if form.is_valid():
            try:
                segment = segment_services.segment_create(
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    campaign=form.cleaned_data["campaign"],
                    definition=form.definition(),
                    actor=current_user(request),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Segment ‘{segment.name}’ saved.")
                return redirect(segment)
        return render(request, self.template_name, {"form": form}, status=400)


class SegmentUpdateView(RoleRequiredMixin, View):
    permission_required = "campaigns.change_segment"
    template_name = "campaigns/segment_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        segment = get_object_or_404(Segment, pk=pk)
        form = SegmentForm(initial=SegmentForm.initial_from(segment))
        return render(request, self.template_name, {"form": form, "segment": segment})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        segment = get_object_or_404(Segment, pk=pk)
        form = SegmentForm(request.POST)
        if form.is_valid():
            try:
                segment_services.segment_update(
                    segment=segment,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    campaign=form.cleaned_data["campaign"],
                    definition=form.definition(),
                    actor=current_user(request),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Segment saved.")
                return redirect(segment)
        return render(request, self.template_name, {"form": form, "segment": segment}, status=400)


class SegmentDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "campaigns.view_segment"
    template_name = "campaigns/segment_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        segment = get_object_or_404(Segment.objects.select_related("campaign", "created_by"), pk=kwargs["pk"])
        context = super().get_context_data(**kwargs)
        context |= {
            "segment": segment,
            "preview": selectors.segment_preview(segment.definition),
            "sample": selectors.segment_sample(segment.definition),
            "summary": describe_definition(segment),
        }
        return context


class SegmentCountView(RoleRequiredMixin, View):
    """The live count while filters are being chosen: JSON for static/js/campaigns/segment-count.mjs."""

    permission_required = "campaigns.view_segment"

    def get(self, request: HttpRequest) -> JsonResponse:
        form = SegmentFilterForm(request.GET)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        try:
            definition = segment_services.segment_definition_clean(form.definition())
        except ValidationError as error:
            return JsonResponse({"errors": error.message_dict}, status=400)
        return JsonResponse(selectors.segment_preview(definition).as_dict())


def describe_definition(segment: Segment) -> list[tuple[str, str]]:
    """The filters in words, for the segment page."""
    form = SegmentForm(initial=SegmentForm.initial_from(segment))
    rows = []
    for key in SegmentForm.FILTERS:
        value = form.initial.get(key)
        if not value:
            continue
        field = form.fields[key]
        if hasattr(field, "queryset"):
            text = ", ".join(str(o) for o in field.queryset.filter(pk__in=value))
        elif hasattr(field, "choices") and isinstance(value, list):
            labels = dict(field.choices)
            text = ", ".join(str(labels.get(v, v)) for v in value)
        elif hasattr(field, "choices"):
            text = str(dict(field.choices).get(value, value))
        else:
            text = value.strftime("%-d %B %Y") if hasattr(value, "strftime") else str(value)
        rows.append((str(field.label), text))
    return rows

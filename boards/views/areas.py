"""Local areas: the national overview, one area's page, readiness, champions and stakeholder mapping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from boards import selectors, services
from boards.filters import AreaFilter
from boards.forms import AssessmentForm, AssessmentSubjectForm, ChampionForm, IndicatorForm, ReadinessForm
from boards.models import AreaReadiness, Champion, ReadinessIndicator
from boards.tables import AreaTable
from crm.mixins import RoleRequiredMixin
from crm.models import Contact, LocalArea, Organisation
from crm.typing import current_user

from .base import ServiceFormView


class AreaListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    permission_required = ("boards.view_board", "crm.view_localarea")
    table_class = AreaTable
    filterset_class = AreaFilter
    template_name = "boards/area_list.html"

    def get_queryset(self):
        return selectors.area_list()


class AreaDetailView(RoleRequiredMixin, TemplateView):
    permission_required = ("boards.view_board", "crm.view_localarea")
    template_name = "boards/area_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        area = selectors.area_get(pk=self.kwargs["pk"])
        now = timezone.now()
        return super().get_context_data(
            area=area,
            area_stage=getattr(getattr(area, "ladder", None), "stage", 0),
            boards=selectors.board_list().filter(area=area),
            readiness=selectors.area_readiness(area=area),
            champions=selectors.champion_list(area=area),
            open_commitments=selectors.commitment_list().filter(area=area, status="open")[:20],
            recent_engagements=selectors.area_recent_engagements(area=area, limit=10),
            upcoming_meetings=selectors.meetings_between(start=now, end=now + dt.timedelta(days=120)).filter(
                board__area=area
            ),
            stage_history=selectors.stage_history(area=area)[:10],
            grid=selectors.grid_layout(
                selectors.stakeholder_grid(
                    contacts=Contact.objects.filter(area=area), organisations=Organisation.objects.filter(area=area)
                )
            ),
            **kwargs,
        )


def _area_url(area: LocalArea) -> str:
    return reverse("boards:area_detail", args=[area.pk])


class ReadinessUpdateView(ServiceFormView[LocalArea]):
    """An indicator's status and history in one area; readers see the history, writers can update."""

    form_class = ReadinessForm
    template_name = "boards/readiness_form.html"
    success_message = "Readiness updated."

    def get_permission_required(self) -> tuple[str, ...]:
        if self.request.method == "POST":
            return ("boards.change_areareadiness",)
        return ("boards.view_areareadiness",)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.area = get_object_or_404(LocalArea, pk=kwargs["area_pk"])
        self.indicator = get_object_or_404(ReadinessIndicator, pk=kwargs["indicator_pk"])
        self.readiness = AreaReadiness.objects.filter(area=self.area, indicator=self.indicator).first()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.readiness or AreaReadiness()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        history = self.readiness.history.select_related("changed_by") if self.readiness else []
        return super().get_context_data(
            area=self.area, indicator=self.indicator, history=history, back_url=_area_url(self.area), **kwargs
        )

    def perform(self, form: ReadinessForm) -> LocalArea:
        services.readiness_update(
            actor=current_user(self.request), area=self.area, indicator=self.indicator, **form.cleaned_data
        )
        return self.area

    def get_redirect_url(self, saved: LocalArea) -> str:
        return _area_url(saved)


class IndicatorListView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.view_readinessindicator"
    template_name = "boards/indicator_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(indicators=ReadinessIndicator.objects.all(), **kwargs)


class IndicatorCreateView(ServiceFormView[ReadinessIndicator]):
    permission_required = "boards.manage_readinessindicator"
    form_class = IndicatorForm
    template_name = "boards/form.html"
    success_message = "Indicator added. Every area now shows it as not known until someone sets it."
    extra_context = {"title": "Add a readiness indicator"}

    def perform(self, form: IndicatorForm) -> ReadinessIndicator:
        return services.indicator_create(actor=current_user(self.request), **form.cleaned_data)

    def get_redirect_url(self, saved: ReadinessIndicator) -> str:
        return reverse("boards:indicator_list")


class IndicatorEditView(IndicatorCreateView):
    success_message = "Indicator updated."
    extra_context = {"title": "Edit a readiness indicator"}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.indicator = get_object_or_404(ReadinessIndicator, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": ReadinessIndicator.objects.get(pk=self.indicator.pk)}

    def perform(self, form: IndicatorForm) -> ReadinessIndicator:
        return services.indicator_update(
            actor=current_user(self.request), indicator=self.indicator, **form.cleaned_data
        )


class ChampionDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.view_champion"
    template_name = "boards/champion_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        champion = get_object_or_404(
            Champion.objects.select_related("contact", "area").prefetch_related(
                "engagements__board", "engagements__organisation"
            ),
            pk=self.kwargs["pk"],
        )
        return super().get_context_data(champion=champion, **kwargs)


class ChampionCreateView(ServiceFormView):
    permission_required = "boards.add_champion"
    form_class = ChampionForm
    template_name = "boards/form.html"
    success_message = "Champion added."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.area = get_object_or_404(LocalArea, pk=kwargs["area_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "area": self.area}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=f"Add a champion in {self.area}", back_url=_area_url(self.area), **kwargs)

    def perform(self, form: ChampionForm) -> Champion:
        return services.champion_create(actor=current_user(self.request), area=self.area, **form.cleaned_data)


class ChampionEditView(ServiceFormView):
    permission_required = "boards.change_champion"
    form_class = ChampionForm
    template_name = "boards/form.html"
    success_message = "Champion updated."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.champion = get_object_or_404(Champion.objects.select_related("contact", "area"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "area": self.champion.area, "instance": self.champion}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=f"Champion: {self.champion.contact}", back_url=self.champion.get_absolute_url(), **kwargs
        )

    def perform(self, form: ChampionForm) -> Champion:
        champion = Champion.objects.select_related("contact", "area").get(pk=self.champion.pk)
        data = form.cleaned_data
        return services.champion_update(
            actor=current_user(self.request),
            champion=champion,
            stage=data["stage"],
            contributions=data["contributions"],
            engagements=data["engagements"],
        )


class AreaAssessView(ServiceFormView[LocalArea]):
    """Assess a contact or an organisation in the area from the area's grid."""

    permission_required = "boards.add_stakeholderassessment"
    form_class = AssessmentSubjectForm
    template_name = "boards/form.html"
    success_message = "Assessment recorded. Earlier assessments are kept as history."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.area = get_object_or_404(LocalArea, pk=kwargs["area_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "area": self.area}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=f"Assess influence and interest in {self.area}", back_url=_area_url(self.area), **kwargs
        )

    def perform(self, form: AssessmentSubjectForm) -> LocalArea:
        services.assessment_record(actor=current_user(self.request), **form.cleaned_data)
        return self.area

    def get_redirect_url(self, saved: LocalArea) -> str:
        return _area_url(saved) + "#stakeholder-map"


class StakeholderView(ServiceFormView):
    """One contact's or organisation's influence and interest over time, and a form to re-assess."""

    form_class = AssessmentForm
    template_name = "boards/stakeholder.html"
    success_message = "Assessment recorded. Earlier assessments are kept as history."
    subject: Contact | Organisation

    def get_permission_required(self) -> tuple[str, ...]:
        if self.request.method == "POST":
            return ("boards.add_stakeholderassessment",)
        return ("boards.view_stakeholderassessment",)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if kwargs.get("kind") == "contact":
            self.subject = get_object_or_404(Contact, pk=kwargs["pk"])
        else:
            self.subject = get_object_or_404(Organisation, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def subject_kwargs(self) -> dict[str, Any]:
        return {"contact": self.subject} if isinstance(self.subject, Contact) else {"organisation": self.subject}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            subject=self.subject, history=selectors.assessment_history(**self.subject_kwargs()), **kwargs
        )

    def perform(self, form: AssessmentForm) -> Any:
        services.assessment_record(actor=current_user(self.request), **self.subject_kwargs(), **form.cleaned_data)
        return self.subject

    def get_redirect_url(self, saved: Any) -> str:
        return self.request.path

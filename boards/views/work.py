"""My work (the leader's landing page), follow-ups and commitments, and personal preferences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from boards import selectors, services
from boards.filters import CommitmentFilter
from boards.forms import CommitmentForm, CommitmentStatusForm, PreferenceForm
from boards.models import Commitment, WorkPreference
from boards.tables import CommitmentTable
from crm.mixins import RoleRequiredMixin
from crm.typing import current_user

from .base import ServiceFormView


class MyWorkView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.view_board"
    template_name = "boards/my_work.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = current_user(self.request)
        today = timezone.localdate()
        horizon = today + dt.timedelta(days=selectors.UPCOMING_DAYS)
        now = timezone.now()
        end = timezone.make_aware(dt.datetime.combine(horizon + dt.timedelta(days=1), dt.time.min))
        follow_ups = list(selectors.open_commitments_for(user=user))
        cold_days, cold_boards = selectors.cold_boards_for(user=user, today=today)
        return super().get_context_data(
            today=today,
            horizon=horizon,
            overdue=[c for c in follow_ups if c.due_date and c.due_date < today],
            due_soon=[c for c in follow_ups if c.due_date and today <= c.due_date <= horizon],
            later=[c for c in follow_ups if c.due_date is None or c.due_date > horizon],
            meetings=selectors.meetings_between(start=now, end=end, user=user),
            deadlines=selectors.paper_deadlines_between(start=today, end=horizon, user=user),
            cold_days=cold_days,
            cold_boards=cold_boards,
            follows_any=user.board_follows.exists(),
            **kwargs,
        )


class CommitmentListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "boards.view_commitment"
    table_class = CommitmentTable
    filterset_class = CommitmentFilter
    template_name = "boards/commitment_list.html"

    def get_queryset(self):
        return selectors.commitment_list().order_by("status", "due_date", "id")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if kwargs["data"] is None:
            # First visit: open commitments, which is what people come here for.
            kwargs["data"] = {"status": "open"}
        return kwargs


class CommitmentDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.view_commitment"
    template_name = "boards/commitment_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        commitment = get_object_or_404(selectors.commitment_list(), pk=self.kwargs["pk"])
        return super().get_context_data(commitment=commitment, statuses=Commitment.Status.choices, **kwargs)


class CommitmentCreateView(ServiceFormView):
    permission_required = "boards.add_commitment"
    form_class = CommitmentForm
    template_name = "boards/form.html"
    success_message = "Commitment recorded."
    extra_context = {"title": "Record a commitment"}

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"owner": self.request.user}
        if (board := self.request.GET.get("board", "")).isdigit():
            initial["board"] = board
        return initial

    def perform(self, form: CommitmentForm) -> Commitment:
        return services.commitment_create(actor=current_user(self.request), **form.cleaned_data)


class CommitmentEditView(ServiceFormView):
    permission_required = "boards.change_commitment"
    form_class = CommitmentForm
    template_name = "boards/form.html"
    success_message = "Commitment updated."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.commitment = get_object_or_404(Commitment, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": Commitment.objects.get(pk=self.commitment.pk)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title="Edit commitment", back_url=self.commitment.get_absolute_url(), **kwargs)

    def perform(self, form: CommitmentForm) -> Commitment:
        return services.commitment_update(
            actor=current_user(self.request), commitment=self.commitment, **form.cleaned_data
        )


class CommitmentStatusView(RoleRequiredMixin, View):
    permission_required = "boards.change_commitment"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        commitment = get_object_or_404(Commitment, pk=pk)
        form = CommitmentStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose done, dropped or open.")
        else:
            try:
                services.commitment_set_status(
                    actor=current_user(request), commitment=commitment, status=form.cleaned_data["status"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"Marked as {commitment.get_status_display().lower()}: {commitment}")
        back = request.POST.get("next", "")
        if not back.startswith("/") or back.startswith("//"):
            back = commitment.get_absolute_url()
        return HttpResponseRedirect(back)


class PreferenceView(ServiceFormView[WorkPreference]):
    """Personal settings for My work; anyone who can see boards may set their own."""

    permission_required = "boards.view_board"
    form_class = PreferenceForm
    template_name = "boards/form.html"
    success_message = "Preferences saved."
    extra_context = {"title": "My work preferences"}

    def get_form_kwargs(self) -> dict[str, Any]:
        user = current_user(self.request)
        instance = WorkPreference.objects.filter(user=user).first() or WorkPreference(user=user)
        return {**super().get_form_kwargs(), "instance": instance}

    def perform(self, form: PreferenceForm) -> WorkPreference:
        return services.preference_update(user=current_user(self.request), **form.cleaned_data)

    def get_redirect_url(self, saved: WorkPreference) -> str:
        return reverse("boards:my_work")

"""Campaign pages: list, create, edit, the campaign page with goal progress, goals, results and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from campaigns import selectors
from campaigns.filters import CampaignFilter
from campaigns.forms import CampaignForm, GoalForm
from campaigns.models import Campaign, Goal, Send
from campaigns.services import campaigns as campaign_services
from campaigns.services.email import site_url
from campaigns.tables import CampaignTable, PledgeTable, ResponseTable, SendTable
from crm.form_errors import apply_service_errors
from crm.mixins import RoleRequiredMixin
from crm.models import AuditEvent
from crm.services.audit import audit_record
from crm.spreadsheets import NeutralisingWriter
from crm.typing import current_user


class CampaignListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "campaigns.view_campaign"
    table_class = CampaignTable
    filterset_class = CampaignFilter
    template_name = "campaigns/campaign_list.html"

    def get_queryset(self) -> QuerySet[Campaign]:
        return selectors.campaign_list()


class CampaignCreateView(RoleRequiredMixin, View):
    permission_required = "campaigns.add_campaign"
    template_name = "campaigns/campaign_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CampaignForm(initial={"starts_on": timezone.localdate(), "owner": request.user.pk})
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = campaign_services.campaign_create(actor=current_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Campaign ‘{campaign.name}’ created. Now add its goals.")
                return redirect(campaign)
        return render(request, self.template_name, {"form": form}, status=400)


class CampaignUpdateView(RoleRequiredMixin, View):
    permission_required = "campaigns.change_campaign"
    template_name = "campaigns/campaign_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        return render(request, self.template_name, {"form": CampaignForm(instance=campaign), "campaign": campaign})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        form = CampaignForm(request.POST, instance=Campaign.objects.get(pk=pk))
        if form.is_valid():
            try:
                campaign_services.campaign_update(campaign=campaign, actor=current_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Campaign saved.")
                return redirect(campaign)
        return render(request, self.template_name, {"form": form, "campaign": campaign}, status=400)


class CampaignDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "campaigns.view_campaign"
    template_name = "campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        try:
            campaign = selectors.campaign_detail(pk=kwargs["pk"])
        except Campaign.DoesNotExist as error:
            raise Http404 from error
        context = super().get_context_data(**kwargs)
        responses = selectors.response_list(campaign=campaign).order_by("-occurred_on", "-id")
        context |= {
            "campaign": campaign,
            "progress": selectors.goal_progress(campaign),
            "goal_form": GoalForm(),
            "sends_table": SendTable(list(campaign.sends.all()), orderable=False),
            "responses_table": ResponseTable(responses[:20], orderable=False, exclude=("campaign",)),
            "response_total": responses.count(),
            "pledges_table": PledgeTable(selectors.pledge_list(campaign=campaign)[:20], orderable=False),
            "pledge_url": site_url(reverse("campaigns:pledge", args=[campaign.slug])),
        }
        return context


class GoalAddView(RoleRequiredMixin, View):
    permission_required = "campaigns.add_goal"

    def post(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=campaign_pk)
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                campaign_services.goal_add(campaign=campaign, actor=current_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Goal added.")
                return redirect(campaign)
        return render(request, "campaigns/goal_form.html", {"form": form, "campaign": campaign}, status=400)


class GoalRemoveView(RoleRequiredMixin, View):
    permission_required = "campaigns.delete_goal"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        goal = get_object_or_404(Goal.objects.select_related("campaign"), pk=pk)
        campaign_services.goal_remove(goal=goal, actor=current_user(request))
        messages.success(request, "Goal removed.")
        return redirect(goal.campaign)


class ResultsView(RoleRequiredMixin, TemplateView):
    """Results for a campaign, or for one send with ?send=<id>."""

    permission_required = "campaigns.view_campaign"
    template_name = "campaigns/results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        campaign = get_object_or_404(Campaign, pk=kwargs["campaign_pk"])
        send = None
        if self.request.GET.get("send"):
            send = get_object_or_404(Send, pk=self.request.GET["send"], campaign=campaign)
        results = selectors.results_for(campaign=campaign, send=send)
        context = super().get_context_data(**kwargs)
        context |= {
            "campaign": campaign,
            "send": send,
            "results": results,
            "progress": selectors.goal_progress(campaign) if send is None else [],
            "funnel": [(label, n, _bar_class(n, results.max_funnel)) for label, n in results.funnel],
            "kinds": [
                (label, n, _bar_class(n, max((x for *_, x in results.responses_by_kind), default=0)))
                for _, label, n in results.responses_by_kind
            ],
        }
        return context


def _bar_class(value: int, biggest: int) -> str:
    percent = round(100 * value / biggest) if biggest else 0
    return f"cg-bar--{5 * round(percent / 5)}"


class ResultsExportView(RoleRequiredMixin, View):
    permission_required = "campaigns.view_campaign"

    def get(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=campaign_pk)
        send = None
        if request.GET.get("send"):
            send = get_object_or_404(Send, pk=request.GET["send"], campaign=campaign)
        results = selectors.results_for(campaign=campaign, send=send)
        name = f"{campaign.slug}-{'send-' + str(send.pk) + '-' if send else ''}results-{timezone.localdate():%Y-%m-%d}"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")  # so Excel reads the file as UTF-8
        writer = NeutralisingWriter(response)
        writer.writerow(["Section", "Item", "Delivered", "Failed", "Unsubscribed", "Responded"])
        c = results.counts
        writer.writerow(["Totals", "All recipients", c["sent"], c["failed"] + c["bounced"], c["unsubscribed"], ""])
        for _, label, n in results.responses_by_kind:
            writer.writerow(["Responses", label, "", "", "", n])
        for section, rows in (("Practitioner group", results.by_group), ("Area", results.by_area)):
            for row in rows:
                writer.writerow(
                    [
                        section,
                        row["label"],
                        row["delivered"],
                        row["failed"],
                        row["unsubscribed"],
                        row["responded"],
                    ]
                )
        for item in selectors.goal_progress(campaign) if send is None else []:
            writer.writerow(["Goal", item.goal.label, "", "", "", f"{item.achieved} of {item.goal.target}"])
        audit_record(
            actor=current_user(request),
            action=AuditEvent.Action.EXPORT,
            target=send or campaign,
            changes={"export": "campaign results"},
        )
        return response


def redirect_to(url_name: str, *args: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(url_name, args=args))

"""Sends: create, start or schedule, watch progress live, pause, resume, cancel."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django_tables2 import RequestConfig

from campaigns import selectors, tasks
from campaigns.filters import DeliveryFilter
from campaigns.forms import SendForm
from campaigns.models import Campaign, Send
from campaigns.services import sending
from campaigns.tables import DeliveryTable
from crm.form_errors import apply_service_errors
from crm.mixins import RoleRequiredMixin
from crm.queueing import QUEUE_LATER_MESSAGE, enqueue, enqueue_with
from crm.typing import current_user


class SendCreateView(RoleRequiredMixin, View):
    permission_required = "campaigns.add_send"
    template_name = "campaigns/send_form.html"

    def get(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=campaign_pk)
        return render(request, self.template_name, {"form": SendForm(campaign=campaign), "campaign": campaign})

    def post(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=campaign_pk)
        form = SendForm(request.POST, campaign=campaign)
        if form.is_valid():
            try:
                send = sending.send_create(campaign=campaign, actor=current_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Send ready. Check the numbers, then start it.")
                return redirect(send)
        return render(request, self.template_name, {"form": form, "campaign": campaign}, status=400)


class SendDetailView(RoleRequiredMixin, View):
    permission_required = "campaigns.view_send"
    template_name = "campaigns/send_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        send = get_object_or_404(Send.objects.select_related("campaign", "message", "segment", "created_by"), pk=pk)
        deliveries = DeliveryFilter(request.GET, queryset=selectors.send_deliveries(send=send))
        table = DeliveryTable(deliveries.qs)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        preview = selectors.segment_preview(send.segment.definition) if send.is_editable else None
        context = {
            "send": send,
            "campaign": send.campaign,
            "progress": selectors.send_progress(send=send),
            "table": table,
            "filter": deliveries,
            "preview": preview,
            "excluded": [
                (label, send.excluded.get(code, 0))
                for code, label in selectors.EXCLUSION_REASONS.items()
                if send.excluded.get(code)
            ],
        }
        return render(request, self.template_name, context)


class SendProgressView(RoleRequiredMixin, View):
    """JSON for the live progress bar (static/js/campaigns/send-progress.mjs)."""

    permission_required = "campaigns.view_send"

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        send = get_object_or_404(Send, pk=pk)
        response = JsonResponse(selectors.send_progress(send=send).as_dict())
        response["Cache-Control"] = "no-store"
        return response


class SendActionView(RoleRequiredMixin, View):
    """Start, pause, resume or cancel: POST only, and only with the send_campaign permission."""

    permission_required = "campaigns.send_campaign"
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        send = get_object_or_404(Send, pk=pk)
        try:
            if self.action == "start":
                send = sending.send_start(send=send, actor=current_user(request))
                if send.status == Send.Status.SENDING:
                    if enqueue(tasks.deliver_send, send.pk):
                        messages.success(request, f"Sending has started to {send.recipient_count:,} people.")
                    else:
                        messages.info(request, f"The send to {send.recipient_count:,} people is ready.")
                        messages.info(request, QUEUE_LATER_MESSAGE)
                else:
                    # Not sending yet means send_start() scheduled it, so it has a time. A schedule kept
                    # while the queue is down still starts on time: the reconciler begins due sends too.
                    when = cast(dt.datetime, send.scheduled_for)
                    enqueue_with(tasks.begin_send, args=(send.pk,), eta=when)
                    messages.success(request, "The send is scheduled.")
            elif self.action == "pause":
                sending.send_pause(send=send, actor=current_user(request))
                messages.success(request, "Sending is paused. Nobody else will be emailed until you resume.")
            elif self.action == "resume":
                sending.send_resume(send=send, actor=current_user(request))
                if enqueue(tasks.deliver_send, send.pk):
                    messages.success(request, "Sending has resumed.")
                else:
                    messages.info(request, QUEUE_LATER_MESSAGE)
            elif self.action == "cancel":
                sending.send_cancel(send=send, actor=current_user(request))
                messages.success(request, "The send is cancelled. Nobody else will be emailed.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(send)

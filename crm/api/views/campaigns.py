"""Campaign outreach: campaigns, segments (count and preview), sends (start, pause, progress),
deliveries (read) and responses."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns import selectors, tasks
from campaigns.models import Campaign, Delivery, Segment, Send
from campaigns.models import Response as CampaignResponse
from campaigns.services import campaigns as campaign_services
from campaigns.services import responses, segments, sending
from crm.queueing import enqueue, enqueue_with

from .. import filters
from ..serializers import campaigns as s
from .base import CreateMixin, ListRetrieveMixin, ServiceViewSet, UpdateMixin, merged

SEGMENT_SAMPLE_SIZE = 20


class CampaignViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ServiceViewSet):
    serializer_class = s.CampaignSerializer
    filterset_class = filters.CampaignFilter
    ordering_fields = ["starts_on", "name", "id", "created_at"]
    ordering = ["-starts_on", "name"]

    def get_queryset(self) -> QuerySet[Campaign]:
        return selectors.campaign_list()

    def create_object(self, data: dict[str, Any]) -> Campaign:
        data.setdefault("ends_on", None)
        data.setdefault("owner", None)
        return campaign_services.campaign_create(actor=self.request.user, **data)

    def update_object(self, instance: Campaign, data: dict[str, Any]) -> Campaign:
        return campaign_services.campaign_update(campaign=instance, actor=self.request.user, **data)


class SegmentViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ServiceViewSet):
    """Saved filters over contacts. `count` says how many a send would reach and why others are left
    out; `preview` adds a sample of the people themselves."""

    serializer_class = s.SegmentSerializer
    filterset_class = filters.SegmentFilter
    ordering_fields = ["name", "id", "created_at"]
    ordering = ["name"]
    action_permissions = {"count": ["campaigns.view_segment"], "preview": ["campaigns.view_segment"]}

    def get_queryset(self) -> QuerySet[Segment]:
        return selectors.segment_list()

    def create_object(self, data: dict[str, Any]) -> Segment:
        data.setdefault("campaign", None)
        data.setdefault("definition", {})
        return segments.segment_create(actor=self.request.user, **data)

    def update_object(self, instance: Segment, data: dict[str, Any]) -> Segment:
        values = merged(instance, data, ("name", "description", "campaign", "definition"))
        return segments.segment_update(segment=instance, actor=self.request.user, **values)

    @extend_schema(responses=s.SegmentCountSerializer)
    @action(detail=True, methods=["get"])
    def count(self, request: Request, pk: str | None = None) -> Response:
        """Matched, eligible to email, and left out by reason: one grouped query."""
        segment = self.get_object()
        return Response(s.SegmentCountSerializer(selectors.segment_preview(segment.definition).as_dict()).data)

    @extend_schema(responses=s.SegmentPreviewSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """The counts, and up to 20 of the people a send to this segment would email."""
        segment = self.get_object()
        data = selectors.segment_preview(segment.definition).as_dict()
        data["sample"] = selectors.segment_sample(segment.definition, limit=SEGMENT_SAMPLE_SIZE)
        return Response(s.SegmentPreviewSerializer(data).data)


ACTION_RESPONSES = {200: s.SendSerializer, 400: OpenApiResponse(description="The send cannot do that now.")}
QUEUE_RESPONSES = {
    **ACTION_RESPONSES,
    202: OpenApiResponse(
        response=s.SendSerializer,
        description="Accepted, but the task queue is unavailable: sending starts as soon as it is back.",
    ),
}


class SendViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ServiceViewSet):
    """A message to a segment. Create it, then `start` it (now, or at its scheduled time), `pause`,
    `resume` or `cancel` it, and watch its `progress`."""

    serializer_class = s.SendSerializer
    update_serializer_class = s.SendUpdateSerializer
    filterset_class = filters.SendFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    action_permissions = {
        "start": ["campaigns.send_campaign"],
        "pause": ["campaigns.send_campaign"],
        "resume": ["campaigns.send_campaign"],
        "cancel": ["campaigns.send_campaign"],
        "progress": ["campaigns.view_send"],
    }

    def get_queryset(self) -> QuerySet[Send]:
        return selectors.send_list()

    def create_object(self, data: dict[str, Any]) -> Send:
        data.setdefault("scheduled_for", None)
        data.setdefault("rate_per_second", None)
        return sending.send_create(actor=self.request.user, **data)

    def update_object(self, instance: Send, data: dict[str, Any]) -> Send:
        values = merged(instance, data, ("message", "segment", "scheduled_for", "rate_per_second"))
        values["rate_per_second"] = values["rate_per_second"] or sending.send_rate_default()
        return sending.send_update(send=instance, actor=self.request.user, **values)

    @extend_schema(request=None, responses=QUEUE_RESPONSES)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Freeze the recipients and start sending, or schedule the send if its time is in the future."""
        send = sending.send_start(send=self.get_object(), actor=request.user)
        queued = True
        if send.status == Send.Status.SENDING:
            queued = enqueue(tasks.deliver_send, send.pk)
        elif send.status == Send.Status.SCHEDULED:
            enqueue_with(tasks.begin_send, args=(send.pk,), eta=send.scheduled_for)
        return self.respond(send, code=status.HTTP_200_OK if queued else status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        """Stop emailing anyone else until the send is resumed."""
        return self.respond(sending.send_pause(send=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=QUEUE_RESPONSES)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        send = sending.send_resume(send=self.get_object(), actor=request.user)
        queued = enqueue(tasks.deliver_send, send.pk)
        return self.respond(send, code=status.HTTP_200_OK if queued else status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Nobody else is emailed; deliveries already in flight finish."""
        return self.respond(sending.send_cancel(send=self.get_object(), actor=request.user))

    @extend_schema(responses=s.SendProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Counts by outcome, the rate over the last minute and an estimate of the time to finish."""
        progress = selectors.send_progress(send=self.get_object())
        response = Response(s.SendProgressSerializer(progress.as_dict()).data)
        response["Cache-Control"] = "no-store"
        return response


class DeliveryViewSet(ListRetrieveMixin, ServiceViewSet):
    """The delivery ledger: one row per recipient of a send, with what happened. Read-only."""

    serializer_class = s.DeliverySerializer
    filterset_class = filters.DeliveryFilter
    ordering_fields = ["id"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Delivery]:
        return Delivery.objects.all()


class ResponseViewSet(ListRetrieveMixin, CreateMixin, ServiceViewSet):
    """What practitioners did because of a campaign. Recording the same response (campaign, contact,
    kind, date) again returns the first one with 200 instead of 201."""

    serializer_class = s.ResponseSerializer
    filterset_class = filters.ResponseFilter
    ordering_fields = ["occurred_on", "id"]
    ordering = ["-occurred_on", "-id"]

    def get_queryset(self) -> QuerySet[CampaignResponse]:
        return selectors.response_list()

    @extend_schema(responses={201: s.ResponseSerializer, 200: s.ResponseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("notes", "")
        data.setdefault("occurred_on", timezone.localdate())
        response, created = responses.response_record(actor=request.user, **data)
        return self.respond(response, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

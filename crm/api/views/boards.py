"""Boards and engagement: boards, memberships, meetings, engagements, follow-ups and stage changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from boards import selectors
from boards import services as board_services
from boards.models import Board, BoardMembership, Commitment, Engagement, Meeting, StageChange
from crm.models import Contact

from .. import filters
from ..serializers import boards as s
from .base import CreateMixin, DestroyMixin, ListRetrieveMixin, ServiceViewSet, UpdateMixin, merged


class BoardViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ServiceViewSet[Board]):
    """Partnership boards in each local area. Move a board on the priority ladder with a stage change."""

    serializer_class = s.BoardSerializer
    filterset_class = filters.BoardFilter
    ordering_fields = ["name", "id", "stage", "updated_at"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Board]:
        return selectors.board_list()

    def create_object(self, data: dict[str, Any]) -> Board:
        return board_services.board_create(actor=self.request.user, **data)

    def update_object(self, instance: Board, data: dict[str, Any]) -> Board:
        return board_services.board_update(actor=self.request.user, board=instance, **data)


class MembershipViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ServiceViewSet[BoardMembership]):
    """Seats on boards. A member who leaves gets a term end date; past members stay on record."""

    serializer_class = s.MembershipSerializer
    update_serializer_class = s.MembershipUpdateSerializer
    filterset_class = filters.MembershipFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def get_queryset(self) -> QuerySet[BoardMembership]:
        return BoardMembership.objects.select_related("board", "board__area", "contact")

    def create_object(self, data: dict[str, Any]) -> BoardMembership:
        return board_services.membership_add(actor=self.request.user, **data)

    def update_object(self, instance: BoardMembership, data: dict[str, Any]) -> BoardMembership:
        return board_services.membership_update(actor=self.request.user, membership=instance, **data)


class MeetingViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ServiceViewSet[Meeting]):
    serializer_class = s.MeetingSerializer
    update_serializer_class = s.MeetingUpdateSerializer
    filterset_class = filters.MeetingFilter
    ordering_fields = ["starts_at", "id"]
    ordering = ["-starts_at"]

    def get_queryset(self) -> QuerySet[Meeting]:
        return Meeting.objects.select_related("board", "board__area").prefetch_related(
            Prefetch("attendees", queryset=Contact.objects.only("id"))
        )

    def create_object(self, data: dict[str, Any]) -> Meeting:
        return board_services.meeting_create(actor=self.request.user, **data)

    def update_object(self, instance: Meeting, data: dict[str, Any]) -> Meeting:
        attendees = data.pop("attendees", None)
        return board_services.meeting_update(actor=self.request.user, meeting=instance, attendees=attendees, **data)

    def delete_object(self, instance: Meeting) -> None:
        board_services.meeting_delete(actor=self.request.user, meeting=instance)


class EngagementViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ServiceViewSet[Engagement]):
    """The engagement log. An engagement goes on the timeline of every contact and organisation in it;
    a `next_step` given when logging becomes an open follow-up."""

    serializer_class = s.EngagementSerializer
    update_serializer_class = s.EngagementUpdateSerializer
    filterset_class = filters.EngagementFilter
    ordering_fields = ["date", "id", "updated_at"]
    ordering = ["-date", "-id"]

    def get_queryset(self) -> QuerySet[Engagement]:
        return selectors.engagement_list()

    def create_object(self, data: dict[str, Any]) -> Engagement:
        for text in ("next_step", "our_ask", "outcome"):
            if data.get(text) is None:
                data.pop(text, None)
        # The service reports the follow-up's errors under next_step, next_step_owner and
        # next_step_due: the names this API (and the web form) take.
        return board_services.engagement_create(actor=self.request.user, **data)

    def update_object(self, instance: Engagement, data: dict[str, Any]) -> Engagement:
        contacts = data.pop("contacts", None)
        leaders = data.pop("leaders", None)
        return board_services.engagement_update(
            actor=self.request.user, engagement=instance, contacts=contacts, leaders=leaders, **data
        )

    def delete_object(self, instance: Engagement) -> None:
        board_services.engagement_delete(actor=self.request.user, engagement=instance)


class FollowUpViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ServiceViewSet[Commitment]):
    """Follow-ups: what was promised, by whom, by when. PATCH `status` to done, dropped or open."""

    serializer_class = s.FollowUpSerializer
    update_serializer_class = s.FollowUpUpdateSerializer
    filterset_class = filters.FollowUpFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["-id"]

    def get_queryset(self) -> QuerySet[Commitment]:
        return Commitment.objects.select_related("owner", "board", "engagement", "meeting", "contact", "area")

    def create_object(self, data: dict[str, Any]) -> Commitment:
        return board_services.commitment_create(actor=self.request.user, **data)

    def update_object(self, instance: Commitment, data: dict[str, Any]) -> Commitment:
        new_status = data.pop("status", None)
        with transaction.atomic():
            if data:
                board_services.commitment_update(
                    actor=self.request.user,
                    commitment=instance,
                    **merged(instance, data, ("description", "promised_by", "owner", "due_date")),
                )
            if new_status is not None:
                board_services.commitment_set_status(actor=self.request.user, commitment=instance, status=new_status)
        return instance


class StageChangeViewSet(ListRetrieveMixin, CreateMixin, ServiceViewSet[StageChange]):
    """Moves of a board or an area on the priority ladder, each with its evidence. Kept for good."""

    serializer_class = s.StageChangeSerializer
    filterset_class = filters.StageChangeFilter
    ordering_fields = ["changed_at", "id"]
    ordering = ["-changed_at", "-id"]

    def get_queryset(self) -> QuerySet[StageChange]:
        return StageChange.objects.select_related("board", "area", "changed_by")

    def create_object(self, data: dict[str, Any]) -> StageChange:
        data["evidence_url"] = data.get("evidence_url") or ""
        return board_services.stage_change(actor=self.request.user, **data)

"""Boards and engagement: boards, memberships, meetings, engagements, follow-ups and stage changes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from boards.models import Board, BoardMembership, Commitment, Engagement, Meeting, Stage, StageChange
from crm.models import Contact

from .common import ApiModelSerializer, UtcDateTimeField, active_users, web_url


class BoardSerializer(ApiModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=active_users(), required=False, allow_null=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    last_engagement = serializers.DateField(read_only=True, allow_null=True)
    next_meeting = UtcDateTimeField(read_only=True, allow_null=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Board
        fields = [
            "id", "name", "kind", "area", "chair", "secretariat", "cadence", "website", "owner", "stage",
            "stage_label", "stage_changed_at", "last_engagement", "next_meeting", "web_url", "created_at",
            "updated_at",
        ]  # fmt: skip
        # The stage moves only with evidence: POST a stage change.
        read_only_fields = ["stage", "stage_changed_at", "created_at", "updated_at"]
        validators: list = []

    def get_web_url(self, obj: Board) -> str:
        return web_url(self, obj)


class MembershipSerializer(ApiModelSerializer):
    contact_name = serializers.CharField(source="contact.full_name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = BoardMembership
        fields = [
            "id", "board", "contact", "contact_name", "seat", "start_date", "end_date", "is_current", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]


class MembershipUpdateSerializer(MembershipSerializer):
    class Meta(MembershipSerializer.Meta):
        read_only_fields = ["board", "contact", "created_at"]


class MeetingSerializer(ApiModelSerializer):
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.filter(erased_at__isnull=True),
        many=True,
        required=False,
        help_text="Leave out to use the board's members on the day.",
    )
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id", "board", "starts_at", "ends_at", "venue", "online_url", "paper_deadline", "agenda_item",
            "status", "minutes_url", "decisions", "attendees", "web_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []

    def get_web_url(self, obj: Meeting) -> str:
        return web_url(self, obj)


class MeetingUpdateSerializer(MeetingSerializer):
    class Meta(MeetingSerializer.Meta):
        read_only_fields = ["board", "created_at", "updated_at"]


class EngagementSerializer(ApiModelSerializer):
    contacts = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.filter(erased_at__isnull=True), many=True, required=False
    )
    leaders = serializers.PrimaryKeyRelatedField(queryset=active_users(), many=True, required=False)
    # Only when logging: a next step becomes an open follow-up, owned by its owner (or you).
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True, write_only=True)
    next_step_owner = serializers.PrimaryKeyRelatedField(
        queryset=active_users(), required=False, allow_null=True, write_only=True
    )
    next_step_due = serializers.DateField(required=False, allow_null=True, write_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = [
            "id", "kind", "date", "board", "organisation", "area", "contacts", "leaders", "summary", "our_ask",
            "outcome", "sentiment", "next_step", "next_step_owner", "next_step_due", "created_by", "web_url",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["area", "created_by", "created_at", "updated_at"]

    def get_web_url(self, obj: Engagement) -> str:
        return web_url(self, obj)


class EngagementUpdateSerializer(EngagementSerializer):
    class Meta(EngagementSerializer.Meta):
        fields = [f for f in EngagementSerializer.Meta.fields if not f.startswith("next_step")]


class FollowUpSerializer(ApiModelSerializer):
    """A follow-up: what someone promised (us or them), with an owner and a due date."""

    owner = serializers.PrimaryKeyRelatedField(queryset=active_users(), required=False, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id", "description", "promised_by", "owner", "due_date", "status", "engagement", "board", "meeting",
            "contact", "area", "closed_at", "is_overdue", "web_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "closed_at", "created_at", "updated_at"]
        validators: list = []

    def get_web_url(self, obj: Commitment) -> str:
        return web_url(self, obj)


class FollowUpUpdateSerializer(FollowUpSerializer):
    class Meta(FollowUpSerializer.Meta):
        read_only_fields = [
            "engagement",
            "board",
            "meeting",
            "contact",
            "area",
            "closed_at",
            "created_at",
            "updated_at",
        ]


class StageChangeSerializer(ApiModelSerializer):
    from_stage_label = serializers.CharField(source="get_from_stage_display", read_only=True)
    to_stage_label = serializers.CharField(source="get_to_stage_display", read_only=True)
    to_stage = serializers.ChoiceField(choices=Stage.choices)

    class Meta:
        model = StageChange
        fields = [
            "id", "board", "area", "from_stage", "from_stage_label", "to_stage", "to_stage_label",
            "evidence_engagement", "evidence_meeting", "evidence_url", "note", "changed_by", "changed_at",
        ]  # fmt: skip
        read_only_fields = ["from_stage", "changed_by", "changed_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("board") is None) == (attrs.get("area") is None):
            raise serializers.ValidationError({"board": "Give either a board or a local area, not both or neither."})
        return attrs

"""Campaign outreach: campaigns, segments, sends, deliveries and responses."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from campaigns.models import Campaign, Delivery, Response, Segment, Send

from .common import ApiModelSerializer, active_users, web_url


class CampaignSerializer(ApiModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=active_users(), required=False, allow_null=True)
    send_count = serializers.IntegerField(read_only=True)
    response_count = serializers.IntegerField(read_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "slug", "aim", "starts_on", "ends_on", "owner", "status", "from_name", "from_email",
            "reply_to", "pledge_page_enabled", "pledge_intro", "pledge_consent_wording", "send_count",
            "response_count", "web_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"slug": {"validators": []}}
        validators: list = []

    def get_web_url(self, obj: Campaign) -> str:
        return web_url(self, obj)


class SegmentSerializer(ApiModelSerializer):
    definition = serializers.JSONField(
        required=False,
        help_text=(
            "Filters over contacts: practitioner_groups, regions, areas, organisation_kinds, tags, engaged "
            "(yes/no), engaged_since (YYYY-MM-DD), responded, received_campaigns, not_received_campaigns."
        ),
    )
    send_count = serializers.IntegerField(read_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Segment
        fields = ["id", "name", "description", "campaign", "definition", "send_count", "web_url", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []

    def get_web_url(self, obj: Segment) -> str:
        return web_url(self, obj)


class ExclusionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SegmentCountSerializer(serializers.Serializer):
    matched = serializers.IntegerField(help_text="Contacts the filters match.")
    eligible = serializers.IntegerField(help_text="Of those, how many a send may email.")
    excluded_total = serializers.IntegerField()
    excluded = ExclusionSerializer(many=True)


class SegmentSampleContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    job_title = serializers.CharField()
    practitioner_group = serializers.CharField()
    area = serializers.CharField(source="area.name", default="", allow_null=True)


class SegmentPreviewSerializer(SegmentCountSerializer):
    sample = SegmentSampleContactSerializer(many=True, help_text="Up to 20 of the people a send would email.")


class SendSerializer(ApiModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    rate_per_second = serializers.IntegerField(min_value=1, max_value=500, required=False, allow_null=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Send
        fields = [
            "id", "campaign", "message", "segment", "status", "status_label", "scheduled_for", "rate_per_second",
            "subject", "recipient_count", "excluded", "started_at", "finished_at", "web_url", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "status", "subject", "recipient_count", "excluded", "started_at", "finished_at", "created_at",
        ]  # fmt: skip

    def get_web_url(self, obj: Send) -> str:
        return web_url(self, obj)


class SendUpdateSerializer(SendSerializer):
    class Meta(SendSerializer.Meta):
        read_only_fields = ["campaign", *SendSerializer.Meta.read_only_fields]


class SendProgressSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_label = serializers.CharField()
    total = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    skipped = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    remaining = serializers.IntegerField()
    percent = serializers.IntegerField()
    rate_per_minute = serializers.FloatField()
    finishes_in_seconds = serializers.IntegerField(allow_null=True)


class DeliverySerializer(ApiModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id", "send", "contact", "email", "status", "attempts", "sent_at", "failed_at", "unsubscribed_at",
            "error", "skip_reason", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ResponseSerializer(ApiModelSerializer):
    class Meta:
        model = Response
        fields = ["id", "campaign", "contact", "kind", "occurred_on", "notes", "source", "recorded_by", "created_at"]
        read_only_fields = ["source", "recorded_by", "created_at"]
        # Recording the same response twice returns the first (200), so no unique-together check here.
        validators: list = []

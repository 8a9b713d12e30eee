"""The admin site is for admins looking things up; changes go through the app's own pages and services,
so the ledger and audit tables are read-only here."""

from django.contrib import admin
from django.http import HttpRequest

from campaigns.models import Campaign, Delivery, Goal, Message, Pledge, Response, Segment, Send


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "starts_on", "owner")
    list_filter = ("status",)
    search_fields = ("name", "slug")
    inlines = [GoalInline]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "updated_at")
    search_fields = ("name",)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "subject")
    search_fields = ("name", "subject")


@admin.register(Send)
class SendAdmin(admin.ModelAdmin):
    list_display = ("__str__", "campaign", "status", "recipient_count", "started_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Send._meta.fields]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("email", "send", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("email", "message_id")
    list_select_related = ("send",)
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("contact", "campaign", "kind", "occurred_on", "source")
    list_filter = ("kind", "source")
    list_select_related = ("contact", "campaign")
    raw_id_fields = ("contact",)


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ("first_name", "last_name", "campaign", "created_at", "confirmed_at")
    list_filter = ("campaign",)
    readonly_fields = [f.name for f in Pledge._meta.fields]

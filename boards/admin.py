"""Admin for boards: for admins fixing data. Leaders work in the app's own pages, which write the
audit trail and timelines; the admin does not, so changes that matter belong in the app."""

from django.contrib import admin

from boards import models


@admin.register(models.Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "stage", "owner"]
    list_filter = ["kind", "stage", "area__region"]
    search_fields = ["name", "area__name"]
    list_select_related = ["area", "owner"]
    raw_id_fields = ["chair", "secretariat"]
    readonly_fields = ["stage", "stage_changed_at"]


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["board", "starts_at", "status", "paper_deadline"]
    list_filter = ["status"]
    list_select_related = ["board", "board__area"]
    raw_id_fields = ["attendees", "board"]
    date_hierarchy = "starts_at"


@admin.register(models.Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "board", "organisation", "sentiment"]
    list_filter = ["kind", "sentiment"]
    list_select_related = ["board", "board__area", "organisation"]
    raw_id_fields = ["board", "organisation", "contacts", "area"]
    date_hierarchy = "date"


@admin.register(models.Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["description", "owner", "due_date", "status"]
    list_filter = ["status", "promised_by"]
    list_select_related = ["owner"]
    raw_id_fields = ["engagement", "board", "meeting", "contact", "area"]


@admin.register(models.ReadinessIndicator)
class ReadinessIndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]


@admin.register(models.StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    """History is read-only: a wrong move is corrected by another move, with its own evidence."""

    list_display = ["changed_at", "board", "area", "from_stage", "to_stage", "changed_by"]
    list_select_related = ["board", "board__area", "area", "changed_by"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

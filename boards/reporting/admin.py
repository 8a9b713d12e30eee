from django.contrib import admin

from .models import Reminder, ReminderDigest, ReminderPreference, WeeklyReport, WeeklyReportEmail


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_time", "follow_ups", "meetings", "paper_deadlines", "gone_cold", "weekly_report"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "item_id", "occasion", "title", "url")
    fields = readonly_fields


@admin.register(ReminderDigest)
class ReminderDigestAdmin(admin.ModelAdmin):
    list_display = ["user", "local_date", "status", "item_count", "attempts", "sent_at"]
    list_filter = ["status", "local_date"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "local_date", "item_count", "attempts", "claim_token", "claimed_at", "sent_at", "error"]
    inlines = [ReminderInline]


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    list_display = ["week_start", "status", "built_at", "rebuilt_at", "rebuild_count"]
    list_filter = ["status"]
    # The figures are a record: change them only by rebuilding the week, which the audit trail notes.
    readonly_fields = ["figures", "built_at", "built_by", "rebuilt_at", "rebuilt_by", "rebuild_count"]


@admin.register(WeeklyReportEmail)
class WeeklyReportEmailAdmin(admin.ModelAdmin):
    list_display = ["report", "user", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["report", "user"]

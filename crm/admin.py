"""The admin site is where admins manage users and their roles. Registry data is edited in the app
itself (its services keep the audit trail and timeline), so it is not registered here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from crm.models import AuditEvent, User
from crm.services.audit import audit_record
from crm.typing import current_user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "roles", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "full_name", "password")}),
        ("Role", {"fields": ("groups", "is_active", "is_staff")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ("groups",)

    @admin.display(description="Role")
    def roles(self, obj: User) -> str:
        return ", ".join(obj.role_labels) or "none"

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # A role change is a security event: record who changed whose role, from what to what.
        before = sorted(form.instance.groups.values_list("name", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.groups.values_list("name", flat=True))
        if before != after:
            audit_record(
                actor=current_user(request),
                action=AuditEvent.Action.ROLE_CHANGE,
                target=form.instance,
                changes={"roles": [before, after]},
            )

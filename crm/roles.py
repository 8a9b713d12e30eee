"""The four roles and what each may do. A role is a Django group; its permissions are derived from
the rules below for every model of our apps, so a new model is covered without editing this file."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEADER = "leader", "Leader"
    CAMPAIGN_STAFF = "campaign_staff", "Campaign staff"
    VIEWER = "viewer", "Viewer"


VIEW = frozenset({"view"})
EDIT = frozenset({"view", "add", "change"})
ALL = frozenset({"view", "add", "change", "delete"})

# app label -> actions on its models. Custom permissions (merge, erase, send, ...) are admin-only
# unless granted in EXTRA below.
RULES: dict[str, dict[str, frozenset[str]]] = {
    Role.ADMIN: {"crm": ALL, "boards": ALL, "campaigns": ALL, "reporting": ALL},
    Role.LEADER: {"crm": EDIT, "boards": ALL, "campaigns": VIEW, "reporting": VIEW},
    Role.CAMPAIGN_STAFF: {"crm": EDIT, "boards": VIEW, "campaigns": ALL, "reporting": VIEW},
    Role.VIEWER: {"crm": VIEW, "boards": VIEW, "campaigns": VIEW, "reporting": VIEW},
}
# Custom permissions ("app.codename") granted beyond the admin.
EXTRA: dict[str, set[str]] = {
    Role.ADMIN: set(),
    Role.LEADER: set(),
    Role.CAMPAIGN_STAFF: {"campaigns.send_campaign"},
    Role.VIEWER: set(),
}
# Models only admins touch, whatever the app rule says.
ADMIN_ONLY_MODELS = {("crm", "user")}
STANDARD_ACTIONS = ("view", "add", "change", "delete")


def role_allows(role: str, app_label: str, model: str, codename: str) -> bool:
    if role == Role.ADMIN:
        return True
    if (app_label, model) in ADMIN_ONLY_MODELS:
        return False
    action, _, rest = codename.partition("_")
    if action in STANDARD_ACTIONS and rest == model:
        return action in RULES[role].get(app_label, frozenset())
    return f"{app_label}.{codename}" in EXTRA[role]


def sync_role_permissions(apps: Any = global_apps) -> None:
    """Create the four role groups if missing and set each one's permissions from RULES."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label__in=list(RULES[Role.ADMIN])).select_related("content_type")
    )
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.label)
        wanted = [
            p.pk
            for p in permissions
            if role_allows(role.value, p.content_type.app_label, p.content_type.model, p.codename)
        ]
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender: Any, app_config: Any = None, using: str = "default", **kwargs: Any) -> None:
    # post_migrate fires once per app; permissions for every app exist only after the last one.
    if sender.name != "crm":
        return
    from django.contrib.auth.management import create_permissions

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_role_permissions()

"""The same role rules as the web pages. A role is a group of model permissions (crm.roles); every
request needs the permission for what it does, reads included, and each object is checked again."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

ACTION_BY_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def required_permissions(request: Request, view: Any) -> list[str]:
    """A view may name the permissions of an action (`action_permissions = {"start": [...]}`);
    otherwise the method maps to view/add/change/delete on the view's model."""
    extra = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
    if extra is not None:
        return list(extra)
    model = view.get_queryset().model
    meta = model._meta
    action = ACTION_BY_METHOD.get(request.method or "", "change")
    return [f"{meta.app_label}.{action}_{meta.model_name}"]


class RolePermission(permissions.BasePermission):
    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.has_perms(required_permissions(request, view))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.user.has_perms(required_permissions(request, view))

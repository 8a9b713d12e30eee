"""Signing in and permission checks with the user's roles and permissions read in the same query as the user.

Django's ModelBackend spends three queries on every page after the session: the user, the user's own
permissions and the permissions of the user's groups; the header then reads the groups again for the role
names. Here the user row carries all three as aggregated strings, so a page pays one query for all of it.
The caches are the ones Django itself keeps on the user object for the length of a request (`_perm_cache` and
friends, and the `groups` prefetch cache, which adding or removing a group clears), so nothing outlives the
request: a role change applies from the next page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.aggregates import StringAgg
from django.db.models.functions import Cast, Concat

from crm.models import User

# Separators no group name or permission codename contains (ASCII unit and record separators).
ITEM = "\x1e"
FIELD = "\x1f"


def _aggregated(queryset: QuerySet, group_by: str, expression: Any) -> Subquery:
    rows = queryset.order_by().values(group_by).annotate(joined=StringAgg(expression, Value(ITEM))).values("joined")
    return Subquery(rows, output_field=CharField())


def _permission_name() -> Concat:
    return Concat("content_type__app_label", Value("."), "codename", output_field=CharField())


def with_roles_and_permissions(users: QuerySet[User]) -> QuerySet[User]:
    """Users annotated with their groups ("id<FIELD>name" items) and their own and their groups' permissions."""
    return users.annotate(
        cg_groups=_aggregated(
            Group.objects.filter(user=OuterRef("pk")),
            "user",
            Concat(Cast("pk", CharField()), Value(FIELD), "name", output_field=CharField()),
        ),
        cg_group_permissions=_aggregated(
            Permission.objects.filter(group__user=OuterRef("pk")), "group__user", _permission_name()
        ),
        cg_user_permissions=_aggregated(Permission.objects.filter(user=OuterRef("pk")), "user", _permission_name()),
    )


def _split(joined: str | None) -> list[str]:
    return joined.split(ITEM) if joined else []


def remember_roles_and_permissions(user: User, *, groups: str | None, group_perms: str | None, user_perms: str | None):
    """Fill the per-request caches Django's permission checks and `user.groups.all()` read."""
    group_objects = []
    for item in _split(groups):
        pk, _, name = item.partition(FIELD)
        group_objects.append(Group(pk=int(pk), name=name))
    group_objects.sort(key=lambda group: group.pk)
    cached_groups: Any = user.groups.all()
    # The same three steps prefetch_related takes; `groups.add/remove/set/clear` and refresh_from_db drop them.
    cached_groups._result_cache = group_objects
    cached_groups._prefetch_done = True
    holder: Any = user
    if not hasattr(holder, "_prefetched_objects_cache"):
        holder._prefetched_objects_cache = {}
    holder._prefetched_objects_cache["groups"] = cached_groups
    if user.is_superuser:
        return  # a superuser has every permission; ModelBackend lists them itself
    caches: Any = user  # ModelBackend's own per-request caches, not declared on the model
    caches._user_perm_cache = set(_split(user_perms))
    caches._group_perm_cache = set(_split(group_perms))
    caches._perm_cache = caches._user_perm_cache | caches._group_perm_cache


class RoleBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = with_roles_and_permissions(User._default_manager.all()).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        row: Any = user  # carries the cg_* annotations
        remember_roles_and_permissions(
            user, groups=row.cg_groups, group_perms=row.cg_group_permissions, user_perms=row.cg_user_permissions
        )
        return user

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        # A user loaded elsewhere (an API token, a test) gets the same one query on its first check.
        if (
            obj is None
            and user_obj.is_active
            and not user_obj.is_anonymous
            and not user_obj.is_superuser
            and not hasattr(user_obj, "_perm_cache")
        ):
            annotated: Any = with_roles_and_permissions(User._default_manager.filter(pk=user_obj.pk))
            row = annotated.values("cg_groups", "cg_group_permissions", "cg_user_permissions").first()
            if row is not None:
                remember_roles_and_permissions(
                    user_obj,
                    groups=row["cg_groups"],
                    group_perms=row["cg_group_permissions"],
                    user_perms=row["cg_user_permissions"],
                )
        return super().get_all_permissions(user_obj, obj)

"""Every URL × anonymous, viewer, campaign staff, leader and admin, generated from the URL configuration,
so a new view is covered the day it is added.

Expectations come from what each view declares: anonymous users are sent to sign in unless the URL is
in PUBLIC; a view with `permission_required` answers 403 to a role without it and never 403 to a role
with it; nothing answers 500. A view that declares no permission must be listed in SELF_CHECKED with
the reason, or the test fails: that is how a forgotten check is caught."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.roles import Role
from tests.conftest import make_user

# URL names anyone may open without signing in.
PUBLIC = {
    "login",
    "health",
    "campaigns:unsubscribe",
    "campaigns:pledge",
    "campaigns:pledge_thanks",
    "campaigns:pledge_confirm",
    "boards:calendar_ics",
}
# Views that check access themselves (per object or per user) rather than by one model permission.
SELF_CHECKED = {
    "dashboard": "every signed-in user has a dashboard",
    "logout": "signing out needs only a session",
    "account": "a user's own account",
    "password_change": "a user's own password",
    "boards:area_readiness_update": "checks boards.change_areareadiness inside",
    "boards:stakeholder": "checks view permission for the kind of record inside",
}
SKIP_PREFIXES = ("admin/", "api/", "static/", "__")
ROLES = [Role.VIEWER, Role.CAMPAIGN_STAFF, Role.LEADER, Role.ADMIN]

# URL keyword -> model label, where the name alone does not say.
KWARG_MODELS = {
    "area_pk": "crm.localarea",
    "indicator_pk": "boards.readinessindicator",
    "board_pk": "boards.board",
    "a": "crm.contact",
    "b": "crm.contact",
}


# Route name -> model label of its <pk>, where the URL name does not say.
ROUTE_MODELS = {
    "boards:area_detail": "crm.localarea",
    "boards:meeting_create": "boards.board",
    "boards:membership_add": "boards.board",
}


@dataclass
class Route:
    name: str
    pattern: str
    view_class: type | None
    permission: tuple[str, ...] | None
    url_pattern: URLPattern

    def prefix_path(self, kwargs: dict[str, str]) -> str:
        return reverse(self.name, kwargs=kwargs)


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            view_class = getattr(entry.callback, "view_class", None)
            permission = getattr(view_class, "permission_required", None) if view_class else None
            if isinstance(permission, str):
                permission = (permission,)
            yield Route(name, prefix + str(entry.pattern), view_class, permission, entry)


def routes() -> list[Route]:
    return [r for r in walk(get_resolver().url_patterns) if not r.pattern.startswith(SKIP_PREFIXES)]


def model_for(route: Route, kwarg: str):
    label = ROUTE_MODELS.get(route.name) if kwarg == "pk" else None
    label = label or KWARG_MODELS.get(kwarg)
    if label:
        return apps.get_model(label)
    if kwarg == "pk" and route.view_class is not None:
        model = getattr(route.view_class, "model", None)
        queryset = getattr(route.view_class, "queryset", None)
        if model is None and queryset is not None:
            model = queryset.model
        if model is not None:
            return model
    # "boards:membership_edit" -> the boards model whose name is, ends with or starts with "membership".
    namespace, _, name = route.name.rpartition(":")
    app_label = {"crm": "crm", "boards": "boards", "campaigns": "campaigns", "reporting": "reporting"}.get(namespace)
    if app_label and (kwarg == "pk" or kwarg.endswith("_pk")):
        entity = kwarg.removesuffix("_pk") if kwarg != "pk" else name.split("_")[0]
        models = list(apps.get_app_config(app_label).get_models())
        for test in (str.__eq__, str.endswith, str.startswith):
            found = [m for m in models if test(m._meta.model_name, entity)]
            if len(found) == 1:
                return found[0]
    raise LookupError(f"{route.name}: cannot tell which model <{kwarg}> names; add it to KWARG_MODELS")


# Values for keywords that are not primary keys.
KWARG_VALUES = {"week": "2026-W47", "kind": "contact"}


def kwarg_value(route: Route, kwarg: str, converter: str, nth: int) -> str:
    if kwarg in KWARG_VALUES:
        return KWARG_VALUES[kwarg]
    if converter == "IntConverter":
        model = model_for(route, kwarg)
        obj = model.objects.order_by("pk")[nth : nth + 1].first()
        # No such record in the demo world: a missing one still tests the permission (403 before 404).
        return str(obj.pk) if obj is not None else "999999999"
    if converter == "SlugConverter" and route.name.startswith("campaigns:pledge"):
        from campaigns.models import Campaign

        campaign = Campaign.objects.exclude(slug="").order_by("pk").first()
        return campaign.slug if campaign else "no-such-campaign"
    return "not-a-real-token"


def concrete_path(route: Route) -> str:
    converters = getattr(route.url_pattern.pattern, "converters", {})
    kwargs = {}
    for nth, kwarg in enumerate(route.url_pattern.pattern.regex.groupindex):
        converter = type(converters[kwarg]).__name__ if kwarg in converters else "regex"
        # Two keywords naming the same model (a pair to compare) get two different records.
        kwargs[kwarg] = kwarg_value(route, kwarg, converter, nth if kwarg in ("a", "b") else 0)
    return route.prefix_path(kwargs)


@pytest.fixture
def demo_world(db):
    call_command("seed_demo", "--quiet-logins")


def test_every_view_declares_its_access_rule():
    undeclared = [
        r.name for r in routes() if r.permission is None and r.name not in PUBLIC and r.name not in SELF_CHECKED
    ]
    assert undeclared == [], f"views with no permission_required and no entry in SELF_CHECKED: {undeclared}"


def test_anonymous_users_reach_only_public_pages(client, demo_world):
    wrong = []
    for route in routes():
        path = concrete_path(route)
        response = client.get(path)
        if route.name in PUBLIC:
            sent_to_login = response.status_code == 302 and "/accounts/login/" in response["Location"]
            if response.status_code >= 500 or sent_to_login:
                wrong.append((route.name, path, response.status_code))
        elif not (response.status_code == 302 and response["Location"].startswith("/accounts/login/")):
            wrong.append((route.name, path, response.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_each_role_gets_exactly_what_its_permissions_allow(client, demo_world, role):
    user = make_user(role, is_staff=role == Role.ADMIN)
    client.force_login(user)
    wrong = []
    for route in routes():
        if route.name in ("logout",):
            continue
        path = concrete_path(route)
        response = client.get(path)
        status = response.status_code
        if status >= 500:
            wrong.append((route.name, path, status, "server error"))
        elif route.permission is not None:
            allowed = user.has_perms(route.permission)
            if allowed and status == 403:
                wrong.append((route.name, path, status, "refused a role that has the permission"))
            if not allowed and status != 403:
                wrong.append((route.name, path, status, "let in a role without the permission"))
    assert wrong == [], "\n".join(map(str, wrong))

"""Every /api/v1/ endpoint × anonymous, viewer, campaign staff, leader and admin, generated from the API
router, so a new resource or action is covered the day it is registered.

Expectations come from the model permissions each role holds (crm.roles), the same rule the API applies:
GET needs view, POST add, PATCH change, DELETE delete on the endpoint's model, or what an action declares
in `action_permissions`. "Allowed" means the permission check let the request through (a 400 for an empty
body counts); "denied" means 403. Strangers get 401 or 403 everywhere. Nothing answers 500."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from crm.api.urls import router
from crm.roles import Role
from tests.api.conftest import client_for
from tests.conftest import make_user
from tests.security.test_url_matrix import demo_world  # noqa: F401 - the fixture, shared

ROLES = [Role.VIEWER, Role.CAMPAIGN_STAFF, Role.LEADER, Role.ADMIN]
ACTION_BY_METHOD = {"get": "view", "post": "add", "patch": "change", "delete": "delete"}
# Standard viewset actions and the method each is reached with.
STANDARD = {
    "list": ("list", "get"),
    "create": ("list", "post"),
    "retrieve": ("detail", "get"),
    "partial_update": ("detail", "patch"),
    "destroy": ("detail", "delete"),
}


@dataclass(frozen=True)
class Call:
    basename: str
    url_name: str  # "list", "detail" or an extra action's url_name
    detail: bool
    method: str
    action: str
    viewset: type

    @property
    def model(self):
        # The model the endpoint serves, read from its serializer rather than the code under test.
        return self.viewset.serializer_class.Meta.model

    def permissions(self) -> list[str]:
        declared = getattr(self.viewset, "action_permissions", {}).get(self.action)
        if declared is not None:
            return list(declared)
        meta = self.model._meta
        return [f"{meta.app_label}.{ACTION_BY_METHOD[self.method]}_{meta.model_name}"]

    def path(self) -> str:
        name = f"api:{self.basename}-{self.url_name}"
        if not self.detail:
            return reverse(name)
        obj = self.model.objects.order_by("pk").first()
        # No such record in the demo world: a missing one still tests the permission (403 before 404).
        return reverse(name, kwargs={"pk": obj.pk if obj is not None else 999999999})

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.basename}-{self.url_name}"


def calls() -> list[Call]:
    found = []
    for _prefix, viewset, basename in router.registry:
        for action, (url_name, method) in STANDARD.items():
            if hasattr(viewset, action):
                found.append(Call(basename, url_name, url_name == "detail", method, action, viewset))
        for extra in viewset.get_extra_actions():
            for method in extra.mapping:
                found.append(Call(basename, extra.url_name, extra.detail, method, extra.__name__, viewset))
    return found


def send(client: APIClient, call: Call, path: str):
    if call.method == "get":
        return client.get(path)
    return getattr(client, call.method)(path, {}, format="json")


def test_the_matrix_covers_every_registered_resource():
    covered = {c.basename for c in calls()}

    assert covered == {basename for _, _, basename in router.registry}
    assert all(any(c.action == "list" for c in calls() if c.basename == b) for b in covered)


def test_strangers_get_nothing_from_any_endpoint(demo_world):  # noqa: F811
    client = APIClient()
    wrong = [(str(c), r.status_code) for c in calls() if (r := send(client, c, c.path())).status_code not in (401, 403)]

    assert wrong == []


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_each_role_gets_exactly_what_its_permissions_allow_through_the_api(demo_world, role):  # noqa: F811
    cache.clear()  # throttle counts belong to this run only
    user = make_user(role, is_staff=role == Role.ADMIN)
    client = client_for(user)
    # Reads and edits first, deletions last, so a deletion cannot hide a record from a later check.
    ordered = sorted(calls(), key=lambda c: c.method == "delete")
    paths = {c: c.path() for c in ordered}
    wrong = []
    for call in ordered:
        status = send(client, call, paths[call]).status_code
        allowed = user.has_perms(call.permissions())
        if status >= 500:
            wrong.append((str(call), status, "server error"))
        elif allowed and status in (401, 403):
            wrong.append((str(call), status, "refused a role that has the permission"))
        elif not allowed and status != 403:
            wrong.append((str(call), status, "let in a role without the permission"))
        elif allowed and call.method == "get" and call.url_name == "list" and status != 200:
            wrong.append((str(call), status, "a list the role may read did not answer 200"))
    assert wrong == [], "\n".join(map(str, wrong))

"""Demo data for `make run`: one user per role, and (from the registry on) a believable world.
Every function is idempotent: it looks records up by a natural key before creating them."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group

from .models import User
from .roles import Role

DEMO_PASSWORD = "common-ground-demo"  # noqa: S105 - printed by make run; demo only


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role


DEMO_USERS = [
    DemoUser("admin@example.org", "Amira Admin", Role.ADMIN),
    DemoUser("leader@example.org", "Lee Leader", Role.LEADER),
    DemoUser("campaigns@example.org", "Cam Campaigner", Role.CAMPAIGN_STAFF),
    DemoUser("viewer@example.org", "Vic Viewer", Role.VIEWER),
]


def seed_users() -> list[User]:
    users = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=demo.email, defaults={"full_name": demo.full_name, "is_staff": demo.role == Role.ADMIN}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=demo.role.label)])
        users.append(user)
    return users

import pytest
from django.contrib.auth.models import Group, Permission

from crm.roles import Role, role_allows


@pytest.mark.django_db
def test_migration_creates_the_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.label for r in Role}


@pytest.mark.django_db
def test_admin_role_holds_every_permission_of_our_apps():
    ours = Permission.objects.filter(content_type__app_label__in=["crm", "boards", "campaigns", "reporting"])
    admin = Group.objects.get(name=Role.ADMIN.label)
    assert set(admin.permissions.all()) == set(ours)


@pytest.mark.django_db
def test_viewer_role_only_reads():
    viewer = Group.objects.get(name=Role.VIEWER.label)
    codenames = list(viewer.permissions.values_list("codename", flat=True))
    assert codenames, "viewers must be able to read something"
    assert all(c.startswith("view_") for c in codenames)


@pytest.mark.parametrize(
    ("role", "app", "action", "allowed"),
    [
        (Role.LEADER, "boards", "add", True),
        (Role.LEADER, "campaigns", "add", False),
        (Role.LEADER, "campaigns", "view", True),
        (Role.CAMPAIGN_STAFF, "campaigns", "delete", True),
        (Role.CAMPAIGN_STAFF, "boards", "change", False),
        (Role.CAMPAIGN_STAFF, "crm", "change", True),
        (Role.VIEWER, "crm", "add", False),
        (Role.VIEWER, "crm", "view", True),
    ],
)
def test_role_rules(role, app, action, allowed):
    assert role_allows(role.value, app, "thing", f"{action}_thing") is allowed


def test_only_admins_manage_users():
    assert role_allows(Role.ADMIN.value, "crm", "user", "change_user")
    assert not role_allows(Role.LEADER.value, "crm", "user", "view_user")


def test_custom_permissions_are_admin_only_unless_granted():
    assert role_allows(Role.ADMIN.value, "crm", "contact", "merge_contact")
    assert not role_allows(Role.LEADER.value, "crm", "contact", "merge_contact")

import pytest
from django.contrib.auth.models import Group

from crm.models import AuditEvent
from crm.roles import Role


@pytest.mark.django_db
def test_an_admin_changing_a_role_is_audited(client, admin_user, viewer):
    client.force_login(admin_user)
    leader_group = Group.objects.get(name=Role.LEADER.label)
    response = client.post(
        f"/admin/crm/user/{viewer.pk}/change/",
        {
            "email": viewer.email,
            "full_name": viewer.full_name,
            "groups": [leader_group.pk],
            "is_active": "on",
            "date_joined_0": "22/11/2026",
            "date_joined_1": "10:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    viewer.refresh_from_db()
    assert viewer.role_labels == [Role.LEADER.label]
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGE)
    assert event.actor == admin_user
    assert event.changes == {"roles": [[Role.VIEWER.label], [Role.LEADER.label]]}


@pytest.mark.django_db
def test_only_admins_reach_the_admin_site(client, leader):
    client.force_login(leader)
    response = client.get("/admin/crm/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

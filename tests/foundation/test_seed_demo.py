import pytest
from django.core.management import call_command

from crm.demo import DEMO_USERS
from crm.models import User


@pytest.mark.django_db
def test_seed_demo_creates_one_user_per_role_and_is_idempotent():
    call_command("seed_demo", "--quiet-logins")
    first = User.objects.count()
    call_command("seed_demo", "--quiet-logins")
    assert User.objects.count() == first
    for demo in DEMO_USERS:
        user = User.objects.get(email=demo.email)
        assert user.role_labels == [demo.role.label]
        assert user.check_password("common-ground-demo")

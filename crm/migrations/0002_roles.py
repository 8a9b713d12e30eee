"""Create the four roles (admin, leader, campaign staff, viewer) as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from crm.roles import sync_role_permissions

    # Permissions are normally created after migrate; make them now so the roles get them at once.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_permissions(apps)


def remove_roles(apps, schema_editor):
    from crm.roles import Role

    apps.get_model("auth", "Group").objects.filter(name__in=[r.label for r in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

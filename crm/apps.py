from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Stakeholder registry"

    def ready(self) -> None:
        # Role permissions are derived from the models that exist, so they are re-synced after
        # every migrate: a model added later gets the right permissions for each role at once.
        from .roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="crm.sync_roles")

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The integration API (/api/v1/): personal API tokens, and resources over every app's services."""

    name = "crm.api"
    label = "api"
    verbose_name = "Integration API"

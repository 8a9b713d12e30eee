from django.urls import include, path

app_name = "crm"

urlpatterns: list = [
    # Import, duplicates and merge live in their own module.
    path("", include("crm.urls_data")),
]

from django.contrib import admin
from django.urls import include, path

from crm import views as crm_views

urlpatterns = [
    path("", crm_views.DashboardView.as_view(), name="dashboard"),
    path("health", crm_views.health, name="health"),
    path("accounts/", include("crm.account_urls")),
    path("crm/", include("crm.urls")),
    path("boards/", include("boards.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("reports/", include("boards.reporting.urls")),
    path("api/", include("crm.api.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "crm.views.permission_denied"
handler404 = "crm.views.page_not_found"
handler500 = "crm.views.server_error"

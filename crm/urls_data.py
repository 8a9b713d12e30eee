# Import of contacts and organisations, duplicate review and merge. Included from crm/urls.py.
from django.urls import path

from crm.views import duplicates, imports

urlpatterns: list = [
    path("import/", imports.ImportStartView.as_view(), name="import_start"),
    path("import/<int:pk>/", imports.ImportDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/mapping/", imports.ImportMappingView.as_view(), name="import_mapping"),
    path("import/<int:pk>/preview/", imports.ImportPreviewView.as_view(), name="import_preview"),
    path("import/<int:pk>/confirm/", imports.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/<int:pk>/progress.json", imports.ImportProgressView.as_view(), name="import_progress"),
    path("import/<int:pk>/rejected-rows.csv", imports.ImportRejectedRowsView.as_view(), name="import_rejected_rows"),
    path("duplicates/", duplicates.DuplicateListView.as_view(), name="duplicate_list"),
    path("duplicates/merge/<int:a>/<int:b>/", duplicates.DuplicateCompareView.as_view(), name="duplicate_compare"),
]

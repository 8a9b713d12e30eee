from django.urls import include, path

from crm.views import areas, audit, contacts, organisations

app_name = "crm"

urlpatterns: list = [
    # Contacts
    path("contacts/", contacts.ContactListView.as_view(), name="contact_list"),
    path("contacts/new/", contacts.ContactCreateView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/", contacts.ContactDetailView.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/edit/", contacts.ContactEditView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/preferences/", contacts.ContactPreferencesView.as_view(), name="contact_preferences"),
    path("contacts/<int:pk>/emails/new/", contacts.ContactEmailAddView.as_view(), name="contact_email_add"),
    path(
        "contacts/<int:pk>/emails/<int:email_pk>/remove/",
        contacts.ContactEmailRemoveView.as_view(),
        name="contact_email_remove",
    ),
    path("contacts/<int:pk>/roles/new/", contacts.AffiliationAddView.as_view(), name="affiliation_add"),
    path("contacts/<int:pk>/job-move/", contacts.JobMoveView.as_view(), name="contact_job_move"),
    path("contacts/<int:pk>/notes/", contacts.NoteAddView.as_view(subject="contact"), name="contact_note_add"),
    path("contacts/<int:pk>/history/", contacts.ContactHistoryView.as_view(), name="contact_history"),
    path(
        "contacts/<int:pk>/data.<str:file_format>",
        contacts.ContactDataExportView.as_view(),
        name="contact_data_export",
    ),
    path("contacts/<int:pk>/erase/", contacts.ContactEraseView.as_view(), name="contact_erase"),
    path("contacts/<int:pk>/delete/", contacts.ContactDeleteView.as_view(), name="contact_delete"),
    path("roles/<int:pk>/end/", contacts.AffiliationEndView.as_view(), name="affiliation_end"),
    path("notes/<int:pk>/delete/", contacts.NoteDeleteView.as_view(), name="note_delete"),
    # Organisations
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/new/", organisations.OrganisationCreateView.as_view(), name="organisation_create"),
    path("organisations/<int:pk>/", organisations.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.OrganisationEditView.as_view(), name="organisation_edit"),
    path("organisations/<int:pk>/delete/", organisations.OrganisationDeleteView.as_view(), name="organisation_delete"),
    path(
        "organisations/<int:pk>/notes/",
        contacts.NoteAddView.as_view(subject="organisation"),
        name="organisation_note_add",
    ),
    path(
        "organisations/<int:pk>/history/", organisations.OrganisationHistoryView.as_view(), name="organisation_history"
    ),
    # Local areas
    path("areas/", areas.AreaListView.as_view(), name="area_list"),
    path("areas/new/", areas.AreaCreateView.as_view(), name="area_create"),
    path("areas/<int:pk>/", areas.AreaDetailView.as_view(), name="area_detail"),
    path("areas/<int:pk>/edit/", areas.AreaEditView.as_view(), name="area_edit"),
    path("areas/<int:pk>/delete/", areas.AreaDeleteView.as_view(), name="area_delete"),
    # Audit trail and suppression list
    path("audit/", audit.AuditTrailView.as_view(), name="audit_trail"),
    path("suppression/", audit.SuppressionListView.as_view(), name="suppression_list"),
    path("suppression/new/", audit.SuppressionAddView.as_view(), name="suppression_add"),
    # Import, duplicates and merge live in their own module.
    path("", include("crm.urls_data")),
]

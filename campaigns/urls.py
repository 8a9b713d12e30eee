from django.urls import path

from campaigns.views import campaigns, messages, public, responses, segments, sends

app_name = "campaigns"

urlpatterns = [
    path("", campaigns.CampaignListView.as_view(), name="campaign_list"),
    path("new/", campaigns.CampaignCreateView.as_view(), name="campaign_create"),
    path("<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<int:pk>/edit/", campaigns.CampaignUpdateView.as_view(), name="campaign_update"),
    path("<int:campaign_pk>/goals/", campaigns.GoalAddView.as_view(), name="goal_add"),
    path("goals/<int:pk>/remove/", campaigns.GoalRemoveView.as_view(), name="goal_remove"),
    path("<int:campaign_pk>/results/", campaigns.ResultsView.as_view(), name="results"),
    path("<int:campaign_pk>/results.csv", campaigns.ResultsExportView.as_view(), name="results_export"),
    path("<int:campaign_pk>/messages/new/", messages.MessageCreateView.as_view(), name="message_create"),
    path("messages/<int:pk>/", messages.MessageDetailView.as_view(), name="message_detail"),
    path("messages/<int:pk>/edit/", messages.MessageUpdateView.as_view(), name="message_update"),
    path("messages/<int:pk>/test/", messages.MessageSendTestView.as_view(), name="message_send_test"),
    path("<int:campaign_pk>/sends/new/", sends.SendCreateView.as_view(), name="send_create"),
    path("sends/<int:pk>/", sends.SendDetailView.as_view(), name="send_detail"),
    path("sends/<int:pk>/progress.json", sends.SendProgressView.as_view(), name="send_progress"),
    path("sends/<int:pk>/start/", sends.SendActionView.as_view(action="start"), name="send_start"),
    path("sends/<int:pk>/pause/", sends.SendActionView.as_view(action="pause"), name="send_pause"),
    path("sends/<int:pk>/resume/", sends.SendActionView.as_view(action="resume"), name="send_resume"),
    path("sends/<int:pk>/cancel/", sends.SendActionView.as_view(action="cancel"), name="send_cancel"),
    path("segments/", segments.SegmentListView.as_view(), name="segment_list"),
    path("segments/new/", segments.SegmentCreateView.as_view(), name="segment_create"),
    path("segments/count.json", segments.SegmentCountView.as_view(), name="segment_count"),
    path("segments/<int:pk>/", segments.SegmentDetailView.as_view(), name="segment_detail"),
    path("segments/<int:pk>/edit/", segments.SegmentUpdateView.as_view(), name="segment_update"),
    path("responses/new/", responses.ResponseCreateView.as_view(), name="response_create"),
    path("<int:campaign_pk>/responses/import/", responses.ResponseImportView.as_view(), name="response_import"),
    # Public: no sign-in.
    path("u/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("pledge/<slug:slug>/", public.pledge, name="pledge"),
    path("pledge/<slug:slug>/thank-you/", public.pledge_thanks, name="pledge_thanks"),
    path("pledge-confirm/<str:token>/", public.pledge_confirm, name="pledge_confirm"),
]

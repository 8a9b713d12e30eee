from django.urls import path

from boards import views

app_name = "boards"

urlpatterns = [
    path("my-work/", views.MyWorkView.as_view(), name="my_work"),
    path("my-work/preferences/", views.PreferenceView.as_view(), name="preferences"),
    # Local areas
    path("areas/", views.AreaListView.as_view(), name="area_list"),
    path("areas/<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
    path("areas/<int:area_pk>/stage/", views.StageChangeView.as_view(), name="area_stage_change"),
    path(
        "areas/<int:area_pk>/readiness/<int:indicator_pk>/",
        views.ReadinessUpdateView.as_view(),
        name="area_readiness_update",
    ),
    path("areas/<int:area_pk>/champions/new/", views.ChampionCreateView.as_view(), name="champion_create"),
    path("areas/<int:area_pk>/assess/", views.AreaAssessView.as_view(), name="area_assess"),
    path("champions/<int:pk>/", views.ChampionDetailView.as_view(), name="champion_detail"),
    path("champions/<int:pk>/edit/", views.ChampionEditView.as_view(), name="champion_edit"),
    path("readiness-indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("readiness-indicators/new/", views.IndicatorCreateView.as_view(), name="indicator_create"),
    path("readiness-indicators/<int:pk>/edit/", views.IndicatorEditView.as_view(), name="indicator_edit"),
    path("stakeholders/<str:kind>/<int:pk>/", views.StakeholderView.as_view(), name="stakeholder"),
    # Boards
    path("boards/", views.BoardListView.as_view(), name="board_list"),
    path("boards/new/", views.BoardCreateView.as_view(), name="board_create"),
    path("boards/<int:pk>/", views.BoardDetailView.as_view(), name="board_detail"),
    path("boards/<int:pk>/edit/", views.BoardEditView.as_view(), name="board_edit"),
    path("boards/<int:pk>/follow/", views.BoardFollowView.as_view(), name="board_follow"),
    path("boards/<int:board_pk>/stage/", views.StageChangeView.as_view(), name="board_stage_change"),
    path("boards/<int:pk>/members/new/", views.MembershipAddView.as_view(), name="membership_add"),
    path("memberships/<int:pk>/edit/", views.MembershipEditView.as_view(), name="membership_edit"),
    path("boards/<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    # Meetings and calendars
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<int:pk>/delete/", views.MeetingDeleteView.as_view(), name="meeting_delete"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/subscribe/", views.CalendarFeedView.as_view(), name="calendar_feed"),
    path("calendar/feed/<str:token>.ics", views.CalendarIcsView.as_view(), name="calendar_ics"),
    # Engagement log
    path("engagements/", views.EngagementListView.as_view(), name="engagement_list"),
    path("engagements/export.csv", views.EngagementExportView.as_view(), name="engagement_export"),
    path("engagements/new/", views.EngagementCreateView.as_view(), name="engagement_create"),
    path("engagements/<int:pk>/", views.EngagementDetailView.as_view(), name="engagement_detail"),
    path("engagements/<int:pk>/edit/", views.EngagementEditView.as_view(), name="engagement_edit"),
    path("engagements/<int:pk>/delete/", views.EngagementDeleteView.as_view(), name="engagement_delete"),
    # Commitments and follow-ups
    path("commitments/", views.CommitmentListView.as_view(), name="commitment_list"),
    path("commitments/new/", views.CommitmentCreateView.as_view(), name="commitment_create"),
    path("commitments/<int:pk>/", views.CommitmentDetailView.as_view(), name="commitment_detail"),
    path("commitments/<int:pk>/edit/", views.CommitmentEditView.as_view(), name="commitment_edit"),
    path("commitments/<int:pk>/status/", views.CommitmentStatusView.as_view(), name="commitment_status"),
]

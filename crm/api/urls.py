"""/api/v1/ resources, /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI), and the token pages."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView, DefaultRouter

from .views import boards, campaigns, crm, reporting, tokens

app_name = "api"


class ApiRootView(APIRootView):
    """The list of resources, for people finding their way with a token or in the browser."""

    permission_classes = [IsAuthenticated]


class ApiRouter(DefaultRouter):
    APIRootView = ApiRootView
    include_format_suffixes = False


router = ApiRouter()
router.register("areas", crm.AreaViewSet, basename="area")
router.register("organisations", crm.OrganisationViewSet, basename="organisation")
router.register("contacts", crm.ContactViewSet, basename="contact")
router.register("affiliations", crm.AffiliationViewSet, basename="affiliation")
router.register("boards", boards.BoardViewSet, basename="board")
router.register("memberships", boards.MembershipViewSet, basename="membership")
router.register("meetings", boards.MeetingViewSet, basename="meeting")
router.register("engagements", boards.EngagementViewSet, basename="engagement")
router.register("follow-ups", boards.FollowUpViewSet, basename="follow-up")
router.register("stage-changes", boards.StageChangeViewSet, basename="stage-change")
router.register("campaigns", campaigns.CampaignViewSet, basename="campaign")
router.register("segments", campaigns.SegmentViewSet, basename="segment")
router.register("sends", campaigns.SendViewSet, basename="send")
router.register("deliveries", campaigns.DeliveryViewSet, basename="delivery")
router.register("responses", campaigns.ResponseViewSet, basename="response")
router.register("weekly-reports", reporting.WeeklyReportViewSet, basename="weekly-report")


class SchemaView(SpectacularAPIView):
    """DRF views skip the login middleware, so integrations fetch the schema with their token."""


class DocsView(SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"


urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    # The docs are a page for people: a stranger is sent to sign in (DRF views skip the login middleware).
    path("docs/", login_required(DocsView.as_view(url_name="api:schema")), name="docs"),
    path("tokens/", tokens.TokenListView.as_view(), name="token_list"),
    path("tokens/new/", tokens.TokenCreateView.as_view(), name="token_create"),
    path("tokens/<int:pk>/revoke/", tokens.TokenRevokeView.as_view(), name="token_revoke"),
]

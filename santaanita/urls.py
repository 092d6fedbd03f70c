from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from festival import api as festival_api
from interventions import api as interventions_api
from mapping import api as mapping_api
from mapping import reports_api as mapping_reports_api
from mapping.urls import open311_patterns
from platform_app import api as platform_api
from platform_app import views as platform_views
from platform_app.decisions import api as decisions_api
from platform_app.outreach import api as outreach_api
from santaanita.files import public_file
from santaanita.health import healthz

# Admin autodiscovery minus django-leaflet (see INSTALLED_APPS in settings).
for app_config in apps.get_app_configs():
    if app_config.name != "leaflet" and module_has_submodule(app_config.module, "admin"):
        import_module(f"{app_config.name}.admin")

router = DefaultRouter()
router.register("districts", platform_api.DistrictViewSet, basename="district")
router.register("sectors", platform_api.SectorViewSet, basename="sector")
router.register("spaces", mapping_api.PublicSpaceViewSet, basename="space")
router.register("surveys", mapping_api.SurveyViewSet, basename="survey")
router.register("survey-photos", mapping_api.SurveyPhotoViewSet, basename="survey-photo")
router.register("reports", mapping_reports_api.ReportViewSet, basename="report")
router.register("polls", decisions_api.PollViewSet, basename="poll")
router.register("platform/votes", decisions_api.VoteViewSet, basename="platform-vote")
router.register("platform/members", platform_api.MemberViewSet, basename="platform-member")
router.register("platform/meetings", platform_api.MeetingViewSet, basename="platform-meeting")
router.register("platform/agreements", platform_api.AgreementViewSet, basename="platform-agreement")
router.register("platform/followups", platform_api.FollowUpViewSet, basename="platform-followup")
router.register("platform/objectives", platform_api.ObjectiveViewSet, basename="platform-objective")
router.register("platform/activities", platform_api.ActivityViewSet, basename="platform-activity")
router.register(
    "platform/organization-invitations",
    platform_api.OrganizationInvitationViewSet,
    basename="platform-organization-invitation",
)
router.register("companies", interventions_api.CompanyViewSet, basename="company")
router.register("pledges", interventions_api.PledgeViewSet, basename="pledge")
router.register(
    "fundraising-events", interventions_api.FundraisingEventViewSet, basename="fundraising-event"
)
router.register("interventions", interventions_api.InterventionViewSet, basename="intervention")
router.register("kits", interventions_api.KitViewSet, basename="kit")
router.register("kit-deliveries", interventions_api.KitDeliveryViewSet, basename="kit-delivery")
router.register("guides", interventions_api.MaintenanceGuideViewSet, basename="guide")
router.register("results", interventions_api.ResultsViewSet, basename="results")
# Open data of the perception survey (anonymized, suppressed under five respondents).
router.register(
    "perception-answers", interventions_api.PerceptionAnswerViewSet, basename="perception-answer"
)
router.register("cohesion", interventions_api.CohesionViewSet, basename="cohesion")
router.register("festival/editions", festival_api.EditionViewSet, basename="festival-edition")
router.register("festival/stages", festival_api.StageViewSet, basename="festival-stage")
router.register("festival/teams", festival_api.TeamViewSet, basename="festival-team")
router.register("festival/criteria", festival_api.CriterionViewSet, basename="festival-criterion")
router.register("festival/scores", festival_api.ScoreSheetViewSet, basename="festival-score")
router.register("organizations", platform_api.OrganizationViewSet, basename="organization")
router.register("announcements", outreach_api.AnnouncementViewSet, basename="announcement")

admin.site.site_header = _("Santa Anita Public Spaces Platform")
admin.site.site_title = _("Santa Anita platform")

# Django tries patterns in order, and an include with an empty prefix tries every one of
# its patterns: the busy routes (the map's API, the festival's live board polled by
# spectators' phones) come first, then the apps with a prefix, then the empty-prefix ones.
urlpatterns = [
    # The map's data, the busiest read of the platform: a plain view (mapping.api.space_map).
    path("api/spaces/", mapping_api.space_map, name="space-list"),
    path("api/", include(router.urls)),
    path("festival/", include("festival.urls")),
    path("mapa/", include("mapping.urls")),
    path("open311/v2/", include(open311_patterns)),
    path("", platform_views.home, name="home"),
    path("", include("platform_app.urls")),
    path("", include("interventions.urls")),
    path("", include("platform_app.messaging.urls")),
    path("cuentas/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    # Pages link their icon; browsers and crawlers that ask the site's root for it anyway
    # are sent, once for good, to the static file (its address carries its content hash).
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("icons/favicon.ico"), permanent=True),
        name="favicon",
    ),
    # Public files only (approved photos, logos, festival rules); nginx answers this prefix
    # itself in production. Private files have no URL here: each app serves them from a view
    # that checks who asks (santaanita.files.serve_private).
    path("media/public/<path:path>", public_file, name="media-public"),
]

# Under /api/ an address that matches no route answers JSON, like the API's own 404s.
handler404 = "santaanita.api_contract.not_found"

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from platform_app import api as platform_api
from platform_app import views as platform_views
from santaanita.health import healthz

# Admin autodiscovery minus django-leaflet (see INSTALLED_APPS in settings).
for app_config in apps.get_app_configs():
    if app_config.name != "leaflet" and module_has_submodule(app_config.module, "admin"):
        import_module(f"{app_config.name}.admin")

router = DefaultRouter()
router.register("districts", platform_api.DistrictViewSet, basename="district")
router.register("sectors", platform_api.SectorViewSet, basename="sector")

admin.site.site_header = _("Santa Anita Public Spaces Platform")
admin.site.site_title = _("Santa Anita platform")

urlpatterns = [
    path("", platform_views.home, name="home"),
    path("", include("platform_app.urls")),
    path("cuentas/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from django.urls import path

from mapping import reports_api, reports_views, views

app_name = "mapping"

urlpatterns = [
    path("", views.space_map, name="space-map"),
    path("espacios/nuevo/", views.space_edit, name="space-create"),
    path("espacios/<int:pk>/", views.space_detail, name="space-detail"),
    path("espacios/<int:pk>/editar/", views.space_edit, name="space-edit"),
    path("espacios/<int:pk>/ficha/", views.survey_form, name="survey-form"),
    path("espacios/<int:pk>/ficha/imprimir/", views.survey_print, name="survey-print"),
    path("mis-asignaciones/", views.my_assignments, name="assignment-mine"),
    path("sw.js", views.survey_service_worker, name="survey-sw"),
    path("fichas/<int:pk>/", views.survey_detail, name="survey-detail"),
    path("fichas/<int:pk>/fotos/", views.survey_photo_upload, name="survey-photo"),
    path("fotos/<int:pk>/", views.survey_photo_file, name="survey-photo-file"),
    path("fichas/<int:pk>/revisar/", views.survey_review_view, name="survey-review"),
    path("revision/", views.review_queue, name="review-queue"),
    path("asignaciones/", views.assignment_list, name="assignment-list"),
    path("cobertura/", views.coverage, name="coverage"),
    path("cobertura/sin-organizacion/", views.spaces_uncared, name="space-uncared"),
    path("exportar/espacios.geojson", views.export_geojson, name="export-geojson"),
    path("exportar/espacios.kml", views.export_kml, name="export-kml"),
    path("exportar/espacios.csv", views.export_csv, name="export-csv"),
    # Problem reports
    path("reportar/", reports_views.report_create, name="report-create"),
    path("reportar/similares/", reports_views.report_similar, name="report-similar"),
    path("reportes/", reports_views.report_queue, name="report-queue"),
    path("reportes/areas/", reports_views.report_areas, name="report-areas"),
    path("reportes/medidas/", reports_views.report_measures, name="report-measures"),
    path("reportes/capa.geojson", reports_views.report_layer, name="report-layer"),
    path("reportes/<int:pk>/", reports_views.report_detail, name="report-detail"),
    path("reportes/<int:pk>/yo-tambien/", reports_views.report_me_too_view, name="report-me-too"),
    path(
        "reportes/<int:pk>/encaminar/",
        reports_views.report_acknowledge_view,
        name="report-acknowledge",
    ),
    path("reportes/<int:pk>/estado/", reports_views.report_status_view, name="report-status"),
    path("reportes/<int:pk>/ocultar/", reports_views.report_hide_view, name="report-hide"),
    path("reportes/fotos/<int:pk>/", reports_views.report_photo, name="report-photo"),
    path(
        "reportes/seguimiento/<uuid:token>/",
        reports_views.report_followup,
        name="report-followup",
    ),
]

# Open311 GeoReport v2, mounted at /open311/v2/ by the project's urls (namespace "open311").
open311_patterns = (
    [
        path("discovery.<str:fmt>", reports_api.Open311Discovery.as_view(), name="discovery"),
        path("services.<str:fmt>", reports_api.Open311Services.as_view(), name="services"),
        path("requests.<str:fmt>", reports_api.Open311Requests.as_view(), name="requests"),
        path(
            "requests/<int:pk>.<str:fmt>",
            reports_api.Open311Request.as_view(),
            name="request",
        ),
    ],
    "open311",
)

from django.urls import path

from mapping import views

app_name = "mapping"

urlpatterns = [
    path("", views.space_map, name="space-map"),
    path("espacios/nuevo/", views.space_edit, name="space-create"),
    path("espacios/<int:pk>/", views.space_detail, name="space-detail"),
    path("espacios/<int:pk>/editar/", views.space_edit, name="space-edit"),
    path("espacios/<int:pk>/ficha/", views.survey_form, name="survey-form"),
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
]

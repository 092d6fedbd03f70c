from django.urls import path

from interventions.perception import views as perception
from interventions.views import calendar, companies, events, guides, results, works

app_name = "interventions"

urlpatterns = [
    path("calendario.ics", calendar.public_calendar, name="public-calendar"),
    path("calendario/<slug:slug>.ics", calendar.public_calendar, name="public-calendar-district"),
    path("empresas/", companies.company_list, name="company-list"),
    path("empresas/<int:pk>/", companies.company_public, name="company-public"),
    path("empresas/mi-empresa/", companies.company_mine, name="company-mine"),
    path(
        "empresas/invitaciones/<int:pk>/responder/",
        events.invitation_answer,
        name="invitation-answer",
    ),
    path("compromisos/", companies.pledge_list, name="pledge-list"),
    path("compromisos/<int:pk>/", companies.pledge_detail, name="pledge-detail"),
    path("compromisos/<int:pk>/estado/", companies.pledge_state, name="pledge-state"),
    path("compromisos/<int:pk>/terminos/", companies.pledge_edit, name="pledge-edit"),
    path(
        "compromisos/<int:pk>/documentos/",
        companies.pledge_document_upload,
        name="pledge-document-upload",
    ),
    path(
        "compromisos/<int:pk>/documentos/<int:document_pk>/",
        companies.pledge_document_file,
        name="pledge-document",
    ),
    path("eventos-de-recaudacion/", events.event_list, name="event-list"),
    path("eventos-de-recaudacion/<int:pk>/", events.event_detail, name="event-detail"),
    path("eventos-de-recaudacion/<int:pk>/datos/", events.event_edit, name="event-edit"),
    path("eventos-de-recaudacion/<int:pk>/invitar/", events.event_invite, name="event-invite"),
    path("eventos-de-recaudacion/<int:pk>/respuestas/", events.event_answers, name="event-answers"),
    path(
        "eventos-de-recaudacion/<int:pk>/invitaciones/<int:invitation_pk>/plataforma/",
        events.company_platform_invite,
        name="company-platform-invite",
    ),
    path("intervenciones/", works.intervention_list, name="intervention-list"),
    path("intervenciones/nueva/", works.intervention_create, name="intervention-create"),
    path("intervenciones/<int:pk>/", works.intervention_detail, name="intervention-detail"),
    path("intervenciones/<int:pk>/gestion/", works.intervention_manage, name="intervention-manage"),
    path("intervenciones/<int:pk>/estado/", works.intervention_status, name="intervention-status"),
    path("intervenciones/<int:pk>/kit/plantilla/", works.kit_from_template, name="kit-template"),
    path("intervenciones/<int:pk>/kit/items/", works.kit_item_add, name="kit-item-add"),
    path(
        "intervenciones/<int:pk>/kit/items/<int:item_pk>/financiar/",
        works.item_allocate,
        name="item-allocate",
    ),
    path(
        "intervenciones/<int:pk>/kit/items/<int:item_pk>/entregar/",
        works.item_deliver,
        name="item-deliver",
    ),
    path(
        "intervenciones/<int:pk>/entregas/<int:delivery_pk>/<str:which>/",
        works.delivery_file,
        name="delivery-file",
    ),
    path("intervenciones/<int:pk>/actividades/", works.activity_add, name="activity-add"),
    path("intervenciones/<int:pk>/presupuesto/", works.budget_add, name="budget-add"),
    path("intervenciones/<int:pk>/fotos/", works.photo_add, name="photo-add"),
    path("intervenciones/<int:pk>/guia/editar/", guides.guide_edit, name="guide-edit"),
    path("intervenciones/<int:pk>/guia/guardar/", guides.guide_save, name="guide-save"),
    path("intervenciones/<int:pk>/guia/tareas/", guides.guide_task_create, name="guide-task-add"),
    path("intervenciones/<int:pk>/guia/", guides.guide_print, name="guide-print"),
    path("resultados/", results.results, name="results"),
    path("resultados/comparar/", results.results_compare, name="results-compare"),
    # Before "resultados/<slug>/", which would otherwise take "referencias" for a district.
    path("resultados/referencias/", perception.references, name="impact-references"),
    path("resultados/referencias/anios/", perception.plan_save, name="impact-plan-save"),
    path(
        "resultados/referencias/<slug:key>/",
        perception.reference_save,
        name="impact-reference-save",
    ),
    path("resultados/exportar.<str:fmt>", results.results_export, name="results-export"),
    path("resultados/<slug:slug>/", results.results, name="results-district"),
    path(
        "resultados/<slug:slug>/exportar.<str:fmt>",
        results.results_export,
        name="results-district-export",
    ),
    # The perception survey and the open data (interventions/perception/).
    path("percepcion/", perception.manage, name="perception-manage"),
    path("percepcion/sw.js", perception.service_worker, name="perception-sw"),
    path(
        "percepcion/cuestionario/", perception.questionnaire_edit, name="perception-questionnaire"
    ),
    path("percepcion/olas/nueva/", perception.wave_create, name="perception-wave-create"),
    path("percepcion/olas/<int:pk>/abrir/", perception.wave_toggle, name="perception-wave-toggle"),
    path(
        "percepcion/sectores/<int:sector_pk>/poblacion/",
        perception.population_set,
        name="perception-population",
    ),
    path("percepcion/recoger/", perception.collect_list, name="perception-collect-list"),
    path("percepcion/<int:pk>/recoger/", perception.collect, name="perception-collect"),
    path("percepcion/<int:pk>/kiosco/", perception.kiosk, name="perception-kiosk"),
    path("encuesta/<uuid:token>/", perception.public_answer, name="perception-public"),
    path("resultados/<slug:slug>/percepcion/", perception.results, name="perception-results"),
    path("datos-abiertos/", perception.open_data, name="open-data"),
    path(
        "datos-abiertos/<slug:slug>/<slug:name>.<str:fmt>",
        perception.dataset,
        name="open-data-dataset",
    ),
]

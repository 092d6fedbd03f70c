from django.urls import path

from platform_app import views
from platform_app.calls import views as calls_views
from platform_app.codes import views as codes_views
from platform_app.decisions import urls as decisions_urls
from platform_app.outreach.urls import urlpatterns as outreach_patterns
from platform_app.views import agreements, meetings, members, registry, workplan

app_name = "platform_app"

urlpatterns = [
    # Collaborative platform
    path("plataforma/", members.platform_home, name="platform-home"),
    path("plataforma/preferencias/", members.member_preferences, name="member-preferences"),
    path("plataforma/miembros/", members.member_list, name="member-list"),
    path(
        "plataforma/invitacion/<str:token>/",
        members.invitation_accept,
        name="invitation-accept",
    ),
    path("plataforma/calendario/<str:token>.ics", members.member_feed, name="member-feed"),
    path("plataforma/reuniones/", meetings.meeting_list, name="meeting-list"),
    path("plataforma/reuniones/nueva/", meetings.meeting_create, name="meeting-create"),
    path("plataforma/reuniones/serie/", meetings.meeting_series, name="meeting-series"),
    path("plataforma/reuniones/<int:pk>/", meetings.meeting_detail, name="meeting-detail"),
    path("plataforma/reuniones/<int:pk>/editar/", meetings.meeting_edit, name="meeting-edit"),
    path("plataforma/reuniones/<int:pk>/reunion.ics", meetings.meeting_ics, name="meeting-ics"),
    path(
        "plataforma/reuniones/<int:pk>/archivos/",
        meetings.meeting_file_upload,
        name="meeting-file-upload",
    ),
    path(
        "plataforma/reuniones/<int:pk>/archivos/<int:file_pk>/",
        meetings.meeting_file_download,
        name="meeting-file",
    ),
    path(
        "plataforma/reuniones/<int:pk>/asistencia/",
        meetings.meeting_attendance,
        name="meeting-attendance",
    ),
    path(
        "plataforma/reuniones/<int:pk>/asistencia/<int:member_pk>/",
        meetings.attendance_toggle,
        name="attendance-toggle",
    ),
    path(
        "plataforma/reuniones/<int:pk>/llamadas/",
        calls_views.meeting_call_list,
        name="meeting-calls",
    ),
    path(
        "plataforma/reuniones/<int:pk>/llamadas/<int:org_pk>/",
        calls_views.meeting_call_record,
        name="meeting-call-record",
    ),
    path(
        "plataforma/reuniones/<int:pk>/organizaciones/",
        meetings.meeting_organizations,
        name="meeting-organizations",
    ),
    path(
        "plataforma/reuniones/<int:pk>/organizaciones/<int:org_pk>/",
        meetings.organization_attendance_toggle,
        name="organization-attendance-toggle",
    ),
    path("plataforma/reuniones/<int:pk>/acta/", meetings.meeting_minutes, name="meeting-minutes"),
    path(
        "plataforma/reuniones/<int:pk>/acta/puntos/<int:item_pk>/",
        meetings.minutes_item_save,
        name="minutes-item-save",
    ),
    path(
        "plataforma/reuniones/<int:pk>/acta/puntos/<int:item_pk>/acuerdos/",
        meetings.minutes_agreement_record,
        name="minutes-agreement-record",
    ),
    path(
        "plataforma/reuniones/<int:pk>/acta/agenda/",
        meetings.minutes_agenda_add,
        name="minutes-agenda-add",
    ),
    path(
        "plataforma/reuniones/<int:pk>/acta/aprobar-anterior/",
        meetings.minutes_previous_approve,
        name="minutes-previous-approve",
    ),
    path("plataforma/reuniones/<int:pk>/realizada/", meetings.meeting_held, name="meeting-held"),
    path("plataforma/acuerdos/", agreements.agreement_board, name="agreement-board"),
    path("plataforma/acuerdos/mios/", agreements.agreement_mine, name="agreement-mine"),
    path("plataforma/acuerdos/<int:pk>/", agreements.agreement_detail, name="agreement-detail"),
    path(
        "plataforma/acuerdos/<int:pk>/evidencias/<int:followup_pk>/",
        agreements.followup_evidence,
        name="followup-evidence",
    ),
    path(
        "transparencia/<slug:slug>/acuerdos/", agreements.agreement_public, name="agreement-public"
    ),
    path("plataforma/guia/", workplan.role_guide, name="role-guide"),
    path("plataforma/guia/proponer/", workplan.role_guide_propose, name="role-guide-propose"),
    path("plataforma/plan/", workplan.work_plan, name="work-plan"),
    path("plataforma/plan/objetivos/nuevo/", workplan.objective_create, name="objective-create"),
    path(
        "plataforma/plan/objetivos/<int:pk>/actividades/nueva/",
        workplan.activity_create,
        name="activity-create",
    ),
    path(
        "plataforma/plan/objetivos/<int:pk>/editar/",
        workplan.objective_edit,
        name="objective-edit",
    ),
    path(
        "plataforma/plan/actividades/<int:pk>/editar/",
        workplan.activity_edit,
        name="activity-edit",
    ),
    path(
        "plataforma/plan/actividades/<int:pk>/avance/",
        workplan.activity_report,
        name="activity-report",
    ),
    path("distritos/", views.district_list, name="district-list"),
    path("distritos/<slug:slug>/", views.district_detail, name="district-detail"),
    # Organization registry
    path(
        "organizaciones/inscripcion/",
        registry.organization_register_view,
        name="organization-register",
    ),
    path(
        "organizaciones/inscripcion/imprimir/",
        registry.organization_register_print,
        name="organization-register-print",
    ),
    path(
        "organizaciones/inscripcion/<str:code>/enviada/",
        registry.organization_registered,
        name="organization-registered",
    ),
    path(
        "organizaciones/inscripcion/<str:code>/celular/",
        codes_views.registration_phone_confirm,
        name="organization-phone-confirm",
    ),
    path(
        "organizaciones/inscripcion/<str:code>/celular/reenviar/",
        codes_views.registration_phone_resend,
        name="organization-phone-resend",
    ),
    path(
        "organizaciones/confirmar/<str:token>/",
        registry.organization_confirm,
        name="organization-confirm",
    ),
    path(
        "organizaciones/confirmar/<str:token>/contrasena/",
        registry.organization_confirm_password,
        name="organization-confirm-password",
    ),
    path("organizaciones/", registry.organization_directory, name="organization-directory"),
    path(
        "organizaciones/mapa.geojson",
        registry.organization_map_layer,
        name="organization-map-layer",
    ),
    path(
        "organizaciones/directorio.csv",
        registry.organization_directory_export,
        name="organization-directory-export",
    ),
    path("organizaciones/<str:code>/", registry.organization_detail, name="organization-detail"),
    path("organizaciones/<str:code>/editar/", registry.organization_edit, name="organization-edit"),
    path("mesa/", registry.desk, name="desk"),
    path("mesa/buscar/", registry.desk_search, name="desk-search"),
    path("mesa/contador/", registry.desk_counter, name="desk-counter"),
    path("mesa/<str:code>/editar/", registry.desk, name="desk-edit"),
    path("mesa/<str:code>/recibo/", registry.desk_receipt, name="desk-receipt"),
    path("datos-personales/", registry.data_request_create, name="data-request-create"),
    path(
        "datos-personales/confirmar/<str:token>/",
        registry.data_request_confirm_view,
        name="data-request-confirm",
    ),
    path(
        "datos-personales/copia/<str:token>.<str:fmt>",
        registry.data_request_copy,
        name="data-request-copy",
    ),
    path("verificacion/importar/", registry.registry_import, name="registry-import"),
    path(
        "verificacion/importar/<str:import_id>/progreso/",
        registry.registry_import_progress,
        name="registry-import-progress",
    ),
    path("verificacion/derechos/", registry.data_request_list, name="data-request-list"),
    path(
        "verificacion/derechos/<int:pk>/",
        registry.data_request_detail,
        name="data-request-detail",
    ),
    path("verificacion/", registry.verification_list, name="verification-list"),
    path("verificacion/exportar.<str:fmt>", registry.registry_export, name="registry-export"),
    path("verificacion/<str:code>/", registry.verification_detail, name="verification-detail"),
    *outreach_patterns,
]

# Shared decisions: votes of the members and public polls.
urlpatterns += decisions_urls.urlpatterns

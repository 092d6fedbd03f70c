from django.urls import path

from festival import views

app_name = "festival"

urlpatterns = [
    path("", views.festival_home, name="home"),
    path("inscripcion/", views.team_register, name="team-register"),
    path("resultados/", views.results, name="results"),
    path("sedes/<int:pk>/tablero/", views.stage_board, name="board"),
    path("sedes/<int:pk>/tablero/fragmento/", views.stage_board_fragment, name="board-fragment"),
    path("sedes/<int:pk>/cerrar/", views.stage_lock, name="stage-lock"),
    path("gestion/sedes/<int:pk>/reabrir/", views.stage_reopen, name="stage-reopen"),
    path("elencos/<int:pk>/certificado/", views.certificate, name="certificate"),
    path("gestion/", views.manage, name="manage"),
    path("gestion/elencos/<int:pk>/confirmar/", views.team_confirm, name="team-confirm"),
    path("gestion/elencos/<int:pk>/retirar/", views.team_withdraw, name="team-withdraw"),
    path("gestion/taller/asistencia/", views.attendance_record, name="attendance-record"),
    path("gestion/jurado/", views.judge_appoint, name="judge-appoint"),
    path("gestion/destacados/", views.outstanding_mark, name="outstanding-mark"),
    path("gestion/gran-transformacion/", views.winner_set, name="winner-set"),
    path("jurado/", views.judge_screen, name="judge"),
    path("jurado/puntaje/", views.judge_submit, name="score-submit"),
    path("jurado/conflicto/", views.judge_conflict, name="judge-conflict"),
    path("jurado/sw.js", views.judge_service_worker, name="judge-sw"),
    path("jurado/bienvenida/<str:token>/", views.judge_welcome, name="judge-welcome"),
]

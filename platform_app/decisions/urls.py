"""URLs of votes and polls, included in platform_app's namespace."""

from django.urls import path

from platform_app.decisions import views

urlpatterns = [
    path("plataforma/votaciones/", views.vote_list, name="vote-list"),
    path(
        "plataforma/puntos/<int:item_pk>/votacion/",
        views.vote_open,
        name="vote-open",
    ),
    path("plataforma/votaciones/<int:pk>/", views.vote_detail, name="vote-detail"),
    path("plataforma/votaciones/<int:pk>/votar/", views.vote_cast, name="vote-cast"),
    path("plataforma/votaciones/<int:pk>/cerrar/", views.vote_close, name="vote-close"),
    path("plataforma/consultas/nueva/", views.poll_create, name="poll-create"),
    path("consultas/", views.poll_index, name="poll-index"),
    path("consultas/<int:pk>/", views.poll_detail, name="poll-detail"),
    path("consultas/<int:pk>/responder/", views.poll_answer, name="poll-answer"),
    path("consultas/<int:pk>/cerrar/", views.poll_close, name="poll-close"),
    path("consultas/distrito/<slug:slug>/", views.poll_list, name="poll-list"),
]

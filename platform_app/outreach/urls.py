from django.urls import path

from platform_app.outreach import views

# Included in platform_app.urls (namespace platform_app).
urlpatterns = [
    path("noticias/", views.announcement_list, name="announcement-list"),
    path("noticias/nueva/", views.announcement_create, name="announcement-create"),
    path(
        "noticias/suscripcion/", views.announcement_subscription, name="announcement-subscription"
    ),
    path("noticias/<int:pk>/", views.announcement_detail, name="announcement-detail"),
    path("noticias/<int:pk>/publicar/", views.announcement_publish, name="announcement-publish"),
    path("noticias/<int:pk>/enviar/", views.announcement_send, name="announcement-send"),
]

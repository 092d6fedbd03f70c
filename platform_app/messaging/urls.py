from django.urls import path

from platform_app.messaging import views

app_name = "messaging"

urlpatterns = [
    path("m/<str:token>", views.short_link, name="short-link"),
    path("m/<str:token>/baja", views.opt_out, name="opt-out"),
    path("messaging/twilio/status/", views.status_callback, name="twilio-status"),
    path("messaging/twilio/inbound/", views.inbound, name="twilio-inbound"),
]

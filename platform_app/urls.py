from django.urls import path

from platform_app import views

app_name = "platform_app"

urlpatterns = [
    path("distritos/", views.district_list, name="district-list"),
    path("distritos/<slug:slug>/", views.district_detail, name="district-detail"),
]
